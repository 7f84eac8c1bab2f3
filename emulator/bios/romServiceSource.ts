/**
 * x86 source of the routines the video, keyboard, time and system services jump to for their port
 * I/O: the VGA mode set (registers from a 64-byte parameter table, DAC, font into plane 2, screen
 * clear), cursor and palette access, the RTC, A20 through port 92h, the PS/2 mouse through the
 * 8042, the serial port, and the waits that sleep in STI/HLT until an interrupt handler sets a flag.
 *
 * Mode-set parameter block in the scratch area: +0 far pointer to the parameter table, +4 far
 * pointer to DAC data, +8 DAC entry count, +10 far pointer to the font, +14 glyph height,
 * +15 flags (bit 0 load font, bit 7 keep video memory), +16 segment to clear, +18 words to clear,
 * +20 fill word, +22 CRTC base port.
 */

export const ROM_SERVICE_SOURCE = `
; ---------------------------------------------------------------- video
vid_setmode:
  mov bp, sp
  lds si, [bp+0]
  mov dx, 0x3c4
  mov ax, 0x0100
  out dx, ax
  add si, 5
  mov bl, 1
  mov cx, 4
.seq:
  mov al, bl
  mov ah, [si]
  out dx, ax
  inc si
  inc bl
  loop .seq
  mov al, [si]
  inc si
  mov dx, 0x3c2
  out dx, al
  mov dx, 0x3c4
  mov ax, 0x0300
  out dx, ax
  mov dx, [bp+22]
  mov ax, 0x0011
  out dx, ax
  xor bl, bl
  mov cx, 25
.crtc:
  mov al, bl
  mov ah, [si]
  out dx, ax
  inc si
  inc bl
  loop .crtc
  add dx, 6
  in al, dx
  mov dx, 0x3c0
  xor bl, bl
  mov cx, 20
.attr:
  mov al, bl
  out dx, al
  mov al, [si]
  out dx, al
  inc si
  inc bl
  loop .attr
  mov dx, 0x3ce
  xor bl, bl
  mov cx, 9
.gc:
  mov al, bl
  mov ah, [si]
  out dx, ax
  inc si
  inc bl
  loop .gc
  mov cx, [bp+8]
  jcxz .nodac
  lds si, [bp+4]
  mov dx, 0x3c8
  xor al, al
  out dx, al
  inc dx
  mov ax, cx
  add cx, ax
  add cx, ax
  rep outsb
.nodac:
  test byte [bp+15], 1
  jz .nofont
  lds si, [bp+10]
  mov bh, [bp+14]
  xor bl, bl
  xor dx, dx
  mov cx, 256
  call vid_loadfont
.nofont:
  test byte [bp+15], 0x80
  jnz .noclear
  mov es, [bp+16]
  xor di, di
  mov cx, [bp+18]
  mov ax, [bp+20]
  rep stosw
.noclear:
  mov dx, [bp+22]
  add dx, 6
  in al, dx
  mov dx, 0x3c0
  mov al, 0x20
  out dx, al
  jmp ret_frame

; Loads CX glyphs of BH bytes from DS:SI into font block BL, starting at character DX.
vid_loadfont:
  push es
  push dx
  mov dx, 0x3c4
  mov ax, 0x0402
  out dx, ax
  mov ax, 0x0704
  out dx, ax
  mov dx, 0x3ce
  mov ax, 0x0204
  out dx, ax
  mov ax, 0x0005
  out dx, ax
  mov ax, 0x0406
  out dx, ax
  pop di
  shl di, 5
  mov al, bl
  and al, 3
  mov ah, al
  shl ah, 6
  xor al, al
  test bl, 4
  jz .block
  or ah, 0x20
.block:
  add di, ax
  mov ax, 0xa000
  mov es, ax
.glyph:
  push cx
  push di
  movzx cx, bh
  rep movsb
  pop di
  add di, 32
  pop cx
  loop .glyph
  mov dx, 0x3c4
  mov ax, 0x0302
  out dx, ax
  mov ax, 0x0204
  out dx, ax
  mov dx, 0x3ce
  mov ax, 0x0004
  out dx, ax
  mov ax, 0x1005
  out dx, ax
  mov ax, 0x0e06
  out dx, ax
  pop es
  ret

; INT 10h AH=11h: font load (DS:SI, CX, DX, BL, BH as above), then the scratch I/O script whose
; entry count is in the scratch word at +30 (CRTC changes of the 11h 1xh "recalculate" calls).
vid_font:
  call vid_loadfont
  mov bp, sp
  mov cx, [bp+30]
  jcxz .done
  jmp io_script
.done:
  jmp ret_frame

; Cursor location AX (in characters from the start of video memory) to the CRTC at DX.
vid_cursor:
  mov bx, ax
  mov al, 0x0e
  mov ah, bh
  out dx, ax
  mov al, 0x0f
  mov ah, bl
  out dx, ax
  jmp ret_frame

; DAC block write: CX entries from DS:SI starting at register BL.
vid_dac_write:
  mov dx, 0x3c8
  mov al, bl
  out dx, al
  inc dx
  mov ax, cx
  add cx, ax
  add cx, ax
  rep outsb
  jmp ret_frame

; DAC block read: CX entries starting at register BL into ES:DI.
vid_dac_read:
  mov dx, 0x3c7
  mov al, bl
  out dx, al
  mov dx, 0x3c9
  mov ax, cx
  add cx, ax
  add cx, ax
  rep insb
  jmp ret_frame

; Attribute registers 0-15 and the overscan register from DS:SI (17 bytes).
vid_attr_write_all:
  mov dx, 0x3da
  in al, dx
  mov dx, 0x3c0
  xor bl, bl
  mov cx, 16
.next:
  mov al, bl
  out dx, al
  lodsb
  out dx, al
  inc bl
  loop .next
  mov al, 0x11
  out dx, al
  lodsb
  out dx, al
  mov al, 0x20
  out dx, al
  jmp ret_frame

; Reads attribute registers 0-15 and the overscan register into ES:DI (17 bytes).
vid_attr_read_all:
  xor bl, bl
  mov cx, 17
.next:
  mov dx, 0x3da
  in al, dx
  mov dx, 0x3c0
  mov al, bl
  cmp al, 16
  jne .index
  mov al, 0x11
.index:
  or al, 0x20
  out dx, al
  inc dx
  in al, dx
  stosb
  inc bl
  loop .next
  jmp ret_frame

; Reads one attribute register (index BL) into the caller's BH.
vid_attr_read:
  mov dx, 0x3da
  in al, dx
  mov dx, 0x3c0
  mov al, bl
  or al, 0x20
  out dx, al
  inc dx
  in al, dx
  mov bp, sp
  mov [bp+49], al
  jmp ret_frame

; Reads DAC register BL into the caller's DH (red), CH (green), CL (blue).
vid_dac_read_one:
  mov dx, 0x3c7
  mov al, bl
  out dx, al
  mov dx, 0x3c9
  mov bp, sp
  in al, dx
  mov [bp+53], al
  in al, dx
  mov [bp+57], al
  in al, dx
  mov [bp+56], al
  jmp ret_frame

; Reads the PEL mask into the caller's BL.
vid_pel_read:
  mov dx, 0x3c6
  in al, dx
  mov bp, sp
  mov [bp+48], al
  jmp ret_frame

; ---------------------------------------------------------------- planar modes (0Dh-12h)
; Character cells through the graphics controller: set/reset supplies the colour, the bit mask
; selects the glyph's pixels (then the others, for the black background), and a read before each
; write loads the latches so masked pixels keep their planes. Parameter block in the scratch area:
; +0 bytes per scan line, +2 characters to draw, +4 glyph height, +6 glyph offset, +8 video
; offset of the first cell, +10 colour (bit 7: XOR, no background), +12 font segment.
vid_planar_chars:
  mov bp, sp
  mov ax, 0xa000
  mov es, ax
  mov dx, 0x3ce
  mov ax, 0x0f01
  out dx, ax
  test byte [bp+10], 0x80
  jz .char
  mov ax, 0x1803
  out dx, ax
.char:
  mov ds, [bp+12]
  mov si, [bp+6]
  mov di, [bp+8]
  mov cx, [bp+4]
.row:
  lodsb
  mov bh, al
  test byte [bp+10], 0x80
  jnz .fore
  xor ax, ax
  out dx, ax
  mov ah, bh
  not ah
  mov al, 0x08
  out dx, ax
  mov al, [es:di]
  mov [es:di], al
.fore:
  mov ah, [bp+10]
  and ah, 0x0f
  xor al, al
  out dx, ax
  mov ah, bh
  mov al, 0x08
  out dx, ax
  mov al, [es:di]
  mov [es:di], al
  add di, [bp+0]
  loop .row
  inc word [bp+8]
  dec word [bp+2]
  jnz .char
; Gives the graphics controller back its mode-set values; an AH=13h string in progress (scratch
; +30 = 1) continues in TypeScript with its next character.
vid_planar_restore:
  mov dx, 0x3ce
  mov ax, 0x0000
  out dx, ax
  mov ax, 0x0001
  out dx, ax
  mov ax, 0x0003
  out dx, ax
  mov ax, 0x0005
  out dx, ax
  mov ax, 0xff08
  out dx, ax
  mov bp, sp
  cmp word [bp+30], 1
  jne .done
  biostrap T_INT10_STEP
.done:
  jmp ret_frame

; Scrolls whole scan lines: copies CX bytes from A000:SI to A000:DI with write mode 1 (the
; latches carry all four planes), forwards (AH = 0) or backwards, then fills BX bytes at the
; following destination (backwards: the preceding) with colour AL through set/reset; then draws
; the characters of the parameter block above, if it holds any (teletype after a scroll).
vid_planar_scroll:
  push ax
  cld
  test ah, ah
  jz .forward
  std
.forward:
  mov ax, 0xa000
  mov ds, ax
  mov es, ax
  mov dx, 0x3ce
  mov ax, 0x0105
  out dx, ax
  jcxz .copied
  rep movsb
.copied:
  mov ax, 0x0005
  out dx, ax
  pop ax
  mov ah, al
  xor al, al
  out dx, ax
  mov ax, 0x0f01
  out dx, ax
  mov cx, bx
  jcxz .filled
  rep stosb
.filled:
  cld
  mov bp, sp
  cmp word [bp+2], 0
  jne vid_planar_chars
  jmp vid_planar_restore

; Scrolls a window narrower than the screen, scan line by scan line. Parameter block in the
; scratch area: +0 bytes per scan line, +2 0 (no characters follow), +14 window width in bytes,
; +16 scan lines to copy, +18 scan lines to fill, +20 first source offset, +22 first destination
; offset, +24 step between scan lines (+pitch up, -pitch down), +26 fill colour.
vid_planar_window:
  mov bp, sp
  mov ax, 0xa000
  mov ds, ax
  mov es, ax
  cld
  mov dx, 0x3ce
  mov ax, 0x0105
  out dx, ax
  mov si, [bp+20]
  mov di, [bp+22]
  mov bx, [bp+16]
.copy:
  test bx, bx
  jz .copied
  push si
  push di
  mov cx, [bp+14]
  rep movsb
  pop di
  pop si
  add si, [bp+24]
  add di, [bp+24]
  dec bx
  jmp .copy
.copied:
  mov ax, 0x0005
  out dx, ax
  mov ah, [bp+26]
  xor al, al
  out dx, ax
  mov ax, 0x0f01
  out dx, ax
  mov bx, [bp+18]
.fill:
  test bx, bx
  jz .filled
  push di
  mov cx, [bp+14]
  rep stosb
  pop di
  add di, [bp+24]
  dec bx
  jmp .fill
.filled:
  jmp vid_planar_restore

; Pixel write at A000:DI: AH = bit mask, AL = colour (bit 7: XOR).
vid_planar_pixel:
  mov bx, 0xa000
  mov es, bx
  mov bl, al
  mov dx, 0x3ce
  mov al, 0x08
  out dx, ax
  mov ax, 0x0f01
  out dx, ax
  test bl, 0x80
  jz .plain
  mov ax, 0x1803
  out dx, ax
.plain:
  mov ah, bl
  and ah, 0x0f
  xor al, al
  out dx, ax
  mov al, [es:di]
  mov [es:di], al
  jmp vid_planar_restore

; Pixel read at A000:DI, bit CL (7 = leftmost): the colour goes to the caller's AL.
vid_planar_read:
  mov ax, 0xa000
  mov es, ax
  mov dx, 0x3ce
  xor bl, bl
  mov ah, 3
.plane:
  mov al, 0x04
  out dx, ax
  mov al, [es:di]
  shr al, cl
  and al, 1
  shl bl, 1
  or bl, al
  dec ah
  jns .plane
  mov ax, 0x0004
  out dx, ax
  mov bp, sp
  mov [bp+60], bl
  jmp ret_frame

; INT 10h AH=1Ch, hardware state: ES:DI = 64-byte area. Layout: misc output, sequencer 0-4,
; CRTC 0-24, attribute 0-20 (20 = none), graphics 0-8, then the three index registers.
vid_hw_save:
  cld
  mov dx, 0x3cc
  in al, dx
  stosb
  mov dx, 0x3c4
  in al, dx
  mov ah, al
  xor bl, bl
  mov cx, 5
.seq:
  mov al, bl
  out dx, al
  inc dx
  in al, dx
  dec dx
  stosb
  inc bl
  loop .seq
  mov al, ah
  out dx, al
  mov dx, 0x3d4
  in al, dx
  mov bh, al
  xor bl, bl
  mov cx, 25
.crtc:
  mov al, bl
  out dx, al
  inc dx
  in al, dx
  dec dx
  stosb
  inc bl
  loop .crtc
  mov al, bh
  out dx, al
  xor bl, bl
  mov cx, 21
.attr:
  mov dx, 0x3da
  in al, dx
  mov dx, 0x3c0
  mov al, bl
  or al, 0x20
  out dx, al
  inc dx
  in al, dx
  stosb
  inc bl
  loop .attr
  mov dx, 0x3ce
  in al, dx
  mov bh, al
  xor bl, bl
  mov cx, 9
.gc:
  mov al, bl
  out dx, al
  inc dx
  in al, dx
  dec dx
  stosb
  inc bl
  loop .gc
  mov al, bh
  out dx, al
  mov al, ah
  stosb
  mov dx, 0x3d4
  in al, dx
  stosb
  mov al, bh
  stosb
  mov dx, 0x3da
  in al, dx
  biostrap T_INT10_STEP
  jmp ret_frame

; INT 10h AH=1Ch, hardware state: restores from DS:SI (the layout above).
vid_hw_restore:
  cld
  lodsb
  mov dx, 0x3c2
  out dx, al
  mov dx, 0x3c4
  mov ax, 0x0100
  out dx, ax
  inc si
  mov bl, 1
  mov cx, 4
.seq:
  mov al, bl
  mov ah, [si]
  out dx, ax
  inc si
  inc bl
  loop .seq
  mov al, 0
  mov ah, [si-5]
  or ah, 0x03
  out dx, ax
  mov dx, 0x3d4
  mov ax, 0x0011
  out dx, ax
  xor bl, bl
  mov cx, 25
.crtc:
  mov al, bl
  mov ah, [si]
  out dx, ax
  inc si
  inc bl
  loop .crtc
  mov dx, 0x3da
  in al, dx
  mov dx, 0x3c0
  xor bl, bl
  mov cx, 21
.attr:
  mov al, bl
  out dx, al
  lodsb
  out dx, al
  inc bl
  loop .attr
  mov dx, 0x3ce
  xor bl, bl
  mov cx, 9
.gc:
  mov al, bl
  mov ah, [si]
  out dx, ax
  inc si
  inc bl
  loop .gc
  lodsb
  mov dx, 0x3c4
  out dx, al
  lodsb
  mov dx, 0x3d4
  out dx, al
  lodsb
  mov dx, 0x3ce
  out dx, al
  mov dx, 0x3da
  in al, dx
  mov dx, 0x3c0
  mov al, 0x20
  out dx, al
  biostrap T_INT10_STEP
  jmp ret_frame

; INT 10h AH=1Ch, DAC state: PEL mask, write index, then 256 triples into ES:DI, or back from DS:SI.
vid_dac_save:
  cld
  mov dx, 0x3c6
  in al, dx
  stosb
  mov dx, 0x3c8
  in al, dx
  stosb
  mov dx, 0x3c7
  xor al, al
  out dx, al
  mov dx, 0x3c9
  mov cx, 768
  rep insb
  biostrap T_INT10_STEP
  jmp ret_frame

vid_dac_restore:
  cld
  lodsb
  mov dx, 0x3c6
  out dx, al
  lodsb
  mov bl, al
  mov dx, 0x3c8
  xor al, al
  out dx, al
  inc dx
  mov cx, 768
  rep outsb
  dec dx
  mov al, bl
  out dx, al
  biostrap T_INT10_STEP
  jmp ret_frame

; ---------------------------------------------------------------- keyboard, time, system
; INT 16h read with an empty buffer: sleep until an interrupt, then retry the service.
kbd_wait:
  sti
  hlt
  jmp int16.again

; Reads the RTC (waiting out an update cycle) into BL sec, BH min, CL hour, CH day, DL month,
; DH year, AH century, AL status B, and traps back to INT 1Ah.
rtc_read:
  mov cx, 0xffff
.uip:
  mov al, 0x0a
  out 0x70, al
  in al, 0x71
  test al, 0x80
  loopnz .uip
  mov al, 0x00
  call cmos_in
  mov bl, al
  mov al, 0x02
  call cmos_in
  mov bh, al
  mov al, 0x04
  call cmos_in
  mov cl, al
  mov al, 0x07
  call cmos_in
  mov ch, al
  mov al, 0x08
  call cmos_in
  mov dl, al
  mov al, 0x09
  call cmos_in
  mov dh, al
  mov al, 0x32
  call cmos_in
  mov ah, al
  mov al, 0x0b
  call cmos_in
  biostrap T_INT1A_DONE
  jmp ret_frame

cmos_in:
  out 0x70, al
  in al, 0x71
  ret

; Turns the RTC periodic interrupt on (INT 15h AH=83h/86h), then waits if BL = 1.
rtc_pie_on:
  cli
  mov al, 0x0b
  out 0x70, al
  in al, 0x71
  or al, 0x40
  mov ah, al
  mov al, 0x0b
  out 0x70, al
  mov al, ah
  out 0x71, al
  mov al, 0x0d
  out 0x70, al
  sti
  cmp bl, 1
  jne .done
  mov ax, 0x40
  mov ds, ax
.wait:
  cli
  test byte [0xa0], 0x80
  jnz .over
  sti
  hlt
  jmp .wait
.over:
  sti
  mov byte [0xa0], 0
.done:
  jmp ret_frame

; INT 15h AH=24h: A20 through port 92h (bit 0 is the fast reset: never write it as 1).
a20_on:
  in al, 0x92
  or al, 2
  and al, 0xfe
  out 0x92, al
  jmp ret_frame

a20_off:
  in al, 0x92
  and al, 0xfc
  out 0x92, al
  jmp ret_frame

a20_query:
  in al, 0x92
  biostrap T_INT15_STEP
  jmp ret_frame

; INT 15h AH=87h: opens A20 for the copy, traps to TypeScript to copy, restores port 92h.
; (BL keeps port 92h: nothing may be pushed between the frame and a trap, which finds the frame
; at SS:SP.)
block_move:
  in al, 0x92
  mov bl, al
  or al, 2
  and al, 0xfe
  out 0x92, al
  biostrap T_INT15_STEP
  mov al, bl
  and al, 0xfe
  out 0x92, al
  jmp ret_frame

; PS/2 mouse: sends CX bytes from the scratch area to the mouse (each must be acknowledged), then
; reads DI more bytes into scratch +16; traps back with AL = 0 (ok), 3 (timeout), 4 (no ACK).
aux_script:
  mov bp, sp
  cli
  xor si, si
.send:
  call kbc_wait_in
  mov al, 0xd4
  out 0x64, al
  call kbc_wait_in
  mov al, [bp+si]
  out 0x60, al
  call aux_read
  jc .timeout
  cmp al, 0xfa
  jne .nak
  inc si
  loop .send
  mov cx, di
  jcxz .ok
  xor si, si
.reply:
  call aux_read
  jc .timeout
  mov [bp+si+16], al
  inc si
  loop .reply
.ok:
  xor al, al
  jmp .done
.timeout:
  mov al, 3
  jmp .done
.nak:
  mov al, 4
.done:
  sti
  biostrap T_INT15_STEP
  jmp ret_frame

aux_read:
  push cx
  mov cx, 0xffff
.wait:
  in al, 0x64
  test al, 1
  jnz .ready
  loop .wait
  pop cx
  stc
  ret
.ready:
  in al, 0x60
  pop cx
  clc
  ret

; INT 14h: DX = UART base, BL = 1 send AL, 2 receive, 3 status. Traps back with AH = line status,
; AL = modem status or the received byte, CF clear; BL = 80h on a timeout.
com_io:
  mov bp, ax
  mov si, dx
  cmp bl, 3
  je .status
  add dx, 5
  mov cx, 0xffff
  mov ah, 0x20
  cmp bl, 1
  je .wait
  mov ah, 0x01
.wait:
  in al, dx
  test al, ah
  jnz .ready
  loop .wait
  mov bl, 0x80
  jmp .status
.ready:
  mov dx, si
  cmp bl, 1
  jne .receive
  mov ax, bp
  out dx, al
  jmp .status
.receive:
  in al, dx
  mov bp, ax
.status:
  lea dx, [si+5]
  in al, dx
  mov ah, al
  inc dx
  in al, dx
  mov cx, bp
  biostrap T_INT14_DONE
  jmp ret_frame
`;

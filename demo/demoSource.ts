/**
 * The built-in demo disk's program, in nasm syntax (the ROM assembler builds it at run time; a test
 * checks nasm produces the same bytes). A 1.44 MB floppy: the boot sector loads the rest of the
 * program from the first track, shows a text-mode screen with a Fletcher-16 checksum of itself,
 * waits one second of timer ticks, switches to mode 13h, draws rings and colour bars, labels them,
 * and halts with interrupts off.
 *
 * `checksum` is the routine to step through in the debugger: a loop with a near call (add_byte), a
 * far call (far_mix) and a software interrupt (INT 60h, installed by the program).
 */
export const DEMO_SOURCE = `bits 16
org 0x7c00
start:
  cli
  xor ax, ax
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov sp, 0x7c00
  sti
  mov [boot_drive], dl
  mov ax, 0x0200 + PAYLOAD_SECTORS
  mov cx, 0x0002
  xor dh, dh
  mov bx, 0x7e00
  int 0x13
  jc load_error
  jmp main
load_error:
  mov si, msg_load_error
  call print_str
halt:
  cli
  hlt
  jmp halt

; Prints the NUL-terminated string at DS:SI by teletype.
print_str:
  lodsb
  test al, al
  jz .done
  mov ah, 0x0e
  mov bx, 0x000f
  int 0x10
  jmp print_str
.done:
  ret

boot_drive:
  db 0
msg_load_error:
  db 'Demo: cannot read the disk', 13, 10, 0
  times 510-($-$$) db 0
  dw 0xaa55

; ---------------------------------------------------------------- sector 2 onwards
PAYLOAD_SECTORS equ (payload_end - start - 512 + 511) / 512

main:
  mov word [0x60*4], int60
  mov word [0x60*4+2], 0
  mov ax, 0x0003
  int 0x10
  mov ah, 0x01
  mov cx, 0x2000
  int 0x10
  mov ax, 0x0600
  mov bh, 0x1f
  xor cx, cx
  mov dx, 0x184f
  int 0x10
  mov ax, 0x0600
  mov bh, 0x4e
  mov cx, 0x0214
  mov dx, 0x043b
  int 0x10
  mov dx, 0x031b
  mov si, msg_title
  call print_at
  mov dx, 0x0704
  mov si, msg_memory
  call print_at
  int 0x12
  call print_dec
  mov si, msg_kb
  call print_str
  mov dx, 0x0904
  mov si, msg_sum
  call print_at
  mov si, 0x7c00
  mov cx, payload_end - start
  call checksum
  call print_hex16
  mov dx, 0x0b04
  mov si, msg_next
  call print_at
  mov cx, 18
  call wait_ticks
  mov ax, 0x0013
  int 0x10
  call draw_picture
  mov dx, 0x0101
  mov si, msg_mode13
  call print_at
  jmp halt

; Sets the cursor to DH row, DL column, then prints DS:SI.
print_at:
  mov ah, 0x02
  xor bh, bh
  int 0x10
  jmp print_str

; Prints AX in decimal.
print_dec:
  xor cx, cx
  mov bx, 10
.divide:
  xor dx, dx
  div bx
  push dx
  inc cx
  test ax, ax
  jnz .divide
.digit:
  pop ax
  add al, '0'
  mov ah, 0x0e
  mov bx, 0x000f
  int 0x10
  loop .digit
  ret

; Prints AX as four hex digits.
print_hex16:
  mov cx, 4
.digit:
  rol ax, 4
  push ax
  and al, 0x0f
  add al, '0'
  cmp al, '9'
  jbe .out
  add al, 7
.out:
  mov ah, 0x0e
  mov bx, 0x000f
  int 0x10
  pop ax
  loop .digit
  ret

; Fletcher-16 of CX bytes at DS:SI, returned in AX (high byte sum2, low byte sum1).
checksum:
  push si
  push cx
  xor bx, bx
.next:
  lodsb
  call add_byte
  call 0:far_mix
  loop .next
  int 0x60
  mov ax, bx
  pop cx
  pop si
  ret

; sum1 += AL, modulo 255 (end-around carry).
add_byte:
  add bl, al
  adc bl, 0
  ret

; sum2 += sum1, modulo 255; reached by a far call.
far_mix:
  add bh, bl
  adc bh, 0
  retf

; INT 60h: folds FFh (the ones'-complement zero) to 0 in both sums.
int60:
  cmp bl, 0xff
  jne .high
  xor bl, bl
.high:
  cmp bh, 0xff
  jne .done
  xor bh, bh
.done:
  iret

; Waits CX timer ticks (18.2 per second) in HLT.
wait_ticks:
  mov ah, 0
  push cx
  int 0x1a
  pop cx
  mov bx, dx
.wait:
  hlt
  push cx
  mov ah, 0
  int 0x1a
  pop cx
  mov ax, dx
  sub ax, bx
  cmp ax, cx
  jb .wait
  ret

; Mode 13h: rings around the centre in the hue colours, colour bars along the bottom.
draw_picture:
  push es
  mov ax, 0xa000
  mov es, ax
  xor di, di
  xor bp, bp
.row:
  xor si, si
.pixel:
  cmp bp, 180
  jb .rings
  mov ax, si
  mov cl, 20
  div cl
  jmp .store
.rings:
  mov ax, si
  sub ax, 160
  jns .xpos
  neg ax
.xpos:
  mul ax
  mov cx, ax
  mov ax, bp
  sub ax, 100
  jns .ypos
  neg ax
.ypos:
  mul ax
  add ax, cx
  shr ax, 6
  and al, 63
  add al, 32
.store:
  stosb
  inc si
  cmp si, 320
  jb .pixel
  inc bp
  cmp bp, 200
  jb .row
  pop es
  ret

msg_title:
  db 'win31-debug demo disk', 0
msg_memory:
  db 'Conventional memory: ', 0
msg_kb:
  db ' KB', 0
msg_sum:
  db 'Fletcher-16 of this program: ', 0
msg_next:
  db 'Switching to mode 13h...', 0
msg_mode13:
  db 'Mode 13h: 320x200, 256 colours', 0
payload_end:
`;

/**
 * x86 source (nasm syntax) of the system ROM's core: the reset path and POST, the common service
 * frame, the hardware interrupt handlers, bootstrap (INT 19h) and small I/O helpers.
 *
 * The service frame. Every service that TypeScript implements enters through a stub like
 *     push ds / push es / pushad / sub sp, SCRATCH / biostrap T_x / jmp ret_frame
 * so the caller's registers are saved on the caller's own stack. The TypeScript handler reads the
 * caller's registers from that frame, writes results into it (including CF/ZF in the saved FLAGS,
 * which IRET restores), and may load the live registers with parameters and point IP at one of
 * the x86 routines below, which perform the port I/O with real IN/OUT instructions and then either
 * return through ret_frame or trap again to continue the service. Nothing about an unfinished
 * call lives outside the guest's registers and stack, so a machine state can be saved at any
 * instruction boundary, and a virtual-8086 monitor that traps an IN/OUT finds a real IN/OUT.
 * The 32 bytes of scratch under the frame carry parameter blocks for the longer routines.
 * A trap finds the frame at SS:SP, so x86 code never leaves anything pushed across a trap.
 */

export const SCRATCH_SIZE = 32;

/** Byte offsets in the frame, counted from SS:SP at a trap. */
export const FRAME = {
  scratch: 0,
  edi: SCRATCH_SIZE + 0,
  esi: SCRATCH_SIZE + 4,
  ebp: SCRATCH_SIZE + 8,
  ebx: SCRATCH_SIZE + 16,
  edx: SCRATCH_SIZE + 20,
  ecx: SCRATCH_SIZE + 24,
  eax: SCRATCH_SIZE + 28,
  es: SCRATCH_SIZE + 32,
  ds: SCRATCH_SIZE + 34,
  ip: SCRATCH_SIZE + 36,
  cs: SCRATCH_SIZE + 38,
  flags: SCRATCH_SIZE + 40,
} as const;

export const ROM_CORE_SOURCE = `
; ---------------------------------------------------------------- service frame
ret_frame:
  add sp, ${SCRATCH_SIZE}
  popad
  pop es
  pop ds
  iret

; Runs CX (port word, value byte) entries from the scratch area, then returns from the service.
; A port with bit 15 set is read instead (resets the attribute controller's flip-flop at 3DAh).
io_script:
  mov bp, sp
  xor si, si
.next:
  mov dx, [bp+si]
  test dx, 0x8000
  jnz .in
  mov al, [bp+si+2]
  out dx, al
  jmp .step
.in:
  and dx, 0x7fff
  in al, dx
.step:
  add si, 3
  loop .next
  jmp ret_frame

; Writes CX (CMOS index, value) pairs from the scratch area, then returns from the service.
cmos_script:
  mov bp, sp
  xor si, si
.next:
  mov al, [bp+si]
  out 0x70, al
  mov al, [bp+si+1]
  out 0x71, al
  add si, 2
  loop .next
  mov al, 0x0d
  out 0x70, al
  jmp ret_frame

; Prints the NUL-terminated string at CS:SI through INT 10h teletype.
print_cs:
  push ax
  push bx
  push si
.next:
  cs lodsb
  test al, al
  jz .done
  mov ah, 0x0e
  mov bx, 0x0007
  int 0x10
  jmp .next
.done:
  pop si
  pop bx
  pop ax
  ret

; Outputs (port word, value byte) entries from CS:SI until port FFFFh.
out_table_cs:
  cs lodsw
  cmp ax, 0xffff
  je .done
  mov dx, ax
  cs lodsb
  out dx, al
  jmp out_table_cs
.done:
  ret

; Waits until the 8042 input buffer is empty (it accepts a byte).
kbc_wait_in:
  push cx
  mov cx, 0xffff
.wait:
  in al, 0x64
  test al, 2
  loopnz .wait
  pop cx
  ret

; ---------------------------------------------------------------- power-on self test
post:
  cli
  cld
  mov al, 0x8f
  out 0x70, al
  in al, 0x71
  mov bl, al
  mov al, 0x8f
  out 0x70, al
  xor al, al
  out 0x71, al
  mov al, 0x0d
  out 0x70, al
  cmp bl, 0x05
  je resume_eoi
  cmp bl, 0x0a
  je resume_jump
  cmp bl, 0x0b
  je resume_iret
  xor ax, ax
  mov ss, ax
  mov sp, 0x7c00
  mov ds, ax
  mov es, ax
  biostrap T_POST
  mov si, post_ports
  call out_table_cs
  call kbc_wait_in
  mov al, 0x60
  out 0x64, al
  call kbc_wait_in
  mov al, 0x47
  out 0x60, al
  call kbc_wait_in
  call 0xc000:0x0003
  mov si, banner
  call print_cs
  sti
  biostrap T_POST_DONE
  int 0x19

; CMOS shutdown codes: resume a program that reset the CPU to leave protected mode (286 style).
resume_eoi:
  mov al, 0x20
  out 0xa0, al
  out 0x20, al
resume_jump:
  mov ax, 0x40
  mov ds, ax
  jmp far [0x67]
resume_iret:
  mov ax, 0x40
  mov ds, ax
  mov ss, [0x69]
  mov sp, [0x67]
  iret

; Interrupt controllers (vectors 08h and 70h), timer 0 at 18.2 Hz, RTC 1024 Hz periodic rate in
; 24-hour BCD mode, DMA controllers cleared with channel 4 cascading.
post_ports:
  dw 0x20
  db 0x11
  dw 0x21
  db 0x08
  dw 0x21
  db 0x04
  dw 0x21
  db 0x01
  dw 0xa0
  db 0x11
  dw 0xa1
  db 0x70
  dw 0xa1
  db 0x02
  dw 0xa1
  db 0x01
  dw 0x21
  db 0xb8
  dw 0xa1
  db 0x8e
  dw 0x43
  db 0x36
  dw 0x40
  db 0x00
  dw 0x40
  db 0x00
  dw 0x43
  db 0x54
  dw 0x41
  db 0x12
  dw 0x43
  db 0xb6
  dw 0x42
  db 0x33
  dw 0x42
  db 0x05
  dw 0x70
  db 0x0a
  dw 0x71
  db 0x26
  dw 0x70
  db 0x0b
  dw 0x71
  db 0x02
  dw 0x70
  db 0x0d
  dw 0x0d
  db 0x00
  dw 0xda
  db 0x00
  dw 0xd6
  db 0xc0
  dw 0xd4
  db 0x00
  dw 0xffff

banner:
  db 'win31-debug BIOS', 13, 10, 0

; ---------------------------------------------------------------- bootstrap
int19:
  sti
  xor ax, ax
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov sp, 0x7c00
  xor si, si
.next:
  biostrap T_BOOT_NEXT
  cmp dl, 0xff
  je .none
  mov di, 3
.retry:
  xor ax, ax
  int 0x13
  mov ax, 0x0201
  mov cx, 1
  xor dh, dh
  mov bx, 0x7c00
  int 0x13
  jnc .loaded
  dec di
  jnz .retry
  jmp .next
.loaded:
  test dl, 0x80
  jz .go
  cmp word [es:0x7dfe], 0xaa55
  jne .next
.go:
  jmp 0:0x7c00
.none:
  int 0x18

int18:
  mov si, msg_noboot
  call print_cs
.halt:
  cli
  hlt
  jmp .halt

msg_noboot:
  db 'No bootable disk.', 13, 10, 0

; ---------------------------------------------------------------- hardware interrupts
int08:
  push ds
  push ax
  push dx
  mov ax, 0x40
  mov ds, ax
  add word [0x6c], 1
  adc word [0x6e], 0
  cmp word [0x6e], 0x18
  jne .counted
  cmp word [0x6c], 0xb0
  jne .counted
  mov word [0x6c], 0
  mov word [0x6e], 0
  mov byte [0x70], 1
.counted:
  cmp byte [0x40], 0
  je .motor
  dec byte [0x40]
  jnz .motor
  and byte [0x3f], 0xf0
  mov al, 0x0c
  mov dx, 0x3f2
  out dx, al
.motor:
  int 0x1c
  mov al, 0x20
  out 0x20, al
  pop dx
  pop ax
  pop ds
  iret

int09:
  push ds
  push es
  pushad
  sub sp, ${SCRATCH_SIZE}
  in al, 0x60
  mov ah, 0x4f
  stc
  int 0x15
  jnc .eoi
  biostrap T_KEY_SCANCODE
  test ch, 1
  jz .eoi
  mov al, 0xed
  call kbd_send
  jc .eoi
  mov al, cl
  call kbd_send
.eoi:
  cli
  mov al, 0x20
  out 0x20, al
  jmp ret_frame

; Sends AL to the keyboard through port 60h and reads its answer (ACK); CF on a timeout.
kbd_send:
  push cx
  mov ah, al
  call kbc_wait_in
  mov al, ah
  out 0x60, al
  mov cx, 0xffff
.wait:
  in al, 0x64
  test al, 1
  jnz .answer
  loop .wait
  pop cx
  stc
  ret
.answer:
  in al, 0x60
  pop cx
  clc
  ret

; INT 16h AH=03h AL=05h: typematic rate and delay CL to the keyboard (command F3h).
kbd_typematic:
  cli
  mov al, 0xf3
  call kbd_send
  jc .done
  mov al, cl
  call kbd_send
.done:
  sti
  jmp ret_frame

; Ctrl+Alt+Del: the keyboard handler set the warm-boot flag 40:72 = 1234h and comes here.
warm_boot:
  cli
  mov al, 0x20
  out 0x20, al
  jmp 0xf000:post

int0e:
  push ds
  push ax
  mov ax, 0x40
  mov ds, ax
  or byte [0x3e], 0x80
  mov al, 0x20
  out 0x20, al
  pop ax
  pop ds
  iret

int70:
  push ds
  push es
  pushad
  sub sp, ${SCRATCH_SIZE}
  mov al, 0x0c
  out 0x70, al
  in al, 0x71
  mov ah, al
  mov al, 0x0b
  out 0x70, al
  in al, 0x71
  biostrap T_RTC_IRQ
  cmp cl, 0xff
  je .same
  mov al, 0x0b
  out 0x70, al
  mov al, cl
  out 0x71, al
.same:
  mov al, 0x0d
  out 0x70, al
  test ch, 1
  jz .eoi
  sti
  int 0x4a
  cli
.eoi:
  mov al, 0x20
  out 0xa0, al
  out 0x20, al
  jmp ret_frame

int74:
  push ds
  push es
  pushad
  sub sp, ${SCRATCH_SIZE}
  in al, 0x64
  and al, 0x21
  cmp al, 0x21
  jne .eoi
  in al, 0x60
  biostrap T_MOUSE_BYTE
  jmp .eoi
.call:
  push bx
  push cx
  push dx
  push si
  mov ax, 0x40
  mov ds, ax
  call far [0xd0]
  add sp, 8
.eoi:
  cli
  mov al, 0x20
  out 0xa0, al
  out 0x20, al
  jmp ret_frame

int76:
  push ds
  push ax
  push dx
  mov dx, 0x1f7
  in al, dx
  mov ax, 0x40
  mov ds, ax
  mov byte [0x8e], 0xff
  mov al, 0x20
  out 0xa0, al
  out 0x20, al
  pop dx
  pop ax
  pop ds
  iret

int75:
  push ax
  xor al, al
  out 0xf0, al
  mov al, 0x20
  out 0xa0, al
  out 0x20, al
  pop ax
  int 0x02
  iret

irq_master:
  push ax
  mov al, 0x20
  out 0x20, al
  pop ax
  iret

irq_slave:
  push ax
  mov al, 0x20
  out 0xa0, al
  out 0x20, al
  pop ax
  iret

dummy_iret:
  iret

int11:
  push ds
  mov ax, 0x40
  mov ds, ax
  mov ax, [0x10]
  pop ds
  iret

int12:
  push ds
  mov ax, 0x40
  mov ds, ax
  mov ax, [0x13]
  pop ds
  iret
`;

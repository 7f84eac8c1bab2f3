/**
 * A boot program that calls BIOS services and prints what they return, one line per call: the
 * label, AX BX CX DX in hex and C/- for the carry flag. The same program runs in QEMU (SeaBIOS and
 * its VGA BIOS, booted from a floppy) and in our machine, and the screens are compared line by
 * line. Keys are typed when it shows "keys?".
 *
 * In QEMU the boot sector loads the rest from the floppy; our tests place the whole program at
 * 0:7C00 and start it at `main`.
 */
export const BIOS_PROBE_SOURCE = `bits 16
org 0x7c00
start:
  cli
  xor ax, ax
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov sp, 0x7c00
  sti
  mov ax, 0x0200 + (probe_end - start - 1) / 512
  mov cx, 0x0002
  xor dx, dx
  mov bx, 0x7e00
  int 0x13
  jmp main
  times 510-($-$$) db 0
  dw 0xaa55

main:
  mov ax, 0x0003
  int 0x10
  xor bx, bx
  xor cx, cx
  xor dx, dx
  int 0x11
  mov si, s11
  call show
  int 0x12
  mov si, s12
  call show
  mov ah, 0x88
  int 0x15
  mov si, s1588
  call show
  mov ax, 0xe801
  int 0x15
  mov si, se801
  call show
  mov ah, 0x0f
  int 0x10
  mov si, s100f
  call show
  mov ax, 0x1130
  mov bh, 6
  int 0x10
  mov si, s1130
  call show
  mov ax, 0x1a00
  int 0x10
  mov si, s1a00
  call show
  mov ah, 0x12
  mov bl, 0x10
  int 0x10
  mov si, s1210
  call show
  mov ah, 0x08
  xor dl, dl
  int 0x13
  mov si, s1308
  call show
  mov ah, 0x15
  xor dl, dl
  int 0x13
  mov si, s1315
  call show
  mov ax, 0x4100
  mov bx, 0x55aa
  xor dl, dl
  int 0x13
  mov si, s1341
  call show
  mov ah, 0x03
  xor bh, bh
  int 0x10
  mov si, s1003
  call show
  mov ah, 0xc0
  int 0x15
  mov cx, [es:bx]
  mov dx, [es:bx+2]
  mov bx, 0
  mov si, s15c0
  call show
  mov si, s_keys
  call print
  xor ah, ah
  int 0x16
  mov si, s1600
  call show
  xor ah, ah
  int 0x16
  mov si, s1600
  call show
  xor ah, ah
  int 0x16
  mov si, s1600
  call show
  mov ah, 0x10
  int 0x16
  mov si, s1610
  call show
  mov ah, 0x02
  int 0x16
  mov si, s1602
  call show
  mov ax, 0x0602
  mov bh, 0x1e
  mov cx, 0x1428
  mov dx, 0x164f
  int 0x10
  mov ah, 0x02
  xor bh, bh
  mov dx, 0x1530
  int 0x10
  mov ah, 0x08
  xor bh, bh
  int 0x10
  mov si, s1008
  call show
  push cs
  pop es
  mov bp, s_string
  mov ax, 0x1301
  mov bx, 0x002f
  mov cx, 12
  mov dx, 0x1700
  int 0x10
  mov si, s_done
  call print
.halt:
  cli
  hlt
  jmp .halt

; Prints the label at SI, then AX BX CX DX and the carry flag of the caller.
show:
  pushf
  push dx
  push cx
  push bx
  push ax
  call print
  mov cx, 4
.word:
  pop ax
  push cx
  call hex16
  mov al, ' '
  call putc
  pop cx
  loop .word
  popf
  mov al, '-'
  jnc .flag
  mov al, 'C'
.flag:
  call putc
  mov al, 13
  call putc
  mov al, 10
  call putc
  ret

print:
  cs lodsb
  test al, al
  jz .done
  call putc
  jmp print
.done:
  ret

putc:
  push ax
  push bx
  mov ah, 0x0e
  mov bx, 0x0007
  int 0x10
  pop bx
  pop ax
  ret

hex16:
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
  call putc
  pop ax
  loop .digit
  ret

s11: db 'int11 ', 0
s12: db 'int12 ', 0
s1588: db '1588  ', 0
se801: db 'E801  ', 0
s100f: db '100F  ', 0
s1130: db '1130  ', 0
s1a00: db '1A00  ', 0
s1210: db '1210  ', 0
s1308: db '1308  ', 0
s1315: db '1315  ', 0
s1341: db '1341  ', 0
s1003: db '1003  ', 0
s15c0: db '15C0  ', 0
s_keys: db 'keys?', 13, 10, 0
s1600: db '1600  ', 0
s1610: db '1610  ', 0
s1602: db '1602  ', 0
s1008: db '1008  ', 0
s_string: db 'write-string'
s_done: db 13, 10, 'DONE', 0
probe_end:
`;

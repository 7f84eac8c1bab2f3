/**
 * A boot program for INT 13h: floppy and hard disk reads, errors and parameters, printed one line
 * per call like biosProbe.ts (label, AX BX CX DX, carry). Runs in QEMU (SeaBIOS) and in our
 * machine with the same floppy and hard disk attached; the screens are compared line by line.
 */
export const DISK_PROBE_SOURCE = `bits 16
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
  ; floppy: sector 1 of track 0 into 0:8000, show its first word
  xor ax, ax
  mov es, ax
  mov ax, 0x0201
  mov bx, 0x8000
  mov cx, 0x0001
  xor dx, dx
  int 0x13
  mov bx, [0x8000]
  mov si, s_fread
  call show
  ; floppy: two sectors across a 64 KiB boundary (DMA)
  mov ax, 0x0fe0
  mov es, ax
  xor bx, bx
  mov ax, 0x0202
  mov cx, 0x0001
  xor dx, dx
  int 0x13
  mov si, s_fbound
  call show
  ; floppy: status of the last operation
  mov ah, 0x01
  xor dl, dl
  int 0x13
  mov si, s_fstat
  call show
  ; hard disk: parameters
  xor ax, ax
  mov es, ax
  mov ah, 0x08
  mov dl, 0x80
  int 0x13
  mov si, s_hd08
  call show
  mov ah, 0x15
  mov dl, 0x80
  int 0x13
  mov si, s_hd15
  call show
  ; hard disk: CHS read of the partition's first sector (cylinder 0, head 1, sector 1)
  xor ax, ax
  mov es, ax
  mov ax, 0x0201
  mov bx, 0x8000
  mov cx, 0x0001
  mov dx, 0x0180
  int 0x13
  mov bx, [0x8000+510]
  mov si, s_hdchs
  call show
  ; hard disk: EDD read of LBA 63 (the same sector) through a disk address packet
  mov word [0x8000+510], 0
  mov si, dap
  mov ah, 0x42
  mov dl, 0x80
  int 0x13
  mov bx, [0x8000+510]
  mov cx, [dap+2]
  mov si, s_hd42
  call show
  ; hard disk: a sector number past the track
  xor ax, ax
  mov es, ax
  mov ax, 0x0201
  mov bx, 0x8000
  mov cx, 0x0040
  mov dx, 0x0080
  int 0x13
  mov si, s_hdbad
  call show
  mov ah, 0x01
  mov dl, 0x80
  int 0x13
  mov si, s_hdstat
  call show
  ; an unknown function
  mov ah, 0x77
  mov dl, 0x80
  int 0x13
  mov si, s_hd77
  call show
  mov si, s_done
  call print
.halt:
  cli
  hlt
  jmp .halt

dap:
  db 0x10, 0
  dw 1
  dw 0x8000, 0
  dd 63, 0

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

s_fread: db 'fd read ', 0
s_fbound: db 'fd 64K  ', 0
s_fstat: db 'fd stat ', 0
s_hd08: db 'hd 08   ', 0
s_hd15: db 'hd 15   ', 0
s_hdchs: db 'hd chs  ', 0
s_hd42: db 'hd 42   ', 0
s_hdbad: db 'hd bad  ', 0
s_hdstat: db 'hd stat ', 0
s_hd77: db 'hd 77   ', 0
s_done: db 13, 10, 'DONE', 0
probe_end:
`;

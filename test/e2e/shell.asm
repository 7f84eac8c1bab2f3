; A tiny boot-sector "shell" for the end-to-end suite: prints a banner and a prompt, echoes what
; is typed (INT 16h), and on Enter writes the line into sector 1 of the boot drive (INT 13h AH=03h)
; and says so. It exercises the screen, the keyboard and guest disk writes with nothing but BIOS
; services, so the editor's whole path can be checked against what qemu-img reads back.
bits 16
org 0x7c00

LINE equ 0x0600                         ; 512-byte sector buffer

start:
        cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7c00
        sti
        mov [drive], dl
        mov si, banner
        call print
prompt:
        mov di, LINE                    ; clear the sector buffer
        xor ax, ax
        mov cx, 256
        rep stosw
        mov di, LINE
        mov si, promptstr
        call print
key:
        xor ah, ah
        int 0x16
        cmp al, 13
        je enter
        cmp di, LINE + 60
        jae key
        stosb
        mov ah, 0x0e
        mov bx, 7
        int 0x10
        jmp key
enter:
        mov si, crlf
        call print
        mov ax, 0x0301                  ; write 1 sector
        mov cx, 0x0002                  ; cylinder 0, sector 2 (LBA 1)
        xor dh, dh
        mov dl, [drive]
        mov bx, LINE
        int 0x13
        mov si, failed
        jc .said
        mov si, saved
.said:
        call print
        jmp prompt

print:
        lodsb
        or al, al
        jz .done
        mov ah, 0x0e
        mov bx, 7
        int 0x10
        jmp print
.done:
        ret

drive:     db 0
banner:    db 'win31 e2e shell', 13, 10, 0
promptstr: db '> ', 0
crlf:      db 13, 10, 0
saved:     db 'saved to sector 1', 13, 10, 0
failed:    db 'disk write failed', 13, 10, 0

        times 510 - ($ - $$) db 0
        dw 0xaa55

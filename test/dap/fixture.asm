; A boot sector with known code for the debugger tests: near and far calls, a software interrupt
; with its own handler, a LOOP, a memory write, and a marker value in AX at a known address.
bits 16
org 0x7c00

start:
        cli
        mov ax, 0
        mov ss, ax
        mov sp, 0x7c00
        mov ds, ax
        mov es, ax
        mov word [0x0080], handler      ; INT 20h vector -> handler
        mov word [0x0082], 0
        mov ax, 0x1234
        call near_fn                    ; step over a near CALL
after_near:
        call 0x0000:far_fn              ; step over a far CALL
after_far:
        int 0x20                        ; step over an INT
after_int:
        mov cx, 3
count:
        inc dx
        loop count
        mov word [0x0600], 0xbeef
        mov di, 0x0700
        mov cx, 4
        rep stosb                       ; step over a REP string instruction
after_rep:
        mov ax, 0x4c00
cond_site:
        nop
        mov ax, 0x4c01
        jmp cond_site

near_fn:
        push bp
        mov bp, sp
        mov bx, 0x5678
        call inner
        pop bp
        ret

inner:
        mov si, 0x1111
        ret

far_fn:
        mov di, 0x2222
        retf

handler:
        mov dx, 0x3333
        iret

        times 510 - ($ - $$) db 0
        dw 0xaa55

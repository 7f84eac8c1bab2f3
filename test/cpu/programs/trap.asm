; The single-step trap: TF set by POPF traps after the next instruction, then after every one;
; the trap handler runs untraced and IRET resumes tracing; MOV SS and POP SS hold the trap back for
; one instruction; software interrupts clear TF for their handler. Each trap prints the address it
; returns to.
%include "rm.inc"

trap:   push    bp
        mov     bp, sp
        push    ax
        PRINT   'trap before '
        mov     ax, [ss:bp + 2]
        call    print_hex16
        call    print_nl
        pop     ax
        pop     bp
        iret

int63:  PRINTLN 'int 63h handler'
        inc     dx
        iret

main:
        mov     word [1 * 4], trap
        mov     word [1 * 4 + 2], 0xF000
        mov     word [0x63 * 4], int63
        mov     word [0x63 * 4 + 2], 0xF000
        xor     bx, bx
        xor     cx, cx
        xor     dx, dx
        pushf
        pop     ax
        or      ax, 0x100
        push    ax
        popf
        nop
        inc     bx
        mov     ax, ss
        mov     ss, ax
        inc     bx
        push    ss
        pop     ss
        inc     bx
        int     0x63
        add     cx, 1
        pushf
        pop     ax
        and     ax, ~0x100
        push    ax
        popf
        nop
        mov     ax, bx
        call    print_hex16
        mov     ax, cx
        call    print_hex16
        mov     ax, dx
        call    print_hex16
        call    print_nl
        ret

        ROM_END

; Interrupts through the IDT: 386 and 286 interrupt and trap gates (IF cleared or kept; the frame
; width taken from the gate, not from the code that was interrupted), INT n from ring 3 with the
; stack switch and the exact frame, the same-privilege frame, the gate checks with their error codes
; (DPL for INT n/INT3/INTO, not present, past the IDT limit, not a gate, bad target), an exception
; through a 286 gate (16-bit error code), and IRET: to an outer ring with DS..GS invalidated, the
; EFLAGS bits IRET may change at CPL 0 and at CPL 3, and its own checks.
%include "common.inc"

C_NP    equ 0x80        ; code segment, not present
C_R3    equ SEL_CODE32_R3

main:
        SETIDT  0x40, SEL_CODE32, h386, ACC_P | ACC_DPL(3) | T_INT386
        SETIDT  0x41, SEL_CODE32, h386, ACC_P | ACC_DPL(3) | T_TRAP386
        SETIDT  0x42, SEL_CODE16, OFS(h286), ACC_P | ACC_DPL(3) | T_INT286
        SETIDT  0x43, SEL_CODE16, OFS(h286), ACC_P | ACC_DPL(3) | T_TRAP286
        SETIDT  0x44, SEL_CODE32, h386, ACC_P | T_INT386                   ; DPL 0
        SETIDT  0x45, SEL_CODE32, h386, ACC_DPL(3) | T_INT386              ; not present
        SETIDT  0x46, C_NP, h386, ACC_P | ACC_DPL(3) | T_INT386            ; target not present
        SETIDT  0x47, SEL_DATA32, h386, ACC_P | ACC_DPL(3) | T_INT386      ; target is data
        SETIDT  0x48, C_R3, h386, ACC_P | ACC_DPL(3) | T_INT386            ; target DPL 3 from ring 0
        SETIDT  0x49, SEL_CODE32, h386, ACC_P | ACC_DPL(3) | T_CALL386     ; a call gate in the IDT
        SETIDT  0x4A, SEL_CODE32, h386, ACC_P | ACC_DPL(3) | ACC_DATA | ACC_WRITE ; a data descriptor
        SETDESC C_NP, 0, 0xFFFFF, ACC_CODE | ACC_READ, FL_G | FL_DB

        CASE    'ring 3 INT 40h, 386 interrupt gate, IF=1 before'
        sti
        RING3
        mov     eax, 0x40
        int     0x40
        call    show_state
        EXIT_RING
        ENDCASE

        CASE    'ring 3 INT 41h, 386 trap gate'
        sti
        RING3
        mov     eax, 0x41
        int     0x41
        call    show_state
        EXIT_RING
        ENDCASE

        CASE    'ring 0 INT 40h: same privilege, 3-dword frame'
        mov     eax, 0x40
        int     0x40
        call    show_state
        ENDCASE

        CASE    '16-bit ring 3 code, INT 42h through a 286 interrupt gate'
        sti
        push    dword SEL_DATA16_R3
        push    dword R3_STACK
        pushfd
        push    dword SEL_CODE16_R3
        push    dword OFS(.c16)
        iretd
        bits    16
.c16:   int     0x42
        call    show_state16
        int     0x43
        call    show_state16
        int     0x40
        call    show_state16
        int     0x7F
        bits    32
        ENDCASE

        CASE    'ring 3 INT to a DPL 0 gate'
        RING3
        int     0x44
        PUTSL   'no fault'
        EXIT_RING
        ENDCASE

        CASE    'ring 3 INT3 with a DPL 0 gate'
        mov     byte [IDT_BASE + 3 * 8 + 5], ACC_P | T_INT386
        mov     byte [IDT_BASE + 4 * 8 + 5], ACC_P | T_INT386
        RING3
        int3
        PUTSL   'no fault'
        EXIT_RING
        ENDCASE

        CASE    'ring 3 INTO with a DPL 0 gate'
        RING3
        mov     al, 0x7F
        add     al, 1                           ; OF=1
        into
        PUTSL   'no fault'
        EXIT_RING
        ENDCASE

        CASE    'ring 3 INT 3 (CD 03) with a DPL 0 gate'
        RING3
        int     3
        PUTSL   'no fault'
        EXIT_RING
        ENDCASE

        CASE    'ring 3 INT3 and INTO with DPL 3 gates'
        mov     byte [IDT_BASE + 3 * 8 + 5], ACC_P | ACC_DPL(3) | T_INT386
        mov     byte [IDT_BASE + 4 * 8 + 5], ACC_P | ACC_DPL(3) | T_INT386
        mov     dword [exc_resume], 1
        RING3
        int3
        mov     al, 0x7F
        add     al, 1
        into
        mov     al, 0
        add     al, 1                           ; OF=0: INTO does nothing
        into
        PUTSL   'after into'
        EXIT_RING
        ENDCASE
        mov     byte [IDT_BASE + 3 * 8 + 5], ACC_P | T_INT386
        mov     byte [IDT_BASE + 4 * 8 + 5], ACC_P | T_INT386

        CASE    'INT to a not-present gate'
        RING3
        int     0x45
        PUTSL   'no fault'
        EXIT_RING
        ENDCASE

        CASE    'INT to a gate whose code segment is not present'
        int     0x46
        PUTSL   'no fault'
        ENDCASE

        CASE    'INT to a gate whose target is a data segment'
        int     0x47
        PUTSL   'no fault'
        ENDCASE

        CASE    'ring 0 INT to a gate whose target is ring 3 code'
        int     0x48
        PUTSL   'no fault'
        ENDCASE

        CASE    'INT to a call gate in the IDT'
        int     0x49
        PUTSL   'no fault'
        ENDCASE

        CASE    'INT to a data descriptor in the IDT'
        int     0x4A
        PUTSL   'no fault'
        ENDCASE

        CASE    'INT past the IDT limit'
        mov     word [scratch], 0x1FF           ; vectors 0-3Fh
        mov     dword [scratch + 2], IDT_BASE
        lidt    [scratch]
        int     0x40
        PUTSL   'no fault'
        ENDCASE
        mov     word [scratch], 0x7FF
        lidt    [scratch]

        CASE    'INT 0FFh with the IDT limit ending inside its gate'
        mov     word [scratch], 0x7FE
        mov     dword [scratch + 2], IDT_BASE
        lidt    [scratch]
        int     0xFF
        PUTSL   'no fault'
        ENDCASE
        mov     word [scratch], 0x7FF
        lidt    [scratch]

        CASE    '#GP through a 286 interrupt gate: 16-bit frame with error code'
        SETIDT  13, SEL_CODE16, OFS(gp286), ACC_P | T_INT286
        mov     ax, 0x0123
        mov     ds, ax
        ENDCASE
        SETIDT  13, SEL_CODE32, exc_stub_13, ACC_P | T_INT386

        CASE    'IRET from ring 0 to ring 3: IOPL and IF from the image, DS invalidated'
        mov     ax, SEL_DATA32
        mov     ds, ax
        mov     ax, SEL_DATA32_R3
        mov     es, ax
        mov     ax, SEL_DATA32_R1
        mov     fs, ax
        xor     ax, ax
        mov     gs, ax
        push    dword SEL_DATA32_R3
        push    dword R3_STACK
        push    dword 0x3202                    ; IOPL 3, IF
        push    dword SEL_CODE32_R3
        push    dword .r3
        iretd
.r3:    call    show_state
        EXIT_RING
        ENDCASE

        CASE    'IRET at ring 3 (IOPL 0) cannot change IOPL or IF'
        RING3
        push    dword SEL_CODE32_R3
        pop     eax
        pushfd
        pop     ebx
        push    dword 0x3202
        push    eax
        push    dword .same
        iretd
.same:  call    show_state
        EXIT_RING
        ENDCASE

        CASE    'IRET at ring 1 with IOPL 1 changes IF but not IOPL'
        push    dword SEL_DATA32_R1
        push    dword R1_STACK
        push    dword 0x1002                    ; IOPL 1, IF=0
        push    dword SEL_CODE32_R1
        push    dword .r1
        iretd
.r1:    push    dword SEL_CODE32_R1
        pop     eax
        push    dword 0x3202
        push    eax
        push    dword .r1b
        iretd
.r1b:   call    show_state
        EXIT_RING
        ENDCASE

        CASE    'IRET at ring 3 to ring 0 code'
        RING3
        push    dword 0x0002
        push    dword SEL_CODE32
        push    dword .never
        iretd
.never: PUTSL   'no fault'
        EXIT_RING
        ENDCASE

        CASE    'IRET to a not-present code segment'
        push    dword 0x0002
        push    dword C_NP
        push    dword .never2
        iretd
.never2:
        PUTSL   'no fault'
        ENDCASE

        CASE    'IRET to ring 3 with a null SS'
        push    dword 0
        push    dword R3_STACK
        push    dword 0x0002
        push    dword SEL_CODE32_R3
        push    dword .never3
        iretd
.never3:
        PUTSL   'no fault'
        ENDCASE
        ret

; Prints the selectors, ESP and masked EFLAGS of the running context.
show_state:
        push    eax
        mov     ax, cs
        SHOW16  'state: cs=', ax
        mov     ax, ss
        SHOW16  ' ss=', ax
        lea     eax, [esp + 8]
        SHOW32  ' esp=', eax
        mov     ax, ds
        SHOW16  ' ds=', ax
        mov     ax, es
        SHOW16  ' es=', ax
        mov     ax, fs
        SHOW16  ' fs=', ax
        mov     ax, gs
        SHOW16  ' gs=', ax
        call    show_flags
        NL
        pop     eax
        ret

; 386 gate handler: prints its CS, SS, ESP, its own EFLAGS and the frame (EFLAGS slot masked;
; selectors as words), then loads DS..GS with ring 0 selectors and returns with IRETD.
h386:
        push    eax
        push    esi
        mov     ax, cs
        SHOW16  'h386: cs=', ax
        mov     ax, ss
        SHOW16  ' ss=', ax
        lea     esi, [esp + 8]
        SHOW32  ' esp=', esi
        call    show_flags
        SHOW32  ' frame: eip=', [ss:esi]
        SHOW16  ' cs=', [ss:esi + 4]
        mov     eax, [ss:esi + 8]
        and     eax, EFL_SHOWN
        SHOW32  ' efl=', eax
        test    byte [ss:esi + 4], 3
        jz      .same
        SHOW32  ' esp=', [ss:esi + 12]
        SHOW16  ' ss=', [ss:esi + 16]
.same:  NL
        pop     esi
        pop     eax
        mov     bx, SEL_DATA32
        mov     ds, bx
        mov     bx, SEL_DATA32_R2
        mov     fs, bx
        iretd

show_state16:
        bits    16
        push    ax
        PUTS16  'state16: cs='
        mov     ax, cs
        call    print16_hex16
        PUTS16  ' ss='
        mov     ax, ss
        call    print16_hex16
        PUTS16  ' sp='
        mov     ax, sp
        add     ax, 4
        call    print16_hex16
        PUTS16  ' ds='
        mov     ax, ds
        call    print16_hex16
        PUTS16  ' fs='
        mov     ax, fs
        call    print16_hex16
        pushf
        pop     ax
        and     ax, 0x7702
        PUTS16  ' fl='
        call    print16_hex16
        call    print16_nl
        pop     ax
        ret

; 286 gate handler (16-bit, ring 0): the frame is IP, CS, FLAGS, SP, SS as words.
h286:
        push    bp
        mov     bp, sp
        PUTS16  'h286: cs='
        mov     ax, cs
        call    print16_hex16
        PUTS16  ' ss='
        mov     ax, ss
        call    print16_hex16
        PUTS16  ' sp='
        lea     ax, [bp + 2]
        call    print16_hex16
        pushf
        pop     ax
        and     ax, 0x7702
        PUTS16  ' fl='
        call    print16_hex16
        PUTS16  ' frame: ip='
        mov     ax, [bp + 2]
        call    print16_hex16
        PUTS16  ' cs='
        mov     ax, [bp + 4]
        call    print16_hex16
        PUTS16  ' fl='
        mov     ax, [bp + 6]
        and     ax, 0x7702
        call    print16_hex16
        PUTS16  ' sp='
        mov     ax, [bp + 8]
        call    print16_hex16
        PUTS16  ' ss='
        mov     ax, [bp + 10]
        call    print16_hex16
        call    print16_nl
        mov     ax, SEL_DATA16
        mov     fs, ax
        pop     bp
        iret

; #GP through a 286 interrupt gate from 32-bit ring 0 code: error code, IP (the low half of EIP),
; CS, FLAGS as words. The low half of EIP cannot return to the F0000h+ code, so it recovers.
gp286:
        mov     bp, sp
        PUTS16  'gp286: err='
        mov     ax, [bp]
        call    print16_hex16
        PUTS16  ' ip='
        mov     ax, [bp + 2]
        call    print16_hex16
        PUTS16  ' cs='
        mov     ax, [bp + 4]
        call    print16_hex16
        PUTS16  ' fl='
        mov     ax, [bp + 6]
        and     ax, 0x7702
        call    print16_hex16
        PUTS16  ' sp='
        mov     ax, sp
        call    print16_hex16
        call    print16_nl
        jmp     dword SEL_CODE32:fault_return
        bits    32

        ROM_END

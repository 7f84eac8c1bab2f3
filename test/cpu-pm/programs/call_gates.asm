; Far CALL/JMP through call gates: 386 gates (dword parameters) and 286 gates (word parameters,
; 16-bit frame), the stack switch to SSn:ESPn from the TSS for rings 0, 1 and 2, the exact frame
; on the inner stack, RETF n back to the outer ring with DS/ES/FS/GS invalidated when their DPL is
; below the new CPL (but not for conforming code), conforming targets (no privilege change), and
; every gate check with its error code: gate DPL, RPL, not-present gate or target, target type,
; target DPL, JMP to a more privileged level, a bad inner stack selector in the TSS (#TS/#SS), and
; RETF to an inner ring.
;
; Not tested: a gate whose target is conforming code. The CPU must keep CPL (CS.RPL = CPL); QEMU 7.2
; instead runs the target at the segment's DPL, so it cannot serve as the oracle there. Nor a
; not-present inner stack segment: #SS(selector) on the chip, #TS(selector) in QEMU.
%include "common.inc"

G_386_R0     equ 0x80   ; 386 gate, DPL 3 -> ring 0 gate_r0, 2 parameters
G_286_R0     equ 0x88   ; 286 gate, DPL 3 -> 16-bit ring 0 gate16_r0, 3 parameters
G_DPL0       equ 0x90   ; 386 gate, DPL 0 -> ring 0
G_NP         equ 0x98   ; 386 gate, DPL 3, not present
G_R1         equ 0xA0   ; 386 gate, DPL 3 -> ring 1 gate_r1, 1 parameter
G_R2         equ 0xA8   ; 386 gate, DPL 3 -> ring 2 gate_r2, 0 parameters
G_TNP        equ 0xB0   ; 386 gate, DPL 3 -> a not-present code segment
C_NP         equ 0xB8   ; code segment, not present
G_TDATA      equ 0xC0   ; 386 gate, DPL 3 -> a data segment
G_DPL1       equ 0xD0   ; 386 gate, DPL 1 -> ring 0
C_CONF0      equ 0xD8   ; conforming readable code, DPL 0, flat
G_R0_R3      equ 0xE0   ; 386 gate, DPL 0 -> ring 3 code (a target less privileged than CPL)
G_SAME0      equ 0xE8   ; 386 gate, DPL 0 -> ring 0 (for JMP at ring 0)
D_RO3        equ 0xF0   ; read-only data, DPL 3

main:
        SETGATE G_386_R0, SEL_CODE32, gate_r0, ACC_P | ACC_DPL(3) | T_CALL386, 2
        SETGATE G_286_R0, SEL_CODE16, OFS(gate16_r0), ACC_P | ACC_DPL(3) | T_CALL286, 3
        SETGATE G_DPL0, SEL_CODE32, gate_r0, ACC_P | T_CALL386, 2
        SETGATE G_NP, SEL_CODE32, gate_r0, ACC_DPL(3) | T_CALL386, 2
        SETGATE G_R1, SEL_CODE32_R1, gate_r1, ACC_P | ACC_DPL(3) | T_CALL386, 1
        SETGATE G_R2, SEL_CODE32_R2, gate_r2, ACC_P | ACC_DPL(3) | T_CALL386, 0
        SETGATE G_TNP, C_NP, gate_r0, ACC_P | ACC_DPL(3) | T_CALL386, 0
        SETDESC C_NP, 0, 0xFFFFF, ACC_CODE | ACC_READ, FL_G | FL_DB
        SETGATE G_TDATA, SEL_DATA32, gate_r0, ACC_P | ACC_DPL(3) | T_CALL386, 0
        SETGATE G_DPL1, SEL_CODE32, gate_r0, ACC_P | ACC_DPL(1) | T_CALL386, 2
        SETDESC C_CONF0, 0, 0xFFFFF, ACC_P | ACC_CODE | ACC_READ | ACC_CONF, FL_G | FL_DB
        SETGATE G_R0_R3, SEL_CODE32_R3, gate_r0, ACC_P | T_CALL386, 0
        SETGATE G_SAME0, SEL_CODE32, jmp_target, ACC_P | T_CALL386, 0
        SETDESC D_RO3, 0, 0xFFFFF, ACC_P | ACC_DPL(3) | ACC_DATA, FL_G | FL_DB

        CASE    '386 gate, ring 3 to 0, two dword parameters, RETF 8'
        RING3
        push    dword 0x11111111
        push    dword 0x22222222
        call    (G_386_R0 | 3):0
        call    show_state
        EXIT_RING
        ENDCASE

        CASE    '286 gate from 16-bit ring 3 code, three word parameters, RETF 6'
        push    dword SEL_DATA16_R3
        push    dword R3_STACK
        pushfd
        push    dword SEL_CODE16_R3
        push    dword OFS(.c16)
        mov     ax, SEL_DATA16_R3
        mov     ds, ax
        iretd
        bits    16
.c16:   push    word 0x1111
        push    word 0x2222
        push    word 0x3333
        call    (G_286_R0 | 3):0
        call    show_state16
        int     0x7F
        bits    32
        ENDCASE

        CASE    '386 gate from 16-bit ring 3 code: 32-bit frame'
        push    dword SEL_DATA16_R3
        push    dword R3_STACK
        pushfd
        push    dword SEL_CODE16_R3
        push    dword OFS(.d16)
        iretd
        bits    16
.d16:   push    dword 0x44444444
        push    dword 0x55555555
        call    (G_386_R0 | 3):0
        call    show_state16
        int     0x7F
        bits    32
        ENDCASE

        CASE    'gates to ring 1 and ring 2 from ring 3'
        RING3
        push    dword 0x66666666
        call    (G_R1 | 3):0
        call    show_state
        call    (G_R2 | 3):0
        call    show_state
        EXIT_RING
        ENDCASE

        CASE    'ring 2 calls a gate to ring 0'
        RING2
        push    dword 0x77777777
        push    dword 0x88888888
        call    (G_386_R0 | 2):0
        call    show_state
        EXIT_RING
        ENDCASE

        CASE    'ring 0 calls a ring 0 gate: no stack switch'
        push    dword 0x99999999
        push    dword 0xAAAAAAAA
        call    G_DPL0:0
        mov     ax, ds
        SHOW16  'back ds=', ax
        NL
        ENDCASE

        CASE    'ring 3: gate DPL 0'
        RING3
        call    (G_DPL0 | 3):0
        PUTSL   'no fault'
        EXIT_RING
        ENDCASE

        CASE    'ring 0: RPL 3 on a DPL 1 gate'
        call    (G_DPL1 | 3):0
        PUTSL   'no fault'
        ENDCASE

        CASE    'ring 3: gate not present'
        RING3
        call    (G_NP | 3):0
        PUTSL   'no fault'
        EXIT_RING
        ENDCASE

        CASE    'ring 3: gate to a not-present code segment'
        RING3
        call    (G_TNP | 3):0
        PUTSL   'no fault'
        EXIT_RING
        ENDCASE

        CASE    'ring 3: gate to a data segment'
        RING3
        call    (G_TDATA | 3):0
        PUTSL   'no fault'
        EXIT_RING
        ENDCASE

        CASE    'ring 0: gate to ring 3 code (target less privileged)'
        call    G_R0_R3:0
        PUTSL   'no fault'
        ENDCASE

        CASE    'ring 0: JMP through a gate to ring 0 code'
        jmp     G_SAME0:0
        ENDCASE

        CASE    'ring 3: JMP through a gate to ring 0 code'
        RING3
        jmp     (G_386_R0 | 3):0
        EXIT_RING
        ENDCASE

%macro BAD_SS1 2 ; title, selector put into TSS.SS1
        CASE    %1
        mov     word [TSS_BASE + 16], %2
        RING3
        push    dword 0x12345678
        call    (G_R1 | 3):0
        PUTSL   'no fault'
        EXIT_RING
        ENDCASE
        mov     word [TSS_BASE + 16], SEL_DATA32_R1
%endmacro
        BAD_SS1 'inner stack: SS1 null', 0
        BAD_SS1 'inner stack: SS1 with RPL 3', SEL_DATA32_R1 | 3
        BAD_SS1 'inner stack: SS1 is DPL 3 data', SEL_DATA32_R3 & 0xFFFC | 1
        BAD_SS1 'inner stack: SS1 is read-only', D_RO3 | 1
        BAD_SS1 'inner stack: SS1 is code', SEL_CODE32_R1
        BAD_SS1 'inner stack: SS1 past the GDT limit', 0x0F01 | 0x100

        CASE    'ring 3: RETF to ring 0 code'
        RING3
        push    dword SEL_CODE32
        push    dword .never
        retf
.never: PUTSL   'no fault'
        EXIT_RING
        ENDCASE

        CASE    'ring 0: RETF to ring 3 with a DPL 0 stack segment'
        push    dword SEL_DATA32
        push    dword R3_STACK
        push    dword SEL_CODE32_R3
        push    dword .never2
        retf
.never2:
        PUTSL   'no fault'
        ENDCASE

        CASE    'ring 0: RETF to ring 3, SS RPL 0 on DPL 3 data'
        push    dword SEL_DATA32_R3 & 0xFFFC
        push    dword R3_STACK
        push    dword SEL_CODE32_R3
        push    dword .never3
        retf
.never3:
        PUTSL   'no fault'
        ENDCASE

        CASE    'ring 0: RETF to ring 3 invalidates DS, keeps ES'
        mov     ax, SEL_DATA32
        mov     ds, ax
        mov     ax, SEL_DATA32_R3
        mov     es, ax
        mov     ax, C_CONF0
        mov     fs, ax
        mov     ax, SEL_DATA32_R2
        mov     gs, ax
        push    dword SEL_DATA32_R3
        push    dword R3_STACK - 16
        push    dword SEL_CODE32_R3
        push    dword .r3
        retf
.r3:    call    show_state
        EXIT_RING
        ENDCASE
        ret

; Prints the selectors and ESP of the running context.
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
        NL
        pop     eax
        ret

; Prints the handler's CS, SS and ESP at entry and `count` dwords of the frame there. The
; selectors pushed as dwords are printed as words: only their low half is defined.
; In: ECX = number of dwords, caller's frame starts at [esp + 4].
show_frame:
        push    eax
        push    esi
        mov     ax, cs
        SHOW16  'gate: cs=', ax
        mov     ax, ss
        SHOW16  ' ss=', ax
        lea     esi, [esp + 12]
        SHOW32  ' esp=', esi
        PUTS    ' frame:'
.l:     PUTS    ' '
        PHEX32  [ss:esi]
        add     esi, 4
        loop    .l
        NL
        pop     esi
        pop     eax
        ret

; Ring 0 target of the 386 gates: frame EIP, CS, p2, p1, ESP, SS (or EIP, CS, p2, p1 without a
; privilege change). Loads DS..GS so that RETF has something to invalidate.
gate_r0:
        mov     ecx, 6
        mov     ax, cs
        test    byte [esp + 4], 3               ; caller CPL: same ring means no SS:ESP slots
        jnz     .outer
        mov     ecx, 4
.outer: call    show_frame
        mov     ax, SEL_DATA32
        mov     ds, ax
        mov     ax, SEL_DATA32_R3
        mov     es, ax
        mov     ax, C_CONF0
        mov     fs, ax
        mov     ax, SEL_DATA32_R1
        mov     gs, ax
        retf    8

gate_r1:
        mov     ecx, 5
        call    show_frame
        mov     ax, SEL_DATA32_R1
        mov     ds, ax
        mov     ax, SEL_DATA32_R2
        mov     es, ax
        retf    4

gate_r2:
        mov     ecx, 4
        call    show_frame
        mov     ax, SEL_DATA32_R2
        mov     ds, ax
        retf

jmp_target:
        mov     ax, cs
        SHOW16  'jumped: cs=', ax
        NL
        jmp     dword [recover_eip]

        bits    16
; Ring 0 16-bit target of the 286 gate: frame IP, CS, p3, p2, p1, SP, SS as words.
gate16_r0:
        mov     bp, sp
        PUTS16  'gate16: cs='
        mov     ax, cs
        call    print16_hex16
        PUTS16  ' ss='
        mov     ax, ss
        call    print16_hex16
        PUTS16  ' sp='
        mov     ax, bp
        call    print16_hex16
        PUTS16  ' frame:'
        xor     si, si
.l:     PUTS16  ' '
        mov     ax, [bp + si]
        call    print16_hex16
        add     si, 2
        cmp     si, 14
        jb      .l
        call    print16_nl
        mov     ax, SEL_DATA16
        mov     ds, ax
        mov     ax, SEL_DATA16_R3
        mov     es, ax
        retf    6

; The state after a return to 16-bit ring 3 code.
show_state16:
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
        PUTS16  ' es='
        mov     ax, es
        call    print16_hex16
        call    print16_nl
        pop     ax
        ret
        bits    32

        ROM_END

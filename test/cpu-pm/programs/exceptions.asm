; Exceptions: each vector the 486 raises, with its class (fault: CS:EIP of the faulting instruction;
; trap: of the next one) and error code. #DE, #BP, #OF, #BR, #UD (several encodings, including
; instructions a 486 lacks), #NM under EM/TS/MP, #GP(0) for every privileged
; instruction at CPL 3 and for an instruction longer than 15 bytes, the error code of a gate fault for
; a software interrupt, and a contributory fault while delivering #DE (#DF).
;
; Not tested, because QEMU 7.2 departs from the 486 there: #AC (a 486 raises it for a misaligned
; access at CPL 3 with CR0.AM=1 and EFLAGS.AC=1; QEMU never does, so the case only shows that AC
; can be set); the EXT bit of an error code raised while delivering an exception (QEMU leaves it
; clear); RDTSC and RDMSR (#UD on a 486, executed by QEMU's -cpu 486). #MF needs an FPU: it is
; in fpu_mf.asm.
%include "common.inc"

C_NP    equ 0x80        ; code segment, not present

%macro FAULTS 2 ; title, instruction(s)
        CASE    %1
        %2
        PUTSL   'no fault'
        ENDCASE
%endmacro
%macro FAULTS3 2 ; title, instruction(s) at CPL 3
        CASE    %1
        RING3
        %2
        PUTSL   'no fault'
        EXIT_RING
        ENDCASE
%endmacro
%macro DIV0 0
        xor     ecx, ecx
        mov     eax, 1
        div     ecx
%endmacro
%macro IDIVOVF 0
        mov     eax, 0x80000000
        cdq
        mov     ecx, -1
        idiv    ecx
%endmacro
%macro AAM0 0
        aam     0
%endmacro
%macro BOUNDOUT 0
        mov     dword [scratch], 10
        mov     dword [scratch + 4], 20
        mov     eax, 21
        bound   eax, [scratch]
%endmacro
%macro BOUNDIN 0
        mov     dword [scratch], 10
        mov     dword [scratch + 4], 20
        mov     eax, 20
        bound   eax, [scratch]
%endmacro
%macro BOUND16 0
        mov     word [scratch], 0xFFF0          ; -16
        mov     word [scratch + 2], 0x0010
        mov     ax, 0xFFEF                      ; -17
        bound   ax, [scratch]
%endmacro

main:
        FAULTS  'divide by zero', {DIV0}
        FAULTS  'IDIV overflow', {IDIVOVF}
        FAULTS  'AAM 0', {AAM0}
        FAULTS  'BOUND above the upper bound', {BOUNDOUT}
        FAULTS  'BOUND on the upper bound', {BOUNDIN}
        FAULTS  'BOUND 16-bit below the lower bound', {BOUND16}
        FAULTS  'UD2', {ud2}
        FAULTS  '0F FF', {db 0x0F, 0xFF}
        FAULTS  'LOCK ADD to a register', {db 0xF0, 0x01, 0xC0}
        FAULTS  'LOCK NOP', {db 0xF0, 0x90}
        FAULTS  'MOV CS, AX', {db 0x8E, 0xC8}
        FAULTS  'LDS with a register operand', {db 0xC5, 0xC0}
        FAULTS  'LEA with a register operand', {db 0x8D, 0xC0}
        FAULTS  'CMPXCHG8B (not on a 486)', {db 0x0F, 0xC7, 0x0E, 0x00, 0x06, 0x00, 0x00}
        FAULTS  'CMOVZ (not on a 486)', {db 0x0F, 0x44, 0xC0}
        FAULTS  'instruction of 16 bytes', {db 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x90}
        FAULTS  'instruction of 15 bytes', {db 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x90}

        CASE    'INT3 and INTO are traps: the handler returns'
        mov     dword [exc_resume], 1
        int3
        mov     al, 0x7F
        add     al, 1
        into
        PUTSL   'after'
        ENDCASE

        CASE    'CR0.EM=1: FPU instruction and WAIT'
        mov     eax, cr0
        or      eax, 4
        mov     cr0, eax
        ONFAULT .em2
        fninit
        PUTSL   'fninit: no fault'
.em2:   wait
        PUTSL   'wait: no fault'
        ENDCASE
        mov     eax, cr0
        and     eax, ~4
        mov     cr0, eax

        CASE    'CR0.TS=1, MP=0: FPU instruction and WAIT'
        mov     eax, cr0
        and     eax, ~2
        or      eax, 8
        mov     cr0, eax
        ONFAULT .ts2
        fld1
        PUTSL   'fld1: no fault'
.ts2:   wait
        PUTSL   'wait: no fault'
        ENDCASE

        CASE    'CR0.TS=1, MP=1: WAIT'
        mov     eax, cr0
        or      eax, 0x0A
        mov     cr0, eax
        wait
        PUTSL   'wait: no fault'
        ENDCASE
        clts


%macro PRIV3 2
        FAULTS3 %1, {%2}
%endmacro
%macro MOVCR0 0
        mov     eax, cr0
%endmacro
%macro MOVCR3 0
        mov     cr3, eax
%endmacro
%macro MOVDR7 0
        mov     eax, dr7
%endmacro
%macro LGDTM 0
        lgdt    [scratch]
%endmacro
%macro LIDTM 0
        lidt    [scratch]
%endmacro
%macro LLDT0 0
        xor     eax, eax
        lldt    ax
%endmacro
%macro LTRA 0
        mov     ax, SEL_TSS
        ltr     ax
%endmacro
%macro LMSWA 0
        mov     ax, 1
        lmsw    ax
%endmacro
        PRIV3   'ring 3: LGDT', LGDTM
        PRIV3   'ring 3: LIDT', LIDTM
        PRIV3   'ring 3: LLDT', LLDT0
        PRIV3   'ring 3: LTR', LTRA
        PRIV3   'ring 3: LMSW', LMSWA
        PRIV3   'ring 3: CLTS', clts
        PRIV3   'ring 3: MOV EAX, CR0', MOVCR0
        PRIV3   'ring 3: MOV CR3, EAX', MOVCR3
        PRIV3   'ring 3: MOV EAX, DR7', MOVDR7
        PRIV3   'ring 3: HLT', hlt
        PRIV3   'ring 3: INVD', invd
        PRIV3   'ring 3: WBINVD', wbinvd
        PRIV3   'ring 3: INVLPG', {invlpg [scratch]}

        CASE    'ring 3: SGDT, SIDT, SLDT, STR, SMSW are allowed'
        RING3
        sgdt    [scratch]
        sidt    [scratch + 8]
        sldt    ax
        str     bx
        smsw    cx
        SHOW16  'gdt limit=', [scratch]
        SHOW32  ' base=', [scratch + 2]
        SHOW16  ' ldtr=', ax
        SHOW16  ' tr=', bx
        SHOW16  ' msw=', cx
        NL
        EXIT_RING
        ENDCASE

        CASE    'ring 0: INVD, WBINVD, INVLPG'
        invd
        wbinvd
        invlpg  [scratch]
        PUTSL   'ok'
        ENDCASE

        ; A fault raised while the CPU delivers an exception or an external event carries EXT=1.
        CASE    '#DE whose gate names a not-present code segment: #NP while delivering #DE is #DF'
        SETDESC C_NP, 0, 0xFFFFF, ACC_CODE | ACC_READ, FL_G | FL_DB
        mov     word [IDT_BASE + 0 * 8 + 2], C_NP
        DIV0
        PUTSL   'no fault'
        ENDCASE
        mov     word [IDT_BASE + 0 * 8 + 2], SEL_CODE32

        CASE    'INT 6 (software) whose gate is not present: #NP without EXT'
        mov     byte [IDT_BASE + 6 * 8 + 5], ACC_DPL(3) | T_INT386
        int     6
        PUTSL   'no fault'
        ENDCASE
        mov     byte [IDT_BASE + 6 * 8 + 5], ACC_P | T_INT386

        CASE    '#BP (INT3) whose gate is not present: #NP without EXT'
        mov     byte [IDT_BASE + 3 * 8 + 5], T_INT386
        int3
        PUTSL   'no fault'
        ENDCASE
        mov     byte [IDT_BASE + 3 * 8 + 5], ACC_P | T_INT386

        CASE    'ring 3: CR0.AM=1, EFLAGS.AC can be set'
        mov     eax, cr0
        or      eax, 0x40000
        mov     cr0, eax
        RING3
        pushfd
        or      dword [esp], 0x40000
        popfd
        pushfd
        pop     eax
        and     eax, 0x40000
        SHOW32  'ac=', eax
        NL
        EXIT_RING
        ENDCASE
        mov     eax, cr0
        and     eax, ~0x40000
        mov     cr0, eax
        ret

        ROM_END

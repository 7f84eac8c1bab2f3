; Virtual-8086 mode: entry through IRETD with VM=1 and through a task switch to a TSS whose EFLAGS
; has VM set; INT n from V86 at IOPL 3 through a 386 interrupt gate to ring 0 with the exact frame
; (EIP, CS, EFLAGS, ESP, SS, ES, DS, FS, GS) and DS..GS cleared in the handler, IRETD back; the
; IOPL-sensitive instructions (CLI, STI, PUSHF, POPF, INT n, IRET) faulting at IOPL < 3; PUSHF/POPF
; at IOPL 3 (VM and RF never pushed, IOPL and VM never popped); IN/OUT checked against the TSS
; I/O bitmap whatever the IOPL, with no side effect when denied; protected-mode-only instructions
; (#UD: ARPL, LAR, VERR, SLDT) and privileged ones (#GP: HLT, MOV CR0, LGDT) in V86; an exception
; in V86 with its frame; an interrupt gate to non-ring-0 code.
%include "common.inc"

CMOS_SCRATCH    equ 0x4E
T_V86   equ 0x80        ; 386 TSS at 8000h for a V86 task
TSS_V   equ 0x8000

; TO_V86 label, iopl: IRETD into V86 at F000:label, SS:SP 9000:FFF0, ES 1111h, DS 0, FS 3333h,
; GS 4444h.
%macro TO_V86 2
        push    dword 0x4444
        push    dword 0x3333
        push    dword 0
        push    dword 0x1111
        push    dword 0x9000
        push    dword 0xFFF0
        push    dword 0x20002 | ((%2) << 12)
        push    dword 0xF000
        push    dword OFS(%1)
        iretd
%endmacro
%macro ONFAULT16 1
        mov     dword [exc_continue], OFS(%1)
%endmacro

main:
        SETIDT  0x60, SEL_CODE32, v86_int, ACC_P | ACC_DPL(3) | T_INT386
        SETIDT  0x61, SEL_CODE32_R3, v86_int, ACC_P | ACC_DPL(3) | T_INT386
        SETIDT  0x62, SEL_CODE32, v86_int, ACC_P | ACC_DPL(3) | T_TRAP386
        SETIDT  0x63, SEL_CODE32, v86_int, ACC_P | T_INT386
        mov     al, CMOS_SCRATCH
        out     0x70, al
        mov     al, 0x44
        out     0x71, al

        CASE    'IRETD into V86 at IOPL 3, INT 60h to ring 0 and back'
        TO_V86  .v1, 3
        bits    16
.v1:    call    v86_state
        mov     ax, 0xABCD
        int     0x60
        call    v86_state
        int     0x62
        PUTSL16 'after trap gate'
        int     0x7F
        bits    32
        ENDCASE

        CASE    'V86 at IOPL 3: PUSHF, PUSHFD, POPF, POPFD, CLI, STI'
        TO_V86  .v2, 3
        bits    16
.v2:    pushfd
        pop     eax
        and     eax, 0x00077FD7 & ~0xD5
        PUTS16  'pushfd='
        ror     eax, 16
        call    print16_hex16
        ror     eax, 16
        call    print16_hex16
        push    dword 0x00000202                ; IOPL 0, IF: IOPL stays 3
        popfd
        pushf
        pop     ax
        and     ax, 0x7702
        SHOW16_16 ' popfd 202 -> flags=', ax
        cli
        pushf
        pop     ax
        and     ax, 0x7702
        SHOW16_16 ' cli -> ', ax
        sti
        pushf
        pop     ax
        and     ax, 0x7702
        SHOW16_16 ' sti -> ', ax
        push    word 0x0002
        popf
        pushf
        pop     ax
        and     ax, 0x7702
        SHOW16_16 ' popf 2 -> ', ax
        call    print16_nl
        int     0x7F
        bits    32
        ENDCASE

        CASE    'V86 at IOPL 0: the IOPL-sensitive instructions fault'
        TO_V86  .v3, 0
        bits    16
.v3:    ONFAULT16 .v3a
        cli
        PUTSL16 'cli ok'
.v3a:   ONFAULT16 .v3b
        sti
        PUTSL16 'sti ok'
.v3b:   ONFAULT16 .v3c
        pushf
        PUTSL16 'pushf ok'
.v3c:   ONFAULT16 .v3d
        popf
        PUTSL16 'popf ok'
.v3d:   ONFAULT16 .v3e
        int     0x60
        PUTSL16 'int 60h ok'
.v3e:   ONFAULT16 .v3f
        iret
        PUTSL16 'iret ok'
.v3f:   ONFAULT16 .v3g
        pushfd
        PUTSL16 'pushfd ok'
.v3g:   int     0x7F
        bits    32
        ENDCASE

        CASE    'V86 at IOPL 0: INT3 and INTO'
        mov     byte [IDT_BASE + 3 * 8 + 5], ACC_P | ACC_DPL(3) | T_INT386
        mov     byte [IDT_BASE + 4 * 8 + 5], ACC_P | ACC_DPL(3) | T_INT386
        TO_V86  .v4, 0
        bits    16
.v4:    ONFAULT16 .v4a
        int3
        PUTSL16 'int3 returned'
.v4a:   ONFAULT16 .v4b
        mov     al, 0x7F
        add     al, 1
        into
        PUTSL16 'into returned'
.v4b:   int     0x7F
        bits    32
        ENDCASE
        mov     byte [IDT_BASE + 3 * 8 + 5], ACC_P | T_INT386
        mov     byte [IDT_BASE + 4 * 8 + 5], ACC_P | T_INT386

%macro V86IO 2 ; title, iopl
        CASE    %1
        TO_V86  %%v, %2
        bits    16
%%v:    PUTSL16 'printed through E9h (allowed in the bitmap)'
        ONFAULT16 %%a
        mov     al, CMOS_SCRATCH
        out     0x70, al
        mov     al, 0x55
        out     0x71, al
        PUTSL16 'out 70h ok'
%%a:    ONFAULT16 %%b
        in      al, 0x71
        PUTSL16 'in 71h ok'
%%b:    ONFAULT16 %%c
        mov     dx, 0xE8
        mov     ax, 0x2121
        out     dx, ax
        PUTSL16 'out E8h ok'
%%c:    int     0x7F
        bits    32
        ENDCASE
        mov     al, CMOS_SCRATCH
        out     0x70, al
        in      al, 0x71
        SHOW8   'cmos=', al
        NL
%endmacro
        V86IO   'V86 at IOPL 0: I/O through the bitmap', 0
        V86IO   'V86 at IOPL 3: I/O still through the bitmap', 3

        CASE    'V86: protected-mode-only and privileged instructions'
        TO_V86  .v5, 3
        bits    16
.v5:    ONFAULT16 .v5a
        arpl    ax, bx
        PUTSL16 'arpl ok'
.v5a:   ONFAULT16 .v5b
        lar     ax, bx
        PUTSL16 'lar ok'
.v5b:   ONFAULT16 .v5c
        verr    ax
        PUTSL16 'verr ok'
.v5c:   ONFAULT16 .v5d
        sldt    ax
        PUTSL16 'sldt ok'
.v5d:   ONFAULT16 .v5e
        hlt
        PUTSL16 'hlt ok'
.v5e:   ONFAULT16 .v5f
        mov     eax, cr0
        PUTSL16 'mov eax, cr0 ok'
.v5f:   ONFAULT16 .v5g
        lgdt    [0x600]
        PUTSL16 'lgdt ok'
.v5g:   ONFAULT16 .v5h
        smsw    ax
        SHOW16_16 'smsw ok: ', ax
        call    print16_nl
.v5h:   int     0x7F
        bits    32
        ENDCASE

        CASE    'V86: divide error, frame with the V86 segments'
        TO_V86  .v6, 3
        bits    16
.v6:    xor     bl, bl
        mov     ax, 1
        div     bl
        PUTSL16 'no fault'
        int     0x7F
        bits    32
        ENDCASE

        CASE    'V86: INT to a gate whose code is ring 3'
        TO_V86  .v7, 3
        bits    16
.v7:    int     0x61
        PUTSL16 'no fault'
        int     0x7F
        bits    32
        ENDCASE

        CASE    'V86: INT to a DPL 0 gate'
        TO_V86  .v8, 3
        bits    16
.v8:    int     0x63
        PUTSL16 'no fault'
        int     0x7F
        bits    32
        ENDCASE

        CASE    'task switch into a V86 task'
        mov     edi, TSS_V
        mov     ecx, 0x68 / 4
        xor     eax, eax
        rep     stosd
        mov     dword [TSS_V + 4], 0x27000              ; ESP0
        mov     word [TSS_V + 8], SEL_DATA32            ; SS0
        mov     dword [TSS_V + 0x20], OFS(.vt)
        mov     dword [TSS_V + 0x24], 0x23002           ; VM, IOPL 3
        mov     dword [TSS_V + 0x28], 0x1234ABCD        ; EAX
        mov     dword [TSS_V + 0x38], 0xFFF0            ; ESP
        mov     word [TSS_V + 0x48], 0x1111             ; ES
        mov     word [TSS_V + 0x4C], 0xF000             ; CS
        mov     word [TSS_V + 0x50], 0x9000             ; SS
        mov     word [TSS_V + 0x54], 0                  ; DS
        mov     word [TSS_V + 0x58], 0x3333             ; FS
        mov     word [TSS_V + 0x5C], 0x4444             ; GS
        mov     word [TSS_V + 0x60], SEL_LDT
        mov     word [TSS_V + 0x66], 0x68
        mov     edi, TSS_V + 0x68                       ; a bitmap for ports 0-FFh: only E9h
        mov     ecx, 0x21
        mov     al, 0xFF
        rep     stosb
        and     byte [TSS_V + 0x68 + 0xE9 / 8], ~(1 << (0xE9 % 8)) & 0xFF
        SETDESC T_V86, TSS_V, 0x88, ACC_P | T_TSS386, 0
        SETIDT  0x64, SEL_CODE32, v86_task_int, ACC_P | ACC_DPL(3) | T_INT386
        jmp     T_V86:0
        str     ax
        SHOW16  'back in task A: tr=', ax
        SHOW8   ' typeV=', [GDT_BASE + T_V86 + 5]
        NL
        jmp     .done
        bits    16
.vt:    call    v86_state
        PUTS16  ' eax='
        ror     eax, 16
        call    print16_hex16
        ror     eax, 16
        call    print16_hex16
        call    print16_nl
        int     0x64
        bits    32
.done:  ENDCASE
        ret

; Ring 0 handler for INT n from V86: the frame and the handler's own data segment registers.
v86_int:
        mov     ebp, esp
        push    eax
        mov     ax, ds
        SHOW16  'ring 0: ds=', ax
        mov     ax, es
        SHOW16  ' es=', ax
        mov     ax, fs
        SHOW16  ' fs=', ax
        mov     ax, gs
        SHOW16  ' gs=', ax
        mov     ax, ss
        SHOW16  ' ss=', ax
        call    show_flags
        NL
        pop     eax
        SHOW16  'frame: ax=', ax
        SHOW32  ' eip=', [ebp]
        SHOW16  ' cs=', [ebp + 4]
        mov     ebx, [ebp + 8]
        and     ebx, EFL_SHOWN
        SHOW32  ' efl=', ebx
        SHOW32  ' esp=', [ebp + 12]
        SHOW16  ' ss=', [ebp + 16]
        SHOW16  ' es=', [ebp + 20]
        SHOW16  ' ds=', [ebp + 24]
        SHOW16  ' fs=', [ebp + 28]
        SHOW16  ' gs=', [ebp + 32]
        NL
        iretd

; INT 64h from the V86 task: print, then go back to task A by a JMP.
v86_task_int:
        mov     ebp, esp
        str     ax
        SHOW16  'ring 0 in the V86 task: tr=', ax
        SHOW32  ' esp=', ebp
        SHOW16  ' frame cs=', [ebp + 4]
        SHOW16  ' ss=', [ebp + 16]
        SHOW16  ' gs=', [ebp + 32]
        NL
        jmp     SEL_TSS:0

        bits    16
; The V86 view: segment registers, SP and the flags (masked).
v86_state:
        push    ax
        PUTS16  'v86: cs='
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
        PUTS16  ' fs='
        mov     ax, fs
        call    print16_hex16
        PUTS16  ' gs='
        mov     ax, gs
        call    print16_hex16
        pop     ax
        call    print16_nl
        ret
        bits    32

        ROM_END

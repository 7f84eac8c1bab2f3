; IOPL and CPL: CLI and STI fault when CPL > IOPL; POPF/POPFD/IRET ignore IF when CPL > IOPL and
; IOPL unless CPL = 0, silently; PUSHF shows IOPL; IN, OUT, INS, OUTS fall back to the TSS I/O
; bitmap when CPL > IOPL (here every port but E9h is denied), and a denied access leaves the
; registers and the device untouched. Rings 1, 2 and 3 against IOPL 0 to 3.
%include "common.inc"

CMOS_SCRATCH    equ 0x4E                ; a CMOS RAM byte that QEMU's pc machine leaves unused

; AT_RING cs, ss, iopl — continues in the next instruction at that ring with that IOPL and IF=0.
%macro AT_RING 3
        push    dword %2
        push    dword %2 & 3 ? 0xB000 + (3 - (%2 & 3)) * 0x1000 : R0_STACK
        push    dword 0x0002 | ((%3) << 12)
        push    dword %1
        push    dword %%go
        mov     ax, %2
        mov     ds, ax
        mov     es, ax
        iretd
%%go:
%endmacro

main:
        mov     al, CMOS_SCRATCH
        out     0x70, al
        mov     al, 0x11
        out     0x71, al

%macro CLISTI 4 ; title, cs, ss, iopl
        CASE    %1
        AT_RING %2, %3, %4
        ONFAULT %%sti
        cli
        PUTSL   'cli ok'
%%sti:  ONFAULT %%end
        sti
        PUTS    'sti ok'
        call    show_flags
        NL
%%end:  EXIT_RING
        ENDCASE
%endmacro
        CLISTI  'ring 3, IOPL 0: CLI, STI', SEL_CODE32_R3, SEL_DATA32_R3, 0
        CLISTI  'ring 3, IOPL 3: CLI, STI', SEL_CODE32_R3, SEL_DATA32_R3, 3
        CLISTI  'ring 2, IOPL 1: CLI, STI', SEL_CODE32_R2, SEL_DATA32_R2, 1
        CLISTI  'ring 1, IOPL 1: CLI, STI', SEL_CODE32_R1, SEL_DATA32_R1, 1
        CLISTI  'ring 2, IOPL 2: CLI, STI', SEL_CODE32_R2, SEL_DATA32_R2, 2

%macro POPFTEST 4 ; title, cs, ss, iopl
        CASE    %1
        AT_RING %2, %3, %4
        pushfd
        pop     eax
        and     eax, EFL_SHOWN
        SHOW32  'pushfd=', eax
        push    dword 0x3202                    ; IOPL 3, IF
        popfd
        PUTS    ' popfd 3202:'
        call    show_flags
        push    dword 0x0002
        popfd
        PUTS    ' popfd 0002:'
        call    show_flags
        push    word 0x3200
        popfw
        PUTS    ' popfw 3200:'
        call    show_flags
        NL
        EXIT_RING
        ENDCASE
%endmacro
        POPFTEST 'ring 0, IOPL 0: PUSHFD, POPFD, POPFW', SEL_CODE32, SEL_DATA32, 0
        POPFTEST 'ring 3, IOPL 0', SEL_CODE32_R3, SEL_DATA32_R3, 0
        POPFTEST 'ring 3, IOPL 3', SEL_CODE32_R3, SEL_DATA32_R3, 3
        POPFTEST 'ring 1, IOPL 2', SEL_CODE32_R1, SEL_DATA32_R1, 2
        POPFTEST 'ring 2, IOPL 1', SEL_CODE32_R2, SEL_DATA32_R2, 1

        CASE    'POPFD cannot set VM or clear bit 1; RF and NT at ring 0'
        push    dword 0x00034002                ; VM, RF, NT
        popfd
        pushfd
        pop     eax
        and     eax, 0x00077FD7
        SHOW32  'efl=', eax
        push    dword 0
        popfd
        pushfd
        pop     eax
        SHOW32  ' after popfd 0: efl=', eax
        NL
        ENDCASE

%macro IOTEST 4 ; title, cs, ss, iopl
        CASE    %1
        mov     edi, exc_regs
        mov     ecx, 8
        xor     eax, eax
        rep     stosd
        AT_RING %2, %3, %4
        ONFAULT %%in
        mov     al, CMOS_SCRATCH
        out     0x70, al
        mov     al, 0x22
        out     0x71, al
        PUTSL   'out 71h ok'
%%in:   ONFAULT %%ins
        in      al, 0x71
        SHOW8   'in 71h ok: ', al
        NL
%%ins:  ONFAULT %%outs
        mov     edi, scratch
        mov     dx, 0x71
        mov     ecx, 2
        rep     insb
        PUTSL   'rep insb ok'
%%outs: ONFAULT %%e9
        mov     esi, %%text
        mov     dx, 0x70
        mov     ecx, 3
        rep     outsb
        PUTSL   'rep outsb 70h ok'
%%e9:   ONFAULT %%end
        mov     esi, %%text
        mov     dx, 0xE9
        mov     ecx, 3
        rep     outsb                           ; E9h is allowed in the bitmap
        NL
        jmp     %%end
%%text: db      'e9!'
%%end:  EXIT_RING
        ENDCASE
        mov     al, CMOS_SCRATCH
        out     0x70, al
        in      al, 0x71
        SHOW8   'cmos=', al
        SHOW32  ' last fault ecx=', [EXC_ECX]
        SHOW32  ' esi=', [EXC_ESI]
        SHOW32  ' edi=', [EXC_EDI]
        NL
%endmacro
        IOTEST  'ring 3, IOPL 0: IN, OUT, INS, OUTS use the bitmap', SEL_CODE32_R3, SEL_DATA32_R3, 0
        IOTEST  'ring 3, IOPL 3: no bitmap check', SEL_CODE32_R3, SEL_DATA32_R3, 3
        IOTEST  'ring 1, IOPL 0', SEL_CODE32_R1, SEL_DATA32_R1, 0
        IOTEST  'ring 2, IOPL 2', SEL_CODE32_R2, SEL_DATA32_R2, 2
        ret

        ROM_END

; The TSS I/O permission bitmap at CPL 3 with IOPL 0: byte, word and dword accesses check one bit
; per port; the bitmap offset is read from the TSS at every check; a bitmap cut short by the TSS
; limit denies the ports it no longer covers (the check reads two bytes of the bitmap, so the byte
; after a port's byte must lie inside the limit too); a denied access has no side effect (nothing
; printed, memory and registers unchanged). The V86 side is in v86.asm.
%include "common.inc"

CMOS_SCRATCH    equ 0x4E

; Reloads TR after the TSS descriptor changed (LTR caches the limit).
%macro RELOAD_TR 0
        and     byte [GDT_BASE + SEL_TSS + 5], ~0x02 & 0xFF     ; clear busy
        mov     ax, SEL_TSS
        ltr     ax
%endmacro

main:
        ; Allow 70h and 71h besides E9h.
        and     byte [IOPB_BASE + 0x70 / 8], ~0x03 & 0xFF
        mov     al, CMOS_SCRATCH
        out     0x70, al
        mov     al, 0x33
        out     0x71, al

%macro TRY3 2 ; title, instruction
        CASE    %1
        RING3
        %2
        PUTSL   'ok'
        EXIT_RING
        ENDCASE
%endmacro
%macro IN_WORD 1
        in      ax, %1
%endmacro
%macro IN_DWORD 1
        in      eax, %1
%endmacro
        TRY3    'in al, 71h (allowed)', {in al, 0x71}
        TRY3    'in al, 72h (denied)', {in al, 0x72}
        TRY3    'in ax, 70h (70h and 71h allowed)', {IN_WORD 0x70}
        TRY3    'in ax, 71h (72h denied)', {IN_WORD 0x71}
        TRY3    'in eax, 70h (72h, 73h denied)', {IN_DWORD 0x70}
        TRY3    'in ax, 6Fh (6Fh denied)', {IN_WORD 0x6F}

        CASE    'out dx, ax to E8h: E8h denied, nothing printed'
        RING3
        mov     dx, 0xE8
        mov     ax, 0x2121
        out     dx, ax
        PUTSL   'ok'
        EXIT_RING
        ENDCASE

        CASE    'out dx, al to E9h through port 1E9h (denied): nothing printed'
        RING3
        mov     dx, 0x1E9
        mov     al, '!'
        out     dx, al
        PUTSL   'ok'
        EXIT_RING
        ENDCASE

        CASE    'denied rep insb leaves memory, ECX and EDI'
        mov     dword [scratch], 0x55555555
        RING3
        mov     edi, scratch
        mov     dx, 0x72
        mov     ecx, 4
        rep     insb
        PUTSL   'ok'
        EXIT_RING
        ENDCASE
        SHOW32  'memory=', [scratch]
        SHOW32  ' ecx=', [EXC_ECX]
        SHOW32  ' edi=', [EXC_EDI]
        NL

        CASE    'bitmap offset past the TSS limit: E9h denied too'
        mov     word [TSS_BASE + 0x66], 0xFFFF
        RING3
        mov     esi, .text
        mov     ecx, 4
        mov     dx, 0xE9
        rep     outsb
        PUTSL   'ok'
        EXIT_RING
        ENDCASE
        mov     word [TSS_BASE + 0x66], IOPB_OFS
        SHOW32  'ecx=', [EXC_ECX]
        SHOW32  ' esi=', [EXC_ESI]
        NL

        CASE    'bitmap offset moved: the bitmap is read at every check'
        ; A second bitmap 32 bytes further on that allows only 80h-87h and E9h.
        mov     edi, IOPB_BASE + 0x20
        mov     ecx, 0x20
        mov     al, 0xFF
        rep     stosb
        mov     byte [IOPB_BASE + 0x20 + 0x10], 0
        and     byte [IOPB_BASE + 0x20 + 0xE9 / 8], ~(1 << (0xE9 % 8)) & 0xFF
        mov     word [TSS_BASE + 0x66], IOPB_OFS + 0x20
        RING3
        ONFAULT .t2
        in      al, 0x71
        PUTSL   '71h ok'
.t2:    ONFAULT .t3
        in      al, 0x84
        PUTSL   '84h ok'
.t3:    EXIT_RING
        ENDCASE
        mov     word [TSS_BASE + 0x66], IOPB_OFS
        mov     edi, IOPB_BASE + 0x20
        mov     ecx, 0x20
        mov     al, 0xFF
        rep     stosb

        ; The bitmap byte of port E9h is byte 1Dh. Limits that end at byte 1Dh (the second byte read
        ; for the check lies outside) and at byte 1Eh.
        CASE    'TSS limit ends at the bitmap byte of E9h'
        mov     word [GDT_BASE + SEL_TSS], IOPB_OFS + 0x1D
        RELOAD_TR
        RING3
        PUTSL   'printed at ring 3'
        EXIT_RING
        ENDCASE

        CASE    'TSS limit one byte further'
        mov     word [GDT_BASE + SEL_TSS], IOPB_OFS + 0x1E
        RELOAD_TR
        RING3
        PUTSL   'printed at ring 3'
        EXIT_RING
        ENDCASE

        CASE    'TSS limit ends at the byte of 70h: 70h and 71h denied'
        mov     word [GDT_BASE + SEL_TSS], IOPB_OFS + 0x0E
        RELOAD_TR
        RING3
        in      al, 0x71
        PUTSL   'no fault'
        EXIT_RING
        ENDCASE

        CASE    'TSS limit ends one byte after the byte of 70h'
        mov     word [GDT_BASE + SEL_TSS], IOPB_OFS + 0x0F
        RELOAD_TR
        RING3
        in      al, 0x71
        EXIT_RING
        ENDCASE
        PUTSL   'in 71h at ring 3 ok'
        mov     word [GDT_BASE + SEL_TSS], TSS_LIMIT & 0xFFFF
        RELOAD_TR

        CASE    'the CMOS byte was never written from ring 3'
        mov     al, CMOS_SCRATCH
        out     0x70, al
        in      al, 0x71
        SHOW8   'cmos=', al
        NL
        ENDCASE
        ret
.text:  db      'BAD!'

        ROM_END

; Segment register loads in protected mode: every check of MOV/POP/LxS to DS, ES, FS, GS and SS
; (null selector, table limit, TI, system descriptors, type, present, DPL/RPL/CPL), the error code
; of each fault (#GP/#NP/#SS with the selector), the accessed bit written back to the descriptor,
; and far JMP to code segments (type, present, conforming, target limit).
;
; Not tested, because QEMU 7.2 (TCG) does not implement them and so cannot serve as the oracle:
; limit and type checks on the data accesses themselves (reads past the limit, writes through a
; read-only segment), the #GP(0) on a data access through a null selector, and the accessed bit
; set in a code descriptor by a far transfer (QEMU sets it only for data-segment loads), the
; target limit check of far CALL (QEMU reports #GP(selector), the 486 #GP(0)) and of RETF and IRET
; (QEMU does not check).
%include "common.inc"

S_RW0     equ 0x80      ; data RW, DPL 0, accessed bit clear
S_RO0     equ 0x88      ; data read-only, DPL 0
S_RW3     equ 0x90      ; data RW, DPL 3
S_XO0     equ 0x98      ; code execute-only, DPL 0
S_XR0     equ 0xA0      ; code readable, DPL 0
S_XRC0    equ 0xA8      ; code readable conforming, DPL 0
S_NP      equ 0xB0      ; data RW, not present
S_LDTD    equ 0xB8      ; an LDT descriptor
S_TSSD    equ 0xC0      ; an available 386 TSS descriptor
S_GATE    equ 0xC8      ; a 386 call gate
S_RW1     equ 0xD0      ; data RW, DPL 1
S_XR3     equ 0xD8      ; code readable, DPL 3
S_SS0     equ 0xE0      ; data RW, DPL 0, accessed clear (for SS)
S_X32     equ 0xE8      ; 32-bit code, limit 0FFFFFh bytes (for far JMP targets)
S_XNP     equ 0xF0      ; code, not present
S_XG      equ 0xF8      ; code, limit F0h with 4 KiB granularity
L_RW0     equ 0x04      ; LDT 0: data RW DPL 0
L_NP      equ 0x0C      ; LDT 1: data RW DPL 0, not present
L_RW3     equ 0x14      ; LDT 2: data RW DPL 3

%macro FLAT 2 ; selector, access byte
        SETDESC %1, 0, 0xFFFFF, %2, FL_G | FL_DB
%endmacro

; LOAD 'title', instruction... : runs the instruction(s) and prints "ok" plus the accessed byte of
; the descriptor named by the third argument.
%macro LOAD 3
        CASE    %1
        mov     ax, %3
        %2
        PUTS    'ok'
%if (%3) & 4
        SHOW8   ' acc=', [LDT_BASE + ((%3) & 0xFFF8) + 5]
%else
        SHOW8   ' acc=', [GDT_BASE + ((%3) & 0xFFF8) + 5]
%endif
        NL
        ENDCASE
%endmacro

main:
        FLAT    S_RW0, ACC_P | ACC_DATA | ACC_WRITE
        FLAT    S_RO0, ACC_P | ACC_DATA
        FLAT    S_RW3, ACC_P | ACC_DPL(3) | ACC_DATA | ACC_WRITE
        FLAT    S_XO0, ACC_P | ACC_CODE
        FLAT    S_XR0, ACC_P | ACC_CODE | ACC_READ
        FLAT    S_XRC0, ACC_P | ACC_CODE | ACC_READ | ACC_CONF
        FLAT    S_NP, ACC_DATA | ACC_WRITE
        SETDESC S_LDTD, LDT_BASE, 0x7FF, ACC_P | T_LDT, 0
        SETDESC S_TSSD, 0x8000, 0x67, ACC_P | T_TSS386, 0
        SETGATE S_GATE, SEL_CODE32, main, ACC_P | T_CALL386, 0
        FLAT    S_RW1, ACC_P | ACC_DPL(1) | ACC_DATA | ACC_WRITE
        FLAT    S_XR3, ACC_P | ACC_DPL(3) | ACC_CODE | ACC_READ
        FLAT    S_SS0, ACC_P | ACC_DATA | ACC_WRITE
        SETDESC S_X32, 0, 0xFFFFF, ACC_P | ACC_CODE | ACC_READ, FL_DB
        FLAT    S_XNP, ACC_CODE | ACC_READ
        FLAT    L_RW0, ACC_P | ACC_DATA | ACC_WRITE
        FLAT    L_NP, ACC_DATA | ACC_WRITE
        FLAT    L_RW3, ACC_P | ACC_DPL(3) | ACC_DATA | ACC_WRITE

        CASE    'accessed bit before any load'
        SHOW8   'rw0 acc=', [GDT_BASE + S_RW0 + 5]
        SHOW8   ' ss0 acc=', [GDT_BASE + S_SS0 + 5]
        SHOW8   ' ldt0 acc=', [LDT_BASE + 5]
        NL
        ENDCASE

        ; ---- ring 0 ----
        LOAD    'mov ds, data rw dpl0', {mov ds, ax}, S_RW0
        LOAD    'mov es, data ro', {mov es, ax}, S_RO0
        LOAD    'mov fs, data dpl3', {mov fs, ax}, S_RW3
        LOAD    'mov gs, code execute-only', {mov gs, ax}, S_XO0
        LOAD    'mov ds, code readable', {mov ds, ax}, S_XR0
        LOAD    'mov ds, conforming readable code', {mov ds, ax}, S_XRC0
        LOAD    'mov ds, not present', {mov ds, ax}, S_NP
        LOAD    'mov es, LDT descriptor', {mov es, ax}, S_LDTD
        LOAD    'mov fs, TSS descriptor', {mov fs, ax}, S_TSSD
        LOAD    'mov gs, call gate', {mov gs, ax}, S_GATE
        LOAD    'mov ds, RPL 3 on a DPL 0 segment', {mov ds, ax}, S_RW0 | 3
        LOAD    'mov ds, RPL 1 on a DPL 1 segment', {mov ds, ax}, S_RW1 | 1
        LOAD    'mov ds, RPL 2 on a DPL 1 segment', {mov ds, ax}, S_RW1 | 2
        LOAD    'mov ds, selector past the GDT limit', {mov ds, ax}, 0x0803
        LOAD    'mov ds, LDT 0', {mov ds, ax}, L_RW0
        LOAD    'mov ds, LDT not present', {mov ds, ax}, L_NP
        LOAD    'mov ds, selector past the LDT limit', {mov ds, ax}, 0x0FFF
        LOAD    'mov ss, data rw dpl0', {mov ss, ax}, S_SS0
        LOAD    'mov ss, data read-only', {mov ss, ax}, S_RO0
        LOAD    'mov ss, readable code', {mov ss, ax}, S_XR0
        LOAD    'mov ss, not present', {mov ss, ax}, S_NP
        LOAD    'mov ss, DPL 3 at CPL 0', {mov ss, ax}, S_RW3
        LOAD    'mov ss, RPL 3 at CPL 0', {mov ss, ax}, S_SS0 | 3
        LOAD    'mov ss, LDT not present', {mov ss, ax}, L_NP
        LOAD    'mov ss, TSS descriptor', {mov ss, ax}, S_TSSD
%macro POPSEG 1
        push    eax
        pop     %1
%endmacro
%macro LOADFAR 1
        mov     dword [scratch], 0x1234
        mov     [scratch + 4], ax
        %1      ebx, [scratch]
%endmacro
        LOAD    'pop ds, not present', {POPSEG ds}, S_NP
        LOAD    'pop ss, not present', {POPSEG ss}, S_NP
        LOAD    'pop es, execute-only code', {POPSEG es}, S_XO0
        LOAD    'pop fs, data dpl3', {POPSEG fs}, S_RW3
        LOAD    'lds, not present', {LOADFAR lds}, S_NP
        LOAD    'lss, read-only', {LOADFAR lss}, S_RO0
        LOAD    'lfs, LDT dpl3', {LOADFAR lfs}, L_RW3
        LOAD    'lgs, past the GDT limit', {LOADFAR lgs}, 0x1000

        CASE    'null selectors load into DS..GS'
        xor     ax, ax
        mov     ds, ax
        mov     ax, 3
        mov     es, ax
        mov     fs, ax
        mov     gs, ax
        mov     ax, SEL_DATA32
        mov     ds, ax
        mov     ax, es
        SHOW16  'es=', ax
        mov     ax, gs
        SHOW16  ' gs=', ax
        NL
        ENDCASE

        CASE    'mov ss, null'
        xor     ax, ax
        mov     ss, ax
        PUTSL   'no fault'
        ENDCASE

        ; ---- ring 3 ----
%macro LOAD3 3
        CASE    %1
        RING3
        mov     ax, %3
        %2
        PUTSL   'ok'
        EXIT_RING
        ENDCASE
%endmacro
        LOAD3   'ring 3: mov ds, DPL 0 data', {mov ds, ax}, S_RW0 | 3
        LOAD3   'ring 3: mov ds, DPL 3 data', {mov ds, ax}, S_RW3 | 3
        LOAD3   'ring 3: mov ds, DPL 3 data with RPL 0', {mov ds, ax}, S_RW3
        LOAD3   'ring 3: mov es, DPL 1 data', {mov es, ax}, S_RW1 | 3
        LOAD3   'ring 3: mov ds, conforming DPL 0 code', {mov ds, ax}, S_XRC0 | 3
        LOAD3   'ring 3: mov ds, non-conforming DPL 0 code', {mov ds, ax}, S_XR0 | 3
        LOAD3   'ring 3: mov ds, DPL 3 code', {mov ds, ax}, S_XR3 | 3
        LOAD3   'ring 3: mov ss, DPL 3 data RPL 3', {mov ss, ax}, S_RW3 | 3
        LOAD3   'ring 3: mov ss, DPL 3 data RPL 0', {mov ss, ax}, S_RW3
        LOAD3   'ring 3: mov ss, DPL 0 data', {mov ss, ax}, S_SS0 | 3
        LOAD3   'ring 3: mov ss, null', {mov ss, ax}, 3
        LOAD3   'ring 3: mov fs, LDT DPL 3', {mov fs, ax}, L_RW3 | 3
        LOAD3   'ring 3: mov fs, LDT DPL 0', {mov fs, ax}, L_RW0 | 3

        ; ---- far JMP to code segments ----
        CASE    'jmp far to readable code'
        jmp     S_X32:.x32
.x32:   mov     ax, cs
        SHOW16  'cs=', ax
        NL
        ENDCASE

        CASE    'jmp far to a data segment'
        jmp     S_RW0:.t1
.t1:    PUTSL   'no fault'
        ENDCASE

        CASE    'jmp far to a not-present code segment'
        jmp     S_XNP:.t2
.t2:    PUTSL   'no fault'
        ENDCASE

        CASE    'jmp far past the code limit'
        jmp     S_X32:0x100000
        ENDCASE

        ; Page granularity: limit F0h with G=1 is F0FFFh. The base puts offset F0FF9h on
        ; .tail, a 7-byte far JMP whose last byte is the last byte inside the limit.
        CASE    'jmp far to the end of a page-granular code segment'
        SETDESC S_XG, .tail - 0xF0FF9, 0xF0, ACC_P | ACC_CODE | ACC_READ, FL_G | FL_DB
        jmp     S_XG:0xF0FF9
        ENDCASE

        CASE    'jmp far one byte past a page-granular limit'
        jmp     S_XG:0xF1000
        ENDCASE

        CASE    'jmp far with RPL 3 to DPL 0 code at CPL 0'
        jmp     (S_XR0 | 3):.t3
.t3:    PUTSL   'no fault'
        ENDCASE

        CASE    'jmp far to the null selector'
        jmp     0:.t4
.t4:    PUTSL   'no fault'
        ENDCASE

        CASE    'ring 3: jmp far to conforming DPL 0 code keeps CPL 3'
        RING3
        jmp     (S_XRC0 | 3):.c3
.c3:    mov     ax, cs
        SHOW16  'cs=', ax
        mov     ax, ss
        SHOW16  ' ss=', ax
        NL
        EXIT_RING
        ENDCASE

        CASE    'ring 3: jmp far to non-conforming DPL 0 code'
        RING3
        jmp     (S_XR0 | 3):.c4
.c4:    PUTSL   'no fault'
        EXIT_RING
        ENDCASE

        CASE    'ring 3: jmp far to DPL 3 code with RPL 0'
        RING3
        jmp     S_XR3:.c5
.c5:    mov     ax, cs
        SHOW16  'cs=', ax
        NL
        EXIT_RING
        ENDCASE

        CASE    'accessed bits after the loads'
        SHOW8   'rw0 acc=', [GDT_BASE + S_RW0 + 5]
        SHOW8   ' ss0 acc=', [GDT_BASE + S_SS0 + 5]
        SHOW8   ' ldt0 acc=', [LDT_BASE + 5]
        SHOW8   ' xrc0 acc=', [GDT_BASE + S_XRC0 + 5]
        SHOW8   ' np acc=', [GDT_BASE + S_NP + 5]
        NL
        ENDCASE
        ret

.tail:  jmp     dword SEL_CODE32:.back
.back:  PUTSL   'reached the last bytes'
        jmp     dword [recover_eip]

        ROM_END

; Debug registers and single-stepping: DR0-DR3 instruction breakpoints (faults, resumed with RF),
; data-write and data-read/write breakpoints of 1, 2 and 4 bytes hit by overlapping accesses (traps
; after the instruction), local and global enables, DR6 status bits (B0-B3, BS), the fixed bits of
; DR6 and DR7, TF single-step traps (after POPF sets TF the first trap follows the next instruction;
; INT n clears TF for its handler; a faulting instruction raises its fault, not the trap), MOV SS
; holding off the trap by one instruction, and a data breakpoint hit inside REP MOVSB (reported
; after the iteration, at the REP instruction, with ECX counting the iterations left).
;
; Not tested: DR7.GD (general detect). A 486 raises #DB with DR6.BD at the next MOV to or from a
; debug register; QEMU 7.2 ignores GD. A data breakpoint and a single-step trap raised by the same
; instruction: one #DB with BS and Bn on a 486, two separate #DBs in QEMU. A single-step trap onto
; an instruction with an instruction breakpoint, and the B0-B3 bits of breakpoints that match but
; are not enabled: the manuals leave what DR6 shows to the implementation.
%include "common.inc"

DATA    equ 0x20000

; The #DB handler prints DR6 and the frame, clears DR6, and returns. With db_rf set it also sets RF
; in the returned EFLAGS, which is how an instruction breakpoint lets the instruction run. It
; stops single-stepping after db_budget reports.
db_rf     equ scratch + 0x40
db_budget equ scratch + 0x44

; Every case starts with DR7=0 and DR6=0.
%macro DBCASE 1
        CASE    %1
        xor     eax, eax
        mov     dr7, eax
        mov     dr6, eax
%endmacro
%macro DR7SET 1
        mov     eax, %1
        mov     dr7, eax
%endmacro

main:
        SETIDT  1, SEL_CODE32, db_handler, ACC_P | T_INT386
        SETIDT  0x40, SEL_CODE32, int40, ACC_P | ACC_DPL(3) | T_INT386
        mov     dword [db_budget], 8

        CASE    'fixed bits of DR6 and DR7'
        xor     eax, eax
        mov     dr6, eax
        mov     dr7, eax
        mov     eax, dr6
        SHOW32  'dr6=', eax
        mov     eax, dr7
        SHOW32  ' dr7=', eax
        mov     eax, 0x12345678
        mov     dr0, eax
        mov     eax, dr0
        SHOW32  ' dr0=', eax
        mov     eax, 0xFFFFFFFF
        mov     dr6, eax
        mov     eax, dr6
        SHOW32  ' dr6 all ones=', eax
        NL
        xor     eax, eax
        mov     dr6, eax
        mov     dr0, eax
        ENDCASE

        DBCASE  'instruction breakpoint DR0 (local enable), resumed with RF'
        mov     dword [db_rf], 1
        mov     eax, .bp0
        mov     dr0, eax
        DR7SET  0x00000001
        mov     ebx, 1
.bp0:   mov     ebx, 2
        SHOW32  'ebx=', ebx
        NL
        ENDCASE

        DBCASE  'instruction breakpoint DR3 (global enable), twice through a loop'
        mov     dword [db_rf], 1
        mov     eax, .bp3
        mov     dr3, eax
        DR7SET  0x00000080
        mov     ecx, 2
.bp3:   dec     ecx
        jnz     .bp3
        PUTSL   'loop done'
        ENDCASE

        DBCASE  'instruction breakpoint not enabled'
        mov     eax, .bp1
        mov     dr1, eax
        DR7SET  0
.bp1:   nop
        PUTSL   'no #DB'
        ENDCASE

%macro DATABP 4 ; title, DR7 value, DR1 address, access instruction(s)
        CASE    %1
        DR7SET  0
        mov     dword [db_rf], 0
        mov     dword [DATA], 0
        mov     dword [DATA + 4], 0
        mov     eax, %3
        mov     dr1, eax
        DR7SET  %2
        %4
        DR7SET  0
        PUTSL   'after the access'
        ENDCASE
%endmacro
; DR7 for DR1: L1 = bit 2, RW1 = bits 20-21, LEN1 = bits 22-23.
W1      equ 0x00100004      ; write, 1 byte
W2      equ 0x00500004      ; write, 2 bytes
W4      equ 0x00D00004      ; write, 4 bytes
RW1     equ 0x00300004      ; read/write, 1 byte
RW4     equ 0x00F00004      ; read/write, 4 bytes
%macro WRB 1
        mov     byte [%1], 0x11
%endmacro
%macro WRW 1
        mov     word [%1], 0x2222
%endmacro
%macro WRD 1
        mov     dword [%1], 0x33333333
%endmacro
%macro RDD 1
        mov     eax, [%1]
%endmacro
%macro RDB 1
        mov     al, [%1]
%endmacro
        DATABP  'write bp 1 byte, byte write on it', W1, DATA + 1, {WRB DATA + 1}
        DATABP  'write bp 1 byte, byte write next to it', W1, DATA + 1, {WRB DATA + 2}
        DATABP  'write bp 1 byte, dword write covering it', W1, DATA + 3, {WRD DATA}
        DATABP  'write bp 2 bytes, word write on the upper byte', W2, DATA + 2, {WRW DATA + 3}
        DATABP  'write bp 2 bytes, word write below it', W2, DATA + 2, {WRW DATA}
        DATABP  'write bp 4 bytes, byte write at +3', W4, DATA + 4, {WRB DATA + 7}
        DATABP  'write bp 4 bytes, read of it', W4, DATA + 4, {RDD DATA + 4}
        DATABP  'read/write bp 1 byte, read of it', RW1, DATA + 5, {RDB DATA + 5}
        DATABP  'read/write bp 4 bytes, dword read overlapping', RW4, DATA + 4, {RDD DATA + 2}
%macro PUSHIT 0
        mov     esp, R0_STACK - 0x100
        push    eax
        pop     eax
%endmacro
        DATABP  'write bp, PUSH onto it', W4, R0_STACK - 0x104, {PUSHIT}

        DBCASE  'write bp hit by one iteration of REP MOVSB'
        mov     dword [db_rf], 0
        mov     eax, DATA + 0x13
        mov     dr1, eax
        DR7SET  W1
        mov     esi, DATA + 0x100
        mov     edi, DATA + 0x10
        mov     ecx, 8
        rep     movsb
        DR7SET  0
        SHOW32  'after: ecx=', ecx
        SHOW32  ' edi=', edi
        NL
        ENDCASE

        DBCASE  'single step: POPF sets TF, three instructions, POPF clears it'
        DR7SET  0
        mov     dword [db_budget], 8
        pushfd
        or      dword [esp], 0x100
        popfd
        mov     eax, 1
        mov     ebx, 2
        pushfd
        and     dword [esp], ~0x100
        popfd
        mov     ecx, 3
        PUTSL   'stepping over'
        ENDCASE

        DBCASE  'single step over INT 40h: the handler runs without TF'
        mov     dword [db_budget], 8
        pushfd
        or      dword [esp], 0x100
        popfd
        int     0x40
        pushfd
        and     dword [esp], ~0x100
        popfd
        ENDCASE

        DBCASE  'single step into a faulting instruction'
        mov     dword [db_budget], 8
        pushfd
        or      dword [esp], 0x100
        popfd
        mov     ax, 0x0FFC
        mov     ds, ax
        PUTSL   'no fault'
        ENDCASE

        DBCASE  'single step over MOV SS: the trap waits one instruction'
        mov     dword [db_budget], 8
        pushfd
        or      dword [esp], 0x100
        popfd
        mov     ax, SEL_DATA32
        mov     ss, ax
        mov     ebx, 7
        mov     ecx, 8
        pushfd
        and     dword [esp], ~0x100
        popfd
        ENDCASE

        DBCASE  'ring 3: single step, then MOV to a debug register'
        mov     dword [db_budget], 8
        RING3
        pushfd
        or      dword [esp], 0x100
        popfd
        mov     eax, 1
        mov     dr7, eax
        PUTSL   'no fault'
        EXIT_RING
        ENDCASE

        xor     eax, eax
        mov     dr7, eax
        ret

int40:
        pushfd
        pop     eax
        and     eax, EFL_SHOWN
        SHOW32  'int 40h handler: fl=', eax
        NL
        iretd

db_handler:
        push    ebp
        push    eax
        push    ebx
        mov     ebp, esp
        mov     ebx, dr6
        SHOW32  '#DB dr6=', ebx
        SHOW16  ' at=', [ebp + 16]
        PUTS    ':'
        PHEX32  [ebp + 12]
        mov     eax, [ebp + 20]
        and     eax, EFL_SHOWN
        SHOW32  ' fl=', eax
        SHOW32  ' ecx=', ecx
        NL
        xor     eax, eax
        mov     dr6, eax
        cmp     dword [db_rf], 0
        je      .norf
        or      dword [ebp + 20], 0x10000
.norf:  dec     dword [db_budget]
        jnz     .out
        and     dword [ebp + 20], ~0x100
.out:   pop     ebx
        pop     eax
        pop     ebp
        iretd

        ROM_END

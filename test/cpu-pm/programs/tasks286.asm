; Task switches involving 286 TSSs (44 bytes, 16-bit state): JMP and CALL from a 386 task to a 286
; task and back (JMP, IRET with NT), the 286 busy type (3), the back link, a 286 TSS reached through
; an IDT task gate by INT n and by an exception (its error code pushed as a word on the 16-bit
; stack), the registers loaded from and saved into the 286 TSS, and a 286 TSS whose limit is below
; 2Bh. Only the low halves of the general registers are printed inside a 286 task: the upper halves
; are not part of a 286 TSS.
%include "common.inc"

T_B     equ 0x80        ; 286 TSS at 8000h, task16_b
T_C     equ 0x88        ; 286 TSS at 8100h, task16_c (IDT task gate for INT 51h)
T_D     equ 0x90        ; 286 TSS at 8200h, task16_d (#GP handler)
T_SMALL equ 0x98        ; 286 TSS with limit 2Ah
G_B     equ 0xA0        ; task gate -> T_B
TSS_B   equ 0x8000
TSS_C   equ 0x8100
TSS_D   equ 0x8200

%macro NEWTSS16 4 ; base, ip, sp, register seed (16-bit)
        push    dword %4
        push    dword %3
        push    dword %2
        push    dword %1
        call    init_tss16
%endmacro

main:
        call    tasks_reset
        SETDESC T_B, TSS_B, 0x2B, ACC_P | T_TSS286, 0
        SETDESC T_C, TSS_C, 0x2B, ACC_P | T_TSS286, 0
        SETDESC T_D, TSS_D, 0x2B, ACC_P | T_TSS286, 0
        SETDESC T_SMALL, TSS_B, 0x2A, ACC_P | T_TSS286, 0
        SETGATE G_B, T_B, 0, ACC_P | T_TASKGATE, 0
        SETIDT  0x51, T_C, 0, ACC_P | T_TASKGATE

        CASE    'JMP from a 386 task to a 286 task and JMP back'
        mov     eax, 0xA000000A
        mov     esi, 0xA0000051
        jmp     T_B:0
        PUTS    'back in A:'
        call    show_task
        call    show_tss_b
        ENDCASE
        call    tasks_reset

        CASE    'CALL to a 286 task, IRET back'
        mov     eax, 0xA000000A
        call    T_B:0
        PUTS    'back in A:'
        call    show_task
        call    show_tss_b
        ENDCASE
        call    tasks_reset

        CASE    'CALL through a task gate to a 286 task'
        call    G_B:0
        PUTS    'back in A:'
        call    show_task
        ENDCASE
        call    tasks_reset

        CASE    'INT 51h through an IDT task gate to a 286 task'
        int     0x51
        PUTS    'back in A:'
        call    show_task
        ENDCASE
        call    tasks_reset

        CASE    '#GP through a task gate to a 286 task: word error code'
        SETIDT  13, T_D, 0, ACC_P | T_TASKGATE
        mov     ax, 0x0F0C
        mov     gs, ax
        PUTSL   'no fault'
.resume:
        PUTS    'A resumed:'
        call    show_task
        ENDCASE
        SETIDT  13, SEL_CODE32, exc_stub_13, ACC_P | T_INT386
        call    tasks_reset

        CASE    'JMP to a 286 TSS with limit 2Ah'
        jmp     T_SMALL:0
        PUTSL   'no fault'
        ENDCASE
        call    tasks_reset
        ret

; Prints TR, NT, the TSS types and CR0.TS (32-bit side).
show_task:
        push    eax
        str     ax
        SHOW16  ' tr=', ax
        call    show_flags
        SHOW16  ' linkA=', [TSS_BASE]
        SHOW8   ' typeA=', [GDT_BASE + SEL_TSS + 5]
        SHOW8   ' typeB=', [GDT_BASE + T_B + 5]
        SHOW8   ' typeC=', [GDT_BASE + T_C + 5]
        mov     eax, cr0
        and     eax, 8
        SHOW8   ' ts=', al
        pop     eax
        SHOW32  ' eax=', eax
        NL
        ret

show_tss_b:
        SHOW16  'TSS B: ip=', [TSS_B + 0x0E]
        mov     ax, [TSS_B + 0x10]
        and     ax, 0x7702
        SHOW16  ' fl=', ax
        SHOW16  ' ax=', [TSS_B + 0x12]
        SHOW16  ' si=', [TSS_B + 0x1E]
        SHOW16  ' sp=', [TSS_B + 0x1A]
        SHOW16  ' cs=', [TSS_B + 0x24]
        SHOW16  ' ss=', [TSS_B + 0x26]
        SHOW16  ' ds=', [TSS_B + 0x28]
        SHOW16  ' ldt=', [TSS_B + 0x2A]
        SHOW16  ' link=', [TSS_B]
        NL
        SHOW32  'TSS A: eax=', [TSS_BASE + 0x28]
        SHOW32  ' esi=', [TSS_BASE + 0x40]
        NL
        ret

; init_tss16(base, ip, sp, seed): a ring 0 16-bit task (CS=SEL_CODE16, data SEL_DATA16).
init_tss16:
        push    ebp
        mov     ebp, esp
        pushad
        mov     edi, [ebp + 8]
        mov     ecx, 0x2C / 2
        xor     eax, eax
        rep     stosw
        mov     edi, [ebp + 8]
        mov     eax, [ebp + 12]
        mov     [edi + 0x0E], ax
        mov     word [edi + 0x10], 2
        mov     eax, [ebp + 20]
        lea     ebx, [eax + 0x0A]
        mov     [edi + 0x12], bx
        lea     ebx, [eax + 0x0C]
        mov     [edi + 0x14], bx
        lea     ebx, [eax + 0x0D]
        mov     [edi + 0x16], bx
        lea     ebx, [eax + 0x0B]
        mov     [edi + 0x18], bx
        lea     ebx, [eax + 0x51]
        mov     [edi + 0x1E], bx
        lea     ebx, [eax + 0xD1]
        mov     [edi + 0x20], bx
        mov     eax, [ebp + 16]
        mov     [edi + 0x1A], ax
        mov     [edi + 2], ax
        mov     word [edi + 4], SEL_DATA16
        mov     word [edi + 0x22], SEL_DATA16
        mov     word [edi + 0x24], SEL_CODE16
        mov     word [edi + 0x26], SEL_DATA16
        mov     word [edi + 0x28], SEL_DATA16
        mov     word [edi + 0x2A], SEL_LDT
        popad
        pop     ebp
        ret     16

tasks_reset:
        and     byte [GDT_BASE + SEL_TSS + 5], ~2 & 0xFF
        and     byte [GDT_BASE + T_B + 5], ~2 & 0xFF
        and     byte [GDT_BASE + T_C + 5], ~2 & 0xFF
        and     byte [GDT_BASE + T_D + 5], ~2 & 0xFF
        mov     ax, SEL_TSS
        ltr     ax
        clts
        NEWTSS16 TSS_B, OFS(task16_b), 0x7000, 0xB00A - 0x0A
        NEWTSS16 TSS_C, OFS(task16_c), 0x7800, 0xC00A - 0x0A
        NEWTSS16 TSS_D, OFS(task16_d), 0x8000, 0xD00A - 0x0A
        ret

        bits    16
; Prints the 16-bit view of the running 286 task.
show16:
        push    ax
        PUTS16  ' tr='
        str     ax
        call    print16_hex16
        PUTS16  ' cs='
        mov     ax, cs
        call    print16_hex16
        PUTS16  ' ss='
        mov     ax, ss
        call    print16_hex16
        PUTS16  ' ldtr='
        sldt    ax
        call    print16_hex16
        PUTS16  ' fl='
        pushf
        pop     ax
        and     ax, 0x7702
        call    print16_hex16
        PUTS16  ' link='
        str     ax
        mov     bx, ax
        and     bx, 0xFFF8
        mov     bx, [GDT_BASE + bx + 2]         ; base low word of the TSS (below 64 KiB here)
        mov     ax, [bx]
        call    print16_hex16
        pop     ax
        PUTS16  ' ax='
        call    print16_hex16
        PUTS16  ' si='
        mov     ax, si
        call    print16_hex16
        call    print16_nl
        ret

task16_b:
        PUTS16  'task B (286):'
        call    show16
        pushf
        pop     ax
        test    ah, 0x40
        jz      .jmp
        iret
        jmp     task16_b
.jmp:   jmp     SEL_TSS:0
        jmp     task16_b

task16_c:
        PUTS16  'task C (286):'
        call    show16
        iret
        jmp     task16_c

task16_d:
        mov     bp, sp
        PUTS16  'task D (286): err='
        mov     ax, [bp]
        call    print16_hex16
        PUTS16  ' sp='
        mov     ax, sp
        call    print16_hex16
        call    show16
        add     sp, 2
        mov     dword [TSS_BASE + 0x20], main.resume
        iret
        jmp     task16_d
        bits    32

        ROM_END

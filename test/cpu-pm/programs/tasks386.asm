; Task switches through 386 TSSs: JMP (old task not busy, no back link), CALL (NT set, back link,
; old task stays busy), IRET with NT (back to the caller, busy cleared), task gates in the GDT (from
; ring 3 too) and in the IDT (INT n and an exception with its error code pushed on the new task's
; stack), CR0.TS set by every switch, the LDT and registers loaded from the new TSS and the outgoing
; state saved in the old one, and the faults: busy TSS, TSS limit too small, TSS not present, task
; gate to a non-TSS, IRET to a back link that is not busy, task gate DPL, and a bad data segment in
; the new task (#TS raised in the new task's context, after CS and SS are loaded).
;
; Not tested: a bad LDT, CS or SS selector in the new TSS. The fault is raised in the new task
; before its stack segment is usable, and what the handler's pushes then do depends on the
; implementation (QEMU pushes through a zeroed SS cache).
%include "common.inc"

T_B     equ 0x80        ; 386 TSS at 8000h, task_b
T_C     equ 0x88        ; 386 TSS at 8100h, task_c (reached through the IDT)
G_B     equ 0x90        ; task gate, DPL 3 -> T_B
LDT2    equ 0x98        ; a second LDT at 9000h, 2 entries
T_SMALL equ 0xA0        ; 386 TSS with limit 66h
T_NP    equ 0xA8        ; 386 TSS, not present
G_BAD   equ 0xB0        ; task gate -> a data segment
T_D     equ 0xB8        ; 386 TSS at 8200h, task_d (#GP handler task)
T_BADDS equ 0xC0        ; 386 TSS at 8300h whose DS lies past the GDT limit
G_DPL0  equ 0xC8        ; task gate, DPL 0 -> T_B
TSS_B   equ 0x8000
TSS_C   equ 0x8100
TSS_D   equ 0x8200
TSS_BADDS equ 0x8300
LDT2_BASE equ 0x9000

main:
        NEWTSS  TSS_B, task_b, 0x27000, 0xB0000000
        NEWTSS  TSS_C, task_c, 0x27800, 0xC0000000
        NEWTSS  TSS_D, task_d, 0x28000, 0xD0000000
        NEWTSS  TSS_BADDS, task_b, 0x28800, 0xE0000000
        mov     word [TSS_BADDS + 0x54], 0x0F00
        mov     word [TSS_B + 0x60], LDT2
        SETDESC T_B, TSS_B, 0x67, ACC_P | T_TSS386, 0
        SETDESC T_C, TSS_C, 0x67, ACC_P | T_TSS386, 0
        SETGATE G_B, T_B, 0, ACC_P | ACC_DPL(3) | T_TASKGATE, 0
        SETDESC LDT2, LDT2_BASE, 0x0F, ACC_P | T_LDT, 0
        SETDESC T_SMALL, TSS_C, 0x66, ACC_P | T_TSS386, 0
        SETDESC T_NP, TSS_C, 0x67, T_TSS386, 0
        SETGATE G_BAD, SEL_DATA32, 0, ACC_P | T_TASKGATE, 0
        SETDESC T_D, TSS_D, 0x67, ACC_P | T_TSS386, 0
        SETDESC T_BADDS, TSS_BADDS, 0x67, ACC_P | T_TSS386, 0
        SETGATE G_DPL0, T_B, 0, ACC_P | T_TASKGATE, 0
        ; LDT2 entry 1 (selector 0Ch): flat data
        mov     dword [LDT2_BASE + 8], 0x0000FFFF
        mov     dword [LDT2_BASE + 12], 0x00CF9300
        SETIDT  0x50, T_C, 0, ACC_P | ACC_DPL(3) | T_TASKGATE

        CASE    'JMP to a TSS'
        mov     eax, 0xA000000A
        mov     esi, 0xA0000051
        jmp     T_B:0
        PUTS    'back in A:'
        call    show_task
        call    show_tss_b
        ENDCASE
        call    tasks_reset

        CASE    'CALL to a TSS, IRET back'
        mov     eax, 0xA000000A
        call    T_B:0
        PUTS    'back in A:'
        call    show_task
        call    show_tss_b
        ENDCASE
        call    tasks_reset

        CASE    'CALL through a task gate from ring 3'
        RING3
        call    (G_B | 3):0
        PUTS    'back in A at ring 3:'
        mov     ax, cs
        SHOW16  ' cs=', ax
        call    show_flags
        NL
        EXIT_RING
        ENDCASE
        call    tasks_reset

        CASE    'ring 3: task gate with DPL 0'
        RING3
        call    (G_DPL0 | 3):0
        PUTSL   'no fault'
        EXIT_RING
        ENDCASE
        call    tasks_reset

        CASE    'INT 50h through an IDT task gate'
        int     0x50
        PUTS    'back in A:'
        call    show_task
        ENDCASE
        call    tasks_reset

        CASE    'an exception through a task gate pushes its error code on the new stack'
        SETIDT  13, T_D, 0, ACC_P | T_TASKGATE
        mov     ax, 0x0F0C
        mov     fs, ax                          ; #GP(0F0Ch): past the LDT limit
        PUTSL   'no fault'
.resume:
        PUTS    'A resumed:'
        call    show_task
        ENDCASE
        SETIDT  13, SEL_CODE32, exc_stub_13, ACC_P | T_INT386
        call    tasks_reset

        CASE    'JMP to the busy current TSS'
        jmp     SEL_TSS:0
        PUTSL   'no fault'
        ENDCASE
        call    tasks_reset

        CASE    'CALL to a busy TSS'
        or      byte [GDT_BASE + T_B + 5], 2
        call    T_B:0
        PUTSL   'no fault'
        ENDCASE
        call    tasks_reset

        CASE    'JMP to a TSS with limit 66h'
        jmp     T_SMALL:0
        PUTSL   'no fault'
        ENDCASE
        call    tasks_reset

        CASE    'JMP to a not-present TSS'
        jmp     T_NP:0
        PUTSL   'no fault'
        ENDCASE
        call    tasks_reset

        CASE    'JMP to a task gate whose selector is a data segment'
        jmp     G_BAD:0
        PUTSL   'no fault'
        ENDCASE
        call    tasks_reset

        CASE    'IRET with NT to a back link that is not busy'
        mov     word [TSS_BASE], T_C
        pushfd
        or      dword [esp], 0x4000
        popfd
        iretd
        PUTSL   'no fault'
        ENDCASE
        call    tasks_reset

        CASE    'JMP to a task whose DS is past the GDT limit: #TS in the new task'
        ; The fault comes after the commit point, so the manuals (386 PRM 7.5) push the new
        ; task's first instruction; QEMU 7.2 pushes the JMP's address. The address is left out.
        mov     dword [exc_noaddr], 1
        jmp     T_BADDS:0
        PUTSL   'no fault'
        ENDCASE
        str     ax
        SHOW16  'tr after the fault=', ax
        SHOW8   ' type=', [GDT_BASE + T_BADDS + 5]
        SHOW8   ' typeA=', [GDT_BASE + SEL_TSS + 5]
        SHOW32  ' A.eip=', [TSS_BASE + 0x20]
        NL
        call    tasks_reset

        CASE    'FPU instruction after a task switch: #NM'
        call    T_B:0
        fninit
        PUTSL   'no fault'
        ENDCASE
        clts
        call    tasks_reset
        ret

; ---- the other tasks ----
task_b:
        PUTS    'task B:'
        call    show_task
        pushfd
        test    dword [esp], 0x4000
        pop     eax
        jz      .jmp
        iretd
        jmp     task_b
.jmp:   jmp     SEL_TSS:0
        jmp     task_b

task_c:
        PUTS    'task C:'
        call    show_task
        iretd
        jmp     task_c

; #GP handler task: the error code is on its stack; it moves task A past the faulting instruction.
task_d:
        mov     ebx, [esp]
        mov     ecx, esp
        SHOW32  'task D: err=', ebx
        SHOW32  ' esp=', ecx
        PUTS    ' A.eip='
        PHEX32  [TSS_BASE + 0x20]
        call    show_task
        add     esp, 4
        mov     dword [TSS_BASE + 0x20], main.resume
        iretd
        jmp     task_d

; Prints TR, LDTR, NT, the back link of the current TSS, the TSS types of A and B, CR0.TS and EAX.
show_task:
        push    eax
        push    ebx
        str     ax
        SHOW16  ' tr=', ax
        sldt    bx
        SHOW16  ' ldtr=', bx
        pushfd
        pop     ebx
        and     ebx, EFL_SHOWN
        SHOW32  ' fl=', ebx
        movzx   ebx, ax
        call    tss_base
        SHOW16  ' link=', [ebx]
        SHOW8   ' typeA=', [GDT_BASE + SEL_TSS + 5]
        SHOW8   ' typeB=', [GDT_BASE + T_B + 5]
        SHOW8   ' typeC=', [GDT_BASE + T_C + 5]
        mov     ebx, cr0
        and     ebx, 8
        SHOW8   ' ts=', bl
        pop     ebx
        pop     eax
        SHOW32  ' eax=', eax
        NL
        ret

; EBX = base of the TSS whose selector is in BX.
tss_base:
        and     ebx, 0xFFF8
        add     ebx, GDT_BASE
        push    eax
        mov     eax, [ebx + 2]
        and     eax, 0x00FFFFFF
        movzx   ebx, byte [ebx + 7]
        shl     ebx, 24
        or      ebx, eax
        pop     eax
        ret

; The state task B left in its TSS when it switched away.
show_tss_b:
        SHOW32  'TSS B: eip=', [TSS_B + 0x20]
        mov     eax, [TSS_B + 0x24]
        and     eax, EFL_SHOWN
        SHOW32  ' efl=', eax
        SHOW32  ' eax=', [TSS_B + 0x28]
        SHOW32  ' esi=', [TSS_B + 0x40]
        SHOW32  ' esp=', [TSS_B + 0x38]
        SHOW16  ' cs=', [TSS_B + 0x4C]
        SHOW16  ' ss=', [TSS_B + 0x50]
        SHOW16  ' ds=', [TSS_B + 0x54]
        SHOW16  ' ldt=', [TSS_B + 0x60]
        SHOW16  ' link=', [TSS_B]
        NL
        SHOW32  'TSS A: eax=', [TSS_BASE + 0x28]
        SHOW32  ' esi=', [TSS_BASE + 0x40]
        SHOW16  ' cs=', [TSS_BASE + 0x4C]
        NL
        ret

; Back to task A with every TSS available, whatever the case left behind.
tasks_reset:
        push    eax
        and     byte [GDT_BASE + SEL_TSS + 5], ~2 & 0xFF
        and     byte [GDT_BASE + T_B + 5], ~2 & 0xFF
        and     byte [GDT_BASE + T_C + 5], ~2 & 0xFF
        and     byte [GDT_BASE + T_D + 5], ~2 & 0xFF
        and     byte [GDT_BASE + T_BADDS + 5], ~2 & 0xFF
        mov     ax, SEL_TSS
        ltr     ax
        mov     ax, SEL_LDT
        lldt    ax
        clts
        pop     eax
        NEWTSS  TSS_B, task_b, 0x27000, 0xB0000000
        NEWTSS  TSS_C, task_c, 0x27800, 0xC0000000
        NEWTSS  TSS_D, task_d, 0x28000, 0xD0000000
        mov     word [TSS_B + 0x60], LDT2
        ret

        ROM_END

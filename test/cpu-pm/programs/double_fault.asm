; Double faults. The #DF handler is a task (IDT vector 8 is a task gate), so it runs on its own
; stack whatever broke: it prints its error code and the faulting task's saved CS:EIP, then sends
; that task to the case's end. Pairs that make #DF: contributory then contributory (#GP then #NP,
; #NP then #NP, #GP then #GP past the IDT limit, #GP from ring 3 then #TS for a null SS0, #DE then
; #NP), #PF then #PF (ring 0 stack page missing), #PF then #NP. Pairs handled one after the other:
; a contributory fault then #PF (the #PF handler, also a task, maps the stack page and the first
; fault is delivered again), and a benign exception (#BP, #UD from software INT) then #NP.
%include "common.inc"

T_DF    equ 0x80
T_PF    equ 0x88
TSS_DF  equ 0x8000
TSS_PF  equ 0x8100
PT1     equ 0x12000
LIN     equ 0x400000

main:
        ; Paging: 0-4 MiB identity, 400000h-7FFFFFh through PT1 (pages present unless a case
        ; clears them), PT1 page n backed by 30000h + n * 1000h.
        mov     edi, PAGE_DIR
        mov     ecx, 3 * 1024
        xor     eax, eax
        rep     stosd
        mov     dword [PAGE_DIR], PAGE_TAB0 | 7
        mov     dword [PAGE_DIR + 4], PT1 | 7
        mov     edi, PAGE_TAB0
        mov     eax, 7
        mov     ecx, 1024
.pt0:   stosd
        add     eax, 0x1000
        loop    .pt0
        mov     edi, PT1
        mov     eax, 0x30000 | 7
        mov     ecx, 16
.pt1:   stosd
        add     eax, 0x1000
        loop    .pt1
        mov     eax, PAGE_DIR
        mov     cr3, eax
        mov     dword [TSS_BASE + 0x1C], PAGE_DIR
        mov     eax, cr0
        or      eax, 0x80000000
        mov     cr0, eax
        jmp     .paged
.paged: SETDESC T_DF, TSS_DF, 0x67, ACC_P | T_TSS386, 0
        SETDESC T_PF, TSS_PF, 0x67, ACC_P | T_TSS386, 0
        SETIDT  8, T_DF, 0, ACC_P | T_TASKGATE
        call    reset_tasks

        CASE    '#GP whose gate is not present'
        mov     byte [IDT_BASE + 13 * 8 + 5], T_INT386
        mov     ax, 0x0FFC
        mov     ds, ax
        PUTSL   'no fault'
        ENDCASE
        call    reset_tasks

        CASE    '#NP whose gate is not present'
        mov     byte [IDT_BASE + 11 * 8 + 5], T_INT386
        SETDESC 0x90, 0, 0xFFFFF, ACC_DATA | ACC_WRITE, FL_G | FL_DB
        mov     ax, 0x90
        mov     es, ax
        PUTSL   'no fault'
        ENDCASE
        call    reset_tasks

        CASE    '#GP whose gate lies past the IDT limit'
        mov     word [scratch], 13 * 8 - 1
        mov     dword [scratch + 2], IDT_BASE
        lidt    [scratch]
        mov     ax, 0x0FFC
        mov     ds, ax
        PUTSL   'no fault'
        ENDCASE
        call    reset_tasks

        CASE    'ring 3 #GP with a null SS0 in the TSS'
        mov     word [TSS_BASE + 8], 0
        RING3
        cli
        PUTSL   'no fault'
        EXIT_RING
        ENDCASE
        call    reset_tasks

        CASE    '#DE whose gate names a not-present code segment'
        SETDESC 0x98, 0, 0xFFFFF, ACC_CODE | ACC_READ, FL_G | FL_DB
        mov     word [IDT_BASE + 0 * 8 + 2], 0x98
        xor     ecx, ecx
        div     ecx
        PUTSL   'no fault'
        ENDCASE
        call    reset_tasks

        CASE    'ring 3 #PF with the ring 0 stack page not present'
        mov     dword [TSS_BASE + 4], LIN + 0x2000      ; ESP0 at the top of page 1
        and     dword [PT1 + 1 * 4], ~1
        and     dword [PT1 + 5 * 4], ~1
        mov     eax, cr3
        mov     cr3, eax
        RING3
        mov     eax, [LIN + 0x5000]
        PUTSL   'no fault'
        EXIT_RING
        ENDCASE
        call    reset_tasks

        CASE    'ring 3 #PF whose gate is not present'
        mov     byte [IDT_BASE + 14 * 8 + 5], T_INT386
        and     dword [PT1 + 5 * 4], ~1
        mov     eax, cr3
        mov     cr3, eax
        RING3
        mov     eax, [LIN + 0x5000]
        PUTSL   'no fault'
        EXIT_RING
        ENDCASE
        call    reset_tasks

        CASE    'ring 3 #GP with the ring 0 stack page not present: #PF first, then #GP'
        SETIDT  14, T_PF, 0, ACC_P | T_TASKGATE
        mov     dword [TSS_BASE + 4], LIN + 0x2000
        and     dword [PT1 + 1 * 4], ~1
        mov     eax, cr3
        mov     cr3, eax
        RING3
        cli
        PUTSL   'no fault'
        EXIT_RING
        ENDCASE
        call    reset_tasks

        CASE    'INT3 whose gate is not present: #NP alone'
        mov     byte [IDT_BASE + 3 * 8 + 5], T_INT386
        int3
        PUTSL   'no fault'
        ENDCASE
        call    reset_tasks
        ret

; The #DF task: error code, the interrupted task and where it stopped; then that task goes on at
; the case's end (recover_eip) on the main ring 0 stack.
df_task:
        mov     ebx, [esp]
        SHOW32  '#DF task: err=', ebx
        movzx   eax, word [TSS_DF]
        SHOW16  ' link=', ax
        SHOW16  ' at=', [TSS_BASE + 0x4C]
        PUTS    ':'
        PHEX32  [TSS_BASE + 0x20]
        NL
        add     esp, 4
        mov     eax, [recover_eip]
        mov     dword [recover_eip], 0
        mov     [TSS_BASE + 0x20], eax
        mov     eax, [recover_esp]
        mov     [TSS_BASE + 0x38], eax
        mov     word [TSS_BASE + 0x4C], SEL_CODE32
        mov     word [TSS_BASE + 0x50], SEL_DATA32
        mov     word [TSS_BASE + 0x54], SEL_DATA32
        mov     word [TSS_BASE + 0x48], SEL_DATA32
        mov     dword [TSS_BASE + 0x24], 2
        iretd
        jmp     df_task

; The #PF task: maps the page of CR2 and returns to the interrupted task.
pf_task:
        mov     ebx, [esp]
        mov     ecx, cr2
        SHOW32  '#PF task: err=', ebx
        SHOW32  ' cr2=', ecx
        SHOW16  ' at=', [TSS_BASE + 0x4C]
        PUTS    ':'
        PHEX32  [TSS_BASE + 0x20]
        NL
        add     esp, 4
        sub     ecx, LIN
        shr     ecx, 12
        or      dword [PT1 + ecx * 4], 1
        mov     eax, cr3
        mov     cr3, eax
        iretd
        jmp     pf_task

; Everything back as main set it up.
reset_tasks:
        NEWTSS  TSS_DF, df_task, 0x28000, 0xDF000000
        NEWTSS  TSS_PF, pf_task, 0x29000, 0xEF000000
        mov     dword [TSS_DF + 0x1C], PAGE_DIR
        mov     dword [TSS_PF + 0x1C], PAGE_DIR
        and     byte [GDT_BASE + T_DF + 5], ~2 & 0xFF
        and     byte [GDT_BASE + T_PF + 5], ~2 & 0xFF
        and     byte [GDT_BASE + SEL_TSS + 5], ~2 & 0xFF
        mov     ax, SEL_TSS
        ltr     ax
        mov     dword [TSS_BASE + 4], R0_TSS_STACK
        mov     word [TSS_BASE + 8], SEL_DATA32
        mov     word [scratch], 0x7FF
        mov     dword [scratch + 2], IDT_BASE
        lidt    [scratch]
        mov     byte [IDT_BASE + 3 * 8 + 5], ACC_P | T_INT386
        mov     byte [IDT_BASE + 11 * 8 + 5], ACC_P | T_INT386
        mov     byte [IDT_BASE + 13 * 8 + 5], ACC_P | T_INT386
        SETIDT  14, SEL_CODE32, exc_stub_14, ACC_P | T_INT386
        mov     word [IDT_BASE + 0 * 8 + 2], SEL_CODE32
        mov     edi, PT1
        mov     eax, 0x30000 | 7
        mov     ecx, 16
.pt1:   stosd
        add     eax, 0x1000
        loop    .pt1
        mov     eax, cr3
        mov     cr3, eax
        ret

        ROM_END

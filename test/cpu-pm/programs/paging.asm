; Two-level paging with 4 KiB pages: the Accessed and Dirty bits written back to the PDE and PTE
; exactly when the hardware sets them (read: A in both; write: D in the PTE only), the TLB keeping
; a stale translation after the PTE changes until INVLPG, a CR3 load or a task switch flushes it,
; U/S and R/W checks combined over PDE and PTE at CPL 3, CR0.WP at CPL 0, #PF error codes (P, W/R,
; U/S) with CR2 for data accesses and instruction fetches, and the A20 gate masking the physical
; address after translation.
%include "common.inc"

PT1             equ 0x12000     ; page table for linear 400000h-7FFFFFh
PG_P            equ 1
PG_W            equ 2
PG_U            equ 4
PG_A            equ 0x20
PG_D            equ 0x40
LIN             equ 0x400000    ; test page n at LIN + n * 1000h
PHYS            equ 0x30000     ; backed by PHYS + n * 1000h
T_B             equ 0x80
TSS_B           equ 0x8000

%define PTE(n) (PT1 + (n) * 4)
%macro MAP 2 ; page number, flags (physical PHYS + n * 1000h)
        mov     dword [PTE(%1)], (PHYS + (%1) * 0x1000) | (%2)
%endmacro

main:
        ; Page directory: entry 0 maps 0-4 MiB through PAGE_TAB0 (identity, user, writable);
        ; entry 1 maps the test pages through PT1.
        mov     edi, PAGE_DIR
        mov     ecx, 3 * 1024
        xor     eax, eax
        rep     stosd
        mov     dword [PAGE_DIR], PAGE_TAB0 | PG_P | PG_W | PG_U
        mov     dword [PAGE_DIR + 4], PT1 | PG_P | PG_W | PG_U
        mov     edi, PAGE_TAB0
        mov     eax, PG_P | PG_W | PG_U
        mov     ecx, 1024
.pt0:   stosd
        add     eax, 0x1000
        loop    .pt0
        ; Markers in the backing pages: page n holds n * 11111111h.
        mov     edi, PHYS
        xor     eax, eax
        mov     ecx, 16
.mk:    mov     [edi], eax
        add     eax, 0x11111111
        add     edi, 0x1000
        loop    .mk
        mov     dword [0x130000], 0x13013013
        mov     dword [0x030000], 0x03003003
        mov     eax, PAGE_DIR
        mov     cr3, eax
        mov     eax, cr0
        or      eax, 0x80000000
        mov     cr0, eax
        jmp     .paged
.paged:

        CASE    'A and D bits: read, then write'
        MAP     1, PG_P | PG_W | PG_U
        mov     eax, cr3
        mov     cr3, eax
        SHOW32  'before: pde=', [PAGE_DIR + 4]
        SHOW32  ' pte=', [PTE(1)]
        mov     eax, [LIN + 0x1000]
        SHOW32  ' read ', eax
        SHOW32  ' pde=', [PAGE_DIR + 4]
        SHOW32  ' pte=', [PTE(1)]
        mov     dword [LIN + 0x1000 + 4], 0x12345678
        SHOW32  ' after write: pde=', [PAGE_DIR + 4]
        SHOW32  ' pte=', [PTE(1)]
        NL
        ENDCASE

        CASE    'A bit cleared behind the TLB stays clear'
        and     dword [PTE(1)], ~(PG_A | PG_D)
        mov     eax, [LIN + 0x1000]
        mov     dword [LIN + 0x1000 + 4], 0x9ABCDEF0
        SHOW32  'pte=', [PTE(1)]
        invlpg  [LIN + 0x1000]
        mov     eax, [LIN + 0x1000]
        SHOW32  ' after invlpg and a read: pte=', [PTE(1)]
        NL
        ENDCASE

        CASE    'stale translation until INVLPG'
        MAP     2, PG_P | PG_W
        mov     eax, cr3
        mov     cr3, eax
        mov     eax, [LIN + 0x2000]
        SHOW32  'page 2 reads ', eax
        mov     dword [PTE(2)], (PHYS + 3 * 0x1000) | PG_P | PG_W
        mov     eax, [LIN + 0x2000]
        SHOW32  ' remapped to 3, no flush: ', eax
        invlpg  [LIN + 0x2000]
        mov     eax, [LIN + 0x2000]
        SHOW32  ' after invlpg: ', eax
        NL
        ENDCASE

        CASE    'stale translation until a CR3 load'
        mov     dword [PTE(2)], (PHYS + 4 * 0x1000) | PG_P | PG_W
        mov     eax, [LIN + 0x2000]
        SHOW32  'remapped to 4, no flush: ', eax
        invlpg  [LIN + 0x5000]                  ; another page: no effect on page 2
        mov     eax, [LIN + 0x2000]
        SHOW32  ' invlpg of another page: ', eax
        mov     eax, cr3
        mov     cr3, eax
        mov     eax, [LIN + 0x2000]
        SHOW32  ' after mov cr3: ', eax
        NL
        ENDCASE

        CASE    'stale translation until a task switch'
        mov     edi, TSS_B
        mov     ecx, 0x68 / 4
        xor     eax, eax
        rep     stosd
        mov     dword [TSS_B + 0x1C], PAGE_DIR
        mov     dword [TSS_B + 0x20], task_b
        mov     dword [TSS_B + 0x24], 2
        mov     dword [TSS_B + 0x38], 0x27000
        mov     dword [TSS_B + 4], 0x27000
        mov     word [TSS_B + 8], SEL_DATA32
        mov     word [TSS_B + 0x48], SEL_DATA32
        mov     word [TSS_B + 0x4C], SEL_CODE32
        mov     word [TSS_B + 0x50], SEL_DATA32
        mov     word [TSS_B + 0x54], SEL_DATA32
        mov     word [TSS_B + 0x58], SEL_DATA32
        mov     word [TSS_B + 0x5C], SEL_DATA32
        mov     word [TSS_B + 0x60], SEL_LDT
        mov     word [TSS_B + 0x66], 0x68
        SETDESC T_B, TSS_B, 0x67, ACC_P | T_TSS386, 0
        mov     dword [TSS_BASE + 0x1C], PAGE_DIR
        mov     dword [PTE(2)], (PHYS + 5 * 0x1000) | PG_P | PG_W
        mov     eax, [LIN + 0x2000]
        SHOW32  'remapped to 5, no flush: ', eax
        call    T_B:0
        mov     eax, [LIN + 0x2000]
        SHOW32  ' after a task switch and back: ', eax
        NL
        ENDCASE
        clts

%macro FAULT0 2 ; title, instruction (ring 0)
        CASE    %1
        %2
        PUTSL   'no fault'
        ENDCASE
%endmacro
%macro FAULT3 2 ; title, instruction (ring 3)
        CASE    %1
        RING3
        %2
        PUTSL   'no fault'
        EXIT_RING
        ENDCASE
%endmacro
        MAP     6, 0                                    ; not present
        MAP     7, PG_P                                 ; supervisor, read-only
        MAP     8, PG_P | PG_U                          ; user, read-only
        MAP     9, PG_P | PG_W | PG_U                   ; user, writable
        MAP     10, PG_P | PG_W                         ; supervisor, writable
        mov     eax, cr3
        mov     cr3, eax
        FAULT0  'ring 0 read, not present', {mov eax, [LIN + 0x6000]}
        FAULT0  'ring 0 write, not present', {mov dword [LIN + 0x6004], 1}
        FAULT0  'ring 0 write, read-only, WP=0', {mov dword [LIN + 0x7008], 2}
        FAULT3  'ring 3 read, not present', {mov eax, [LIN + 0x600C]}
        FAULT3  'ring 3 write, not present', {mov dword [LIN + 0x6010], 3}
        FAULT3  'ring 3 read, supervisor page', {mov eax, [LIN + 0x7014]}
        FAULT3  'ring 3 write, supervisor page', {mov dword [LIN + 0xA018], 4}
        FAULT3  'ring 3 read, user read-only', {mov eax, [LIN + 0x801C]}
        FAULT3  'ring 3 write, user read-only', {mov dword [LIN + 0x8020], 5}
        FAULT3  'ring 3 write, user writable', {mov dword [LIN + 0x9024], 6}

        CASE    'CR0.WP=1: ring 0 writes to read-only pages'
        mov     eax, cr0
        or      eax, 0x10000
        mov     cr0, eax
        ONFAULT .w2
        mov     dword [LIN + 0x7028], 7
        PUTSL   'supervisor read-only: no fault'
.w2:    ONFAULT .w3
        mov     dword [LIN + 0x802C], 8
        PUTSL   'user read-only: no fault'
.w3:    mov     dword [LIN + 0x9030], 9
        PUTSL   'user writable: no fault'
        ENDCASE
        mov     eax, cr0
        and     eax, ~0x10000
        mov     cr0, eax

        CASE    'PDE U=0 over a user PTE, ring 3'
        and     dword [PAGE_DIR + 4], ~PG_U
        mov     eax, cr3
        mov     cr3, eax
        RING3
        mov     eax, [LIN + 0x9034]
        PUTSL   'no fault'
        EXIT_RING
        ENDCASE
        or      dword [PAGE_DIR + 4], PG_U

        CASE    'PDE read-only over a writable user PTE, ring 3'
        and     dword [PAGE_DIR + 4], ~PG_W
        mov     eax, cr3
        mov     cr3, eax
        RING3
        mov     eax, [LIN + 0x9038]
        PUTSL   'read: no fault'
        mov     dword [LIN + 0x903C], 10
        PUTSL   'write: no fault'
        EXIT_RING
        ENDCASE
        or      dword [PAGE_DIR + 4], PG_W
        mov     eax, cr3
        mov     cr3, eax

        CASE    'PDE not present'
        mov     eax, [0x800000 + 0x123]
        PUTSL   'no fault'
        ENDCASE

        CASE    'instruction fetch from a not-present page'
        mov     eax, LIN + 0x6000
        call    eax
        PUTSL   'no fault'
        ENDCASE

        CASE    'ring 3 instruction fetch from a supervisor page'
        mov     dword [PHYS + 10 * 0x1000 + 0x40], 0x7FCD7FCD   ; int 7Fh
        RING3
        mov     eax, LIN + 0xA040
        call    eax
        PUTSL   'no fault'
        EXIT_RING
        ENDCASE

        ; Only entries used by an access that completed are printed: whether a translation that ends
        ; in a protection fault sets A is left open by the manuals.
        CASE    'accessed and dirty bits after the accesses'
        SHOW32  'pte6=', [PTE(6)]
        SHOW32  ' pte7=', [PTE(7)]
        SHOW32  ' pte8=', [PTE(8)]
        SHOW32  ' pte9=', [PTE(9)]
        NL
        ENDCASE

        CASE    'A20 gate masks the translated address'
        mov     dword [PTE(11)], 0x130000 | PG_P | PG_W
        invlpg  [LIN + 0xB000]
        mov     eax, [LIN + 0xB000]
        SHOW32  'a20 on: ', eax
        in      al, 0x92
        and     al, ~2 & 0xFF
        out     0x92, al
        mov     eax, [LIN + 0xB000]
        SHOW32  ' a20 off: ', eax
        in      al, 0x92
        or      al, 2
        out     0x92, al
        mov     eax, [LIN + 0xB000]
        SHOW32  ' a20 on: ', eax
        NL
        ENDCASE

        CASE    'paging off again: linear is physical'
        mov     eax, cr0
        and     eax, 0x7FFFFFFF
        mov     cr0, eax
        jmp     .off
.off:   mov     eax, [PHYS + 0x2000]
        SHOW32  'phys page 2: ', eax
        mov     eax, cr3
        SHOW32  ' cr3=', eax
        NL
        ENDCASE
        ret

task_b:
        iretd
        jmp     task_b

        ROM_END

; System registers: SGDT/SIDT in both operand sizes (the byte above the 24-bit base is 00h on a
; 386 or later), LGDT/LIDT with a 16-bit operand loading only 24 bits, SLDT/STR, SMSW/LMSW (LMSW
; cannot clear PE and touches only bits 0-3), MOV to and from CR0/CR2/CR3 with the bits a 486 keeps,
; CLTS, LMSW from real mode, unreal mode (descriptor caches kept across a return to real mode), and
; the protected-mode-only instructions raising #UD in real mode.
;
; Not tested here: real-mode limit checks (a 64 KiB segment accessed past FFFFh raises #GP on a
; 486; QEMU 7.2 checks no data segment limits). The invalid CR0 combinations (PG=1 with PE=0, NW=1 with CD=0) and LTR with a
; null selector raise #GP(0) on a 486, but QEMU 7.2 accepts them, so it cannot serve as the oracle
; for them.
%define REAL_MAIN
%include "common.inc"

        bits    16
real_main:
        RMCASE  'real mode: SIDT/SGDT after reset'
        mov     di, scratch
        mov     cx, 16
        mov     al, 0xAA
        rep     stosb
        sidt    [scratch]
        o32 sgdt [scratch + 8]
        mov     si, scratch
        mov     cx, 14
.dump:  lodsb
        call    print16_hex8
        loop    .dump
        call    print16_nl
        RMENDCASE

        RMCASE  'real mode: LMSW sets PE, 16-bit protected mode without a reload of CS'
        smsw    ax
        SHOW16_16 'msw=', ax
        call    print16_nl
        or      ax, 1
        lmsw    ax
        smsw    ax
        SHOW16_16 'msw=', ax
        call    print16_nl
        ; Still running with the real-mode CS cache (base F0000h), now in protected mode.
        mov     eax, cr0
        and     eax, 0x7FFFFFFE
        mov     cr0, eax
        smsw    ax
        SHOW16_16 'msw after MOV CR0=', ax
        call    print16_nl
        RMENDCASE
        ret

        bits    32
main:
        CASE    'SGDT/SIDT with 32-bit and 16-bit operand size'
        mov     edi, scratch
        mov     ecx, 32
        mov     al, 0xAA
        rep     stosb
        sgdt    [scratch]
        o16 sgdt [scratch + 8]
        sidt    [scratch + 16]
        o16 sidt [scratch + 24]
        call    dump32
        ENDCASE

        CASE    'LGDT/LIDT with a base above 16 MiB, both operand sizes'
        mov     dword [scratch + 0x40], 0x123407FF     ; limit 07FFh, base 56781234h / 78123407h...
        mov     dword [scratch + 0x44], 0x00005678
        mov     word [scratch + 0x40], 0x0FFF
        mov     dword [scratch + 0x42], 0x9A345678
        sgdt    [scratch + 0x60]                ; keep the real GDTR
        sidt    [scratch + 0x68]
        lgdt    [scratch + 0x40]
        sgdt    [scratch]
        o16 lgdt [scratch + 0x40]
        sgdt    [scratch + 8]
        lidt    [scratch + 0x40]
        sidt    [scratch + 16]
        o16 lidt [scratch + 0x40]
        sidt    [scratch + 24]
        lgdt    [scratch + 0x60]
        lidt    [scratch + 0x68]
        call    dump32
        ENDCASE

        CASE    'SLDT/STR into registers and memory'
        mov     eax, 0xAAAAAAAA
        mov     ebx, 0xBBBBBBBB
        mov     dword [scratch], 0xCCCCCCCC
        mov     dword [scratch + 4], 0xDDDDDDDD
        sldt    ax
        str     bx
        sldt    [scratch]
        str     [scratch + 4]
        SHOW32  'sldt ax -> eax=', eax
        SHOW32  ' str bx -> ebx=', ebx
        SHOW32  ' mem=', [scratch]
        SHOW32  ' ', [scratch + 4]
        NL
        ENDCASE

        CASE    'LLDT with a null selector, then an LDT reference'
        xor     ax, ax
        lldt    ax
        sldt    bx
        SHOW16  'ldtr=', bx
        NL
        mov     ax, 0x0004                      ; index 0 in the LDT
        mov     ds, ax
        PUTSL   'no fault'
        ENDCASE
        mov     ax, SEL_LDT
        lldt    ax

        CASE    'LTR marks the TSS busy; LTR on a busy TSS, a data segment, a not-present TSS, via the LDT'
        SETDESC SEL_FREE, 0x8000, 0x67, ACC_P | T_TSS386, 0
        SETDESC SEL_FREE + 8, 0x8100, 0x2B, ACC_P | T_TSS286, 0
        SETDESC SEL_FREE + 16, 0x8200, 0x67, T_TSS386, 0
        SHOW8   'type before=', [GDT_BASE + SEL_FREE + 5]
        mov     ax, SEL_FREE
        ltr     ax
        str     bx
        SHOW16  ' tr=', bx
        SHOW8   ' type after=', [GDT_BASE + SEL_FREE + 5]
        mov     ax, SEL_FREE + 8
        ltr     ax
        str     bx
        SHOW16  ' 286 tss: tr=', bx
        SHOW8   ' type=', [GDT_BASE + SEL_FREE + 8 + 5]
        NL
        ONFAULT .l2
        mov     ax, SEL_FREE
        ltr     ax
        PUTSL   'busy: no fault'
.l2:    ONFAULT .l3
        mov     ax, SEL_DATA32
        ltr     ax
        PUTSL   'data segment: no fault'
.l3:    ONFAULT .l4
        mov     ax, SEL_FREE + 16
        ltr     ax
        PUTSL   'not present: no fault'
.l4:    ONFAULT .l5
        mov     ax, SEL_FREE | 4
        ltr     ax
        PUTSL   'LDT selector: no fault'
.l5:    ENDCASE
        and     byte [GDT_BASE + SEL_TSS + 5], ~2 & 0xFF
        mov     ax, SEL_TSS
        ltr     ax

        CASE    'LLDT on a non-LDT, a not-present LDT, an LDT selector'
        SETDESC SEL_FREE + 24, LDT_BASE, 0x7FF, T_LDT, 0
        ONFAULT .d2
        mov     ax, SEL_TSS
        lldt    ax
        PUTSL   'TSS: no fault'
.d2:    ONFAULT .d3
        mov     ax, SEL_FREE + 24
        lldt    ax
        PUTSL   'not present: no fault'
.d3:    ONFAULT .d4
        mov     ax, SEL_LDT | 4
        lldt    ax
        PUTSL   'TI=1: no fault'
.d4:    mov     ax, SEL_LDT | 3
        lldt    ax
        sldt    bx
        SHOW16  'lldt with RPL 3: ldtr=', bx
        NL
        ENDCASE
        mov     ax, SEL_LDT
        lldt    ax

        CASE    'SMSW, LMSW and CR0 bits'
        mov     eax, cr0
        SHOW32  'cr0=', eax
        smsw    bx
        SHOW16  ' smsw=', bx
        mov     word [scratch], 0xEEEE
        smsw    [scratch]
        SHOW16  ' smsw mem=', [scratch]
        NL
        mov     ax, 0xFFF0                      ; bits above 3 are ignored, PE=0 cannot clear PE
        lmsw    ax
        mov     eax, cr0
        SHOW32  'after lmsw FFF0: cr0=', eax
        mov     ax, 0x000E
        lmsw    ax
        mov     eax, cr0
        SHOW32  ' lmsw 000E: cr0=', eax
        clts
        mov     eax, cr0
        SHOW32  ' clts: cr0=', eax
        mov     ax, 0x0001
        lmsw    ax
        mov     eax, cr0
        SHOW32  ' lmsw 0001: cr0=', eax
        NL
        ENDCASE

        CASE    'MOV CR0 keeps ET set and stores the 486 bits'
        mov     eax, cr0
        mov     esi, eax
        and     eax, ~0x10                      ; try to clear ET
        mov     cr0, eax
        mov     eax, cr0
        SHOW32  'et cleared: cr0=', eax
        mov     eax, esi
        or      eax, 0x0005002E                 ; MP EM TS NE WP AM
        mov     cr0, eax
        mov     eax, cr0
        SHOW32  ' all set: cr0=', eax
        mov     eax, esi
        and     eax, 0x9FFFFFFF                 ; caches on (CD=NW=0)
        mov     cr0, eax
        mov     eax, cr0
        SHOW32  ' cd=nw=0: cr0=', eax
        mov     cr0, esi
        NL
        ENDCASE

        CASE    'CR2 and CR3 hold what is written'
        mov     eax, 0x89ABCDEF
        mov     cr2, eax
        mov     ebx, cr2
        SHOW32  'cr2=', ebx
        mov     eax, 0x00123018
        mov     cr3, eax
        mov     ebx, cr3
        SHOW32  ' cr3=', ebx
        xor     eax, eax
        mov     cr3, eax
        mov     cr2, eax
        NL
        ENDCASE

        CASE    'unreal mode: FS keeps a 4 GiB limit in real mode'
        mov     dword [0x200000], 0x13572468
        mov     dword [0x100000], 0x11111111
        mov     ax, SEL_DATA32
        mov     fs, ax
        ENTER_REAL
        mov     eax, [fs:dword 0x200000]
        SHOW16_16 'fs:[200000h]=', ax
        xor     ax, ax
        mov     fs, ax                          ; a real-mode load sets the base, keeps the limit
        mov     eax, [fs:dword 0x200002]
        SHOW16_16 ' after mov fs: ', ax
        call    print16_nl
        ENTER_PM
        ENDCASE

        CASE    'real mode: the protected-mode-only instructions raise #UD'
        ENTER_REAL
        mov     word [rm_recover_ip], OFS(.r1)
        mov     [rm_recover_sp], sp
        PUTSL16 'sldt'
        sldt    ax
        PUTSL16 'no fault'
.r1:    mov     word [rm_recover_ip], OFS(.r2)
        mov     [rm_recover_sp], sp
        PUTSL16 'str'
        str     ax
        PUTSL16 'no fault'
.r2:    mov     word [rm_recover_ip], OFS(.r3)
        mov     [rm_recover_sp], sp
        PUTSL16 'lldt'
        xor     ax, ax
        lldt    ax
        PUTSL16 'no fault'
.r3:    mov     word [rm_recover_ip], OFS(.r4)
        mov     [rm_recover_sp], sp
        PUTSL16 'ltr'
        ltr     ax
        PUTSL16 'no fault'
.r4:    mov     word [rm_recover_ip], OFS(.r5)
        mov     [rm_recover_sp], sp
        PUTSL16 'verr'
        verr    ax
        PUTSL16 'no fault'
.r5:    mov     word [rm_recover_ip], OFS(.r6)
        mov     [rm_recover_sp], sp
        PUTSL16 'lar'
        lar     ax, bx
        PUTSL16 'no fault'
.r6:    mov     word [rm_recover_ip], OFS(.r7)
        mov     [rm_recover_sp], sp
        PUTSL16 'arpl'
        arpl    ax, bx
        PUTSL16 'no fault'
.r7:    mov     word [rm_recover_ip], OFS(.r8)
        mov     [rm_recover_sp], sp
        PUTSL16 'lsl'
        lsl     ax, bx
        PUTSL16 'no fault'
.r8:    mov     word [rm_recover_ip], OFS(.r9)
        mov     [rm_recover_sp], sp
        PUTSL16 'verw'
        verw    ax
        PUTSL16 'no fault'
.r9:    mov     word [rm_recover_ip], 0
        ENTER_PM
        ENDCASE
        ret

; Prints the 32 bytes at `scratch` as hex, 8 per group.
dump32:
        mov     esi, scratch
        xor     ecx, ecx
.l:     test    ecx, 7
        jnz     .b
        test    ecx, ecx
        jz      .b
        PUTS    ' '
.b:     PHEX8   [esi + ecx]
        inc     ecx
        cmp     ecx, 32
        jb      .l
        NL
        ret

        ROM_END

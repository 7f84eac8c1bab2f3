; Faults are restartable: a #PF handler maps the missing page and returns with IRETD, and the
; instruction resumes exactly: REP MOVSB crossing into a not-present page resumes at the right
; iteration (ECX, ESI, EDI at the fault), REP MOVSD with a dword straddling two pages writes nothing
; before the fault, REP STOSW backwards (DF=1), an instruction whose bytes straddle into a
; not-present page, and stack writes at CPL 3 into a not-present stack page (PUSH, CALL, ENTER,
; PUSHAD) with ESP restored at the fault.
%include "common.inc"

PT1     equ 0x12000
LIN     equ 0x400000
PHYS    equ 0x30000
%define PTE(n) (PT1 + (n) * 4)
pf_peek equ scratch             ; nonzero: the #PF handler also prints the dword there

; Marks pages first..last not present (backed by PHYS + n * 1000h) and flushes the TLB.
%macro UNMAP 2
        mov     ecx, %1
%%l:    mov     eax, ecx
        shl     eax, 12
        add     eax, PHYS | 6
        mov     [PTE(0) + ecx * 4], eax
        inc     ecx
        cmp     ecx, %2
        jbe     %%l
        mov     eax, cr3
        mov     cr3, eax
%endmacro
%macro MAPALL 0
        mov     ecx, 0
%%l:    mov     eax, ecx
        shl     eax, 12
        add     eax, PHYS | 7
        mov     [PTE(0) + ecx * 4], eax
        inc     ecx
        cmp     ecx, 16
        jb      %%l
        mov     eax, cr3
        mov     cr3, eax
%endmacro

main:
        mov     dword [pf_peek], 0
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
        ; Backing pages: bytes 00h, 01h, 02h, ... (low byte of the offset from PHYS).
        mov     edi, PHYS
        xor     eax, eax
        mov     ecx, 16 * 0x1000
.fill:  stosb
        inc     eax
        loop    .fill
        MAPALL
        mov     eax, PAGE_DIR
        mov     cr3, eax
        mov     eax, cr0
        or      eax, 0x80000000
        mov     cr0, eax
        jmp     .paged
.paged: SETIDT  14, SEL_CODE32, pf_handler, ACC_P | T_INT386

        CASE    'REP MOVSB into a not-present page'
        MAPALL
        UNMAP   2, 2
        mov     esi, LIN + 0x0F00
        mov     edi, LIN + 0x1F00
        mov     ecx, 0x200
        cld
        rep     movsb
        call    show_regs
        call    checksum_page2
        ENDCASE

        CASE    'REP MOVSB from a not-present page'
        MAPALL
        UNMAP   4, 4
        mov     esi, LIN + 0x3F80
        mov     edi, LIN + 0x5F00
        mov     ecx, 0x100
        rep     movsb
        call    show_regs
        ENDCASE

        CASE    'REP MOVSD with a dword straddling into a not-present page'
        MAPALL
        mov     dword [LIN + 0x2000], 0xEEEEEEEE        ; page 2 first dword (mapped now)
        mov     dword [LIN + 0x1FFC], 0xDDDDDDDD
        UNMAP   2, 2
        mov     dword [pf_peek], LIN + 0x1FFC
        mov     esi, LIN + 0x0100
        mov     edi, LIN + 0x1FF6
        mov     ecx, 4
        rep     movsd
        mov     dword [pf_peek], 0
        call    show_regs
        SHOW32  'around the boundary: ', [LIN + 0x1FFC]
        SHOW32  ' ', [LIN + 0x2000]
        NL
        ENDCASE

        CASE    'REP STOSW downwards into a not-present page'
        MAPALL
        UNMAP   6, 6
        std
        mov     edi, LIN + 0x7010
        mov     ecx, 0x20
        mov     ax, 0xA55A
        rep     stosw
        cld
        call    show_regs
        ENDCASE

        CASE    'instruction straddling into a not-present page'
        MAPALL
        ; mov eax, 44332211h at 403FFDh; ret at 404002h
        mov     byte [LIN + 0x3FFD], 0xB8
        mov     dword [LIN + 0x3FFE], 0x44332211
        mov     byte [LIN + 0x4002], 0xC3
        UNMAP   4, 4
        mov     eax, LIN + 0x3FFD
        call    eax
        SHOW32  'eax=', eax
        NL
        ENDCASE

%macro STACKCASE 3 ; title, instruction(s) at CPL 3, ESP (page 8 not present, page 9 present)
        CASE    %1
        MAPALL
        UNMAP   8, 8
        push    dword SEL_DATA32_R3
        push    dword %3
        pushfd
        push    dword SEL_CODE32_R3
        push    dword %%r3
        iretd
%%r3:   mov     eax, 0x11111111
        mov     ebp, LIN + 0x9000 - 4
        %2
        mov     ebx, esp
        EXIT_RING
        ENDCASE
        SHOW32  'esp at the end=', ebx
        NL
%endmacro
%macro ENTER_3 0
        enter   16, 2
        leave
%endmacro
        STACKCASE 'ring 3 PUSH into a not-present stack page', {push eax}, LIN + 0x9000
        STACKCASE 'ring 3 CALL into a not-present stack page', {call ret_only}, LIN + 0x9000
        STACKCASE 'ring 3 ENTER 16, 2 into a not-present stack page', {ENTER_3}, LIN + 0x9000
        ; Only the last slot (EDI) of PUSHAD lies in the missing page: the order in which the
        ; eight writes are made is not architectural, the faulting address then is.
        STACKCASE 'ring 3 PUSHAD whose last slot is in a not-present page', {pushad}, LIN + 0x9000 + 28
        ret

ret_only:
        ret

; Prints the registers of a string instruction after it finished.
show_regs:
        SHOW32  'done: ecx=', ecx
        SHOW32  ' esi=', esi
        SHOW32  ' edi=', edi
        NL
        ret

checksum_page2:
        xor     eax, eax
        mov     esi, LIN + 0x1F00
        mov     ecx, 0x200
.l:     movzx   edx, byte [esi]
        add     eax, edx
        rol     eax, 3
        inc     esi
        loop    .l
        SHOW32  'destination checksum=', eax
        NL
        ret

; #PF: prints the error code, CR2 (its page only when the access straddles pages), the faulting
; CS:EIP, ESP at the fault for an outer ring, and ECX/ESI/EDI; maps the page and returns.
pf_handler:
        pushad
        cld
        mov     ebp, esp
        mov     ax, SEL_DATA32
        mov     ds, ax
        mov     es, ax
        mov     ebx, cr2
        SHOW16  '#PF err=', [ebp + 32]
        SHOW32  ' cr2=', ebx
        SHOW16  ' at=', [ebp + 40]
        PUTS    ':'
        PHEX32  [ebp + 36]
        test    byte [ebp + 40], 3
        jz      .same
        SHOW32  ' esp=', [ebp + 48]
.same:  SHOW32  ' ecx=', [ebp + 24]
        SHOW32  ' esi=', [ebp + 4]
        SHOW32  ' edi=', [ebp]
        mov     esi, [pf_peek]
        test    esi, esi
        jz      .nopeek
        SHOW32  ' peek=', [esi]
.nopeek:
        NL
        mov     eax, ebx
        sub     eax, LIN
        shr     eax, 12
        or      dword [PTE(0) + eax * 4], 1
        invlpg  [ebx]
        popad
        add     esp, 4
        iretd

        ROM_END

; String instructions with REP/REPE/REPNE, both directions, 8/16/32-bit elements, 16-bit (SI/DI/
; CX, wrapping inside the segment) and 32-bit (ESI/EDI/ECX, 67h) addressing, overlapping moves,
; segment overrides on the source. Prints EAX = checksum of the 1 KiB work area at 2000:0000 and
; 2000:FC00, EBX = ESI, ECX = ECX, EDX = EDI.
%include "rm.inc"
%include "drivers.inc"

WORK_SEG equ 0x2000

; Fills the work areas (2000:0000-03FF and 2000:FC00-FFFF) with a pattern from EAX.
fill_work:
        push    es
        push    eax
        push    di
        push    cx
        mov     cx, WORK_SEG
        mov     es, cx
        mov     di, 0
.lo:    mov     [es:di], eax
        rol     eax, 3
        add     eax, 0x9E3779B9
        add     di, 4
        cmp     di, 0x400
        jb      .lo
        mov     di, 0xFC00
.hi:    mov     [es:di], eax
        rol     eax, 3
        add     eax, 0x9E3779B9
        add     di, 4
        jnz     .hi
        pop     cx
        pop     di
        pop     eax
        pop     es
        ret

; EAX = checksum of both work areas (flags preserved).
sum_work:
        pushf
        push    es
        push    si
        mov     ax, WORK_SEG
        mov     es, ax
        xor     eax, eax
        mov     si, 0
.lo:    rol     eax, 5
        xor     eax, [es:si]
        add     si, 4
        cmp     si, 0x400
        jb      .lo
        mov     si, 0xFC00
.hi:    rol     eax, 5
        xor     eax, [es:si]
        add     si, 4
        jnz     .hi
        pop     si
        pop     es
        popf
        ret

; STR_BEGIN name ... STR_END: a stub run in the work segment (DS = ES = 2000h); a = pattern seed
; and compare value, b = start offsets and counts.
%macro STR_BEGIN 1
%1:     call    fill_work
        push    ds
        push    es
        mov     dx, WORK_SEG
        mov     ds, dx
        mov     es, dx
%endmacro
%macro STR_END 0
        call    sum_work
        mov     ebx, esi
        mov     edx, edi
        pop     es
        pop     ds
        ret
%endmacro

; Offsets in the low area with a count up to 7Fh.
%macro PTRS_LOW 0
        mov     esi, ebx
        and     esi, 0xFF
        lea     edi, [esi + 0x100 + 3]
        mov     ecx, ebx
        shr     ecx, 8
        and     ecx, 0x7F
%endmacro
; Offsets near the top of the segment, so 16-bit pointers wrap to 0.
%macro PTRS_WRAP 0
        mov     esi, ebx
        and     esi, 0x3F
        add     esi, 0xFFC0
        mov     edi, esi
        xor     edi, 0x20
        mov     ecx, ebx
        and     ecx, 0x7F
%endmacro
; Destination one byte above the source.
%macro PTRS_OVERLAP 0
        mov     esi, ebx
        and     esi, 0xFF
        lea     edi, [esi + 1]
        mov     ecx, 0x40
%endmacro
; 32-bit pointers (the upper halves set, as 67h uses them) inside the low area.
%macro PTRS32 0
        mov     esi, ebx
        and     esi, 0x1FF
        lea     edi, [esi + 0x80]
        mov     ecx, ebx
        and     ecx, 0x3F
%endmacro

STR_BEGIN s_movsb
        PTRS_LOW
        rep movsb
STR_END
STR_BEGIN s_movsw_std
        PTRS_LOW
        std
        add si, 0x80
        add di, 0x80
        rep movsw
        cld
STR_END
STR_BEGIN s_movsd
        PTRS_LOW
        rep movsd
STR_END
STR_BEGIN s_movsb_wrap
        PTRS_WRAP
        rep movsb
STR_END
STR_BEGIN s_movsw_wrap
        PTRS_WRAP
        and si, 0xFFFE
        and di, 0xFFFE
        rep movsw
STR_END
STR_BEGIN s_movsb_ovl
        PTRS_OVERLAP
        rep movsb
STR_END
STR_BEGIN s_movsw_ovl
        PTRS_OVERLAP
        rep movsw
STR_END
STR_BEGIN s_movsd_ovl3
        PTRS_OVERLAP
        add di, 2
        rep movsd
STR_END
STR_BEGIN s_movsd_ovl
        PTRS_OVERLAP
        std
        add si, 0x100
        add di, 0x100
        rep movsd
        cld
STR_END
STR_BEGIN s_movs32
        PTRS32
        a32 rep movsb
STR_END
STR_BEGIN s_movsd32
        PTRS32
        a32 rep movsd
STR_END
STR_BEGIN s_stosd
        PTRS_LOW
        rep stosd
STR_END
STR_BEGIN s_stosw32
        PTRS32
        a32 rep stosw
STR_END
STR_BEGIN s_stosb_wrap
        PTRS_WRAP
        rep stosb
STR_END
STR_BEGIN s_lodsd
        PTRS_LOW
        rep lodsd
        mov ebp, eax
STR_END
STR_BEGIN s_lodsw32
        PTRS32
        a32 lodsw
        a32 lodsd
STR_END
STR_BEGIN s_cmpsb
        PTRS_LOW
        mov byte [di + 5], 0
        repe cmpsb
STR_END
STR_BEGIN s_cmpsd_ne
        PTRS_LOW
        repne cmpsd
STR_END
STR_BEGIN s_cmpsw32
        PTRS32
        mov word [edi + 6], 0x1234
        mov word [esi + 6], 0x1234
        a32 repe cmpsw
STR_END
STR_BEGIN s_scasb
        PTRS_LOW
        repne scasb
STR_END
STR_BEGIN s_scasw
        PTRS_LOW
        mov word [di + 0x10], ax
        repne scasw
STR_END
STR_BEGIN s_scasd32
        PTRS32
        a32 repe scasd
STR_END
STR_BEGIN s_scasb_wrap
        PTRS_WRAP
        repne scasb
STR_END
STR_BEGIN s_seg
        PTRS_LOW
        mov dx, ds
        mov fs, dx
        mov dx, 0
        mov ds, dx
        rep fs movsw
        mov dx, fs
        mov ds, dx
STR_END
STR_BEGIN s_norep
        PTRS_LOW
        movsd
        stosw
        lodsb
        cmpsw
        scasd
STR_END

main:
        BINOP   s_movsb, 'rep movsb', F_ARITH
        BINOP   s_movsw_std, 'std rep movsw', F_ARITH
        BINOP   s_movsd, 'rep movsd', F_ARITH
        BINOP   s_movsb_wrap, 'rep movsb wrapping at 64K', F_ARITH
        BINOP   s_movsw_wrap, 'rep movsw wrapping at 64K', F_ARITH
        BINOP   s_movsb_ovl, 'rep movsb overlapping', F_ARITH
        BINOP   s_movsd_ovl, 'std rep movsd overlapping', F_ARITH
        BINOP   s_movsw_ovl, 'rep movsw, destination 1 byte up', F_ARITH
        BINOP   s_movsd_ovl3, 'rep movsd, destination 3 bytes up', F_ARITH
        BINOP   s_movs32, 'a32 rep movsb', F_ARITH
        BINOP   s_movsd32, 'a32 rep movsd', F_ARITH
        BINOP   s_stosd, 'rep stosd', F_ARITH
        BINOP   s_stosw32, 'a32 rep stosw', F_ARITH
        BINOP   s_stosb_wrap, 'rep stosb wrapping', F_ARITH
        BINOP   s_lodsd, 'rep lodsd', F_ARITH
        BINOP   s_lodsw32, 'a32 lodsw/lodsd', F_ARITH
        BINOP   s_cmpsb, 'repe cmpsb', F_ARITH
        BINOP   s_cmpsd_ne, 'repne cmpsd', F_ARITH
        BINOP   s_cmpsw32, 'a32 repe cmpsw', F_ARITH
        BINOP   s_scasb, 'repne scasb', F_ARITH
        BINOP   s_scasw, 'repne scasw', F_ARITH
        BINOP   s_scasd32, 'a32 repe scasd', F_ARITH
        BINOP   s_scasb_wrap, 'repne scasb wrapping', F_ARITH
        BINOP   s_seg, 'rep fs movsw', F_ARITH
        BINOP   s_norep, 'movsd stosw lodsb cmpsw scasd', F_ARITH
        ret

        ROM_END

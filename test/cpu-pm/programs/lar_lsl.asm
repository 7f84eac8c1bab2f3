; LAR, LSL, VERR and VERW on every descriptor type (the 16 system types and the 16 code/data
; types), present and not present, DPL 0 and 3, byte and page granular limits, through selectors
; with RPL 0 and 3, at CPL 0 and CPL 3; null and out-of-table selectors. LAR's result is printed
; masked to the defined bits (00F0FF00h; FF00h for 16 bits). Only ZF is defined afterwards, and a
; failing instruction leaves its destination alone. Then ARPL in protected mode.
%include "common.inc"

FIRST   equ 0x80                ; 32 descriptors: type t (0-1Fh, S bit included) at FIRST + t * 8
EXTRA   equ FIRST + 32 * 8      ; DPL 3 and not-present variants

main:
        ; Type t: access = P | t (t < 10h: system type, else S=1). Limit ABCDEh, G=1 when t is odd.
        xor     ebx, ebx
.mk:    mov     eax, ebx
        or      eax, ACC_P
        mov     ecx, ebx
        and     ecx, 1
        shl     ecx, 7                          ; FL_G
        lea     edx, [FIRST + ebx * 8]
        SETDESC edx, 0x12345678, 0xABCDE, eax, ecx
        inc     ebx
        cmp     ebx, 32
        jb      .mk
        ; DPL 3 data RW, DPL 3 code XR, DPL 3 conforming XR, DPL 3 386 TSS, DPL 3 call gate,
        ; not-present data, not-present 386 TSS, DPL 1 data.
        SETDESC EXTRA + 0x00, 0, 0x1FFF, ACC_P | ACC_DPL(3) | ACC_DATA | ACC_WRITE, 0
        SETDESC EXTRA + 0x08, 0, 0x2FFF, ACC_P | ACC_DPL(3) | ACC_CODE | ACC_READ, FL_DB
        SETDESC EXTRA + 0x10, 0, 0x3FFF, ACC_P | ACC_DPL(3) | ACC_CODE | ACC_READ | ACC_CONF, 0
        SETDESC EXTRA + 0x18, 0x9000, 0x67, ACC_P | ACC_DPL(3) | T_TSS386, 0
        SETGATE EXTRA + 0x20, SEL_CODE32, main, ACC_P | ACC_DPL(3) | T_CALL386, 3
        SETDESC EXTRA + 0x28, 0, 0x4FFF, ACC_DATA | ACC_WRITE, FL_G
        SETDESC EXTRA + 0x30, 0x9000, 0x67, T_TSS386, 0
        SETDESC EXTRA + 0x38, 0, 0x5FFF, ACC_P | ACC_DPL(1) | ACC_DATA | ACC_WRITE, 0

        CASE    'CPL 0, RPL 0'
        xor     esi, esi
        call    probe_all
        ENDCASE

        CASE    'CPL 0, RPL 3'
        mov     esi, 3
        call    probe_all
        ENDCASE

        CASE    'CPL 3, RPL 3'
        RING3
        mov     esi, 3
        call    probe_all
        EXIT_RING
        ENDCASE

        CASE    'CPL 3, RPL 0'
        RING3
        xor     esi, esi
        call    probe_all
        EXIT_RING
        ENDCASE

        CASE    '16-bit LAR and LSL keep the upper half of the destination'
        mov     eax, 0xAAAAAAAA
        mov     ebx, 0xBBBBBBBB
        mov     cx, FIRST + 0x1A * 8            ; code XR
        lar     ax, cx
        lsl     bx, cx
        SHOW32  'lar ax=', eax
        SHOW32  ' lsl bx=', ebx
        mov     cx, FIRST + 0x1B * 8            ; G=1: the limit does not fit 16 bits
        lsl     bx, cx
        SHOW32  ' lsl bx (G=1)=', ebx
        NL
        ENDCASE

%macro ARPLT 2 ; destination selector, source selector
        mov     ax, %1
        mov     bx, %2
        mov     dx, ax
        arpl    ax, bx
        setz    cl
        SHOW16  'arpl ', dx
        SHOW16  ',', bx
        SHOW16  ' -> ', ax
        SHOW8   ' zf=', cl
        NL
%endmacro
        CASE    'ARPL'
        ARPLT   0x0010, 0x0003
        ARPLT   0x0012, 0x0001
        ARPLT   0x0013, 0x0003
        ARPLT   0xFFF8, 0x0002
        ARPLT   0x0001, 0xFFFE
        mov     word [scratch], 0x0028
        mov     bx, 0x0033
        arpl    [scratch], bx
        setz    cl
        SHOW16  'arpl [mem]=0028, 0033 -> ', [scratch]
        SHOW8   ' zf=', cl
        NL
        ENDCASE
        ret

; Runs LAR (32 and 16 bit), LSL, VERR, VERW on every test selector with RPL = ESI, and on the
; null selector and one past the GDT limit. One line per selector.
probe_all:
        mov     ebx, FIRST
.l:     call    probe
        add     ebx, 8
        cmp     ebx, EXTRA + 0x40
        jb      .l
        xor     ebx, ebx
        call    probe
        mov     ebx, 0x0FF8
        call    probe
        mov     ebx, 0x1000
        call    probe
        ret

probe:
        push    ebx
        or      ebx, esi
        SHOW16  'sel=', bx
        mov     eax, 0xEEEEEEEE
        lar     eax, ebx
        setz    cl
        and     eax, 0x00F0FF00
        SHOW8   ' lar=', cl
        SHOW32  ':', eax
        mov     eax, 0xEEEEEEEE
        lsl     eax, ebx
        setz    cl
        SHOW8   ' lsl=', cl
        SHOW32  ':', eax
        verr    bx
        setz    cl
        SHOW8   ' verr=', cl
        verw    bx
        setz    cl
        SHOW8   ' verw=', cl
        NL
        pop     ebx
        ret

        ROM_END

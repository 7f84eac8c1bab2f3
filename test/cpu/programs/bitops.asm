; 386/486 bit and exchange instructions: BT/BTS/BTR/BTC (register, immediate and memory bit
; strings with signed register offsets), BSF/BSR, SETcc, Jcc rel16/rel32, BSWAP, XADD, CMPXCHG,
; XCHG, MOVZX/MOVSX. BT* define CF only; BSF/BSR define ZF (and the destination when ZF=0).
%include "rm.inc"
%include "drivers.inc"

s_bt:    bt eax, ebx
         ret
s_bts:   bts eax, ebx
         ret
s_btr:   btr eax, ebx
         ret
s_btc:   btc eax, ebx
         ret
s_bts16: bts ax, bx
         ret
s_btsi:  bts eax, 13
         ret
s_btci:  btc eax, 31
         ret
s_bti16: btr ax, 17
         ret

; BTx on a 32-dword bit string with a signed bit offset in -256..255: EAX = xor of the string,
; EDX = the dword the instruction addressed.
%macro BTMEM 2
%1:     and     ebx, 0x1FF
        sub     ebx, 0x100
        mov     si, 0
%%fill: mov     [data + si], eax
        rol     eax, 5
        add     si, 4
        cmp     si, 128
        jb      %%fill
        %2      [data + 64], ebx
        pushfd
        mov     ecx, ebx
        sar     ecx, 5
        shl     ecx, 2
        mov     si, cx
        mov     edx, [data + 64 + si]
        xor     eax, eax
        mov     si, 0
%%sum:  rol     eax, 3
        xor     eax, [data + si]
        add     si, 4
        cmp     si, 128
        jb      %%sum
        popfd
        ret
%endmacro

BTMEM s_btm, bt
BTMEM s_btsm, bts
BTMEM s_btrm, btr
BTMEM s_btcm, btc

s_bsf:   bsf eax, ebx
         jnz .def
         mov eax, 0
.def:    ret
s_bsr:   bsr eax, ebx
         jnz .def
         mov eax, 0
.def:    ret
s_bsf16: bsf ax, bx
         jnz .def
         mov eax, 0
.def:    ret

; SETcc for all 16 conditions after CMP (and after ADD), bytes gathered into EAX..EDX.
%macro SETALL 2
%1:     %2      eax, ebx
%assign cc 0
%rep 16
        db      0x0F, 0x90 + cc, 0x06
        dw      data + cc
%assign cc cc + 1
%endrep
        mov     eax, [data]
        mov     ebx, [data + 4]
        mov     ecx, [data + 8]
        mov     edx, [data + 12]
        ret
%endmacro

SETALL s_setcmp, cmp
SETALL s_setadd, add
SETALL s_setsub16, sub

; Jcc with 16-bit (0F 8x) and 32-bit (66 0F 8x) displacements, all 16 conditions after CMP.
%macro JCCALL 3
%1:     %2      eax, ebx
%assign cc 0
%rep 16
        mov     byte [data + cc], 0
        db      %3
        db      0x0F, 0x80 + cc
%if %0 > 2 && %3 == 0x66
        dd      %%t %+ cc - ($ + 4)
%else
        dw      %%t %+ cc - ($ + 2)
%endif
        jmp     short %%n %+ cc
%%t %+ cc:
        mov     byte [data + cc], 1
%%n %+ cc:
%assign cc cc + 1
%endrep
        mov     eax, [data]
        mov     ebx, [data + 4]
        mov     ecx, [data + 8]
        mov     edx, [data + 12]
        ret
%endmacro

JCCALL s_jcc16, cmp, 0x90
JCCALL s_jcc32, cmp, 0x66

s_bswap: bswap eax
         bswap ebx
         ret
s_xadd:  xadd eax, ebx
         ret
s_xadd16: xadd ax, bx
          ret
s_xadd8: xadd bh, al
         ret
s_xaddm: mov [data], eax
         xadd [data], ebx
         mov eax, [data]
         ret
        cpu     586                     ; nasm files CMPXCHG under the Pentium; the 486 has it
s_cmpx:  mov ecx, 0x11111111
         cmpxchg ebx, ecx
         ret
s_cmpx16: mov ecx, 0x22222222
          cmpxchg bx, cx
          ret
s_cmpx8: mov ecx, 0x33333333
         cmpxchg bl, ch
         ret
s_cmpxm: mov ecx, 0x44444444
         mov [data], ebx
         cmpxchg [data], ecx
         mov ebx, [data]
         ret
        cpu     486
s_xchg:  xchg eax, ebx
         ret
s_xchgm: mov [data], ebx
         xchg [data], eax
         mov ebx, [data]
         ret
s_movzx: movzx eax, bl
         movzx ecx, bx
         movzx dx, bh
         ret
s_movsx: movsx eax, bl
         movsx ecx, bx
         movsx dx, bh
         ret
s_movxm: mov [data], ebx
         movsx eax, byte [data + 1]
         movzx ecx, word [data + 2]
         movsx edx, word [data]
         ret

main:
        BINOP   s_bt, 'bt r32,r32', F_CF
        BINOP   s_bts, 'bts r32,r32', F_CF
        BINOP   s_btr, 'btr r32,r32', F_CF
        BINOP   s_btc, 'btc r32,r32', F_CF
        BINOP   s_bts16, 'bts r16,r16', F_CF
        BINOP   s_btsi, 'bts r32,13', F_CF
        BINOP   s_btci, 'btc r32,31', F_CF
        BINOP   s_bti16, 'btr r16,17', F_CF
        BINOP   s_btm, 'bt m,r32', F_CF
        BINOP   s_btsm, 'bts m,r32', F_CF
        BINOP   s_btrm, 'btr m,r32', F_CF
        BINOP   s_btcm, 'btc m,r32', F_CF
        BINOP   s_bsf, 'bsf r32', F_ZF
        BINOP   s_bsr, 'bsr r32', F_ZF
        BINOP   s_bsf16, 'bsf r16', F_ZF
        BINOP   s_setcmp, 'setcc after cmp', F_ARITH
        BINOP   s_setadd, 'setcc after add', F_ARITH
        BINOP   s_setsub16, 'setcc after sub r16', F_ARITH
        BINOP   s_jcc16, 'jcc rel16', F_ARITH
        BINOP   s_jcc32, 'jcc rel32', F_ARITH
        BINOP   s_bswap, 'bswap', F_ARITH
        BINOP   s_xadd, 'xadd r32', F_ARITH
        BINOP   s_xadd16, 'xadd r16', F_ARITH
        BINOP   s_xadd8, 'xadd r8', F_ARITH
        BINOP   s_xaddm, 'xadd m32', F_ARITH
        BINOP   s_cmpx, 'cmpxchg r32', F_ARITH
        BINOP   s_cmpx16, 'cmpxchg r16', F_ARITH
        BINOP   s_cmpx8, 'cmpxchg r8', F_ARITH
        BINOP   s_cmpxm, 'cmpxchg m32', F_ARITH
        BINOP   s_xchg, 'xchg r32', F_ARITH
        BINOP   s_xchgm, 'xchg m32', F_ARITH
        BINOP   s_movzx, 'movzx', F_ARITH
        BINOP   s_movsx, 'movsx', F_ARITH
        BINOP   s_movxm, 'movzx/movsx m', F_ARITH
        ret

        ROM_END

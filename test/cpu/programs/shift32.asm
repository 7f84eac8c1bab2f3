; Shifts and rotates by CL and by immediates at 32, 16 and 8 bits, counts 0..255 (the CPU masks
; them to 5 bits), and SHLD/SHRD. Flags: count 0 changes none; CF and (count 1) OF defined,
; SF/ZF/PF for shifts; AF undefined; CF undefined for SHL/SHR/SAR by >= the operand width.
%include "rm.inc"
%include "drivers.inc"

SH_C1   equ F_CF | F_OF | F_SF | F_ZF | F_PF
SH_CN   equ F_CF | F_SF | F_ZF | F_PF
SH_CW   equ F_SF | F_ZF | F_PF
RO_C1   equ F_CF | F_OF
RO_CN   equ F_CF

s_shl32: shl eax, cl
         ret
s_shr32: shr eax, cl
         ret
s_sar32: sar eax, cl
         ret
s_sal32: db 0x66, 0xD3, 0xF0            ; D3 /6: the undocumented SAL alias of SHL
         ret
s_rol32: rol eax, cl
         ret
s_ror32: ror eax, cl
         ret
s_rcl32: rcl eax, cl
         ret
s_rcr32: rcr eax, cl
         ret
s_shl16: shl ax, cl
         ret
s_sar16: sar ax, cl
         ret
s_rol16: rol ax, cl
         ret
s_rcr16: rcr ax, cl
         ret
s_shr8:  shr al, cl
         ret
s_rcl8:  rcl al, cl
         ret
s_shld32: shld eax, ebx, cl
          ret
s_shrd32: shrd eax, ebx, cl
          ret
; Immediate and by-one forms (C1 /r ib, D1 /r), and a memory destination.
s_shl1:  shl eax, 1
         ret
s_sar7:  sar eax, 7
         ret
s_rol13: rol eax, 13
         ret
s_rcr1:  rcr eax, 1
         ret
s_shlm:  mov [data], eax
         shl dword [data], cl
         mov eax, [data]
         ret
s_shldi: shld eax, ebx, 9
         ret
s_shrdm: mov [data], eax
         shrd [data], ebx, cl
         mov eax, [data]
         ret

main:
        SHIFTOP s_shl32, 'shl r32,cl', 32, SH_C1, SH_CN, SH_CN
        SHIFTOP s_shr32, 'shr r32,cl', 32, SH_C1, SH_CN, SH_CN
        SHIFTOP s_sar32, 'sar r32,cl', 32, SH_C1, SH_CN, SH_CN
        SHIFTOP s_sal32, 'sal(/6) r32,cl', 32, SH_C1, SH_CN, SH_CN
        SHIFTOP s_rol32, 'rol r32,cl', 32, RO_C1, RO_CN, RO_CN
        SHIFTOP s_ror32, 'ror r32,cl', 32, RO_C1, RO_CN, RO_CN
        SHIFTOP s_rcl32, 'rcl r32,cl', 32, RO_C1, RO_CN, RO_CN
        SHIFTOP s_rcr32, 'rcr r32,cl', 32, RO_C1, RO_CN, RO_CN
        SHIFTOP s_shl16, 'shl r16,cl', 16, SH_C1, SH_CN, SH_CW
        SHIFTOP s_sar16, 'sar r16,cl', 16, SH_C1, SH_CN, SH_CW
        SHIFTOP s_rol16, 'rol r16,cl', 16, RO_C1, RO_CN, RO_CN
        SHIFTOP s_rcr16, 'rcr r16,cl', 16, RO_C1, RO_CN, RO_CN
        SHIFTOP s_shr8, 'shr r8,cl', 8, SH_C1, SH_CN, SH_CW
        SHIFTOP s_rcl8, 'rcl r8,cl', 8, RO_C1, RO_CN, RO_CN
        SHIFTOP s_shld32, 'shld r32,r32,cl', 32, SH_C1, SH_CN, SH_CN
        SHIFTOP s_shrd32, 'shrd r32,r32,cl', 32, SH_C1, SH_CN, SH_CN
        SHIFTOP s_shlm, 'shl m32,cl', 32, SH_C1, SH_CN, SH_CN
        SHIFTOP s_shrdm, 'shrd m32,r32,cl', 32, SH_C1, SH_CN, SH_CN
        BINOP   s_shl1, 'shl r32,1', SH_C1
        BINOP   s_sar7, 'sar r32,7', SH_CN
        BINOP   s_rol13, 'rol r32,13', RO_CN
        BINOP   s_rcr1, 'rcr r32,1', RO_C1
        BINOP   s_shldi, 'shld r32,r32,9', SH_CN
        ret

        ROM_END

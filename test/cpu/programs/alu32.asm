; 32-bit ALU (66h forms): ADD OR ADC SBB AND SUB XOR CMP, INC DEC NEG NOT TEST, on registers, on
; memory and with sign-extended immediates, plus the 8- and 16-bit forms run by a 386+.
%include "rm.inc"
%include "drivers.inc"

F_LOGIC equ F_ARITH & ~F_AF             ; AF is undefined after logical operations

s_add32:  add eax, ebx
          ret
s_or32:   or eax, ebx
          ret
s_adc32:  adc eax, ebx
          ret
s_sbb32:  sbb eax, ebx
          ret
s_and32:  and eax, ebx
          ret
s_sub32:  sub eax, ebx
          ret
s_xor32:  xor eax, ebx
          ret
s_cmp32:  cmp eax, ebx
          ret
s_inc32:  inc eax
          ret
s_dec32:  dec eax
          ret
s_neg32:  neg eax
          ret
s_not32:  not eax
          ret
s_test32: test eax, ebx
          ret
s_adc16:  adc ax, bx
          ret
s_sbb8:   sbb al, bl
          ret
s_sub8h:  sub ah, bh
          ret
; Memory destinations and sources (read-modify-write through DS).
s_addm:   mov [data], eax
          add [data], ebx
          mov eax, [data]
          ret
s_sbbm:   mov [data + 4], ebx
          sbb eax, [data + 4]
          ret
s_negm:   mov [data + 8], eax
          neg dword [data + 8]
          mov eax, [data + 8]
          ret
; Immediates: 81 /r with imm32, 83 /r with a sign-extended imm8.
s_addi:   add eax, 0x87654321
          ret
s_subi8:  sub eax, byte -3
          ret
s_andi8:  and ebx, byte -16
          ret
s_cmpi8:  cmp eax, byte 0x7F
          ret
s_xori:   xor eax, 0x80000001
          ret

main:
        BINOP   s_add32, 'add r32', F_ARITH
        BINOP   s_or32, 'or r32', F_LOGIC
        BINOP   s_adc32, 'adc r32', F_ARITH
        BINOP   s_sbb32, 'sbb r32', F_ARITH
        BINOP   s_and32, 'and r32', F_LOGIC
        BINOP   s_sub32, 'sub r32', F_ARITH
        BINOP   s_xor32, 'xor r32', F_LOGIC
        BINOP   s_cmp32, 'cmp r32', F_ARITH
        BINOP   s_inc32, 'inc r32', F_ARITH
        BINOP   s_dec32, 'dec r32', F_ARITH
        BINOP   s_neg32, 'neg r32', F_ARITH
        BINOP   s_not32, 'not r32', F_ARITH
        BINOP   s_test32, 'test r32', F_LOGIC
        BINOP   s_adc16, 'adc r16', F_ARITH
        BINOP   s_sbb8, 'sbb r8', F_ARITH
        BINOP   s_sub8h, 'sub ah,bh', F_ARITH
        BINOP   s_addm, 'add m32,r32', F_ARITH
        BINOP   s_sbbm, 'sbb r32,m32', F_ARITH
        BINOP   s_negm, 'neg m32', F_ARITH
        BINOP   s_addi, 'add r32,imm32', F_ARITH
        BINOP   s_subi8, 'sub r32,imm8', F_ARITH
        BINOP   s_andi8, 'and r32,imm8', F_LOGIC
        BINOP   s_cmpi8, 'cmp r32,imm8', F_ARITH
        BINOP   s_xori, 'xor r32,imm32', F_LOGIC
        ret

        ROM_END

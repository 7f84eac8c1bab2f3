; MUL/IMUL (one-, two- and three-operand forms) and DIV/IDIV at 32, 16 and 8 bits, with every
; dividend high half from the driver's d values; divide errors print the exception. MUL/IMUL
; define CF and OF only; DIV/IDIV define no flag.
%include "rm.inc"
%include "drivers.inc"

MUL_F   equ F_CF | F_OF

s_mul32:   mul ebx
           ret
s_imul32:  imul ebx
           ret
s_imul2:   imul eax, ebx
           ret
s_imul3:   imul eax, ebx, 0x12345
           ret
s_imul3b:  imul ecx, ebx, -7
           ret
s_mul16:   mul bx
           ret
s_imul16:  imul bx
           ret
s_imul2w:  imul ax, bx
           ret
s_imul8:   imul bl
           ret
s_mulm:    mov [data], ebx
           mul dword [data]
           ret
s_div32:   div ebx
           ret
s_idiv32:  idiv ebx
           ret
s_div16:   div bx
           ret
s_idiv16:  idiv bx
           ret
s_div8:    div bl
           ret
s_idiv8:   idiv bl
           ret
s_idivm:   mov [data], ebx
           idiv dword [data]
           ret

main:
        BINOP   s_mul32, 'mul r32', MUL_F
        BINOP   s_imul32, 'imul r32', MUL_F
        BINOP   s_imul2, 'imul r32,r32', MUL_F
        BINOP   s_imul3, 'imul r32,r32,imm32', MUL_F
        BINOP   s_imul3b, 'imul r32,r32,imm8', MUL_F
        BINOP   s_mul16, 'mul r16', MUL_F
        BINOP   s_imul16, 'imul r16', MUL_F
        BINOP   s_imul2w, 'imul r16,r16', MUL_F
        BINOP   s_imul8, 'imul r8', MUL_F
        BINOP   s_mulm, 'mul m32', MUL_F
        BINOPD  s_div32, 'div r32', 0
        BINOPD  s_idiv32, 'idiv r32', 0
        BINOPD  s_div16, 'div r16', 0
        BINOPD  s_idiv16, 'idiv r16', 0
        BINOPD  s_div8, 'div r8', 0
        BINOPD  s_idiv8, 'idiv r8', 0
        BINOPD  s_idivm, 'idiv m32', 0
        ret

        ROM_END

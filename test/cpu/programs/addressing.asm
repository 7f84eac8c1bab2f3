; 32-bit addressing in real mode (67h): ModR/M with SIB (every scale, base, index, no-base and
; disp32 forms, ESP/EBP bases and their SS default), LEA with mixed operand/address sizes, moffs32,
; XLAT with EBX, and 16-bit forms with 32-bit operands. Effective addresses that reach memory are
; kept inside the 64 KiB segments (QEMU does not check real-mode segment limits).
%include "rm.inc"
%include "drivers.inc"

; LEA computes the address without touching memory, so any register values work.
s_lea1:  lea eax, [eax + ebx*4 + 0x12345678]
         ret
s_lea2:  lea eax, [ebx*8 + 0x7FFFFFFF]
         ret
s_lea3:  lea eax, [eax + ebx]
         ret
s_lea4:  lea eax, [eax*2 + eax]           ; base and index the same register
         ret
s_lea5:  lea ecx, [ebx + eax*1 - 0x80]
         ret
s_lea6:  lea ax, [eax + ebx*2 + 3]        ; 32-bit address, 16-bit result
         ret
s_lea7:  lea eax, [bx + si + 0x1234]      ; 16-bit address, 32-bit result (zero-extended)
         ret
s_lea8:  lea edx, [ebp + 0x10]
         ret
s_lea9:  mov esi, ebx
         lea edx, [esi + eax*4]
         lea ecx, [edi + esi*2 - 16]
         ret
s_leaesp: mov cx, sp
          movzx ecx, cx
          lea edx, [esp + 8]
          sub edx, ecx
          lea ebx, [esp + eax*2]
          sub ebx, ecx
          ret

; Memory accesses through 32-bit addresses: the operands are reduced to stay inside DS.
%macro MEMOP 2
%1:     and     eax, 0x3FC
        and     ebx, 0xFF
        mov     dword [data + 0x400], 0x13572468
        mov     dword [data + 0x800], 0x2468ACE0
        mov     dword [data + 0xA00], 0x89ABCDEF
        %2
        ret
%endmacro

MEMOP s_mem1, {mov edx, [eax + ebx*4 + data]}
MEMOP s_mem2, {mov [eax*2 + data + 0x200], ebx}
MEMOP s_mem3, {add edx, [data + 0x400]}
MEMOP s_mem4, {mov dl, [ebx + data + 0x400]}
MEMOP s_mem5, {mov ecx, eax}
MEMOP s_mem6, {xor edx, [dword data + 0x800]}

; moffs with a 32-bit address (67 A1 / 67 A3).
s_moffs: mov dword [data + 0x10], 0x600DF00D
         a32 mov eax, [data + 0x10]
         a32 mov [data + 0x14], ebx
         mov edx, [data + 0x14]
         ret

; SIB with ESP and EBP bases: default segment SS (SS = DS = 0 here, so equal values, but the
; computation through ESP/EBP must be right).
s_stack: and eax, 0xFF
         mov ebp, 0x3000
         mov dword [ebp + eax*4], 0xFEEDFACE
         mov edx, [ebp + eax*4]
         mov ecx, [ds:ebp + eax*4]
         push dword 0x01020304
         mov ebx, [esp]
         mov esi, [esp + eax*0]           ; index scaled by 1 (SIB with scale 0)
         add sp, 4
         xor ebx, esi
         mov ebp, 0
         ret

; XLAT with a 32-bit address uses EBX.
s_xlat:  mov si, 0
.fill:   mov [data + si], si
         inc si
         cmp si, 0x200
         jb .fill
         and ebx, 0xFF
         add ebx, data
         a32 xlatb
         mov edx, 0
         mov dl, al
         mov al, 0x80
         xlatb
         mov cl, al
         ret

; 16-bit addressing modes with 32-bit operands.
s_m16:   and eax, 0xFF
         and ebx, 0xFF
         mov si, ax
         mov di, bx
         mov dword [data + si + 0x20], 0x11223344
         mov dword [data + di + 0x100], 0x55667788
         mov edx, [si + data + 0x20]
         add edx, [di + data + 0x100]
         ret

main:
        BINOP   s_lea1, 'lea [eax+ebx*4+disp32]', F_ARITH
        BINOP   s_lea2, 'lea [ebx*8+disp32]', F_ARITH
        BINOP   s_lea3, 'lea [eax+ebx]', F_ARITH
        BINOP   s_lea4, 'lea [eax*2+eax]', F_ARITH
        BINOP   s_lea5, 'lea [ebx+eax-80h]', F_ARITH
        BINOP   s_lea6, 'lea r16,[eax+ebx*2+3]', F_ARITH
        BINOP   s_lea7, 'lea r32,[bx+si+disp16]', F_ARITH
        BINOP   s_lea8, 'lea [ebp+disp8]', F_ARITH
        BINOP   s_lea9, 'lea [esi+eax*4], [edi+esi*2-16]', F_ARITH
        BINOP   s_leaesp, 'lea [esp+..]', F_ARITH
        BINOP   s_mem1, 'mov r32,[eax+ebx*4+disp]', F_ARITH
        BINOP   s_mem2, 'mov [eax*2+disp],r32', F_ARITH
        BINOP   s_mem3, 'add r32,[disp]', F_ARITH
        BINOP   s_mem4, 'mov r8,[ebx+disp]', F_ARITH
        BINOP   s_mem5, 'mov', F_ARITH
        BINOP   s_mem6, 'xor r32,[disp32]', F_ARITH
        BINOP   s_moffs, 'mov moffs32', F_ARITH
        BINOP   s_stack, 'sib esp/ebp bases', F_ARITH
        BINOP   s_xlat, 'xlat 16/32', F_ARITH
        BINOP   s_m16, '16-bit modes, 32-bit operands', F_ARITH
        ret

        ROM_END

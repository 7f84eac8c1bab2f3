; Control transfer and stack instructions with 32-bit operand and address sizes: LOOP/LOOPE/
; LOOPNE/JCXZ counting CX or ECX (67h), near and far CALL/RET/RETF with 16- and 32-bit operands,
; RET imm, indirect far calls, ENTER at nesting levels 0-5 and LEAVE, PUSHA/POPA and PUSHAD/POPAD,
; PUSH imm, segment register pushes with a 32-bit operand, IRETD, BOUND (#BR), INTO, INT n, and
; invalid encodings (#UD). Stack pointers are printed as distances from the starting ESP.
%include "rm.inc"
%include "drivers.inc"

LOOP_CAP equ 0x300

; LOOP with CX (address size 16) leaves the upper half of ECX alone; with 67h it counts ECX.
s_loop16: and ecx, 0x1FFFF
          mov edx, 0
.l:       inc edx
          cmp edx, LOOP_CAP
          jae .out
          loop .l
.out:     ret
s_loop32: and ecx, 0x1FFFF
          mov edx, 0
.l:       inc edx
          cmp edx, LOOP_CAP
          jae .out
          a32 loop .l
.out:     ret
s_loope:  and ecx, 0x1FF
          and eax, 0xFF
          mov edx, 0
.l:       inc edx
          cmp edx, eax
          loopne .l
          ret
s_loopz32: and ecx, 0x1FFFF
          mov edx, 0
.l:       inc edx
          test dl, 7
          a32 loope .l
          ret
s_jcxz:   mov edx, 0
          jcxz .z
          mov edx, 1
.z:       a32 jcxz .z2
          or edx, 2
.z2:      ret

; Near CALL/RET with a 32-bit operand push and pop a dword return address.
s_call32: mov edx, esp
          call dword .f
          sub edx, esp
          ret
.f:       mov ecx, [esp]
          mov ebx, esp
          sub ebx, edx
          o32 ret
s_retimm: mov edx, esp
          push dword 0x11111111
          push dword 0x22222222
          call .f
          sub edx, esp
          ret
.f:       mov ecx, [esp + 2]
          ret 8
s_ret32i: mov edx, esp
          push word 0x3333
          call dword .f
          sub edx, esp
          ret
.f:       mov ecx, [esp]
          o32 ret 2

; Far CALL/RETF: direct (9A), 32-bit (66 9A), indirect through m16:16 and m16:32 (FF /3).
s_far16:  mov edx, esp
          call 0xF000:.f
          sub edx, esp
          ret
.f:       mov ecx, [esp]
          mov ebx, [esp + 2]
          retf
s_far32:  mov edx, esp
          call dword 0xF000:.f
          sub edx, esp
          ret
.f:       mov ecx, [esp]
          mov ebx, [esp + 4]
          and ebx, 0xFFFF
          o32 retf
s_farind: mov edx, esp
          mov word [data], .f
          mov word [data + 2], 0xF000
          mov dword [data + 8], .g
          mov word [data + 12], 0xF000
          call far [data]
          o32 call far [data + 8]
          sub edx, esp
          ret
.f:       mov ecx, [esp]
          retf
.g:       mov ebx, [esp]
          o32 retf 0

; ENTER size, level with 16- and 32-bit operands over a prepared chain of frame pointers.
%macro ENTEROP 3
%1:     mov     edi, esp
        mov     si, 0
%%fill: mov     [data + 0x100 + si], si
        mov     byte [data + 0x101 + si], 0xA5
        add     si, 2
        cmp     si, 0x100
        jb      %%fill
        mov     ebp, data + 0x180
        %2 enter 0x24, %3
        mov     edx, edi
        sub     edx, esp
        mov     ecx, edi
        sub     ecx, ebp
        ; Fold the words ENTER wrote (between the new SP and the old one) into EAX.
        mov     eax, 0
        mov     si, sp
%%sum:  rol     eax, 5
        xor     ax, [si]
        add     si, 2
        cmp     si, di
        jb      %%sum
        %2 leave
        mov     ebx, edi
        sub     ebx, esp
        mov     esp, edi
        mov     ebp, 0
        ret
%endmacro

ENTEROP s_enter0w, o16, 0
ENTEROP s_enter1w, o16, 1
ENTEROP s_enter3w, o16, 3
ENTEROP s_enter5w, o16, 5
ENTEROP s_enter0d, o32, 0
ENTEROP s_enter2d, o32, 2
ENTEROP s_enter4d, o32, 4
ENTEROP s_enter33w, o16, 33

; PUSHA/POPA and PUSHAD/POPAD.
s_pushad: mov edx, 0x7777
          mov esi, ebx
          mov edi, eax
          mov ebp, 0x5555
          pushad
          mov eax, 0
          mov si, sp
.sum:     rol eax, 7
          xor eax, [si]
          add si, 4
          cmp si, 0x7000 - 4 - 2
          jb .sum
          mov ecx, 0
          mov ebx, 0
          popad
          mov ebp, 0
          ret
s_pusha:  mov esi, eax
          mov edi, ebx
          pusha
          mov ax, 0
          mov bx, 0
          mov si, sp
          mov cx, [si + 6]                ; the saved SP
          sub cx, sp
          mov dx, [si + 14]
          popa
          ret
s_pushi:  mov edx, esp
          push dword 0x12345678
          o32 push byte -2
          push word 0x4321
          pop cx
          pop ebx
          pop eax
          sub edx, esp
          ret
; PUSH sreg with a 32-bit operand moves ESP by 4 and stores the selector (what lands in the upper
; half of the slot differs between CPU generations, so only the low word is printed); POP reads 4
; bytes.
s_pushseg: mov edx, esp
          mov word [data], 0x1234
          mov es, [data]
          o32 push ds
          o32 push es
          mov ecx, edx
          sub ecx, esp
          movzx ebx, word [esp]
          o32 pop ds
          mov ax, ds
          o32 pop es
          mov bx, es
          shl ebx, 16
          mov bx, ax
          mov ax, 0
          mov ds, ax
          mov es, ax
          sub edx, esp
          ret
; IRETD from a hand-built 32-bit frame.
s_iretd:  and eax, 0x8D5
          mov edx, esp
          pushfd
          push dword 0xF000
          push dword .back
          mov [data], eax
          push dword [data]
          popfd
          pushfd
          pop ebx
          o32 iret
.back:    sub edx, esp
          ret
s_pushfd: mov edx, esp
          pushfd
          pop ecx
          and ecx, 0x8D5
          push dword 0x000008D7           ; IF stays clear: QEMU has a live timer IRQ
          popfd
          pushfd
          pop ebx
          and ebx, 0xFFF
          sub edx, esp
          ret

; BOUND: lower bound a, upper bound b; #BR when the index (5) is outside.
s_bound32: mov [data], eax
           mov [data + 4], ebx
           mov edx, 5
           bound edx, [data]
           ret
s_bound16: mov [data], ax
           mov [data + 2], bx
           mov dx, 0x8000
           bound dx, [data]
           ret
s_into:    add eax, ebx
           into
           ret
s_int:     mov word [0x61 * 4], .handler
           mov word [0x61 * 4 + 2], 0xF000
           mov edx, esp
           and eax, 0x8D5
           push ax
           popf
           int 0x61
           ret
.handler:  mov cx, sp
           sub dx, cx
           mov bx, [esp + 4]
           and bx, 0x8D5
           iret

; Undefined encodings raise #UD on the 486 (the handler prints vector 6 and the address).
s_ud:      db 0x0F, 0x0B                ; UD2's encoding: undefined on the 486 too
           ret
s_ud2:     db 0x0F, 0xFF
           ret
s_ud3:     db 0xFE, 0xF8                ; FE /7
           ret
s_ud4:     db 0xF0, 0x90                ; LOCK NOP
           ret
s_ud5:     db 0xC4, 0xC0                ; LES with a register operand
           ret
s_ud6:     db 0x8E, 0xC8                ; MOV CS, AX
           ret
s_ud7:     db 0xF0, 0x01, 0xC3          ; LOCK ADD EBX... with a register destination
           ret
s_ud8:     db 0x63, 0xC0                ; ARPL in real mode
           ret
s_ud9:     db 0x0F, 0x00, 0xC0          ; SLDT in real mode
           ret
s_int3:    int3
           mov edx, 0x33
           ret

main:
        BINOP   s_loop16, 'loop (cx)', F_ARITH
        BINOP   s_loop32, 'loop (ecx)', F_ARITH
        BINOP   s_loope, 'loopne', F_ARITH
        BINOP   s_loopz32, 'loope (ecx)', F_ARITH
        BINOP   s_jcxz, 'jcxz/jecxz', F_ARITH
        BINOP   s_call32, 'call/ret o32', F_ARITH
        BINOP   s_retimm, 'ret imm', F_ARITH
        BINOP   s_ret32i, 'o32 ret imm', F_ARITH
        BINOP   s_far16, 'call far/retf', F_ARITH
        BINOP   s_far32, 'o32 call far/retf', F_ARITH
        BINOP   s_farind, 'call far m16:16, m16:32', F_ARITH
        BINOP   s_enter0w, 'enter 24h,0', F_ARITH
        BINOP   s_enter1w, 'enter 24h,1', F_ARITH
        BINOP   s_enter3w, 'enter 24h,3', F_ARITH
        BINOP   s_enter5w, 'enter 24h,5', F_ARITH
        BINOP   s_enter0d, 'o32 enter 24h,0', F_ARITH
        BINOP   s_enter2d, 'o32 enter 24h,2', F_ARITH
        BINOP   s_enter4d, 'o32 enter 24h,4', F_ARITH
        BINOP   s_enter33w, 'enter 24h,33', F_ARITH
        BINOP   s_pushad, 'pushad/popad', F_ARITH
        BINOP   s_pusha, 'pusha/popa', F_ARITH
        BINOP   s_pushi, 'push imm', F_ARITH
        BINOP   s_pushseg, 'o32 push/pop sreg', F_ARITH
        BINOP   s_iretd, 'iretd', F_ARITH
        BINOP   s_pushfd, 'pushfd/popfd', F_ARITH
        BINOP   s_bound32, 'bound r32', F_ARITH
        BINOP   s_bound16, 'bound r16', F_ARITH
        BINOP   s_into, 'into', F_ARITH
        BINOP   s_int, 'int n/iret', F_ARITH
        BINOP   s_ud, '0f 0b', F_ARITH
        BINOP   s_ud2, '0f ff', F_ARITH
        BINOP   s_ud3, 'fe /7', F_ARITH
        BINOP   s_ud4, 'lock nop', F_ARITH
        BINOP   s_ud5, 'les reg', F_ARITH
        BINOP   s_ud6, 'mov cs', F_ARITH
        BINOP   s_ud7, 'lock add reg', F_ARITH
        BINOP   s_ud8, 'arpl in real mode', F_ARITH
        BINOP   s_ud9, 'sldt in real mode', F_ARITH
        BINOP   s_int3, 'int3', F_ARITH
        ret

        ROM_END

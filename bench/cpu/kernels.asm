; CPU-bound real-mode kernels for bench/cpu.bench.ts. Each kernel is an endless loop at a fixed
; offset in segment 1000h (KERNEL n at n * 100h); the benchmark runs a fixed instruction count.
; Data lives in segments 2000h-5000h; the stack at 0000:8000; the IVT entry 60h points at int60.
        bits    16
        cpu     486
        org     0

%macro KERNEL 1
        times   %1 * 0x100 - ($ - $$) db 0x90
%endmacro

; 0: ALU loop (16-bit register arithmetic, flags, a conditional branch).
KERNEL 0
alu:    mov     cx, 0
.l:     add     ax, bx
        adc     dx, si
        xor     bx, ax
        sub     si, 3
        and     di, ax
        or      bp, 1
        inc     ax
        cmp     ax, dx
        dec     cx
        jnz     .l
        jmp     alu

; 1: ALU loop with 32-bit operands and memory operands (66h/67h, SIB).
KERNEL 1
alu32:  mov     ecx, 0x10000
        xor     esi, esi
.l:     add     eax, ebx
        adc     edx, [si + 0x100]
        xor     ebx, eax
        mov     [esi*4 + 0x200], edx
        lea     edi, [eax + ebx*2 + 7]
        add     esi, 1
        and     esi, 0x3F
        sub     ecx, 1
        jnz     .l
        jmp     alu32

; 2: MUL/DIV.
KERNEL 2
muldiv: mov     cx, 0
        mov     bx, 1
.l:     mov     ax, bx
        mov     si, 7
        mul     si
        div     si
        imul    ax, bx, 3
        mov     eax, ebx
        xor     edx, edx
        mov     edi, 13
        div     edi
        imul    eax, edi
        inc     bx
        dec     cx
        jnz     .l
        jmp     muldiv

; 3: REP MOVSW of 16 KiB and REP STOSD of 16 KiB.
KERNEL 3
movs:   mov     ax, 0x2000
        mov     ds, ax
        mov     ax, 0x3000
        mov     es, ax
        cld
.l:     xor     si, si
        xor     di, di
        mov     cx, 0x2000
        rep movsw
        xor     di, di
        mov     cx, 0x1000
        rep stosd
        jmp     .l

; 4: near CALL/RET.
KERNEL 4
calls:  mov     cx, 0
.l:     call    .f
        dec     cx
        jnz     .l
        jmp     calls
.f:     add     ax, cx
        ret

; 5: far CALL/RETF.
KERNEL 5
farcalls:
        mov     cx, 0
.l:     call    0x1000:.f
        dec     cx
        jnz     .l
        jmp     farcalls
.f:     add     ax, cx
        retf

; 6: INT/IRET round trips.
KERNEL 6
ints:   mov     cx, 0
.l:     int     0x60
        dec     cx
        jnz     .l
        jmp     ints

KERNEL 7
int60:  inc     dx
        iret

        times   0x1000 - ($ - $$) db 0x90

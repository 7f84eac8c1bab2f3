; Protected-mode kernels for bench/cpu.bench.ts. Loaded at 10000h and entered in real mode at
; 1000:0000 with EBP = kernel number; the entry builds a GDT, IDT, TSS and identity page tables
; (0-4 MiB), enables protection and paging and jumps to the kernel, an endless loop. The
; benchmark runs a fixed instruction count after a warm-up that covers this setup.
;
;   0 alu32        register arithmetic in 32-bit code, paging on
;   1 mem paging   loads and stores spread over 16 pages (every access translated by the TLB)
;   2 call/ret     near CALL/RET in 32-bit code
;   3 seg loads    MOV DS/ES with two data selectors (descriptor reads and checks)
;   4 int gate     INT 40h through a 32-bit interrupt gate at CPL 0, IRETD
;   5 page fault   an access to a not-present page, #PF handler marks it present, IRETD restarts
;   6 v86 int      INT 40h from virtual-8086 mode (IOPL 3) to a ring 0 handler, IRETD back to V86

        cpu     486
        org     0x10000

GDT     equ 0x20000
IDT     equ 0x21000
TSS     equ 0x22000
PDIR    equ 0x30000
PTAB    equ 0x31000
STACK0  equ 0x80000
DATA    equ 0x200000
PFPAGE  equ 0x300000

SEL_C32 equ 0x08
SEL_D32 equ 0x10
SEL_D32B equ 0x18
SEL_TSS equ 0x20

%ifdef MULTIBOOT
; The same kernels as a multiboot image (for other emulators that boot one directly): the loader
; enters mb_entry in 32-bit protected mode; the kernel number is patched into kernel_index.
        bits    32
        align   4
mb_header:
        dd      0x1BADB002
        dd      0x00010000
        dd      -(0x1BADB002 + 0x00010000)
        dd      mb_header
        dd      0x10000
        dd      image_end
        dd      image_end
        dd      mb_entry
kernel_index:
        dd      0
mb_entry:
        cli
        lgdt    [gdtr]
        lidt    [idtr]
        jmp     SEL_C32:.pm
.pm:    mov     ebp, [kernel_index]
        jmp     pm32
%endif

        bits    16
entry:  cli
        lgdt    [cs:gdtr - 0x10000]
        lidt    [cs:idtr - 0x10000]
        mov     eax, cr0
        or      al, 1
        mov     cr0, eax
        jmp     dword SEL_C32:pm32

        align   8
gdt:    dq      0
        dq      0x00CF9A000000FFFF      ; 08 flat code
        dq      0x00CF92000000FFFF      ; 10 flat data
        dq      0x00CF92000000FFFF      ; 18 flat data (a second selector)
        dw      0x67, TSS & 0xFFFF      ; 20 386 TSS
        db      (TSS >> 16) & 0xFF, 0x89, 0, TSS >> 24
gdtr:   dw      0x27
        dd      gdt
idtr:   dw      0x7FF
        dd      IDT

        bits    32
pm32:   mov     ax, SEL_D32
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        mov     esp, STACK0
        ; TSS: the ring 0 stack; the I/O bitmap offset lies past the limit (no bitmap)
        mov     dword [TSS + 4], STACK0
        mov     dword [TSS + 8], SEL_D32
        mov     word [TSS + 0x66], 0x68
        mov     byte [gdt + SEL_TSS + 5], 0x89      ; available again after an earlier run's LTR
        mov     ax, SEL_TSS
        ltr     ax
        ; IDT: 40h (DPL 3, so V86 code may use it) and 0Eh
        mov     eax, int40
        mov     ebx, 0x40
        mov     ecx, 0xEE00
        call    set_gate
        mov     eax, page_fault
        mov     ebx, 0x0E
        mov     ecx, 0x8E00
        call    set_gate
        ; identity page tables for 0-4 MiB, user and writable
        mov     edi, PTAB
        mov     eax, 7
        mov     ecx, 1024
.pt:    stosd
        add     eax, 0x1000
        loop    .pt
        mov     dword [PDIR], PTAB | 7
        mov     eax, PDIR
        mov     cr3, eax
        mov     eax, cr0
        or      eax, 0x80000000
        mov     cr0, eax
        jmp     [kernels + ebp * 4]

; EAX = handler, EBX = vector, ECX = attribute word (P, DPL, type)
set_gate:
        lea     edi, [IDT + ebx * 8]
        mov     [edi], ax
        mov     word [edi + 2], SEL_C32
        mov     [edi + 4], cx
        shr     eax, 16
        mov     [edi + 6], ax
        ret

kernels: dd     k_alu, k_mem, k_call, k_seg, k_int, k_pf, k_v86

k_alu:  xor     ecx, ecx
        mov     ebx, 0x12345
.l:     add     eax, ebx
        xor     edx, eax
        sub     ebx, 3
        shl     edx, 1
        and     eax, 0x7FFFFFFF
        inc     ecx
        cmp     ecx, 1000
        jne     .l
        jmp     k_alu

k_mem:  mov     esi, DATA
        mov     ecx, 16
.l:     mov     eax, [esi]
        add     eax, [esi + 0x804]
        mov     [esi + 0x400], eax
        add     dword [esi + 0xC00], 1
        add     esi, 0x1000
        dec     ecx
        jnz     .l
        jmp     k_mem

k_call: xor     ecx, ecx
.l:     call    .f
        inc     ecx
        jmp     .l
.f:     add     eax, ecx
        ret

k_seg:  mov     ax, SEL_D32
        mov     bx, SEL_D32B
.l:     mov     ds, bx
        mov     es, bx
        mov     ds, ax
        mov     es, ax
        jmp     .l

k_int:  xor     ecx, ecx
.l:     int     0x40
        inc     ecx
        jmp     .l

int40:  iretd

; Each round: mark the page not present, forget it, touch it; the handler makes it present.
k_pf:   mov     edi, PTAB + (PFPAGE >> 12) * 4
.l:     and     dword [edi], ~1
        invlpg  [PFPAGE]
        mov     eax, [PFPAGE]
        jmp     .l

page_fault:
        push    eax
        mov     eax, cr2
        shr     eax, 12
        or      dword [PTAB + eax * 4], 1
        pop     eax
        add     esp, 4                  ; the error code
        iretd

; Into V86 mode at 1000:v86_loop with IOPL 3, stack 9000:FFF0.
k_v86:  push    dword 0                 ; GS
        push    dword 0                 ; FS
        push    dword 0x2000            ; DS
        push    dword 0x2000            ; ES
        push    dword 0x9000            ; SS
        push    dword 0xFFF0            ; ESP
        push    dword 0x23002           ; EFLAGS: VM, IOPL 3
        push    dword 0x1000            ; CS
        push    dword v86_loop - 0x10000
        iretd

        bits    16
v86_loop:
        int     0x40
        inc     cx
        jmp     v86_loop
image_end:

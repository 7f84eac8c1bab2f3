; The ways 286-era code and DOS extenders leave protected mode by resetting the CPU, and what the
; CPU looks like afterwards. Before each reset the program writes the CMOS shutdown byte (0Fh), as
; such code does, and a marker in RAM; each boot reads a stage number and the marker from RAM,
; which a reset keeps. (The shutdown byte itself is not printed: QEMU 7.2 clears it on a system
; reset, while a PC's battery-backed CMOS keeps it; that is the machine's business, not the CPU's.)
;   power-on -> triple fault (IDT limit 0, then #UD) -> port 92h bit 0 -> 8042 command FEh -> DONE
; At every boot the architectural reset state is printed: CS, EDX (the CPU signature), EFLAGS, CR0,
; DR6, DR7, IDTR and GDTR, and whether the A20 gate is open.
%define REAL_MAIN
%define ALLOW_RESET
%include "common.inc"

stage   equ 0x5F0               ; RAM: 5A5A0000h + number of the next stage
marker  equ 0x5F4               ; RAM: written before each reset, printed after it

%macro SHOW32_16 2 ; 'name', 32-bit register (not EAX)
        PUTS16  %1
        push    eax
        mov     eax, %2
        ror     eax, 16
        call    print16_hex16
        ror     eax, 16
        call    print16_hex16
        pop     eax
%endmacro

        bits    16
real_main:
        mov     esi, edx                        ; the reset signature, before anything touches EDX
        pushfd
        pop     edi
        mov     eax, [stage]
        and     eax, 0xFFFF0000
        cmp     eax, 0x5A5A0000
        je      .known
        mov     dword [stage], 0x5A5A0000
        mov     dword [marker], 0
.known: PUTS16  'boot: stage='
        mov     ax, [stage]
        call    print16_hex16
        SHOW32_16 ' marker=', dword [marker]
        call    print16_nl
        mov     ax, cs
        SHOW16_16 'cs=', ax
        ; The family only: model and stepping name the chip (QEMU's -cpu 486 says model 8, a DX4;
        ; ours is a 486SX, model 2).
        and     esi, 0xFFFFFF00
        SHOW32_16 ' edx=', esi
        and     edi, 0x00277FD7
        SHOW32_16 ' eflags=', edi
        mov     ebx, cr0
        SHOW32_16 ' cr0=', ebx
        mov     ebx, dr6
        SHOW32_16 ' dr6=', ebx
        mov     ebx, dr7
        SHOW32_16 ' dr7=', ebx
        call    print16_nl
        mov     di, scratch
        o32 sidt [di]
        o32 sgdt [di + 8]
        SHOW16_16 'idtr=', [scratch]
        SHOW32_16 ':', dword [scratch + 2]
        SHOW16_16 ' gdtr=', [scratch + 8]
        SHOW32_16 ':', dword [scratch + 10]
        ; A20: FFFF:0010 is 100000h with the gate open, 0 with it closed.
        mov     dword [0], 0x11111111
        mov     ax, 0xFFFF
        mov     es, ax
        mov     dword [es:0x10], 0x22222222
        xor     ax, ax
        mov     es, ax
        SHOW32_16 ' [0]=', dword [0]
        call    print16_nl
        ret

        bits    32
main:
        mov     eax, [stage]
        movzx   ecx, ax
        inc     word [stage]
        cmp     ecx, 0
        je      triple
        cmp     ecx, 1
        je      port92
        cmp     ecx, 2
        je      kbc
        ret

; Sets the shutdown byte and the marker for the next boot.
%macro BEFORE_RESET 2 ; shutdown byte, marker
        mov     al, 0x0F
        out     0x70, al
        mov     al, %1
        out     0x71, al
        mov     dword [marker], %2
%endmacro

triple:
        PUTSL   'triple fault'
        BEFORE_RESET 0x0A, 0x7A7A7A7A
        mov     word [scratch], 0
        lidt    [scratch]
        ud2
        PUTSL   'still running'
        ret

port92:
        PUTSL   'port 92h reset, with A20 closed first'
        BEFORE_RESET 0x05, 0x92929292
        mov     al, 0
        out     0x92, al                        ; A20 off
        mov     al, 1
        out     0x92, al                        ; fast reset
.wait:  hlt
        jmp     .wait

kbc:
        PUTSL   'keyboard controller reset pulse'
        BEFORE_RESET 0x0C, 0x64646464
.ibf:   in      al, 0x64
        test    al, 2
        jnz     .ibf
        mov     al, 0xFE
        out     0x64, al
.wait:  hlt
        jmp     .wait

        ROM_END

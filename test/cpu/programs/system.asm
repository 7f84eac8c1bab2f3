; System state a real-mode program can reach on a 486: CPUID, the EFLAGS bits that identify a 486
; (AC, ID) and the IOPL/NT bits a 386+ lets real mode change, CR0/CR2/CR3 and DR0-DR3, SMSW/LMSW,
; LGDT/LIDT/SGDT/SIDT at both operand sizes, an interrupt table moved by LIDT, LSS/LFS/LGS, and
; unreal mode (4 GiB data limits loaded in protected mode and kept back in real mode).
%include "rm.inc"

; Prints EAX with a label.
%macro SHOW 1
        PRINT   %1
        call    print_hex32
        call    print_nl
%endmacro

gdt:    dq      0
        dq      0x00CF92000000FFFF      ; 08h: data, base 0, limit 4 GiB, 32-bit
        dq      0x000092000000FFFF      ; 10h: data, base 0, limit 64 KiB
gdt_end:
gdt_desc:
        dw      gdt_end - gdt - 1
        dd      0xF0000 + gdt

int62:  PRINTLN 'int 62h through the moved table'
        iret

        cpu     586                     ; nasm files CPUID under the Pentium; late 486es have it
main:
        ; ---- CPUID ----
        xor     eax, eax
        cpuid
        SHOW    'cpuid 0 eax '
        mov     eax, ebx
        SHOW    'cpuid 0 ebx '
        mov     eax, edx
        SHOW    'cpuid 0 edx '
        mov     eax, ecx
        SHOW    'cpuid 0 ecx '
        mov     eax, 1
        cpuid
        shr     eax, 8
        and     eax, 0xF
        SHOW    'cpuid 1 family '
        mov     eax, 2
        cpuid
        shr     eax, 8
        and     eax, 0xF
        SHOW    'cpuid 2 family '
        cpu     486

        ; ---- EFLAGS: AC (486), ID (CPUID), IOPL/NT writable in real mode on 386+, bit 15 fixed ----
        pushfd
        pop     eax
        and     eax, 0x00247FD5
        SHOW    'eflags at start '
        push    dword 0x0024F0D5
        popfd
        pushfd
        pop     eax
        SHOW    'eflags after popfd 0024F0D5 '
        push    dword 0x00030002                ; VM and RF cannot be set by POPFD
        popfd
        pushfd
        pop     eax
        SHOW    'eflags after popfd 00030002 '
        push    word 0xF0D5
        popf
        pushf
        pop     ax
        movzx   eax, ax
        SHOW    'flags after popf F0D5 '
        push    dword 2
        popfd

        ; ---- control and debug registers ----
        mov     eax, cr0
        SHOW    'cr0 '
        mov     ebx, eax
        or      eax, 0x0005002A
        mov     cr0, eax
        mov     eax, cr0
        SHOW    'cr0 after setting MP TS NE WP AM '
        mov     cr0, ebx
        mov     eax, cr0
        SHOW    'cr0 restored '
        clts
        mov     eax, 0xCAFE1234
        mov     cr2, eax
        mov     eax, 0
        mov     eax, cr2
        SHOW    'cr2 '
        mov     eax, 0x12345018
        mov     cr3, eax
        mov     eax, cr3
        SHOW    'cr3 '
        xor     eax, eax
        mov     cr3, eax
        mov     eax, 0x11111111
        mov     dr0, eax
        mov     eax, 0x22222222
        mov     dr1, eax
        mov     eax, 0x33333333
        mov     dr2, eax
        mov     eax, 0x44444444
        mov     dr3, eax
        mov     eax, dr0
        SHOW    'dr0 '
        mov     eax, dr1
        SHOW    'dr1 '
        mov     eax, dr2
        SHOW    'dr2 '
        mov     eax, dr3
        SHOW    'dr3 '
        mov     eax, dr6
        SHOW    'dr6 '
        mov     eax, dr7
        SHOW    'dr7 '
        smsw    ax
        movzx   eax, ax
        SHOW    'smsw '
        mov     ax, 0x0002
        lmsw    ax
        smsw    ax
        movzx   eax, ax
        SHOW    'smsw after lmsw 2 '
        mov     ax, 0
        lmsw    ax
        wbinvd
        invd

        ; ---- descriptor table registers ----
        mov     dword [data], 0xAAAAAAAA
        mov     dword [data + 4], 0xAAAAAAAA
        sgdt    [data]
        mov     eax, [data]
        SHOW    'sgdt lo '
        mov     eax, [data + 4]
        SHOW    'sgdt hi '
        mov     dword [scratch], 0x34561234
        mov     dword [scratch + 4], 0x98BC7812
        o16 lgdt [scratch]
        o32 sgdt [data]
        mov     eax, [data]
        SHOW    'lgdt o16, sgdt o32 lo '
        mov     eax, [data + 4]
        SHOW    'lgdt o16, sgdt o32 hi '
        o32 lgdt [scratch]
        o16 sgdt [data]
        mov     eax, [data]
        SHOW    'lgdt o32, sgdt o16 lo '
        mov     eax, [data + 4]
        SHOW    'lgdt o32, sgdt o16 hi '
        o32 sgdt [data]
        mov     eax, [data + 4]
        SHOW    'lgdt o32, sgdt o32 hi '
        sidt    [data]
        mov     eax, [data]
        SHOW    'sidt lo '
        mov     eax, [data + 4]
        SHOW    'sidt hi '

        ; An interrupt table at 3000h, selected with LIDT, for INT 62h.
        mov     si, 0
.copy:  mov     eax, [si]
        mov     [0x3000 + si], eax
        add     si, 4
        cmp     si, 0x400
        jb      .copy
        mov     word [0x3000 + 0x62 * 4], int62
        mov     word [0x3000 + 0x62 * 4 + 2], 0xF000
        mov     word [scratch], 0x3FF
        mov     dword [scratch + 2], 0x3000
        lidt    [scratch]
        int     0x62
        mov     word [scratch], 0xFFFF
        mov     dword [scratch + 2], 0
        lidt    [scratch]

        ; ---- LSS / LFS / LGS ----
        mov     [data], sp
        mov     [data + 2], ss
        mov     dword [scratch], 0x6000
        mov     word [scratch + 4], 0
        mov     word [scratch + 8], 0x1234
        mov     word [scratch + 10], 0x5678
        lss     esp, [scratch]
        push    dword 0xABCDEF01
        mov     eax, [0x6000 - 4]
        SHOW    'push after lss esp '
        mov     eax, esp
        SHOW    'esp after lss '
        lss     sp, [data]
        lfs     ax, [scratch + 8]
        mov     bx, fs
        shl     eax, 16
        mov     ax, bx
        SHOW    'lfs '
        lgs     ebx, [scratch + 6]
        mov     eax, ebx
        SHOW    'lgs ebx '
        mov     ax, gs
        movzx   eax, ax
        SHOW    'gs '
        xor     ax, ax
        mov     fs, ax
        mov     gs, ax

        ; ---- unreal mode ----
        cli
        o32 lgdt [cs:gdt_desc]
        mov     eax, cr0
        or      al, 1
        mov     cr0, eax
        mov     bx, 0x08
        mov     ds, bx
        mov     es, bx
        mov     bx, 0x10
        mov     fs, bx
        and     al, 0xFE
        mov     cr0, eax
        xor     bx, bx
        mov     ds, bx
        mov     es, bx
        mov     fs, bx
        mov     esi, 0x00100000
        mov     dword [esi], 0xDEADBEEF
        mov     dword [esi + 0x123456], 0x600DCAFE
        mov     eax, [esi]
        SHOW    'unreal [100000h] '
        mov     eax, [esi + 0x123456]
        SHOW    'unreal [223456h] '
        mov     edi, 0x002FFFF0
        mov     ecx, 8
        mov     eax, 0x01020304
        a32 rep stosd
        mov     eax, edi
        SHOW    'a32 rep stosd across 3 MiB, edi '
        mov     eax, [dword 0x00300000 + 8]
        SHOW    'unreal [300008h] '
        mov     eax, [dword 0x00300000 - 16]
        SHOW    'unreal [2FFFF0h] '
        ret

        ROM_END

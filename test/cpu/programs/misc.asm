; Decimal adjust (DAA DAS AAA AAS AAM AAD with several bases), sign extensions (CBW CWDE CWD CDQ),
; LAHF/SAHF, SALC, CMC/CLC/STC, and 8/16-bit immediates forms a 486 runs, over many values.
; Undefined flags are masked: OF after DAA/DAS; OF SF ZF PF after AAA/AAS; OF AF CF after AAM/AAD.
%include "rm.inc"
%include "drivers.inc"

DAA_F   equ F_SF | F_ZF | F_AF | F_PF | F_CF
AAA_F   equ F_AF | F_CF
AAM_F   equ F_SF | F_ZF | F_PF

s_daa:   daa
         ret
s_das:   das
         ret
s_aaa:   aaa
         ret
s_aas:   aas
         ret
s_aam:   aam
         ret
s_aam7:  aam 7
         ret
s_aad:   aad
         ret
s_aad16: aad 16
         ret
s_aam0:  db 0xD4, 0x00                  ; AAM 0: divide error
         ret
s_cbw:   cbw
         cwd
         ret
s_cwde:  cwde
         cdq
         ret
s_lahf:  sahf
         lahf
         ret
s_salc:  db 0xD6
         ret
s_cmc:   cmc
         ret
s_stc:   stc
         cmc
         ret
s_clc:   clc
         ret

; SWEEP stub, 'name', mask: AX = 1200h + every AL value, with the input flags clear and set
; (AF and CF among them); prints "AX f: AX flags".
%macro SWEEP 3
        PRINTLN %2
        mov     word [stub_ptr], %1
        mov     dword [flags_mask], %3
        call    sweep_driver
%endmacro

sweep_driver:
        mov     word [loop_i], 0
.i:     mov     word [loop_k], 0
.k:     mov     eax, 0x1200
        mov     al, [loop_i]
        call    print_hex16
        mov     ax, [loop_k]
        add     al, '0'
        out     0xE9, al
        PRINT   ': '
        mov     eax, 0x1200
        mov     al, [loop_i]
        mov     ebx, 0
        mov     ecx, 0
        mov     edx, 0
        call    run_stub
        jc      .next
        mov     eax, [out_regs]
        call    print_hex16
        mov     eax, [out_regs + 16]
        and     eax, [flags_mask]
        call    print_hex16
        call    print_nl
.next:  inc     word [loop_k]
        cmp     word [loop_k], 2
        jb      .k
        inc     word [loop_i]
        cmp     word [loop_i], 256
        jb      .i
        ret

main:
        SWEEP   s_daa, 'daa sweep', DAA_F
        SWEEP   s_das, 'das sweep', DAA_F
        SWEEP   s_aaa, 'aaa sweep', AAA_F
        SWEEP   s_aas, 'aas sweep', AAA_F
        SWEEP   s_aam, 'aam sweep', AAM_F
        SWEEP   s_aad, 'aad sweep', AAM_F
        BINOP   s_daa, 'daa', DAA_F
        BINOP   s_das, 'das', DAA_F
        BINOP   s_aaa, 'aaa', AAA_F
        BINOP   s_aas, 'aas', AAA_F
        BINOP   s_aam, 'aam', AAM_F
        BINOP   s_aam7, 'aam 7', AAM_F
        BINOP   s_aad, 'aad', AAM_F
        BINOP   s_aad16, 'aad 16', AAM_F
        BINOP   s_aam0, 'aam 0', 0
        BINOP   s_cbw, 'cbw cwd', F_ARITH
        BINOP   s_cwde, 'cwde cdq', F_ARITH
        BINOP   s_lahf, 'sahf lahf', F_ARITH
        BINOP   s_salc, 'salc', F_ARITH
        BINOP   s_cmc, 'cmc', F_ARITH
        BINOP   s_stc, 'stc cmc', F_ARITH
        BINOP   s_clc, 'clc', F_ARITH
        ret

        ROM_END

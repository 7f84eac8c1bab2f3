; The FPU's error reporting on a 486DX: with CR0.NE=1 an unmasked exception (divide by zero) is
; reported as #MF (vector 10h) at the next waiting FPU instruction, and FNINIT clears the status.
; Needs a CPU with an FPU (QEMU's -cpu 486 has one).
%include "common.inc"

main:
        CASE    'CR0.NE=1: unmasked FPU divide by zero, #MF at the next WAIT'
        mov     eax, cr0
        or      eax, 0x22
        mov     cr0, eax
        fninit
        mov     word [scratch], 0x037B          ; all masked except ZE
        fldcw   [scratch]
        fld1
        fldz
        fdivp   st1, st0
        PUTSL   'fdivp done'
        fwait
        PUTSL   'no fault'
        ENDCASE
        fninit
        fnstsw  ax
        SHOW16  'fsw after fninit=', ax
        NL
        ret

        ROM_END

/**
 * x86 source of the disk routines that INT 13h's TypeScript half jumps to: ATA PIO through ports
 * 1F0h-1F7h (`rep insw`/`rep outsw`), and the floppy through the 82077 FDC and DMA channel 2, with
 * IRQ 6 awaited by STI/HLT and flagged by the INT 0Eh handler in 40:3Eh bit 7. Each routine ends
 * by trapping back to TypeScript with the controller's status, which turns it into INT 13h results.
 *
 * Floppy parameter block in the scratch area (offsets from SS:SP):
 *   +0 DOR, +1 data rate (3F7h), +2..+10 the nine command bytes, +11 DMA mode, +12/+13 DMA address,
 *   +14 DMA page, +15 flags (bit 0 recalibrate first, bit 1 seek first, bit 2 reset the controller),
 *   +16 word DMA count - 1.
 * ATA registers on entry: EAX = LBA, CL = sectors (1-127), BL = drive/head register bits,
 * BH = command (20h read, 30h write, 40h verify), ES:DI (read) or DS:SI (write) = buffer.
 */

export const FD_FLAG_RECAL = 1;
export const FD_FLAG_SEEK = 2;
export const FD_FLAG_RESET = 4;

export const ROM_DISK_SOURCE = `
; ---------------------------------------------------------------- ATA PIO
ata_io:
  push eax
  mov dx, 0x1f7
  call ata_wait
  pop eax
  jc .absent
  mov dx, 0x1f6
  push eax
  shr eax, 24
  and al, 0x0f
  or al, bl
  out dx, al
  pop eax
  mov dx, 0x1f2
  push ax
  mov al, cl
  out dx, al
  pop ax
  inc dx
  out dx, al
  inc dx
  mov al, ah
  out dx, al
  inc dx
  shr eax, 16
  out dx, al
  mov dx, 0x1f7
  mov al, bh
  out dx, al
  xor ch, ch
.sector:
  mov dx, 0x1f7
  call ata_wait
  jc .absent
  test al, 0x01
  jnz .done
  cmp bh, 0x40
  je .verified
  test al, 0x08
  jz .done
  push cx
  mov cx, 256
  mov dx, 0x1f0
  cmp bh, 0x30
  je .write
  rep insw
  jmp .next
.write:
  rep outsw
.next:
  pop cx
  loop .sector
  mov dx, 0x1f7
  call ata_wait
  jnc .done
.absent:
  mov al, 0xff
  jmp .done
.verified:
  xor cx, cx
.done:
  mov ah, al
  mov dx, 0x1f1
  in al, dx
  xchg al, ah
  biostrap T_INT13_ATA_DONE
  jmp ret_frame

; Polls the status port DX until BSY clears: AL = status. CF set when nothing answers (FFh) or
; the drive stays busy for about two million polls.
ata_wait:
  push ecx
  mov ecx, 0x200000
.poll:
  in al, dx
  cmp al, 0xff
  je .fail
  test al, 0x80
  jz .ready
  dec ecx
  jnz .poll
.fail:
  pop ecx
  stc
  ret
.ready:
  pop ecx
  clc
  ret

; ---------------------------------------------------------------- floppy (82077 + DMA channel 2)
fd_io:
  mov bp, sp
  mov ax, 0x40
  mov ds, ax
  mov byte [0x40], 0xff
  test byte [bp+15], 4
  jz .select
  and byte [0x3e], 0x70
  mov dx, 0x3f2
  mov al, 0x08
  out dx, al
  mov al, [bp+0]
  out dx, al
  call fdc_wait_irq
  jc .timeout
  mov cx, 4
.sense4:
  call fdc_sense
  loop .sense4
  mov al, 0x03
  call fdc_out
  mov al, 0xdf
  call fdc_out
  mov al, 0x02
  call fdc_out
  jc .timeout
  mov al, [bp+1]
  mov dx, 0x3f7
  out dx, al
  xor al, al
  jmp .done
.select:
  mov al, [bp+0]
  mov dx, 0x3f2
  out dx, al
  mov al, [bp+1]
  mov dx, 0x3f7
  out dx, al
  test byte [bp+15], 1
  jz .seek
  mov al, 0x07
  call fdc_out
  mov al, [bp+3]
  and al, 3
  call fdc_out
  jc .timeout
  call fdc_wait_irq
  jc .timeout
  call fdc_sense
.seek:
  test byte [bp+15], 2
  jz .dma
  mov al, 0x0f
  call fdc_out
  mov al, [bp+3]
  call fdc_out
  mov al, [bp+4]
  call fdc_out
  jc .timeout
  call fdc_wait_irq
  jc .timeout
  call fdc_sense
.dma:
  mov al, 0x06
  out 0x0a, al
  out 0x0c, al
  mov al, [bp+11]
  out 0x0b, al
  mov al, [bp+12]
  out 0x04, al
  mov al, [bp+13]
  out 0x04, al
  mov al, [bp+14]
  out 0x81, al
  out 0x0c, al
  mov ax, [bp+16]
  out 0x05, al
  mov al, ah
  out 0x05, al
  mov al, 0x02
  out 0x0a, al
  mov si, 2
.command:
  mov al, [bp+si]
  call fdc_out
  jc .timeout
  inc si
  cmp si, 11
  jb .command
  call fdc_wait_irq
  jc .timeout
  mov si, 0x42
.result:
  call fdc_in
  jc .timeout
  mov [si], al
  inc si
  cmp si, 0x49
  jb .result
  xor al, al
  jmp .done
.timeout:
  mov al, 0x80
.done:
  mov byte [0x40], 37
  biostrap T_INT13_FLOPPY_DONE
  jmp ret_frame

; Waits for IRQ 6 (INT 0Eh sets 40:3Eh bit 7) with STI/HLT; CF set after about 200 wake-ups.
fdc_wait_irq:
  push cx
  mov cx, 200
.wait:
  cli
  test byte [0x3e], 0x80
  jnz .got
  sti
  hlt
  loop .wait
  sti
  pop cx
  stc
  ret
.got:
  and byte [0x3e], 0x7f
  sti
  pop cx
  clc
  ret

; Sends AL to the FDC data register once the main status register says it accepts a byte.
fdc_out:
  push dx
  push cx
  push ax
  mov dx, 0x3f4
  mov cx, 0xffff
.wait:
  in al, dx
  and al, 0xc0
  cmp al, 0x80
  je .ready
  loop .wait
  pop ax
  pop cx
  pop dx
  stc
  ret
.ready:
  pop ax
  inc dx
  out dx, al
  pop cx
  pop dx
  clc
  ret

; Reads a result byte from the FDC into AL.
fdc_in:
  push dx
  push cx
  mov dx, 0x3f4
  mov cx, 0xffff
.wait:
  in al, dx
  and al, 0xc0
  cmp al, 0xc0
  je .ready
  loop .wait
  pop cx
  pop dx
  stc
  ret
.ready:
  inc dx
  in al, dx
  pop cx
  pop dx
  clc
  ret

; Sense Interrupt Status: ST0 to 40:42h, present cylinder to 40:43h.
fdc_sense:
  push ax
  mov al, 0x08
  call fdc_out
  call fdc_in
  mov [0x42], al
  call fdc_in
  mov [0x43], al
  pop ax
  ret
`;

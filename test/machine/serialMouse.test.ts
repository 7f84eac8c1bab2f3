import { describe, expect, it } from 'vitest';
import { assemble } from '../../emulator/bios/romAssembler.js';
import { createMachine } from '../../emulator/machine/createMachine.js';
import type { Machine } from '../../emulator/machine/machine.js';
import { startAfterPost } from './machineHarness.js';

const image = new Uint8Array(1_474_560);

function machine(): Machine {
  return createMachine({
    floppy: { image: { size: image.length, readOnly: true, read: (o, b) => b.set(image.subarray(o, o + b.length)), write: () => {}, flush: () => {}, close: () => {} } },
    rtcStart: new Date(Date.UTC(2024, 0, 1)),
  });
}

function run(m: Machine, source: string): void {
  const p = assemble(source);
  startAfterPost(m, p.bytes, p.labels.get('main') as number);
}

describe('INT 14h and the PS/2 mouse services', () => {
  it('INT 14h initialises COM1 and sends bytes out of the UART', () => {
    const m = machine();
    const out: number[] = [];
    m.onSerial = (b) => out.push(b);
    run(
      m,
      `bits 16
org 0x7c00
main:
  mov ax, 0x00e3
  xor dx, dx
  int 0x14
  mov si, text
.next:
  lodsb
  test al, al
  jz .done
  mov ah, 0x01
  xor dx, dx
  int 0x14
  test ah, 0x80
  jnz .done
  jmp .next
.done:
  mov ah, 0x03
  xor dx, dx
  int 0x14
  test ah, 0x40
  jz .done
  mov [0x600], ax
  cli
  hlt
text:
  db 'COM1 says hi', 13, 10, 0
`,
    );
    expect(m.run(m.scheduler.hz).stop).toBe('halt');
    expect(String.fromCharCode(...out)).toBe('COM1 says hi\r\n');
    // Line status after the last byte left: holding register and shift register empty.
    expect(m.memory.ram[0x601] & 0x60).toBe(0x60);
  });

  it('INT 15h C2h enables the mouse and the IRQ 12 handler calls the installed routine with each packet', () => {
    const m = machine();
    run(
      m,
      `bits 16
org 0x7c00
main:
  xor ax, ax
  mov ds, ax
  mov ax, 0xc205
  mov bh, 3
  int 0x15
  mov [0x610], ah
  push cs
  pop es
  mov bx, handler
  mov ax, 0xc207
  int 0x15
  mov ax, 0xc200
  mov bh, 1
  int 0x15
  mov [0x611], ah
  mov byte [0x612], 0
.wait:
  sti
  hlt
  cmp byte [0x612], 0
  je .wait
  cli
  hlt
; Called far with status, X, Y and 0 pushed (in that order); DS is the BIOS's, not ours.
handler:
  push bp
  mov bp, sp
  push ax
  push ds
  xor ax, ax
  mov ds, ax
  mov ax, [bp+12]
  mov [0x600], ax
  mov ax, [bp+10]
  mov [0x602], ax
  mov ax, [bp+8]
  mov [0x604], ax
  inc byte [0x612]
  pop ds
  pop ax
  pop bp
  retf
`,
    );
    m.run(m.scheduler.hz / 10);
    const ram = m.memory.ram;
    expect([ram[0x610], ram[0x611]]).toEqual([0, 0]);
    m.mouseMove(5, -3, 1);
    expect(m.run(m.scheduler.hz).stop).toBe('halt');
    // PS/2 packet: status (left button, bit 3 always set, Y positive up means +3), X = 5, Y = 3.
    expect(ram[0x600] & 0x09).toBe(0x09);
    expect(ram[0x602]).toBe(5);
    expect(ram[0x604]).toBe(3);
  });
});

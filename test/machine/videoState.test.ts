import { describe, expect, it } from 'vitest';
import { assemble } from '../../emulator/bios/romAssembler.js';
import { createMachine } from '../../emulator/machine/createMachine.js';
import { startAfterPost } from './machineHarness.js';

const image = new Uint8Array(1_474_560);

describe('INT 10h AH=1Ch', () => {
  it('restores the VGA registers, the DAC and the BIOS video state saved before a mode change', () => {
    const p = assemble(`bits 16
org 0x7c00
main:
  xor ax, ax
  mov es, ax
  mov ax, 0x1c00
  mov cx, 7
  int 0x10
  mov [0x600], ax
  mov [0x602], bx
  cli
  hlt
save:
  xor ax, ax
  mov es, ax
  mov bx, 0x1000
  mov ax, 0x1c01
  mov cx, 7
  int 0x10
  mov [0x604], ax
  mov ax, 0x0013
  int 0x10
  cli
  hlt
restore:
  xor ax, ax
  mov es, ax
  mov bx, 0x1000
  mov ax, 0x1c02
  mov cx, 7
  int 0x10
  mov [0x606], ax
  cli
  hlt
`);
    const m = createMachine({
      floppy: { image: { size: image.length, readOnly: true, read: (o, b) => b.set(image.subarray(o, o + b.length)), write: () => {}, flush: () => {}, close: () => {} } },
      rtcStart: new Date(Date.UTC(2024, 0, 1)),
    });
    // Continues at `name` from the previous CLI/HLT: with IF set, the next timer tick wakes the CPU
    // and its IRET lands on the new IP.
    const entry = (name: string): void => {
      m.cpu.setReg('ip', p.labels.get(name) as number);
      m.cpu.setReg('eflags', m.cpu.getReg('eflags') | 0x200);
      expect(m.run(m.scheduler.hz).stop).toBe('halt');
    };
    startAfterPost(m, p.bytes, p.labels.get('main') as number);
    expect(m.run(m.scheduler.hz).stop).toBe('halt');
    const ram = m.memory.ram;
    expect(ram[0x600]).toBe(0x1c);
    const blocks = ram[0x602] | (ram[0x603] << 8);
    expect(blocks * 64).toBeGreaterThanOrEqual(0x20 + 64 + 64 + 770);
    const registers = JSON.stringify(m.vga.inspect());
    const dac = m.vga.saveState().fields.dac;
    entry('save');
    expect(ram[0x604]).toBe(0x1c);
    expect(ram[0x449]).toBe(0x13);
    expect(JSON.stringify(m.vga.inspect())).not.toBe(registers);
    entry('restore');
    expect(ram[0x606]).toBe(0x1c);
    expect(ram[0x449]).toBe(0x03);
    const after = JSON.stringify(m.vga.inspect());
    expect(after).toBe(registers);
    expect(m.vga.saveState().fields.dac).toEqual(dac);
  });
});

import { describe, expect, it } from 'vitest';
import { assemble } from '../../emulator/bios/romAssembler.js';
import { createMachine } from '../../emulator/machine/createMachine.js';
import { startAfterPost } from './machineHarness.js';

const image = new Uint8Array(1_474_560);

describe('BIOS timing services', () => {
  it('INT 15h AH=86h waits one second by the RTC while the PIT counts 18 ticks', () => {
    const p = assemble(`bits 16
org 0x7c00
main:
  xor ah, ah
  int 0x1a
  mov [0x600], dx
  mov ah, 0x86
  mov cx, 0x000f
  mov dx, 0x4240
  int 0x15
  mov [0x604], ax
  xor ah, ah
  int 0x1a
  mov [0x602], dx
  cli
  hlt
`);
    const m = createMachine({
      floppy: { image: { size: image.length, readOnly: true, read: (o, b) => b.set(image.subarray(o, o + b.length)), write: () => {}, flush: () => {}, close: () => {} } },
      rtcStart: new Date(Date.UTC(2024, 0, 1)),
    });
    startAfterPost(m, p.bytes, p.labels.get('main') as number);
    const start = m.scheduler.now;
    expect(m.run(m.scheduler.hz * 3).stop).toBe('halt');
    const seconds = (m.scheduler.now - start) / m.scheduler.hz;
    const ram = m.memory.ram;
    const ticks = (ram[0x602] | (ram[0x603] << 8)) - (ram[0x600] | (ram[0x601] << 8));
    expect(ram[0x605]).toBe(0);
    expect(seconds).toBeGreaterThan(0.99);
    expect(seconds).toBeLessThan(1.01);
    expect(ticks).toBeGreaterThanOrEqual(18);
    expect(ticks).toBeLessThanOrEqual(19);
  });
});

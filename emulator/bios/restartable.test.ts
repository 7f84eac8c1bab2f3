/**
 * Constraint 3 of the BIOS design: a TypeScript handler that meets a guest fault is run again
 * from the start once the fault is handled (the CPU rewinds to the trap), and must then produce
 * what an uninterrupted run produces. A small fake CPU raises a "page fault" on the first write to
 * a chosen page; the handler is re-run, as the CPU would, and the memory compared with a run that
 * never faulted.
 */
import { describe, expect, it } from 'vitest';
import type { RegName } from '../cpu/registers.js';
import { Bios } from './bios.js';
import type { BiosConfig, BiosCpu } from './biosContext.js';
import { TRAP } from './biosTraps.js';
import { FRAME } from './romCoreSource.js';

class PageFault extends Error {}

class FakeCpu implements BiosCpu {
  readonly mem = new Uint8Array(0x110000);
  readonly regs = new Map<string, number>();
  /** Writes seen per page (linear >> 12). */
  readonly writes = new Map<number, number>();
  /** The page whose write number `faultAt` (counted from 1) faults, once; -1: none. */
  faultPage = -1;
  faultAt = 1;

  getReg(name: RegName): number {
    return this.regs.get(name) ?? 0;
  }
  setReg(name: RegName, value: number): void {
    this.regs.set(name, value);
  }
  readLinear8(a: number): number {
    return this.mem[a];
  }
  readLinear16(a: number): number {
    return this.mem[a] | (this.mem[a + 1] << 8);
  }
  readLinear32(a: number): number {
    return (this.readLinear16(a) | (this.readLinear16(a + 2) << 16)) >>> 0;
  }
  writeLinear8(a: number, v: number): void {
    const page = a >>> 12;
    const n = (this.writes.get(page) ?? 0) + 1;
    this.writes.set(page, n);
    if (page === this.faultPage && n === this.faultAt) {
      this.faultPage = -1;
      throw new PageFault(`page fault at ${a.toString(16)}`);
    }
    this.mem[a] = v;
  }
  writeLinear16(a: number, v: number): void {
    this.writeLinear8(a, v & 0xff);
    this.writeLinear8(a + 1, v >>> 8);
  }
  writeLinear32(a: number, v: number): void {
    this.writeLinear16(a, v & 0xffff);
    this.writeLinear16(a + 2, v >>> 16);
  }
}

const config: BiosConfig = { memoryBytes: 0x100000, floppies: [null], hardDisks: [], bootOrder: ['hard'], serialPorts: [], hasFpu: true };

/** A text-mode machine state: mode 3 in the BIOS data area, a full screen, the cursor on the last row. */
function setup(): { cpu: FakeCpu; bios: Bios } {
  const cpu = new FakeCpu();
  const bios = new Bios(config, cpu, () => 0);
  const bda = (off: number, v: number, size = 1): void => {
    for (let i = 0; i < size; i++) cpu.mem[0x400 + off + i] = (v >> (8 * i)) & 0xff;
  };
  bda(0x49, 3);
  bda(0x4a, 80, 2);
  bda(0x4c, 0x1000, 2);
  bda(0x63, 0x3d4, 2);
  bda(0x84, 24);
  bda(0x85, 16, 2);
  bda(0x50, (24 << 8) | 79, 2);
  for (let i = 0; i < 2000; i++) {
    cpu.mem[0xb8000 + i * 2] = 0x41 + (i % 26);
    cpu.mem[0xb8000 + i * 2 + 1] = 0x07;
  }
  cpu.setReg('ss', 0x0000);
  cpu.setReg('sp', 0x6000);
  return { cpu, bios };
}

/** Calls INT 10h with AX/BX in the frame; re-runs the handler after a fault, as the CPU would. */
function int10(cpu: FakeCpu, bios: Bios, ax: number, bx: number): number {
  const f = 0x6000;
  cpu.mem[f + FRAME.eax] = ax & 0xff;
  cpu.mem[f + FRAME.eax + 1] = ax >> 8;
  cpu.mem[f + FRAME.ebx] = bx & 0xff;
  cpu.mem[f + FRAME.ebx + 1] = bx >> 8;
  for (let attempt = 1; ; attempt++) {
    try {
      bios.trap(TRAP.INT10);
      return attempt;
    } catch (e) {
      if (!(e instanceof PageFault)) throw e;
    }
  }
}

describe('restartable BIOS handlers', () => {
  it('teletype that wraps and scrolls ends the same after a page fault on the screen or the BIOS data area', () => {
    const clean = setup();
    expect(int10(clean.cpu, clean.bios, 0x0e5a, 0x0007)).toBe(1);
    // Page B8h holds the screen, page 0 the BIOS data area's cursor. A page faults on its first
    // write (once written it is present until the handler returns: no monitor code runs between).
    const cases: [number, number][] = [
      [0xb8, 1],
      [0x00, 1],
    ];
    for (const [page, at] of cases) {
      const faulty = setup();
      faulty.cpu.faultPage = page;
      faulty.cpu.faultAt = at;
      expect(int10(faulty.cpu, faulty.bios, 0x0e5a, 0x0007), `page ${page.toString(16)} write ${at}`).toBe(2);
      expect(faulty.cpu.mem.subarray(0xb8000, 0xb8000 + 4000)).toEqual(clean.cpu.mem.subarray(0xb8000, 0xb8000 + 4000));
      expect(faulty.cpu.mem.subarray(0x400, 0x500)).toEqual(clean.cpu.mem.subarray(0x400, 0x500));
    }
    // The scroll happened: the old second row is now the first.
    expect(clean.cpu.mem[0xb8000]).toBe(0x41 + (80 % 26));
  });
});

import { describe, expect, it } from 'vitest';
import { PageKind, PhysicalMemory } from './physicalMemory.js';

describe('PhysicalMemory', () => {
  it('maps RAM below 640 KiB and above 1 MiB, and hides it in the adapter hole', () => {
    const m = new PhysicalMemory(2 * 1024 * 1024);
    m.write8(0x1234, 0xab);
    m.write32(0x100000, 0xdeadbeef);
    expect(m.read8(0x1234)).toBe(0xab);
    expect(m.read32(0x100000)).toBe(0xdeadbeef);
    m.write8(0xd0000, 0x12);
    expect(m.read8(0xd0000)).toBe(0xff);
    expect(m.read8(0x300000)).toBe(0xff);
    expect(m.pageKind(0xd0000)).toBe(PageKind.None);
    expect(m.pageKind(0x100000)).toBe(PageKind.Ram);
  });

  it('serves the BIOS ROM at F0000 and at the top of the address bus, and ignores writes to it', () => {
    const m = new PhysicalMemory(1024 * 1024);
    const rom = new Uint8Array(0x10000);
    rom[0xfff0] = 0xea;
    m.loadRom(0xf0000, rom);
    expect(m.read8(0xffff0)).toBe(0xea);
    expect(m.read8(0xfffffff0)).toBe(0xea);
    m.write8(0xffff0, 0);
    expect(m.read8(0xffff0)).toBe(0xea);
    m.setBusBits(24);
    expect(m.read8(0xfffff0)).toBe(0xea);
    expect(m.pageKind(0xfffff0)).toBe(PageKind.Rom);
  });

  it('wraps at 1 MiB while the A20 gate is closed and notifies listeners', () => {
    const m = new PhysicalMemory(2 * 1024 * 1024);
    let changes = 0;
    m.onMaskChange(() => changes++);
    m.write8(0x100010, 0x77);
    m.write8(0x000010, 0x11);
    m.setA20(false);
    expect(m.read8(0x100010)).toBe(0x11);
    m.setA20(true);
    expect(m.read8(0x100010)).toBe(0x77);
    expect(changes).toBe(2);
  });

  it('sends the video window to its MMIO handler, with side-effect-free peeks', () => {
    const m = new PhysicalMemory(1024 * 1024);
    const log: string[] = [];
    m.registerMmio(0xa0000, 0xc0000, {
      read8: (a) => (log.push(`r${a.toString(16)}`), 0x42),
      write8: (a, v) => log.push(`w${a.toString(16)}=${v}`),
      peek8: () => 0x43,
    });
    expect(m.read8(0xb8000)).toBe(0x42);
    expect(m.peek8(0xb8000)).toBe(0x43);
    m.write16(0xa0000, 0x0102);
    expect(log).toEqual(['rb8000', 'wa0000=2', 'wa0001=1']);
    expect(m.pageKind(0xa0000)).toBe(PageKind.Mmio);
  });
});

import { describe, expect, it } from 'vitest';
import { IoBus, type PortHandler } from './ioBus.js';

function byteDevice(base: number, log: string[]): PortHandler & { regs: Uint8Array } {
  const regs = new Uint8Array(4);
  return {
    regs,
    read8: (p) => regs[p - base],
    write8: (p, v) => {
      log.push(`w${p.toString(16)}=${v.toString(16)}`);
      regs[p - base] = v;
    },
  };
}

describe('IoBus', () => {
  it('reads FFh from unclaimed ports and ignores writes to them', () => {
    const bus = new IoBus();
    expect(bus.in8(0x300)).toBe(0xff);
    expect(bus.in16(0x300)).toBe(0xffff);
    expect(bus.in32(0x300)).toBe(0xffffffff);
    bus.out8(0x300, 1);
  });

  it('splits wide accesses into byte accesses, low port first', () => {
    const bus = new IoBus();
    const log: string[] = [];
    const dev = byteDevice(0x60, log);
    bus.register(0x60, 0x63, dev, 'test', 'regs');
    bus.out16(0x61, 0xbeef);
    expect(log).toEqual(['w61=ef', 'w62=be']);
    expect(bus.in16(0x61)).toBe(0xbeef);
    bus.out32(0x60, 0x11223344);
    expect(Array.from(dev.regs)).toEqual([0x44, 0x33, 0x22, 0x11]);
    expect(bus.in32(0x60)).toBe(0x11223344);
  });

  it('uses a device wide handler only when the whole access is its own', () => {
    const bus = new IoBus();
    let wide = 0;
    bus.register(0x1f0, 0x1f0, { read8: () => 0x12, write8: () => {}, read16: () => (wide++, 0xabcd) }, 'ata', 'data');
    expect(bus.in16(0x1f0)).toBe(0xff12);
    bus.register(0x1f1, 0x1f1, { read8: () => 0x34, write8: () => {} }, 'ata', 'error');
    expect(bus.in16(0x1f0)).toBe(0x3412);
    expect(wide).toBe(0);
  });

  it('refuses overlapping claims, names ports, and frees them on dispose', () => {
    const bus = new IoBus();
    const reg = bus.register(0x20, 0x21, { read8: () => 0, write8: () => {} }, 'pic-master', 'command/data');
    expect(() => bus.register(0x21, 0x22, { read8: () => 0, write8: () => {} }, 'x', 'y')).toThrow(/pic-master/);
    expect(bus.describe(0x21)).toEqual({ owner: 'pic-master', label: 'command/data' });
    reg.dispose();
    expect(bus.describe(0x21)).toBeUndefined();
    expect(bus.in8(0x21)).toBe(0xff);
  });

  it('reports every access to a watcher', () => {
    const bus = new IoBus();
    const seen: string[] = [];
    bus.watcher = (port, size, value, isWrite) => seen.push(`${isWrite ? 'out' : 'in'}${size} ${port.toString(16)} ${value.toString(16)}`);
    bus.out8(0x80, 0x55);
    bus.in16(0x80);
    expect(seen).toEqual(['out1 80 55', 'in2 80 ffff']);
  });
});

// Port 92h as documented for PS/2 and chipset "fast A20 / fast reset" (IBM PS/2 Hardware
// Interface Technical Reference, system control port A): bit 1 gates A20, a 0->1 write of bit 0
// resets the CPU. The A20 line is the OR of this bit and the 8042 output port's bit 1.
import { describe, expect, it } from 'vitest';
import { IoBus } from '../io/ioBus.js';
import { A20Gate, SystemControlA } from './systemControlA.js';

function setup() {
  const io = new IoBus();
  const a20: boolean[] = [];
  let resets = 0;
  const port = new SystemControlA(io, { onA20: (on) => a20.push(on), onReset: () => resets++ });
  return { io, port, a20, resets: () => resets };
}

describe('system control port A (92h)', () => {
  it('switches A20 with bit 1 and resets on a rising bit 0, a pulse that ends by itself', () => {
    const { io, port, a20, resets } = setup();
    expect(a20).toEqual([false]);
    io.out8(0x92, 0x02);
    expect(a20).toEqual([false, true]);
    expect(io.in8(0x92)).toBe(0x02);
    io.out8(0x92, 0x03);
    expect(resets()).toBe(1);
    expect(io.in8(0x92)).toBe(0x02); // the CPU reset leaves A20 alone
    io.out8(0x92, 0x03);
    expect(resets()).toBe(2);
    expect(a20).toEqual([false, true]);
    port.reset('hard'); // the system RESET line clears the register
    expect(io.in8(0x92)).toBe(0x00);
    expect(a20).toEqual([false, true, false]);
  });

  it('keeps its value across save and load and re-drives A20', () => {
    const a = setup();
    a.io.out8(0x92, 0x0a);
    const b = setup();
    b.port.loadState(a.port.saveState());
    expect(b.io.in8(0x92)).toBe(0x0a);
    expect(b.a20.at(-1)).toBe(true);
  });
});

describe('A20 gate', () => {
  it('enables A20 when either source enables it and reports only changes', () => {
    const seen: boolean[] = [];
    const gate = new A20Gate((on) => seen.push(on));
    gate.setKbc(true);
    gate.setPort92(true);
    gate.setKbc(false);
    expect(gate.enabled).toBe(true);
    gate.setPort92(false);
    gate.setPort92(false);
    expect(seen).toEqual([true, false]);
  });
});

// Port 61h as the IBM AT Technical Reference describes it (system control port B): speaker gate
// and data bits, counter 2 OUT in bit 5, the refresh-detect toggle in bit 4.
import { describe, expect, it } from 'vitest';
import { IoBus } from '../io/ioBus.js';
import { Scheduler } from '../machine/scheduler.js';
import { PIT_HZ, Pit8254 } from './pit8254.js';
import { REFRESH_PIT_CLOCKS, SystemControlB, type SpeakerState } from './systemControlB.js';
import { RecordingIrqLine } from './testIrq.js';

function setup(hz = PIT_HZ) {
  const io = new IoBus();
  const s = new Scheduler(hz);
  const pit = new Pit8254(io, s, new RecordingIrqLine(s));
  const portB = new SystemControlB(io, pit);
  return { io, s, pit, portB };
}

describe('system control port B (61h)', () => {
  it('toggles bit 4 every 18 PIT clocks (15.085 us) of virtual time', () => {
    const { io, s } = setup(25_000_000);
    const seen: number[] = [];
    let last = io.in8(0x61) & 0x10;
    let toggles = 0;
    // One virtual millisecond: 1193.182 PIT clocks / 18 = 66.3 refresh toggles.
    for (let i = 0; i < 25_000; i++) {
      s.advance(1);
      const b = io.in8(0x61) & 0x10;
      if (b !== last) {
        toggles++;
        seen.push(s.now);
        last = b;
      }
    }
    expect(toggles).toBe(Math.floor(Math.floor(PIT_HZ / 1000) / REFRESH_PIT_CLOCKS));
    const gaps = seen.slice(1).map((t, i) => t - seen[i]);
    for (const g of gaps) expect(Math.abs(g - 377.1)).toBeLessThan(1); // 15.085 us at 25 MHz
  });

  it('gates counter 2 with bit 0 and shows its OUT in bit 5', () => {
    const { io, s } = setup();
    io.out8(0x43, 0xb0); // counter 2, mode 0
    io.out8(0x42, 10);
    io.out8(0x42, 0);
    expect(io.in8(0x61) & 0x20).toBe(0);
    s.advance(50);
    expect(io.in8(0x61) & 0x20).toBe(0); // gate low: not counting
    io.out8(0x61, 0x01);
    s.advance(11);
    expect(io.in8(0x61) & 0x20).toBe(0x20);
    expect(io.in8(0x61) & 0x0f).toBe(0x01);
  });

  it('reports the speaker tone when gate and data are set with counter 2 in square-wave mode', () => {
    const { io, portB } = setup();
    const changes: SpeakerState[] = [];
    portB.onSpeakerChange = (st) => changes.push(st);
    io.out8(0x43, 0xb6);
    io.out8(0x42, 0xa9); // 1193182 / 1193 = 1000.15 Hz (0x04A9)
    io.out8(0x42, 0x04);
    expect(portB.speaker().on).toBe(false);
    io.out8(0x61, 0x03);
    expect(portB.speaker()).toEqual({ on: true, frequency: PIT_HZ / 0x4a9 });
    io.out8(0x61, 0x01); // data bit off: silent although the counter runs
    expect(portB.speaker().on).toBe(false);
    io.out8(0x61, 0x03);
    io.out8(0x43, 0xb6);
    io.out8(0x42, 0x00);
    io.out8(0x42, 0x10); // 0x1000: 291.3 Hz
    expect(changes.map((c) => (c.on ? Math.round(c.frequency) : 0))).toEqual([1000, 0, 1000, 0, 291]);
  });

  it('keeps its bits across save and load', () => {
    const a = setup();
    a.io.out8(0x61, 0x0d);
    const b = setup();
    b.pit.loadState(a.pit.saveState());
    b.portB.loadState(a.portB.saveState());
    expect(b.io.in8(0x61)).toBe(a.io.in8(0x61));
    expect(b.portB.saveState()).toEqual(a.portB.saveState());
  });
});

// 8254 behaviour from the Intel 8254 data sheet: "Operation" (control word, read/write
// operations, counter latch, read-back command) and "Mode definitions" (modes 0-5 and their
// waveform figures, gate table). Most tests run the Scheduler at the PIT's own rate, so one virtual
// tick is one PIT clock and the expected clock numbers read straight off the data sheet.
import { describe, expect, it } from 'vitest';
import { IoBus } from '../io/ioBus.js';
import { Scheduler } from '../machine/scheduler.js';
import { PIT_HZ, Pit8254, pitClocksAt, tickOfPitClock } from './pit8254.js';
import { RecordingIrqLine } from './testIrq.js';

function setup(hz = PIT_HZ) {
  const io = new IoBus();
  const s = new Scheduler(hz);
  const irq = new RecordingIrqLine(s);
  const pit = new Pit8254(io, s, irq);
  return { io, s, irq, pit };
}

/** Counter latch command, then LSB and MSB. */
function latchRead(io: IoBus, counter: number): number {
  io.out8(0x43, counter << 6);
  const lo = io.in8(0x40 + counter);
  return lo | (io.in8(0x40 + counter) << 8);
}

function program(io: IoBus, counter: number, mode: number, count: number, bcd = false): void {
  io.out8(0x43, (counter << 6) | 0x30 | (mode << 1) | (bcd ? 1 : 0));
  io.out8(0x40 + counter, count & 0xff);
  io.out8(0x40 + counter, count >> 8);
}

/** Samples counter 2's OUT (port 61h is not wired here; the PIT exposes it) clock by clock. */
function outTrace(s: Scheduler, pit: Pit8254, counter: number, clocks: number): string {
  let trace = '';
  for (let i = 0; i < clocks; i++) {
    trace += pit.output(counter) ? '1' : '0';
    s.advance(1);
  }
  return trace;
}

describe('8254 PIT', () => {
  it('converts virtual ticks to PIT clocks exactly and back', () => {
    const hz = 25_000_000;
    for (const c of [0, 1, 2, 65536, 1193181, 1193182, 1193183, 123456789012]) {
      const t = tickOfPitClock(c, hz);
      expect(pitClocksAt(t, hz)).toBeGreaterThanOrEqual(c);
      if (t > 0) expect(pitClocksAt(t - 1, hz)).toBeLessThan(c);
    }
    expect(pitClocksAt(25_000_000 * 3600, hz)).toBe(PIT_HZ * 3600);
  });

  it('mode 0: OUT low after the control word, high N+1 clocks after the count is written', () => {
    const { io, s, irq } = setup();
    s.advance(10);
    program(io, 0, 0, 100);
    expect(irq.level).toBe(false);
    s.advance(1);
    expect(latchRead(io, 0)).toBe(100); // loaded on the first clock, not decremented by it
    s.advance(40);
    expect(latchRead(io, 0)).toBe(60);
    s.advance(100);
    expect(irq.rises()).toEqual([111]);
    expect(latchRead(io, 0)).toBe(0x10000 - 40); // wraps and keeps counting after terminal count
    // Writing the first byte of a new count stops counting and drops OUT at once.
    io.out8(0x40, 5);
    expect(irq.level).toBe(false);
    s.advance(50);
    io.out8(0x40, 0);
    s.advance(6);
    expect(irq.rises()).toEqual([111, 207]);
  });

  it('mode 0: gate low suspends counting', () => {
    const { io, s, pit } = setup();
    program(io, 2, 0, 10);
    pit.setGate(2, true);
    s.advance(4);
    expect(latchRead(io, 2)).toBe(7);
    pit.setGate(2, false);
    s.advance(100);
    expect(latchRead(io, 2)).toBe(7);
    pit.setGate(2, true);
    s.advance(7);
    expect(pit.output(2)).toBe(true);
  });

  it('mode 1: the gate triggers a one-shot low pulse of N clocks and retriggers it', () => {
    const { io, s, pit } = setup();
    pit.setGate(2, false);
    program(io, 2, 1, 3);
    expect(outTrace(s, pit, 2, 5)).toBe('11111'); // nothing until a trigger
    pit.setGate(2, true);
    expect(outTrace(s, pit, 2, 6)).toBe('100011');
    pit.setGate(2, false);
    pit.setGate(2, true);
    expect(outTrace(s, pit, 2, 3)).toBe('100');
    pit.setGate(2, false);
    pit.setGate(2, true); // retrigger while low: the pulse restarts
    expect(outTrace(s, pit, 2, 6)).toBe('000011');
  });

  it('mode 2: period N, OUT low for the one clock where the count is 1', () => {
    const { io, s, irq, pit } = setup();
    program(io, 0, 2, 5);
    const counts: number[] = [];
    for (let i = 0; i < 11; i++) {
      s.advance(1);
      counts.push(latchRead(io, 0));
    }
    expect(counts).toEqual([5, 4, 3, 2, 1, 5, 4, 3, 2, 1, 5]);
    expect(irq.rises()).toEqual([0, 6, 11]);
    // A new count takes effect at the end of the current period.
    io.out8(0x40, 3);
    io.out8(0x40, 0);
    s.advance(10);
    expect(irq.rises()).toEqual([0, 6, 11, 16, 19]);
    expect(pit.output(0)).toBe(false); // clock 21: count 1
  });

  it('mode 2: gate low forces OUT high and stops; the rising gate reloads on the next clock', () => {
    const { io, s, pit } = setup();
    pit.setGate(2, true);
    program(io, 2, 2, 4);
    expect(outTrace(s, pit, 2, 9)).toBe('111101110');
    pit.setGate(2, false);
    expect(outTrace(s, pit, 2, 3)).toBe('111');
    pit.setGate(2, true);
    s.advance(1);
    expect(latchRead(io, 2)).toBe(4);
  });

  it('mode 3: square wave, even count high N/2 and low N/2, counting down by two', () => {
    const { io, s, irq } = setup();
    program(io, 0, 3, 4);
    const counts: number[] = [];
    for (let i = 0; i < 8; i++) {
      s.advance(1);
      counts.push(latchRead(io, 0));
    }
    expect(counts).toEqual([4, 2, 4, 2, 4, 2, 4, 2]);
    expect(irq.events.map((e) => `${e.level ? 'H' : 'L'}@${e.at}`)).toEqual(['H@0', 'L@3', 'H@5', 'L@7']);
  });

  it('mode 3: odd count is high (N+1)/2 and low (N-1)/2 clocks', () => {
    const { io, s, pit } = setup();
    pit.setGate(2, true);
    program(io, 2, 3, 5);
    s.advance(1);
    expect(outTrace(s, pit, 2, 15)).toBe('111001110011100');
  });

  it('mode 3: a new count is taken at the end of the current half-cycle', () => {
    const { io, s, pit } = setup();
    pit.setGate(2, true);
    program(io, 2, 3, 8);
    s.advance(2); // one clock into the high half of 8 (4 clocks)
    io.out8(0x42, 4);
    io.out8(0x42, 0);
    expect(outTrace(s, pit, 2, 12)).toBe('111001100110');
  });

  it('mode 4: one strobe clock N+1 clocks after the count is written', () => {
    const { io, s, irq } = setup();
    program(io, 0, 4, 3);
    s.advance(20);
    expect(irq.events.map((e) => `${e.level ? 'H' : 'L'}@${e.at}`)).toEqual(['H@0', 'L@4', 'H@5']);
  });

  it('mode 5: the gate triggers one strobe clock N clocks after the trigger', () => {
    const { io, s, pit } = setup();
    pit.setGate(2, false);
    program(io, 2, 5, 3);
    pit.setGate(2, true);
    expect(outTrace(s, pit, 2, 7)).toBe('1111011');
  });

  it('counts in BCD and reads back BCD digits', () => {
    const { io, s } = setup();
    program(io, 0, 0, 0x0100, true);
    s.advance(11);
    expect(latchRead(io, 0)).toBe(0x0090);
    program(io, 0, 2, 0x0000, true); // 0 means 10000 in BCD
    s.advance(2);
    expect(latchRead(io, 0)).toBe(0x9999);
  });

  it('holds the first counter latch until it is read and ignores a second one', () => {
    const { io, s } = setup();
    program(io, 0, 2, 1000);
    s.advance(11);
    io.out8(0x43, 0x00);
    s.advance(100);
    io.out8(0x43, 0x00);
    const lo = io.in8(0x40);
    s.advance(100);
    expect(lo | (io.in8(0x40) << 8)).toBe(990);
    expect(latchRead(io, 0)).toBe(790);
  });

  it('read-back latches status (OUT, NULL COUNT, mode) before the count', () => {
    const { io, s } = setup();
    io.out8(0x43, 0x34);
    io.out8(0x43, 0xe2); // read-back status only, counter 0
    expect(io.in8(0x40)).toBe(0xf4); // OUT 1, null count, LSB/MSB, mode 2
    io.out8(0x40, 0x10);
    io.out8(0x40, 0x00);
    s.advance(3);
    io.out8(0x43, 0xc2); // count and status
    expect(io.in8(0x40)).toBe(0xb4); // count transferred: NULL COUNT clear
    expect(io.in8(0x40) | (io.in8(0x40) << 8)).toBe(0x0e);
    s.advance(1);
    io.out8(0x43, 0xd2); // count only
    expect(io.in8(0x40) | (io.in8(0x40) << 8)).toBe(0x0d);
  });

  it('supports LSB-only and MSB-only access', () => {
    const { io, s } = setup();
    io.out8(0x43, 0x14); // counter 0, LSB only, mode 2
    io.out8(0x40, 0x80);
    s.advance(2);
    expect(io.in8(0x40)).toBe(0x7f);
    io.out8(0x43, 0x64); // counter 1, MSB only, mode 2
    io.out8(0x41, 0x02);
    s.advance(2);
    expect(io.in8(0x41)).toBe(0x01); // 0x200 - 1 = 0x1FF: MSB
  });

  it('keeps separate read and write flip-flops, so reads and writes may interleave', () => {
    const { io, s } = setup();
    program(io, 2, 0, 0x1234);
    s.advance(1);
    io.out8(0x43, 0x80);
    expect(io.in8(0x42)).toBe(0x34);
    io.out8(0x42, 0x00); // new LSB
    expect(io.in8(0x42)).toBe(0x12); // still the latched MSB
    io.out8(0x42, 0x01); // new MSB: count 0x0100
    s.advance(1);
    expect(latchRead(io, 2)).toBe(0x0100);
  });

  it('shows a count as loaded to a read in the same PIT clock (an ISA read comes a bus cycle later)', () => {
    const { io, s, irq } = setup(25_000_000);
    s.advance(1000);
    io.out8(0x43, 0x30);
    io.out8(0x40, 0x10);
    io.out8(0x40, 0x00);
    expect(latchRead(io, 0)).toBe(0x10);
    io.out8(0x43, 0xe2); // read-back status: NULL COUNT already clear, OUT low
    expect(io.in8(0x40)).toBe(0x30);
    s.advance(25_000_000); // the interrupt still comes 16 clocks after the load
    const load = Math.floor((1000 * 1_193_182) / 25_000_000);
    expect(irq.rises()).toEqual([tickOfPitClock(load + 16, 25_000_000)]);
  });

  it('ticks IRQ0 at 18.2 Hz with the BIOS programming, in virtual time at 25 MHz', () => {
    const hz = 25_000_000;
    const { io, s, irq } = setup(hz);
    program(io, 0, 3, 0);
    s.advance(hz);
    const expected = [0];
    for (let k = 1; 1 + 65536 * k <= PIT_HZ; k++) expected.push(tickOfPitClock(1 + 65536 * k, hz));
    expect(irq.rises()).toEqual(expected);
    expect(expected.length).toBe(19);
  });

  it('continues identically after save and load in the middle of activity', () => {
    const hz = 25_000_000;
    const a = setup(hz);
    program(a.io, 0, 2, 1193);
    a.pit.setGate(2, true);
    program(a.io, 2, 3, 2711);
    a.s.advance(123_457);
    a.io.out8(0x43, 0x80); // a pending latch is part of the state
    a.io.out8(0x40, 0x99); // and so is a half-written count
    a.s.advance(1000);
    const pitState = a.pit.saveState();
    const schedState = a.s.saveState();

    const b = setup(hz);
    b.s.loadState(schedState);
    b.pit.loadState(pitState);
    const mark = a.irq.events.length;
    const bMark = b.irq.events.length;
    const run = (x: ReturnType<typeof setup>) => {
      const seen: number[] = [x.io.in8(0x42), x.io.in8(0x42)];
      x.io.out8(0x40, 0x02);
      for (let i = 0; i < 50; i++) {
        x.s.advance(7919);
        seen.push(latchRead(x.io, 0), latchRead(x.io, 2), x.pit.output(2) ? 1 : 0);
      }
      return seen;
    };
    expect(run(b)).toEqual(run(a));
    expect(b.irq.events.slice(bMark)).toEqual(a.irq.events.slice(mark));
    expect(a.irq.events.length - mark).toBeGreaterThan(10);
    expect(b.pit.saveState()).toEqual(a.pit.saveState());
    expect(b.s.saveState()).toEqual(a.s.saveState());
  });
});

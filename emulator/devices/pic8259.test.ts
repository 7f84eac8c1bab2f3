// 8259A behaviour from the Intel 8259A data sheet ("Programming the 8259A", ICW/OCW formats and
// the priority, EOI, special mask, poll and cascade sections), driven through the I/O ports as a
// BIOS or guest OS drives them.
import { describe, expect, it } from 'vitest';
import { IoBus } from '../io/ioBus.js';
import { WiredIrqLine } from '../io/irq.js';
import { DualPic8259 } from './pic8259.js';

function setup() {
  const io = new IoBus();
  const intr: boolean[] = [];
  const pic = new DualPic8259(io, (l) => intr.push(l));
  const wired = new Map<number, WiredIrqLine>();
  const line = (n: number): WiredIrqLine => {
    let l = wired.get(n);
    if (l === undefined) wired.set(n, (l = new WiredIrqLine(pic, n)));
    return l;
  };
  return { io, pic, intr, line };
}

/** The AT BIOS initialisation: edge mode, cascade, ICW4 with 8086 mode, vectors 08h and 70h. */
function initAt(io: IoBus, masterIcw4 = 0x01, slaveIcw4 = 0x01): void {
  io.out8(0x20, 0x11);
  io.out8(0x21, 0x08);
  io.out8(0x21, 0x04);
  io.out8(0x21, masterIcw4);
  io.out8(0xa0, 0x11);
  io.out8(0xa1, 0x70);
  io.out8(0xa1, 0x02);
  io.out8(0xa1, slaveIcw4);
  io.out8(0x21, 0x00);
  io.out8(0xa1, 0x00);
}

const readIrr = (io: IoBus, port: number) => (io.out8(port, 0x0a), io.in8(port));
const readIsr = (io: IoBus, port: number) => (io.out8(port, 0x0b), io.in8(port));

describe('8259A pair', () => {
  it('latches an edge, raises INTR, delivers base+IR on INTA and holds lower levels until EOI', () => {
    const { io, pic, intr, line } = setup();
    initAt(io);
    const irq1 = line(1);
    const irq4 = line(4);
    irq4.raise();
    irq1.raise();
    expect(pic.intr).toBe(true);
    expect(intr.at(-1)).toBe(true);
    expect(readIrr(io, 0x20)).toBe(0x12);
    expect(pic.acknowledge()).toBe(0x09);
    // ISR bit set, IRR bit cleared by INTA; IR4 is lower priority so INTR drops.
    expect(readIsr(io, 0x20)).toBe(0x02);
    expect(readIrr(io, 0x20)).toBe(0x10);
    expect(pic.intr).toBe(false);
    io.out8(0x20, 0x20); // non-specific EOI
    expect(pic.intr).toBe(true);
    expect(pic.acknowledge()).toBe(0x0c);
    io.out8(0x20, 0x64); // specific EOI for IR4
    expect(readIsr(io, 0x20)).toBe(0x00);
  });

  it('lets a higher priority request nest over one in service (fully nested mode)', () => {
    const { io, pic, line } = setup();
    initAt(io);
    line(5).raise();
    expect(pic.acknowledge()).toBe(0x0d);
    expect(pic.intr).toBe(false);
    line(3).raise();
    expect(pic.intr).toBe(true);
    expect(pic.acknowledge()).toBe(0x0b);
    expect(readIsr(io, 0x20)).toBe(0x28);
    io.out8(0x20, 0x20); // clears the highest in service: IR3
    expect(readIsr(io, 0x20)).toBe(0x20);
  });

  it('routes slave requests through IR2 and answers with the slave vector', () => {
    const { io, pic, line } = setup();
    initAt(io);
    line(14).raise();
    expect(pic.intr).toBe(true);
    expect(pic.acknowledge()).toBe(0x76);
    expect(readIsr(io, 0x20)).toBe(0x04);
    expect(readIsr(io, 0xa0)).toBe(0x40);
    io.out8(0xa0, 0x20);
    io.out8(0x20, 0x20);
    expect(readIsr(io, 0x20)).toBe(0);
    expect(readIsr(io, 0xa0)).toBe(0);
  });

  it('maps the ISA IRQ2 pin to IRQ9 as the AT wires it', () => {
    const { io, pic, line } = setup();
    initAt(io);
    line(2).raise();
    expect(pic.acknowledge()).toBe(0x71);
  });

  it('gives the IR7 spurious vector without setting ISR when the request vanished', () => {
    const { io, pic, line } = setup();
    initAt(io);
    line(3).raise();
    io.out8(0x21, 0x08); // masked after INTR was raised, before the CPU's INTA
    expect(pic.acknowledge()).toBe(0x0f);
    expect(readIsr(io, 0x20)).toBe(0);
  });

  it('gives the slave spurious IRQ15 and leaves the master cascade bit in service', () => {
    const { io, pic, line } = setup();
    initAt(io);
    io.out8(0x4d1, 0x04); // IRQ10 level-triggered
    const irq10 = line(10);
    irq10.raise();
    irq10.lower(); // level request withdrawn; the master has already latched the IR2 edge
    expect(pic.intr).toBe(true);
    expect(pic.acknowledge()).toBe(0x77);
    expect(readIsr(io, 0xa0)).toBe(0);
    expect(readIsr(io, 0x20)).toBe(0x04);
  });

  it('keeps a level-triggered request while the line is high and re-interrupts after EOI', () => {
    const { io, pic, line } = setup();
    initAt(io);
    io.out8(0x4d0, 0xff);
    expect(io.in8(0x4d0)).toBe(0xf8); // IRQ0-2 cannot be level-triggered
    io.out8(0x4d1, 0xff);
    expect(io.in8(0x4d1)).toBe(0xde); // nor IRQ8 and IRQ13
    const irq5 = line(5);
    irq5.raise();
    expect(pic.acknowledge()).toBe(0x0d);
    expect(readIrr(io, 0x20) & 0x20).toBe(0x20); // still requesting
    io.out8(0x20, 0x20);
    expect(pic.intr).toBe(true);
    irq5.lower();
    expect(pic.intr).toBe(false);
    expect(readIrr(io, 0x20) & 0x20).toBe(0);
  });

  it('does the EOI itself in AEOI mode, and rotates there when asked', () => {
    const { io, pic, line } = setup();
    initAt(io, 0x03);
    line(1).raise();
    expect(pic.acknowledge()).toBe(0x09);
    expect(readIsr(io, 0x20)).toBe(0);
    io.out8(0x20, 0x80); // rotate in AEOI mode (set)
    line(0).raise();
    line(4).raise();
    expect(pic.acknowledge()).toBe(0x08); // IR0 served, now lowest priority
    line(0).lower();
    line(0).raise();
    expect(pic.acknowledge()).toBe(0x0c); // IR4 outranks IR0 after the rotation
  });

  it('rotates priority on non-specific EOI and by the set-priority command', () => {
    const { io, pic, line } = setup();
    initAt(io);
    line(1).raise();
    expect(pic.acknowledge()).toBe(0x09);
    io.out8(0x20, 0xa0); // rotate on non-specific EOI: IR1 becomes lowest
    line(1).lower();
    line(1).raise();
    line(6).raise();
    expect(pic.acknowledge()).toBe(0x0e); // IR6 now outranks IR1
    io.out8(0x20, 0x66); // specific EOI IR6
    io.out8(0x20, 0xc5); // set priority: IR5 lowest, IR6 highest
    line(7).raise();
    expect(pic.acknowledge()).toBe(0x0f);
    io.out8(0x20, 0xe7); // rotate on specific EOI 7: IR7 lowest, IR0 highest
    expect(pic.acknowledge()).toBe(0x09);
  });

  it('enables lower levels in special mask mode when the in-service level is masked', () => {
    const { io, pic, line } = setup();
    initAt(io);
    line(3).raise();
    expect(pic.acknowledge()).toBe(0x0b);
    line(5).raise();
    expect(pic.intr).toBe(false);
    io.out8(0x21, 0x08); // mask IR3
    io.out8(0x20, 0x68); // OCW3: set special mask mode
    expect(pic.intr).toBe(true);
    expect(pic.acknowledge()).toBe(0x0d);
    // A non-specific EOI skips the masked in-service IR3 in special mask mode.
    io.out8(0x20, 0x20);
    expect(readIsr(io, 0x20)).toBe(0x08);
    io.out8(0x20, 0x48); // reset special mask mode
    io.out8(0x20, 0x63);
    expect(readIsr(io, 0x20)).toBe(0);
  });

  it('answers the poll command with I and the level, acknowledging it', () => {
    const { io, line } = setup();
    initAt(io);
    line(6).raise();
    io.out8(0x20, 0x0c);
    expect(io.in8(0x20)).toBe(0x86);
    expect(readIsr(io, 0x20)).toBe(0x40);
    io.out8(0x20, 0x0c);
    expect(io.in8(0x20)).toBe(0x00);
  });

  it('re-initialises at run time: ICW1 clears masks and in-service bits and takes a new base', () => {
    const { io, pic, line } = setup();
    initAt(io);
    io.out8(0x21, 0xfe);
    line(0).raise();
    expect(pic.acknowledge()).toBe(0x08);
    io.out8(0x20, 0x11);
    expect(io.in8(0x21)).toBe(0x00);
    io.out8(0x21, 0x20);
    io.out8(0x21, 0x04);
    io.out8(0x21, 0x01);
    expect(readIsr(io, 0x20)).toBe(0);
    expect(pic.intr).toBe(false); // the edge latch was reset: IR0 must rise again
    line(0).lower();
    line(0).raise();
    expect(pic.acknowledge()).toBe(0x20);
  });

  it('skips ICW3 in single mode and ICW4 when IC4 is clear', () => {
    const { io, pic, line } = setup();
    io.out8(0x20, 0x12); // single, no ICW4
    io.out8(0x21, 0x40);
    io.out8(0x21, 0x00); // this is OCW1 already
    line(3).raise();
    expect(pic.acknowledge()).toBe(0x43);
  });

  it('passes a higher slave request over its in-service cascade input in special fully nested mode', () => {
    const { io, pic, line } = setup();
    initAt(io, 0x11);
    line(12).raise();
    expect(pic.acknowledge()).toBe(0x74);
    line(9).raise();
    expect(pic.intr).toBe(true);
    expect(pic.acknowledge()).toBe(0x71);
    // Without SFNM the same request waits for the master's EOI.
    const b = setup();
    initAt(b.io);
    b.line(12).raise();
    expect(b.pic.acknowledge()).toBe(0x74);
    b.line(9).raise();
    expect(b.pic.intr).toBe(false);
  });

  it('continues identically after save and load in the middle of activity', () => {
    const a = setup();
    initAt(a.io);
    const lines = [0, 1, 8, 12, 14].map((n) => [n, a.line(n)] as const);
    for (const [, l] of lines) l.raise();
    a.io.out8(0x4d1, 0x10);
    expect(a.pic.acknowledge()).toBe(0x08);
    a.io.out8(0x20, 0x0b);
    const saved = a.pic.saveState();

    const b = setup();
    b.pic.loadState(saved);
    expect(b.intr.at(-1)).toBe(a.pic.intr);
    const run = (s: ReturnType<typeof setup>) => {
      const out: number[] = [];
      s.io.out8(0x20, 0x20);
      for (let i = 0; i < 5; i++) {
        out.push(s.pic.acknowledge(), s.io.in8(0x20), s.io.in8(0xa0));
        s.io.out8(0xa0, 0x20);
        s.io.out8(0x20, 0x20);
      }
      return out;
    };
    expect(run(b)).toEqual(run(a));
    expect(b.pic.saveState()).toEqual(a.pic.saveState());
  });
});

// 16550A behaviour from the National Semiconductor PC16550D data sheet: register map with DLAB,
// IIR priority table, FIFO control and trigger levels, character timeout (4 character times),
// THRE interrupt rules, LSR/MSR clear-on-read, loopback wiring (RTS->CTS, DTR->DSR, OUT1->RI,
// OUT2->DCD), and the PC's OUT2 interrupt gate. Scheduler at 1 MHz: one tick per microsecond.
import { describe, expect, it } from 'vitest';
import { IoBus } from '../io/ioBus.js';
import { Scheduler } from '../machine/scheduler.js';
import { Serial16550 } from './serial16550.js';
import { RecordingIrqLine } from './testIrq.js';

const B = 0x3f8;

function setup() {
  const io = new IoBus();
  const s = new Scheduler(1_000_000);
  const irq = new RecordingIrqLine(s);
  const sent: { at: number; byte: number }[] = [];
  const uart = new Serial16550(io, s, irq, { onTransmit: (byte) => sent.push({ at: s.now, byte }) });
  return { io, s, irq, uart, sent };
}

/** 9600 baud, 8N1: a character is 10 bits = 1041.67 us. */
function init9600(io: IoBus, mcr = 0x0b): void {
  io.out8(B + 3, 0x80);
  io.out8(B + 0, 12);
  io.out8(B + 1, 0);
  io.out8(B + 3, 0x03);
  io.out8(B + 4, mcr);
}

describe('16550A UART', () => {
  it('shifts a character out in one character time and captures it', () => {
    const { io, s, uart, sent } = setup();
    init9600(io);
    expect(uart.baud).toBe(9600);
    io.out8(B, 0x41);
    expect(io.in8(B + 5) & 0x60).toBe(0x20); // THR empty at once, transmitter busy
    io.out8(B, 0x42);
    expect(io.in8(B + 5) & 0x60).toBe(0x00);
    s.advance(1041);
    expect(sent).toEqual([]);
    s.advance(1);
    expect(sent).toEqual([{ at: 1042, byte: 0x41 }]);
    s.advance(1042);
    expect(sent.map((x) => x.byte)).toEqual([0x41, 0x42]);
    expect(io.in8(B + 5) & 0x60).toBe(0x60);
  });

  it('raises THRE when enabled with an empty THR, clears it on IIR read, and needs OUT2 for IRQ4', () => {
    const { io, irq } = setup();
    init9600(io, 0x03); // DTR, RTS, no OUT2
    io.out8(B + 1, 0x02);
    expect(irq.level).toBe(false);
    expect(io.in8(B + 2)).toBe(0x02);
    expect(io.in8(B + 2)).toBe(0x01); // the IIR read cleared it
    io.out8(B + 1, 0x00);
    io.out8(B + 4, 0x0b);
    io.out8(B + 1, 0x02);
    expect(irq.level).toBe(true);
    io.in8(B + 2);
    expect(irq.level).toBe(false);
  });

  it('receives host input at the line rate with a data-available interrupt', () => {
    const { io, s, irq, uart } = setup();
    init9600(io);
    io.out8(B + 1, 0x01);
    uart.receive(Uint8Array.from([0x68, 0x69]));
    expect(io.in8(B + 5) & 1).toBe(0);
    s.advance(1042);
    expect(irq.level).toBe(true);
    expect(io.in8(B + 2)).toBe(0x04);
    expect(io.in8(B)).toBe(0x68);
    expect(irq.level).toBe(false);
    s.advance(1042);
    expect(io.in8(B)).toBe(0x69);
    expect(io.in8(B + 5) & 1).toBe(0);
  });

  it('holds host input while the receiver is full instead of overrunning', () => {
    const { io, s, uart } = setup();
    init9600(io);
    uart.receive(Array.from('hello, world', (c) => c.charCodeAt(0)));
    s.advance(50_000);
    expect(io.in8(B + 5) & 0x02).toBe(0);
    let text = '';
    for (let i = 0; i < 12; i++) {
      text += String.fromCharCode(io.in8(B));
      s.advance(1042);
    }
    expect(text).toBe('hello, world');
    expect(uart.pendingInput).toBe(0);
  });

  it('interrupts at the FIFO trigger level, or after a 4-character timeout below it', () => {
    const { io, s, uart } = setup();
    init9600(io);
    io.out8(B + 2, 0x47); // FIFO on, clear both, trigger 4
    io.out8(B + 1, 0x01);
    uart.receive([1, 2, 3]);
    s.advance(3 * 1042);
    expect(io.in8(B + 2)).toBe(0xc1); // 3 bytes, below the trigger: nothing yet
    s.advance(4 * 1042);
    expect(io.in8(B + 2)).toBe(0xcc); // character timeout
    expect(io.in8(B)).toBe(1);
    expect(io.in8(B + 2)).toBe(0xc1); // reading cleared the timeout
    uart.receive([4, 5, 6]);
    s.advance(3 * 1042);
    expect(io.in8(B + 2)).toBe(0xc4); // 2 + 3 = 5 >= 4
    const got: number[] = [];
    while (io.in8(B + 5) & 1) got.push(io.in8(B));
    expect(got).toEqual([2, 3, 4, 5, 6]);
  });

  it('loops THR back into the receiver, with an overrun reported ahead of received data', () => {
    const { io, s, irq, sent } = setup();
    init9600(io, 0x1b); // loopback
    io.out8(B + 1, 0x05); // RDA and RLS
    io.out8(B, 0x11);
    io.out8(B, 0x22);
    s.advance(3000);
    expect(sent).toEqual([]);
    expect(irq.level).toBe(false); // loopback disconnects OUT2 from the pin
    expect(io.in8(B + 2)).toBe(0x06); // overrun: line status has the highest priority
    expect(io.in8(B + 5) & 0x03).toBe(0x03);
    expect(io.in8(B + 5) & 0x02).toBe(0); // cleared by the read
    expect(io.in8(B + 2)).toBe(0x04);
    expect(io.in8(B)).toBe(0x22); // the second character replaced the first
  });

  it('mirrors MCR outputs into MSR in loopback and reports deltas once', () => {
    const { io } = setup();
    init9600(io, 0x10);
    io.in8(B + 6);
    io.out8(B + 1, 0x08);
    io.out8(B + 4, 0x13); // RTS and DTR up
    expect(io.in8(B + 2)).toBe(0x00); // modem status interrupt
    expect(io.in8(B + 6)).toBe(0x33); // CTS, DSR, deltas
    expect(io.in8(B + 6)).toBe(0x30);
    io.out8(B + 4, 0x14); // OUT1 -> RI up
    io.out8(B + 4, 0x10); // RI falls: trailing-edge delta
    expect(io.in8(B + 6) & 0x0f).toBe(0x07);
    io.out8(B + 4, 0x00);
    expect(io.in8(B + 6) & 0xf0).toBe(0xb0); // a connected terminal outside loopback
  });

  it('keeps the scratch register and divisor latch', () => {
    const { io, uart } = setup();
    io.out8(B + 7, 0x5a);
    expect(io.in8(B + 7)).toBe(0x5a);
    io.out8(B + 3, 0x83);
    io.out8(B, 0x01);
    io.out8(B + 1, 0x00);
    expect(io.in8(B)).toBe(0x01);
    io.out8(B + 3, 0x03);
    expect(uart.baud).toBe(115200);
  });

  it('continues identically after save and load mid-transmission and mid-reception', () => {
    const a = setup();
    init9600(a.io);
    a.io.out8(B + 2, 0x87);
    a.io.out8(B + 1, 0x03);
    for (const c of 'abcdef') a.io.out8(B, c.charCodeAt(0));
    a.uart.receive([9, 8, 7, 6, 5, 4, 3, 2, 1]);
    a.s.advance(2500);
    const st = a.uart.saveState();
    const ss = a.s.saveState();
    const b = setup();
    b.s.loadState(ss);
    b.uart.loadState(st);
    const mark = a.sent.length;
    const run = (x: ReturnType<typeof setup>) => {
      const seen: number[] = [];
      for (let i = 0; i < 40; i++) {
        x.s.advance(700);
        seen.push(x.io.in8(B + 2), x.io.in8(B + 5));
        if (i % 5 === 0) seen.push(x.io.in8(B));
      }
      return seen;
    };
    expect(run(b)).toEqual(run(a));
    expect(b.sent).toEqual(a.sent.slice(mark));
    expect(b.uart.saveState()).toEqual(a.uart.saveState());
  });
});

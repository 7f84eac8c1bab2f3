// 8042 keyboard controller, PS/2 keyboard and PS/2 mouse, from the IBM PS/2 Hardware Interface
// Technical Reference ("Keyboard/auxiliary device controller", "Keyboard", "Pointing device"):
// status bits, command byte, controller commands, keyboard and mouse commands with their ACKs,
// translation, movement packets. Driven through ports 60h/64h as a BIOS or driver does.
import { describe, expect, it } from 'vitest';
import { IoBus } from '../io/ioBus.js';
import { Scheduler } from '../machine/scheduler.js';
import { I8042 } from './i8042.js';
import { RecordingIrqLine } from './testIrq.js';

const HZ = 1_000_000; // one tick per microsecond

function setup() {
  const io = new IoBus();
  const s = new Scheduler(HZ);
  const irq1 = new RecordingIrqLine(s);
  const irq12 = new RecordingIrqLine(s);
  const a20: boolean[] = [];
  let resets = 0;
  const kbc = new I8042(io, s, irq1, irq12, { onA20: (on) => a20.push(on), onReset: () => resets++ });
  /** Reads everything the guest would get, servicing each byte as an interrupt handler would. */
  const drain = (limitMs = 50): number[] => {
    const out: number[] = [];
    for (let i = 0; i < limitMs * 10; i++) {
      if (io.in8(0x64) & 1) out.push(io.in8(0x60));
      else s.advance(100);
    }
    return out;
  };
  const kbdCmd = (...bytes: number[]) => bytes.forEach((b) => io.out8(0x60, b));
  const mouseCmd = (...bytes: number[]) =>
    bytes.forEach((b) => {
      io.out8(0x64, 0xd4);
      io.out8(0x60, b);
    });
  return { io, s, irq1, irq12, kbc, drain, kbdCmd, mouseCmd, a20, resets: () => resets };
}

const hexes = (bytes: number[]) => bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ');

describe('8042 controller', () => {
  it('passes its self test, sets the system flag, and reports status bits', () => {
    const { io } = setup();
    expect(io.in8(0x64)).toBe(0x10); // not inhibited, nothing pending, system flag clear
    io.out8(0x64, 0xaa);
    expect(io.in8(0x64)).toBe(0x1d); // OBF, system flag, last write was a command
    expect(io.in8(0x60)).toBe(0x55);
    io.out8(0x64, 0xab);
    expect(io.in8(0x60)).toBe(0x00);
    io.out8(0x64, 0xa9);
    expect(io.in8(0x60)).toBe(0x00);
    io.out8(0x64, 0xa4);
    expect(io.in8(0x60)).toBe(0xf1);
  });

  it('reads and writes the command byte and internal RAM', () => {
    const { io } = setup();
    io.out8(0x64, 0x20);
    expect(io.in8(0x60)).toBe(0x43);
    io.out8(0x64, 0x60);
    io.out8(0x60, 0x65);
    expect(io.in8(0x64) & 0x08).toBe(0); // last write was data
    io.out8(0x64, 0x20);
    expect(io.in8(0x60)).toBe(0x65);
    io.out8(0x64, 0x75);
    io.out8(0x60, 0x99);
    io.out8(0x64, 0x35);
    expect(io.in8(0x60)).toBe(0x99);
  });

  it('switches A20 through the output port and pulses reset with D1h bit 0 and FEh', () => {
    const { io, a20, resets } = setup();
    expect(a20).toEqual([true]);
    io.out8(0x64, 0xd1);
    io.out8(0x60, 0xdd); // A20 off
    io.out8(0x64, 0xd0);
    expect(io.in8(0x60) & 0x03).toBe(0x01);
    io.out8(0x64, 0xd1);
    io.out8(0x60, 0xdf);
    expect(a20).toEqual([true, false, true]);
    expect(resets()).toBe(0);
    io.out8(0x64, 0xfe);
    expect(resets()).toBe(1);
    io.out8(0x64, 0xff); // pulses nothing
    io.out8(0x64, 0xd1);
    io.out8(0x60, 0xde);
    expect(resets()).toBe(2);
    io.out8(0x64, 0xd0);
    expect(io.in8(0x60) & 0x01).toBe(0x01); // the reset line is released again
  });

  it('writes its output buffer as keyboard (D2h, IRQ1) or mouse (D3h, IRQ12, AUX bit) data', () => {
    const { io, irq1, irq12 } = setup();
    io.out8(0x64, 0xd2);
    io.out8(0x60, 0x12);
    expect(irq1.level).toBe(true);
    expect(io.in8(0x64) & 0x21).toBe(0x01);
    expect(io.in8(0x60)).toBe(0x12);
    expect(irq1.level).toBe(false);
    io.out8(0x64, 0xd3);
    io.out8(0x60, 0x34);
    expect(irq12.level).toBe(true);
    expect(io.in8(0x64) & 0x21).toBe(0x21);
    expect(io.in8(0x60)).toBe(0x34);
    expect(irq12.level).toBe(false);
  });

  it('resets the keyboard: ACK then AAh, one byte per IRQ1, the second after the wire delay', () => {
    const { io, s, irq1, kbdCmd } = setup();
    kbdCmd(0xff);
    expect(io.in8(0x60)).toBe(0xfa);
    expect(io.in8(0x64) & 1).toBe(0);
    s.advance(999);
    expect(io.in8(0x64) & 1).toBe(0);
    s.advance(1);
    expect(io.in8(0x60)).toBe(0xaa);
    expect(irq1.rises()).toEqual([0, 1000]);
  });

  it('delivers key events translated to set 1, one byte per read', () => {
    const { kbc, drain } = setup();
    kbc.keyEvent('KeyA', true);
    kbc.keyEvent('KeyA', false);
    kbc.keyEvent('ArrowUp', true);
    kbc.keyEvent('ArrowUp', false);
    kbc.keyEvent('F7', true);
    kbc.keyEvent('F7', false);
    expect(hexes(drain())).toBe('1e 9e e0 48 e0 c8 41 c1');
    expect(kbc.keyEvent('NoSuchKey', true)).toBe(false);
  });

  it('passes raw set 2 when translation is off, and answers identify and set query accordingly', () => {
    const { io, kbc, drain, kbdCmd } = setup();
    kbdCmd(0xf2);
    expect(hexes(drain())).toBe('fa ab 41'); // translated ID
    kbdCmd(0xf0, 0x00);
    expect(hexes(drain())).toBe('fa fa 41');
    io.out8(0x64, 0x60);
    io.out8(0x60, 0x03);
    kbdCmd(0xf2);
    expect(hexes(drain())).toBe('fa ab 83');
    kbc.keyEvent('KeyA', true);
    kbc.keyEvent('KeyA', false);
    expect(hexes(drain())).toBe('1c f0 1c');
    kbdCmd(0xf0, 0x01); // scancode set 1 straight from the keyboard
    kbc.keyEvent('KeyA', true);
    kbc.keyEvent('KeyA', false);
    expect(hexes(drain())).toBe('fa fa 1e 9e');
    kbdCmd(0xf0, 0x03);
    expect(hexes(drain())).toBe('fa fe'); // set 3 is not supported
  });

  it('answers echo, LED, resend and unknown commands', () => {
    const { kbc, drain, kbdCmd } = setup();
    kbdCmd(0xee);
    expect(hexes(drain())).toBe('ee');
    kbdCmd(0xed, 0x05);
    expect(hexes(drain())).toBe('fa fa');
    expect(kbc.keyboard.ledState).toBe(5);
    kbdCmd(0xfe);
    expect(hexes(drain())).toBe('fa');
    kbdCmd(0x55);
    expect(hexes(drain())).toBe('fe');
    kbdCmd(0xed, 0xf4); // a command in place of the argument starts over
    expect(hexes(drain())).toBe('fa fa');
  });

  it('stops and restarts scanning with F5h/F4h and holds data while the interface is disabled', () => {
    const { io, kbc, drain, kbdCmd } = setup();
    kbdCmd(0xf5);
    drain();
    kbc.keyEvent('KeyB', true);
    expect(drain()).toEqual([]);
    kbdCmd(0xf4);
    expect(hexes(drain())).toBe('fa');
    io.out8(0x64, 0xad);
    kbc.keyEvent('KeyB', false);
    expect(drain()).toEqual([]);
    io.out8(0x64, 0xae);
    expect(hexes(drain())).toBe('b0');
  });

  it('repeats a held key in virtual time at the typematic rate set by F3h', () => {
    const { s, kbc, drain, kbdCmd } = setup();
    kbdCmd(0xf3, 0x20); // 500 ms delay, 30 cps (33.36 ms)
    expect(hexes(drain())).toBe('fa fa');
    const t0 = s.now;
    kbc.keyEvent('KeyZ', true);
    const times: number[] = [];
    while (s.now - t0 < 700_000) {
      s.advance(100);
      if (kbc.readStatus() & 1) {
        kbc.readData();
        times.push(s.now - t0);
      }
    }
    kbc.keyEvent('KeyZ', false);
    expect(times[0]).toBe(100);
    expect(times[1]).toBe(500_000);
    expect(times[2] - times[1]).toBe(33_400);
    expect(times.length).toBe(2 + Math.floor(200_000 / 33_360));
  });

  it('gates IRQ1 with the command byte while still setting OBF', () => {
    const { io, irq1, kbc } = setup();
    io.out8(0x64, 0x60);
    io.out8(0x60, 0x42);
    kbc.keyEvent('KeyC', true);
    expect(io.in8(0x64) & 1).toBe(1);
    expect(irq1.level).toBe(false);
    io.out8(0x64, 0x60);
    io.out8(0x60, 0x43);
    expect(irq1.level).toBe(true);
  });
});

describe('PS/2 mouse on the aux port', () => {
  it('acknowledges commands over IRQ12 and reports movement packets with sign and overflow bits', () => {
    const { io, kbc, irq12, drain, mouseCmd } = setup();
    mouseCmd(0xff);
    expect(hexes(drain())).toBe('fa aa 00');
    expect(irq12.rises().length).toBe(3);
    mouseCmd(0xf4);
    drain();
    kbc.mouseMove(10, 5, 1);
    expect(io.in8(0x64) & 0x21).toBe(0x21);
    expect(hexes(drain())).toBe('29 0a fb'); // left button, Y negative (moved down), dx 10, dy -5
    kbc.mouseMove(300, -400, 2);
    expect(hexes(drain())).toBe('ca ff ff'); // right button, both overflow, clamped
    kbc.mouseMove(-3, 0, 2);
    expect(hexes(drain())).toBe('1a fd 00');
    kbc.mouseMove(0, 0, 0); // button release alone reports
    expect(hexes(drain())).toBe('08 00 00');
  });

  it('accumulates movement while a packet waits to be read', () => {
    const { kbc, drain, mouseCmd } = setup();
    mouseCmd(0xf4);
    drain();
    kbc.mouseMove(1, 0, 0);
    kbc.mouseMove(2, 0, 0);
    kbc.mouseMove(3, 0, 0);
    expect(hexes(drain())).toBe('08 01 00 08 05 00');
  });

  it('answers status, ID, resolution, rate, scaling, remote read and wrap mode', () => {
    const { kbc, drain, mouseCmd } = setup();
    mouseCmd(0xe8, 0x03, 0xf3, 0x28, 0xe7);
    expect(hexes(drain())).toBe('fa fa fa fa fa');
    mouseCmd(0xe9);
    expect(hexes(drain())).toBe('fa 10 03 28');
    mouseCmd(0xf2);
    expect(hexes(drain())).toBe('fa 00');
    mouseCmd(0xf0); // remote mode
    drain();
    kbc.mouseMove(4, -4, 4);
    expect(drain()).toEqual([]);
    mouseCmd(0xeb);
    expect(hexes(drain())).toBe('fa 0c 04 04'); // remote read is not scaled
    mouseCmd(0xee, 0x12, 0x34, 0xec);
    expect(hexes(drain())).toBe('fa 12 34 fa');
    mouseCmd(0x01);
    expect(hexes(drain())).toBe('fe');
  });

  it('becomes an IntelliMouse after the 200/100/80 rate knock and sends wheel bytes', () => {
    const { kbc, drain, mouseCmd } = setup();
    mouseCmd(0xf3, 200, 0xf3, 100, 0xf3, 80, 0xf2);
    expect(hexes(drain()).endsWith('fa 03')).toBe(true);
    mouseCmd(0xf4);
    drain();
    kbc.mouseMove(0, 0, 0, -2);
    expect(hexes(drain())).toBe('08 00 00 fe');
  });

  it('holds mouse data while the aux interface is disabled (A7h) until A8h', () => {
    const { io, drain, mouseCmd } = setup();
    io.out8(0x64, 0xa7);
    mouseCmd(0xf2);
    expect(drain()).toEqual([]);
    io.out8(0x64, 0xa8);
    expect(hexes(drain())).toBe('fa 00');
  });
});

describe('8042 resets', () => {
  it('restarts the controller on the system RESET line while the keyboard keeps its queue', () => {
    const { io, kbc, drain } = setup();
    io.out8(0x64, 0xaa);
    io.in8(0x60);
    io.out8(0x64, 0xad); // keyboard interface off: keys wait in the keyboard
    kbc.keyEvent('KeyQ', true);
    kbc.reset('hard');
    expect(io.in8(0x64) & 0x04).toBe(0); // system flag clear again: a cold start for the BIOS
    expect(drain()).toEqual([0x10]); // the default command byte enables the interface again
    kbc.keyEvent('KeyQ', false);
    kbc.reset('power');
    expect(drain()).toEqual([]);
  });
});

describe('8042 save and load', () => {
  it('continues identically with queued keys, a pending delivery and a half-translated break', () => {
    const a = setup();
    a.kbdCmd(0xf3, 0x00);
    a.drain();
    a.mouseCmd(0xf4);
    a.drain();
    for (const ch of ['KeyH', 'KeyI', 'Enter', 'ArrowLeft']) {
      a.kbc.keyEvent(ch, true);
      a.kbc.keyEvent(ch, false);
    }
    a.kbc.keyEvent('ShiftLeft', true);
    a.kbc.mouseMove(7, 7, 1);
    a.io.in8(0x60);
    a.s.advance(1000);
    a.io.in8(0x60);
    a.s.advance(300);
    const kbcState = a.kbc.saveState();
    const schedState = a.s.saveState();
    const b = setup();
    b.s.loadState(schedState);
    b.kbc.loadState(kbcState);
    const run = (x: ReturnType<typeof setup>) => {
      const got = x.drain(400);
      x.kbc.keyEvent('ShiftLeft', false);
      x.kbc.mouseMove(-1, 2, 0);
      return [...got, ...x.drain(30)];
    };
    const ra = run(a);
    expect(run(b)).toEqual(ra);
    expect(ra.filter((b) => b === 0x2a).length).toBeGreaterThan(2); // typematic repeats of the held Shift
    expect(b.kbc.saveState()).toEqual(a.kbc.saveState());
  });
});

// MC146818A behaviour from the Motorola data sheet (registers A-D, update cycle and UIP timing
// table, periodic rate table, alarm don't-care codes, divider reset) and the AT CMOS layout from
// the IBM AT Technical Reference (checksum over 10h-2Dh at 2Eh-2Fh, shutdown byte 0Fh).
// The Scheduler runs at 1 MHz here unless stated, so one tick is one microsecond.
import { describe, expect, it } from 'vitest';
import { IoBus } from '../io/ioBus.js';
import { Scheduler } from '../machine/scheduler.js';
import { buildCmos, CMOS, cmosChecksum, Rtc146818 } from './rtc146818.js';
import { RecordingIrqLine } from './testIrq.js';

const US = 1_000_000;

function setup(start = '2024-02-28T23:59:58Z', hz = US, cmos?: Uint8Array) {
  const io = new IoBus();
  const s = new Scheduler(hz);
  const irq = new RecordingIrqLine(s);
  const nmi: boolean[] = [];
  const rtc = new Rtc146818(io, s, irq, { startTime: new Date(start), cmos, onNmiMask: (m) => nmi.push(m) });
  const rd = (reg: number) => (io.out8(0x70, reg), io.in8(0x71));
  const wr = (reg: number, v: number) => (io.out8(0x70, reg), io.out8(0x71, v));
  const clock = () => [9, 8, 7, 4, 2, 0].map((r) => rd(r).toString(16).padStart(2, '0')).join(' ');
  return { io, s, irq, rtc, rd, wr, clock, nmi };
}

describe('MC146818A RTC', () => {
  it('starts from the configured time in BCD 24-hour mode, with the century byte', () => {
    const { rd, clock } = setup();
    expect(clock()).toBe('24 02 28 23 59 58');
    expect(rd(CMOS.dayOfWeek)).toBe(4); // Wednesday; Sunday = 1
    expect(rd(CMOS.century)).toBe(0x20);
    expect(rd(CMOS.regA)).toBe(0x26);
    expect(rd(CMOS.regB)).toBe(0x02);
    expect(rd(CMOS.regD)).toBe(0x80);
  });

  it('advances once per virtual second through a leap day, month and year end', () => {
    const { s, rd, wr, clock } = setup();
    s.advance(2 * US);
    expect(clock()).toBe('24 02 29 00 00 00');
    expect(rd(CMOS.dayOfWeek)).toBe(5);
    wr(CMOS.regB, 0x82); // SET while writing the time, as a BIOS does
    wr(CMOS.year, 0x99);
    wr(CMOS.month, 0x12);
    wr(CMOS.dayOfMonth, 0x31);
    wr(CMOS.hours, 0x23);
    wr(CMOS.minutes, 0x59);
    wr(CMOS.seconds, 0x59);
    wr(CMOS.dayOfWeek, 7);
    s.advance(5 * US);
    expect(clock()).toBe('99 12 31 23 59 59'); // SET inhibits update transfers
    wr(CMOS.regB, 0x02);
    s.advance(US);
    expect(clock()).toBe('00 01 01 00 00 00');
    expect(rd(CMOS.dayOfWeek)).toBe(1);
    expect(rd(CMOS.century)).toBe(0x20); // the chip has no century register
  });

  it('counts in binary and 12-hour mode when register B says so, without converting stored values', () => {
    const { s, rd, wr } = setup('2023-02-28T23:59:59Z');
    wr(CMOS.regB, 0x84); // SET, binary, 12-hour
    wr(CMOS.hours, 0x80 | 11); // 11 PM
    wr(CMOS.minutes, 59);
    wr(CMOS.seconds, 59);
    wr(CMOS.dayOfMonth, 28);
    wr(CMOS.month, 2);
    wr(CMOS.year, 23);
    wr(CMOS.regB, 0x04);
    s.advance(US);
    expect([rd(CMOS.hours), rd(CMOS.minutes), rd(CMOS.seconds), rd(CMOS.dayOfMonth), rd(CMOS.month)]).toEqual([12, 0, 0, 1, 3]);
    wr(CMOS.hours, 11); // 11 AM
    wr(CMOS.minutes, 59);
    wr(CMOS.seconds, 59);
    s.advance(US);
    expect(rd(CMOS.hours)).toBe(0x80 | 12); // noon is 12 PM
  });

  it('sets UIP 244 us before each update and holds it through the 1984 us update cycle', () => {
    const { s, rd } = setup();
    const uipAt = (t: number) => {
      s.advance(t - s.now);
      return (rd(CMOS.regA) & 0x80) !== 0;
    };
    expect(uipAt(US - 245)).toBe(false);
    expect(uipAt(US - 244)).toBe(true);
    expect(uipAt(US)).toBe(true);
    expect(uipAt(US + 1983)).toBe(true);
    expect(uipAt(US + 1984)).toBe(false);
    expect(uipAt(2 * US - 245)).toBe(false);
    expect(uipAt(2 * US - 100)).toBe(true);
  });

  it('sets PF at the selected rate even with PIE clear, and register C reads clear it', () => {
    const { s, rd, irq } = setup();
    s.advance(900); // 1024 Hz: first edge at 976.5625 us
    expect(rd(CMOS.regC)).toBe(0);
    s.advance(100);
    expect(rd(CMOS.regC)).toBe(0x40);
    expect(rd(CMOS.regC)).toBe(0);
    expect(irq.events).toEqual([]);
  });

  it('interrupts at the periodic rate with PIE: 1024 IRQ8 edges per virtual second at RS=6', () => {
    const hz = 25_000_000;
    const { s, rd, wr, irq } = setup('2024-01-01T00:00:00Z', hz);
    wr(CMOS.regB, 0x42);
    let served = 0;
    for (let i = 0; i < 1024 * 4; i++) {
      s.advance(Math.round(hz / 4096));
      if (irq.level) {
        expect(rd(CMOS.regC) & 0xc0).toBe(0xc0);
        served++;
      }
    }
    expect(served).toBe(1024);
    expect(irq.rises().length).toBe(1024);
    wr(CMOS.regA, 0x2f); // RS=15: 2 Hz
    irq.clear();
    for (let i = 0; i < 100; i++) {
      s.advance(hz / 100);
      if (irq.level) rd(CMOS.regC);
    }
    expect(irq.rises().length).toBe(2);
  });

  it('raises the alarm interrupt on a match, honouring C0h-FFh as "don\'t care"', () => {
    const { s, rd, wr, irq } = setup('2024-05-05T10:20:30Z');
    wr(CMOS.hoursAlarm, 0xc0);
    wr(CMOS.minutesAlarm, 0xff);
    wr(CMOS.secondsAlarm, 0x33);
    wr(CMOS.regB, 0x22); // AIE
    s.advance(2 * US);
    expect(irq.level).toBe(false);
    s.advance(US);
    expect(irq.level).toBe(true);
    // IRQF, AF, and the flags whose interrupts are disabled but which the chip sets anyway: PF
    // (the 1024 Hz tap runs) and UF (every update).
    expect(rd(CMOS.regC)).toBe(0xf0);
    expect(irq.level).toBe(false);
    s.advance(US);
    expect(rd(CMOS.regC)).toBe(0x50); // no alarm at :34; PF and UF without PIE/UIE do not raise IRQF
  });

  it('interrupts after every update with UIE, and setting SET clears UIE', () => {
    const { s, rd, wr, irq } = setup();
    wr(CMOS.regB, 0x12);
    s.advance(3 * US + 10);
    expect(irq.rises().length).toBe(1); // the line stays up until register C is read
    rd(CMOS.regC);
    s.advance(US);
    expect(irq.rises().length).toBe(2);
    rd(CMOS.regC);
    wr(CMOS.regB, 0x92);
    expect(rd(CMOS.regB)).toBe(0x82);
  });

  it('stops in divider reset and makes the first update 500 ms after release', () => {
    const { s, rd, wr, clock } = setup('2024-01-01T00:00:00Z');
    s.advance(300_000);
    wr(CMOS.regA, 0x76);
    s.advance(5 * US);
    expect(clock()).toBe('24 01 01 00 00 00');
    wr(CMOS.regA, 0x26);
    s.advance(499_999);
    expect(rd(CMOS.seconds)).toBe(0);
    s.advance(1);
    expect(rd(CMOS.seconds)).toBe(1);
    s.advance(US);
    expect(rd(CMOS.seconds)).toBe(2);
  });

  it('masks NMI with port 70h bit 7, ignores writes to C and D, and reads 70h as FFh', () => {
    const { io, rd, wr, nmi } = setup();
    io.out8(0x70, 0x0f);
    io.out8(0x70, 0x8f);
    expect(nmi).toEqual([true, false, true]);
    expect(io.in8(0x70)).toBe(0xff);
    wr(CMOS.regD, 0x00);
    expect(rd(CMOS.regD)).toBe(0x80);
    wr(CMOS.regC, 0xff);
    expect(rd(CMOS.regC)).toBe(0);
    wr(0x7f, 0x5a);
    io.out8(0x70, 0xff);
    expect(io.in8(0x71)).toBe(0x5a);
  });

  it('builds the AT CMOS image: memory sizes, drive types, equipment and a valid checksum', () => {
    const c = buildCmos({
      memoryBytes: 64 << 20,
      floppies: ['1.44M', '1.2M'],
      hardDisks: [{ cylinders: 65, heads: 16, sectors: 63 }],
      coprocessor: true,
    });
    const word = (a: number) => c[a] | (c[a + 1] << 8);
    expect(word(0x15)).toBe(640);
    expect(word(0x17)).toBe(63 * 1024);
    expect(word(0x30)).toBe(63 * 1024);
    expect(word(0x34)).toBe((48 << 20) >> 16);
    expect(c[0x10]).toBe(0x42);
    expect(c[0x14]).toBe(0x43); // two drives, floppy present, coprocessor, VGA
    expect(c[0x12]).toBe(0xf0);
    expect(c[0x19]).toBe(47);
    expect(Array.from(c.subarray(0x1b, 0x24))).toEqual([65, 0, 16, 0xff, 0xff, 0xc8, 65, 0, 63]);
    let sum = 0;
    for (let a = 0x10; a < 0x2e; a++) sum += c[a];
    expect((c[0x2e] << 8) | c[0x2f]).toBe(sum);
    expect(cmosChecksum(c)).toBe(sum);
    expect(buildCmos({ memoryBytes: 1 << 20 })[0x17]).toBe(0);
    expect(() => buildCmos({ memoryBytes: 1 << 19 })).toThrow(/at least 1 MiB/);
  });

  it('keeps CMOS RAM and the shutdown byte across a hard reset; power-on reloads the image', () => {
    const { s, rd, wr, rtc, clock, irq } = setup('2024-01-01T00:00:00Z', US, buildCmos({ memoryBytes: 4 << 20 }));
    wr(CMOS.shutdown, 0x0a);
    wr(0x40, 0x77);
    wr(CMOS.regB, 0x7e); // PIE AIE UIE SQWE, binary, 24 h
    s.advance(3 * US);
    expect(irq.level).toBe(true);
    rtc.reset('hard'); // the RESET pin: interrupt enables and flags go, data mode and time stay
    expect(irq.level).toBe(false);
    expect(rd(CMOS.regB)).toBe(0x06);
    expect(rd(CMOS.regC)).toBe(0);
    wr(CMOS.regB, 0x02);
    expect(rd(CMOS.shutdown)).toBe(0x0a);
    expect(rd(0x40)).toBe(0x77);
    expect(clock()).toBe('24 01 01 00 00 03');
    rtc.reset('power');
    expect(rd(CMOS.shutdown)).toBe(0);
    expect(rd(0x17) | (rd(0x18) << 8)).toBe(3 * 1024);
    expect(clock()).toBe('24 01 01 00 00 00');
  });

  it('continues identically after save and load with periodic, alarm and update activity', () => {
    const hz = 25_000_000;
    const a = setup('2024-12-31T23:59:57Z', hz);
    a.wr(CMOS.regA, 0x2a); // 64 Hz
    a.wr(CMOS.regB, 0x72); // PIE, AIE, UIE
    a.wr(CMOS.secondsAlarm, 0xc5);
    a.s.advance(hz * 0.7 + 12345);
    a.io.out8(0x70, 0x0c);
    const rtcState = a.rtc.saveState();
    const schedState = a.s.saveState();
    const b = setup('2000-01-01T00:00:00Z', hz);
    b.s.loadState(schedState);
    b.rtc.loadState(rtcState);
    const run = (x: ReturnType<typeof setup>) => {
      const seen: string[] = [];
      for (let i = 0; i < 400; i++) {
        x.s.advance(hz / 97);
        seen.push(`${x.io.in8(0x71)}`); // index 0Ch was selected before the save
        x.io.out8(0x70, 0x0a);
        seen.push(`${x.io.in8(0x71)} ${x.clock()}`);
        x.io.out8(0x70, 0x0c);
      }
      return seen;
    };
    expect(run(b)).toEqual(run(a));
    expect(b.rtc.saveState()).toEqual(a.rtc.saveState());
  });
});

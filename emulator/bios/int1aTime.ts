/**
 * INT 1Ah: the tick counter at 40:6Ch (kept by INT 08h) and the RTC. Reading the clock goes through
 * the rtc_read routine (CMOS ports 70h/71h, waiting out an update cycle); INT1A_DONE then answers
 * the read, or builds the CMOS writes for setting the time, date or alarm and hands them to
 * cmos_script.
 */
import type { BiosContext } from './biosContext.js';

const TICKS = 0x6c;
const MIDNIGHT = 0x70;

export function int1a(b: BiosContext): void {
  const ah = b.ah;
  switch (ah) {
    case 0x00:
      b.cx = b.bda16(TICKS + 2);
      b.dx = b.bda16(TICKS);
      b.al = b.bda8(MIDNIGHT);
      b.setBda8(MIDNIGHT, 0);
      return;
    case 0x01:
      b.setBda16(TICKS + 2, b.cx);
      b.setBda16(TICKS, b.dx);
      b.setBda8(MIDNIGHT, 0);
      return;
    case 0x02:
    case 0x03:
    case 0x04:
    case 0x05:
    case 0x06:
    case 0x07:
      return b.jump('rtc_read');
    default:
      b.carry = true;
      return;
  }
}

/** After rtc_read: BL sec, BH min, CL hour, CH day, DL month, DH year, AH century, AL status B. */
export function int1aDone(b: BiosContext): void {
  const cpu = b.cpu;
  const regB = cpu.getReg('al');
  const op = b.ah;
  switch (op) {
    case 0x02:
      b.ch = cpu.getReg('cl');
      b.cl = cpu.getReg('bh');
      b.dh = cpu.getReg('bl');
      b.dl = regB & 0x01;
      b.carry = false;
      return;
    case 0x04:
      b.ch = cpu.getReg('ah');
      b.cl = cpu.getReg('dh');
      b.dh = cpu.getReg('dl');
      b.dl = cpu.getReg('ch');
      b.carry = false;
      return;
    case 0x03: {
      const keep = regB & 0x66;
      b.carry = false;
      return b.cmosScript([
        [0x0b, keep | 0x82],
        [0x00, b.dh],
        [0x02, b.cl],
        [0x04, b.ch],
        [0x0b, keep | 0x02 | (b.dl & 0x01)],
      ]);
    }
    case 0x05:
      b.carry = false;
      return b.cmosScript([
        [0x0b, regB | 0x80],
        [0x07, b.dl],
        [0x08, b.dh],
        [0x09, b.cl],
        [0x32, b.ch],
        [0x0b, regB & 0x7f],
      ]);
    case 0x06:
      if (regB & 0x20) {
        b.carry = true;
        return;
      }
      b.carry = false;
      return b.cmosScript([
        [0x01, b.dh],
        [0x03, b.cl],
        [0x05, b.ch],
        [0x0b, (regB & 0x7f) | 0x20],
      ]);
    case 0x07:
      b.carry = false;
      return b.cmosScript([[0x0b, regB & ~0x20 & 0x7f]]);
    default:
      return;
  }
}

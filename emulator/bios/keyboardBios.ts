/**
 * The keyboard half of the BIOS: INT 09h's translation of set-1 scancodes (the 8042 translates the
 * keyboard's set 2) into the (scan << 8 | ASCII) words of the type-ahead buffer at 40:1Eh, the
 * shift states in 40:17h/18h/96h, Alt+keypad codes, Ctrl+Break and Ctrl+Alt+Del; and INT 16h,
 * which reads that buffer; the lock LEDs (command EDh) and typematic rate (F3h) go to the keyboard
 * through port 60h from x86 in the ROM.
 */
import type { BiosContext } from './biosContext.js';

const FLAGS1 = 0x17;
const FLAGS2 = 0x18;
const ALT_KEYPAD = 0x19;
const HEAD = 0x1a;
const TAIL = 0x1c;
const BREAK_FLAG = 0x71;
const RESET_FLAG = 0x72;
const BUF_START = 0x80;
const BUF_END = 0x82;
const FLAGS3 = 0x96;
const FLAGS4 = 0x97;

type Row = readonly [number, number, number, number]; // normal, shift, ctrl, alt

// Scancodes 10h-32h; dots are the non-letter keys in between ([ ] Enter Ctrl, ; ' ` LShift \).
const LETTERS = 'qwertyuiop....asdfghjkl.....zxcvbnm';
const TABLE: (Row | undefined)[] = [];

function ascii(ch: string): number {
  return ch.charCodeAt(0);
}

function build(): void {
  const set = (scan: number, normal: number, shift: number, ctrl: number, alt: number): void => {
    TABLE[scan] = [normal, shift, ctrl, alt];
  };
  set(0x01, 0x011b, 0x011b, 0x011b, 0x0100);
  const digits = '1234567890-=';
  const shifted = '!@#$%^&*()_+';
  for (let i = 0; i < 12; i++) {
    const scan = 0x02 + i;
    const ctrl = scan === 0x03 ? 0x0300 : scan === 0x07 ? 0x071e : scan === 0x0c ? 0x0c1f : 0;
    set(scan, (scan << 8) | ascii(digits[i]), (scan << 8) | ascii(shifted[i]), ctrl, (0x78 + i) << 8);
  }
  set(0x0e, 0x0e08, 0x0e08, 0x0e7f, 0x0e00);
  set(0x0f, 0x0f09, 0x0f00, 0x9400, 0xa500);
  for (let i = 0; i < LETTERS.length; i++) {
    const c = LETTERS[i];
    if (c === '.') continue;
    const scan = 0x10 + i;
    const a = ascii(c);
    set(scan, (scan << 8) | a, (scan << 8) | (a - 32), (scan << 8) | (a - 96), scan << 8);
  }
  const punct: [number, string, string, number][] = [
    [0x1a, '[', '{', 0x1a1b],
    [0x1b, ']', '}', 0x1b1d],
    [0x27, ';', ':', 0],
    [0x28, "'", '"', 0],
    [0x29, '`', '~', 0],
    [0x2b, '\\', '|', 0x2b1c],
    [0x33, ',', '<', 0],
    [0x34, '.', '>', 0],
    [0x35, '/', '?', 0],
  ];
  for (const [scan, n, s, ctrl] of punct) set(scan, (scan << 8) | ascii(n), (scan << 8) | ascii(s), ctrl, scan << 8);
  set(0x1c, 0x1c0d, 0x1c0d, 0x1c0a, 0x1c00);
  set(0x37, 0x372a, 0x372a, 0x9600, 0x3700);
  set(0x39, 0x3920, 0x3920, 0x3920, 0x3920);
  for (let i = 0; i < 10; i++) set(0x3b + i, (0x3b + i) << 8, (0x54 + i) << 8, (0x5e + i) << 8, (0x68 + i) << 8);
  const padNormal = [0x4700, 0x4800, 0x4900, 0x4a2d, 0x4b00, 0x4c00, 0x4d00, 0x4e2b, 0x4f00, 0x5000, 0x5100, 0x5200, 0x5300];
  const padDigits = '789-456+1230.';
  const padCtrl = [0x7700, 0x8d00, 0x8400, 0x8e00, 0x7300, 0x8f00, 0x7400, 0x9000, 0x7500, 0x9100, 0x7600, 0x9200, 0x9300];
  for (let i = 0; i < 13; i++) set(0x47 + i, padNormal[i], ((0x47 + i) << 8) | ascii(padDigits[i]), padCtrl[i], 0);
  set(0x57, 0x8500, 0x8700, 0x8900, 0x8b00);
  set(0x58, 0x8600, 0x8800, 0x8a00, 0x8c00);
}
build();

// Grey (E0-prefixed) cursor keys: scan -> [ctrl, alt] codes; normal and shift put E0h in ASCII.
const GREY: Record<number, readonly [number, number]> = {
  0x47: [0x77e0, 0x9700], 0x48: [0x8de0, 0x9800], 0x49: [0x84e0, 0x9900], 0x4b: [0x73e0, 0x9b00],
  0x4d: [0x74e0, 0x9d00], 0x4f: [0x75e0, 0x9f00], 0x50: [0x91e0, 0xa000], 0x51: [0x76e0, 0xa100],
  0x52: [0x92e0, 0xa200], 0x53: [0x93e0, 0xa300],
};

export function bufferPut(b: BiosContext, word: number): boolean {
  const tail = b.bda16(TAIL);
  let next = tail + 2;
  if (next >= b.bda16(BUF_END)) next = b.bda16(BUF_START);
  if (next === b.bda16(HEAD)) return false;
  b.setBda16(tail, word);
  b.setBda16(TAIL, next);
  return true;
}

/**
 * INT 09h after the INT 15h AH=4Fh intercept: AL (live register) is the scancode. Ctrl+Alt+Del
 * sets the warm-boot flag and continues at warm_boot.
 */
export function keyScancode(b: BiosContext): void {
  const code = b.cpu.getReg('al');
  // No LED update unless a lock state changes (see the end).
  b.cpu.setReg('ch', 0);
  let f1 = b.bda8(FLAGS1);
  let f2 = b.bda8(FLAGS2);
  let f3 = b.bda8(FLAGS3);
  const e0 = (f3 & 0x02) !== 0;
  f3 &= ~0x03;
  if (code === 0xe0) {
    b.setBda8(FLAGS3, f3 | 0x02);
    return;
  }
  if (code === 0xe1) {
    b.setBda8(FLAGS3, f3 | 0x01);
    return;
  }
  const release = (code & 0x80) !== 0;
  const scan = code & 0x7f;
  const put = (word: number): void => {
    bufferPut(b, word);
  };
  switch (scan) {
    case 0x2a:
    case 0x36: {
      if (e0) break; // the keyboard's fake shifts around grey keys
      const bit = scan === 0x2a ? 0x02 : 0x01;
      f1 = release ? f1 & ~bit : f1 | bit;
      break;
    }
    case 0x1d:
      if (e0) f3 = release ? f3 & ~0x04 : f3 | 0x04;
      else f2 = release ? f2 & ~0x01 : f2 | 0x01;
      f1 = (f2 & 0x01) | (f3 & 0x04) ? f1 | 0x04 : f1 & ~0x04;
      break;
    case 0x38:
      if (e0) f3 = release ? f3 & ~0x08 : f3 | 0x08;
      else f2 = release ? f2 & ~0x02 : f2 | 0x02;
      f1 = (f2 & 0x02) | (f3 & 0x08) ? f1 | 0x08 : f1 & ~0x08;
      if (release && !(f1 & 0x08)) {
        const v = b.bda8(ALT_KEYPAD);
        b.setBda8(ALT_KEYPAD, 0);
        if (v !== 0) put(v);
      }
      break;
    case 0x3a:
    case 0x45:
    case 0x46: {
      const bit = scan === 0x3a ? 0x40 : scan === 0x45 ? 0x20 : 0x10;
      if (scan === 0x46 && f1 & 0x04 && !release) {
        // Ctrl+Break: flush the buffer, flag it, leave a zero word.
        b.setBda16(HEAD, b.bda16(BUF_START));
        b.setBda16(TAIL, b.bda16(BUF_START));
        b.setBda8(BREAK_FLAG, 0x80);
        put(0);
        break;
      }
      if (release) f2 &= ~bit;
      else if (!(f2 & bit)) {
        f2 |= bit;
        f1 ^= bit;
      }
      break;
    }
    default: {
      if (release) break;
      if (scan === 0x53 && (f1 & 0x0c) === 0x0c) {
        b.setBda16(RESET_FLAG, 0x1234);
        b.setBda8(FLAGS1, f1);
        b.setBda8(FLAGS2, f2);
        b.setBda8(FLAGS3, f3);
        b.jump('warm_boot');
        return;
      }
      const shift = (f1 & 0x03) !== 0;
      if (e0) {
        if (scan === 0x1c) put(f1 & 0x08 ? 0xa600 : f1 & 0x04 ? 0xe00a : 0xe00d);
        else if (scan === 0x35) put(f1 & 0x08 ? 0xa400 : f1 & 0x04 ? 0x9500 : 0xe02f);
        else {
          const g = GREY[scan];
          if (g !== undefined) put(f1 & 0x08 ? g[1] : f1 & 0x04 ? g[0] : (scan << 8) | 0xe0);
          if (scan === 0x52) f1 ^= 0x80;
        }
        break;
      }
      const row = TABLE[scan];
      if (row === undefined) break;
      if (scan >= 0x47 && scan <= 0x53 && scan !== 0x4a && scan !== 0x4e) {
        if (f1 & 0x08) {
          const a = row[1] & 0xff;
          if (a >= 0x30 && a <= 0x39) b.setBda8(ALT_KEYPAD, (b.bda8(ALT_KEYPAD) * 10 + a - 0x30) & 0xff);
          break;
        }
        if (f1 & 0x04) put(row[2]);
        else if (((f1 & 0x20) !== 0) !== shift) put(row[1]);
        else {
          put(row[0]);
          if (scan === 0x52) f1 ^= 0x80;
        }
        break;
      }
      let word: number;
      if (f1 & 0x08) word = row[3];
      else if (f1 & 0x04) word = row[2];
      else {
        const letter = (row[0] & 0xff) >= 0x61 && (row[0] & 0xff) <= 0x7a;
        const caps = letter && (f1 & 0x40) !== 0;
        word = shift !== caps ? row[1] : row[0];
      }
      if (word !== 0) put(word);
    }
  }
  b.setBda8(FLAGS1, f1);
  b.setBda8(FLAGS2, f2);
  b.setBda8(FLAGS3, f3);
  // The keyboard's LEDs follow Scroll, Num and Caps Lock (40:97h bits 0-2); int09 sends them.
  const leds = (f1 >> 4) & 7;
  const f4 = b.bda8(FLAGS4);
  if ((f4 & 7) !== leds) {
    b.setBda8(FLAGS4, (f4 & ~7) | leds);
    b.cpu.setReg('cl', leds);
    b.cpu.setReg('ch', 1);
  }
}

/** Converts an extended buffer word for the non-extended INT 16h functions; -1 means skip it. */
function classic(word: number): number {
  const scan = word >> 8;
  const ch = word & 0xff;
  if (ch === 0xe0 && scan !== 0) return scan << 8;
  if (scan === 0xe0) return ch === 0x0d ? 0x1c0d : ch === 0x0a ? 0x1c0a : 0x352f;
  if (scan > 0x84 || (ch === 0 && [0x01, 0x0e, 0x0f, 0x1a, 0x1b, 0x27, 0x28, 0x29, 0x2b, 0x33, 0x34, 0x35, 0x37, 0x4a, 0x4c, 0x4e].includes(scan) && word !== 0)) {
    return -1;
  }
  return word;
}

export function int16(b: BiosContext): void {
  const ah = b.ah;
  switch (ah) {
    case 0x00:
    case 0x10:
    case 0x01:
    case 0x11: {
      const extended = ah >= 0x10;
      const peek = (ah & 0x0f) === 1;
      for (;;) {
        const head = b.bda16(HEAD);
        if (head === b.bda16(TAIL)) {
          b.onKeyboardIdle?.(!peek);
          if (peek) {
            b.zero = true;
            return;
          }
          return b.jump('kbd_wait');
        }
        const raw = b.bda16(head);
        const word = extended ? raw : classic(raw);
        let next = head + 2;
        if (next >= b.bda16(BUF_END)) next = b.bda16(BUF_START);
        if (word < 0) {
          b.setBda16(HEAD, next);
          continue;
        }
        b.ax = extended && (raw & 0xff) === 0xe0 && raw >> 8 === 0xe0 ? raw : word;
        if (peek) b.zero = false;
        else b.setBda16(HEAD, next);
        return;
      }
    }
    case 0x02:
      b.al = b.bda8(FLAGS1);
      return;
    case 0x12: {
      const f2 = b.bda8(FLAGS2);
      const f3 = b.bda8(FLAGS3);
      b.al = b.bda8(FLAGS1);
      b.ah = (f2 & 0x01) | (f2 & 0x02 ? 0x02 : 0) | (f3 & 0x04 ? 0x04 : 0) | (f3 & 0x08 ? 0x08 : 0) | (f2 & 0x70) | (f2 & 0x04 ? 0x80 : 0);
      return;
    }
    case 0x03:
      if (b.al === 0x05 && b.bh <= 3 && b.bl <= 0x1f) {
        b.cpu.setReg('cl', (b.bh << 5) | b.bl);
        b.jump('kbd_typematic');
      }
      return;
    case 0x05:
      b.al = bufferPut(b, b.cx) ? 0 : 1;
      return;
    case 0x09:
      b.al = 0x20;
      return;
    case 0x0a:
      b.bx = 0xab41;
      return;
    default:
      return;
  }
}

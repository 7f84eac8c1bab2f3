// Scancode sets 1 and 2 of the IBM enhanced keyboard (IBM PS/2 Hardware Interface Technical
// Reference, "Keyboard scan codes"): make/break encodings, the E0 group, Pause and Print Screen,
// and the 8042's set 2 -> set 1 translation.
import { describe, expect, it } from 'vitest';
import { charToKeyStrokes, isKeyCode, KEY_CODES, scancodeSequence, SET2_TO_SET1 } from './scancodes.js';

const none = { ctrl: false, shift: false, alt: false };

/** What the 8042 hands the CPU for a set 2 sequence with translation on. */
function translate(bytes: readonly number[]): number[] {
  const out: number[] = [];
  let brk = false;
  for (const b of bytes) {
    if (b === 0xf0) {
      brk = true;
      continue;
    }
    out.push(SET2_TO_SET1[b] | (brk ? 0x80 : 0));
    brk = false;
  }
  return out;
}

describe('scancodes', () => {
  it('encodes plain and E0-prefixed keys in both sets', () => {
    expect(scancodeSequence('KeyA', true, 2, none)).toEqual([0x1c]);
    expect(scancodeSequence('KeyA', false, 2, none)).toEqual([0xf0, 0x1c]);
    expect(scancodeSequence('KeyA', true, 1, none)).toEqual([0x1e]);
    expect(scancodeSequence('KeyA', false, 1, none)).toEqual([0x9e]);
    expect(scancodeSequence('ArrowUp', true, 2, none)).toEqual([0xe0, 0x75]);
    expect(scancodeSequence('ArrowUp', false, 2, none)).toEqual([0xe0, 0xf0, 0x75]);
    expect(scancodeSequence('NumpadEnter', false, 1, none)).toEqual([0xe0, 0x9c]);
    expect(scancodeSequence('F7', true, 2, none)).toEqual([0x83]);
    expect(scancodeSequence('NoSuchKey', true, 2, none)).toBeNull();
  });

  it('sends Pause and Break entirely on the make, and PrintScreen/SysRq by modifier', () => {
    expect(scancodeSequence('Pause', true, 2, none)).toEqual([0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77]);
    expect(scancodeSequence('Pause', false, 2, none)).toEqual([]);
    expect(scancodeSequence('Pause', true, 1, { ...none, ctrl: true })).toEqual([0xe0, 0x46, 0xe0, 0xc6]);
    expect(scancodeSequence('PrintScreen', true, 2, none)).toEqual([0xe0, 0x12, 0xe0, 0x7c]);
    expect(scancodeSequence('PrintScreen', false, 2, none)).toEqual([0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12]);
    expect(scancodeSequence('PrintScreen', true, 2, { ...none, shift: true })).toEqual([0xe0, 0x7c]);
    expect(scancodeSequence('PrintScreen', true, 1, { ...none, alt: true })).toEqual([0x54]);
    expect(scancodeSequence('PrintScreen', false, 2, { ...none, alt: true })).toEqual([0xf0, 0x84]);
  });

  it('translates every set 2 sequence into the set 1 sequence of the same key', () => {
    const variants = [none, { ...none, ctrl: true }, { ...none, shift: true }, { ...none, alt: true }];
    for (const code of KEY_CODES) {
      for (const mods of variants) {
        for (const pressed of [true, false]) {
          const s2 = scancodeSequence(code, pressed, 2, mods);
          const s1 = scancodeSequence(code, pressed, 1, mods);
          expect(s2).not.toBeNull();
          expect(translate(s2 ?? []), `${code} ${pressed ? 'make' : 'break'}`).toEqual(s1);
        }
      }
    }
  });

  it('translates the keyboard replies as real controllers do (overrun, scancode-set query)', () => {
    expect(SET2_TO_SET1[0x00]).toBe(0xff);
    expect([0x01, 0x02, 0x03].map((b) => SET2_TO_SET1[b])).toEqual([0x43, 0x41, 0x3f]);
    expect([0xfa, 0xaa, 0xee, 0xfe, 0xab, 0xe0, 0xe1].map((b) => SET2_TO_SET1[b])).toEqual([0xfa, 0xaa, 0xee, 0xfe, 0xab, 0xe0, 0xe1]);
    expect(SET2_TO_SET1[0x83]).toBe(0x41);
  });

  it('types every printable ASCII character on a US layout', () => {
    for (let c = 0x20; c < 0x7f; c++) {
      const ch = String.fromCharCode(c);
      const k = charToKeyStrokes(ch);
      expect(k, JSON.stringify(ch)).toBeDefined();
      expect(isKeyCode(k?.code ?? '')).toBe(true);
    }
    expect(charToKeyStrokes('a')).toEqual({ code: 'KeyA', shift: false });
    expect(charToKeyStrokes('Q')).toEqual({ code: 'KeyQ', shift: true });
    expect(charToKeyStrokes('@')).toEqual({ code: 'Digit2', shift: true });
    expect(charToKeyStrokes(')')).toEqual({ code: 'Digit0', shift: true });
    expect(charToKeyStrokes('\n')).toEqual({ code: 'Enter', shift: false });
    expect(charToKeyStrokes('|')).toEqual({ code: 'Backslash', shift: true });
    expect(charToKeyStrokes('é')).toBeUndefined();
    expect(charToKeyStrokes('ab')).toBeUndefined();
  });
});

/**
 * Keyboard scancodes: DOM `KeyboardEvent.code` values mapped to the make/break sequences of an
 * IBM enhanced (101/102-key) keyboard in scancode sets 1 and 2, the 8042's set 2 -> set 1
 * translation, and the US-layout character -> keystroke map the headless CLI uses to type text.
 *
 *   scancodeSequence('ArrowUp', true, 2, mods)  -> [E0h, 75h]
 *   scancodeSequence('ArrowUp', false, 2, mods) -> [E0h, F0h, 75h]
 *   charToKeyStrokes('A') -> { code: 'KeyA', shift: true }
 *
 * Set 1 breaks are the make code with bit 7 set; set 2 breaks put F0h before the last byte; keys
 * in the "extended" group carry an E0h prefix in both sets. Pause and Print Screen have the
 * special sequences of the IBM enhanced keyboard (Pause has no break code; Ctrl+Pause is Break,
 * Alt+PrintScreen is SysRq, Shift/Ctrl+PrintScreen send the short form). The "fake shift" codes
 * real keyboards add around the grey keys when NumLock or Shift is active are not generated: BIOS
 * and DOS keyboard handlers discard them.
 */

/** [set 1 make, set 2 make, extended (E0-prefixed)] */
type KeyEntry = readonly [set1: number, set2: number, extended?: boolean];

const E = true;

const KEYS: { readonly [code: string]: KeyEntry } = {
  Escape: [0x01, 0x76],
  Digit1: [0x02, 0x16],
  Digit2: [0x03, 0x1e],
  Digit3: [0x04, 0x26],
  Digit4: [0x05, 0x25],
  Digit5: [0x06, 0x2e],
  Digit6: [0x07, 0x36],
  Digit7: [0x08, 0x3d],
  Digit8: [0x09, 0x3e],
  Digit9: [0x0a, 0x46],
  Digit0: [0x0b, 0x45],
  Minus: [0x0c, 0x4e],
  Equal: [0x0d, 0x55],
  Backspace: [0x0e, 0x66],
  Tab: [0x0f, 0x0d],
  KeyQ: [0x10, 0x15],
  KeyW: [0x11, 0x1d],
  KeyE: [0x12, 0x24],
  KeyR: [0x13, 0x2d],
  KeyT: [0x14, 0x2c],
  KeyY: [0x15, 0x35],
  KeyU: [0x16, 0x3c],
  KeyI: [0x17, 0x43],
  KeyO: [0x18, 0x44],
  KeyP: [0x19, 0x4d],
  BracketLeft: [0x1a, 0x54],
  BracketRight: [0x1b, 0x5b],
  Enter: [0x1c, 0x5a],
  ControlLeft: [0x1d, 0x14],
  KeyA: [0x1e, 0x1c],
  KeyS: [0x1f, 0x1b],
  KeyD: [0x20, 0x23],
  KeyF: [0x21, 0x2b],
  KeyG: [0x22, 0x34],
  KeyH: [0x23, 0x33],
  KeyJ: [0x24, 0x3b],
  KeyK: [0x25, 0x42],
  KeyL: [0x26, 0x4b],
  Semicolon: [0x27, 0x4c],
  Quote: [0x28, 0x52],
  Backquote: [0x29, 0x0e],
  ShiftLeft: [0x2a, 0x12],
  Backslash: [0x2b, 0x5d],
  KeyZ: [0x2c, 0x1a],
  KeyX: [0x2d, 0x22],
  KeyC: [0x2e, 0x21],
  KeyV: [0x2f, 0x2a],
  KeyB: [0x30, 0x32],
  KeyN: [0x31, 0x31],
  KeyM: [0x32, 0x3a],
  Comma: [0x33, 0x41],
  Period: [0x34, 0x49],
  Slash: [0x35, 0x4a],
  ShiftRight: [0x36, 0x59],
  NumpadMultiply: [0x37, 0x7c],
  AltLeft: [0x38, 0x11],
  Space: [0x39, 0x29],
  CapsLock: [0x3a, 0x58],
  F1: [0x3b, 0x05],
  F2: [0x3c, 0x06],
  F3: [0x3d, 0x04],
  F4: [0x3e, 0x0c],
  F5: [0x3f, 0x03],
  F6: [0x40, 0x0b],
  F7: [0x41, 0x83],
  F8: [0x42, 0x0a],
  F9: [0x43, 0x01],
  F10: [0x44, 0x09],
  NumLock: [0x45, 0x77],
  ScrollLock: [0x46, 0x7e],
  Numpad7: [0x47, 0x6c],
  Numpad8: [0x48, 0x75],
  Numpad9: [0x49, 0x7d],
  NumpadSubtract: [0x4a, 0x7b],
  Numpad4: [0x4b, 0x6b],
  Numpad5: [0x4c, 0x73],
  Numpad6: [0x4d, 0x74],
  NumpadAdd: [0x4e, 0x79],
  Numpad1: [0x4f, 0x69],
  Numpad2: [0x50, 0x72],
  Numpad3: [0x51, 0x7a],
  Numpad0: [0x52, 0x70],
  NumpadDecimal: [0x53, 0x71],
  IntlBackslash: [0x56, 0x61],
  F11: [0x57, 0x78],
  F12: [0x58, 0x07],
  // Japanese and Brazilian keys of the 106/107-key layouts.
  KanaMode: [0x70, 0x13],
  IntlRo: [0x73, 0x51],
  Convert: [0x79, 0x64],
  NonConvert: [0x7b, 0x67],
  IntlYen: [0x7d, 0x6a],
  NumpadComma: [0x7e, 0x6d],
  // The extended group.
  NumpadEnter: [0x1c, 0x5a, E],
  ControlRight: [0x1d, 0x14, E],
  NumpadDivide: [0x35, 0x4a, E],
  AltRight: [0x38, 0x11, E],
  Home: [0x47, 0x6c, E],
  ArrowUp: [0x48, 0x75, E],
  PageUp: [0x49, 0x7d, E],
  ArrowLeft: [0x4b, 0x6b, E],
  ArrowRight: [0x4d, 0x74, E],
  End: [0x4f, 0x69, E],
  ArrowDown: [0x50, 0x72, E],
  PageDown: [0x51, 0x7a, E],
  Insert: [0x52, 0x70, E],
  Delete: [0x53, 0x71, E],
  MetaLeft: [0x5b, 0x1f, E],
  MetaRight: [0x5c, 0x27, E],
  ContextMenu: [0x5d, 0x2f, E],
  Power: [0x5e, 0x37, E],
  Sleep: [0x5f, 0x3f, E],
  WakeUp: [0x63, 0x5e, E],
};

/** Every KeyboardEvent.code the keyboard understands (including Pause and PrintScreen). */
export const KEY_CODES: readonly string[] = [...Object.keys(KEYS), 'Pause', 'PrintScreen'];

export function isKeyCode(code: string): boolean {
  return Object.prototype.hasOwnProperty.call(KEYS, code) || code === 'Pause' || code === 'PrintScreen';
}

/** Modifier keys held when a key goes down: they change what Pause and Print Screen send. */
export interface KeyModifiers {
  readonly ctrl: boolean;
  readonly shift: boolean;
  readonly alt: boolean;
}

function specialSequence(code: 'Pause' | 'PrintScreen', pressed: boolean, set: 1 | 2, mods: KeyModifiers): number[] {
  if (code === 'Pause') {
    if (!pressed) return []; // Pause and Break send everything on the make
    if (mods.ctrl) return set === 2 ? [0xe0, 0x7e, 0xe0, 0xf0, 0x7e] : [0xe0, 0x46, 0xe0, 0xc6];
    return set === 2 ? [0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77] : [0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5];
  }
  if (mods.alt) {
    // SysRq
    if (set === 2) return pressed ? [0x84] : [0xf0, 0x84];
    return pressed ? [0x54] : [0xd4];
  }
  if (mods.shift || mods.ctrl) {
    if (set === 2) return pressed ? [0xe0, 0x7c] : [0xe0, 0xf0, 0x7c];
    return pressed ? [0xe0, 0x37] : [0xe0, 0xb7];
  }
  if (set === 2) return pressed ? [0xe0, 0x12, 0xe0, 0x7c] : [0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12];
  return pressed ? [0xe0, 0x2a, 0xe0, 0x37] : [0xe0, 0xb7, 0xe0, 0xaa];
}

/**
 * The bytes the keyboard sends when `code` goes down (`pressed`) or up, in scancode set 1 or 2,
 * or null for a code it has no key for.
 */
export function scancodeSequence(code: string, pressed: boolean, set: 1 | 2, mods: KeyModifiers): number[] | null {
  if (code === 'Pause' || code === 'PrintScreen') return specialSequence(code, pressed, set, mods);
  if (!Object.prototype.hasOwnProperty.call(KEYS, code)) return null;
  const [s1, s2, ext] = KEYS[code];
  const out: number[] = ext ? [0xe0] : [];
  if (set === 1) out.push(pressed ? s1 : s1 | 0x80);
  else {
    if (!pressed) out.push(0xf0);
    out.push(s2);
  }
  return out;
}

/**
 * The 8042's translation of set 2 bytes to set 1 (the F0h break prefix is handled by the
 * controller, which sets bit 7 of the next translated byte). Derived from the key table, plus the
 * entries the keyboard's own replies go through: 00h (set 2 overrun) -> FFh (set 1 overrun), and
 * 02h -> 41h, which makes "get scancode set" read 41h for set 2 through translation as on real
 * controllers (01h -> 43h and 03h -> 3Fh follow from F9 and F5). Bytes the table does not name
 * pass unchanged.
 */
export const SET2_TO_SET1: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) t[i] = i;
  for (const [s1, s2] of Object.values(KEYS)) t[s2] = s1;
  t[0x00] = 0xff;
  t[0x02] = 0x41;
  t[0x84] = 0x54; // SysRq
  return t;
})();

export interface KeyStroke {
  /** The KeyboardEvent.code of the key to press. */
  readonly code: string;
  /** Whether Shift must be held (US layout). */
  readonly shift: boolean;
}

const SHIFTED_DIGITS = ')!@#$%^&*(';
const PUNCTUATION: { readonly [ch: string]: KeyStroke } = {
  ' ': { code: 'Space', shift: false },
  '\n': { code: 'Enter', shift: false },
  '\r': { code: 'Enter', shift: false },
  '\t': { code: 'Tab', shift: false },
  '\b': { code: 'Backspace', shift: false },
  '\x1b': { code: 'Escape', shift: false },
  '-': { code: 'Minus', shift: false },
  _: { code: 'Minus', shift: true },
  '=': { code: 'Equal', shift: false },
  '+': { code: 'Equal', shift: true },
  '[': { code: 'BracketLeft', shift: false },
  '{': { code: 'BracketLeft', shift: true },
  ']': { code: 'BracketRight', shift: false },
  '}': { code: 'BracketRight', shift: true },
  '\\': { code: 'Backslash', shift: false },
  '|': { code: 'Backslash', shift: true },
  ';': { code: 'Semicolon', shift: false },
  ':': { code: 'Semicolon', shift: true },
  "'": { code: 'Quote', shift: false },
  '"': { code: 'Quote', shift: true },
  '`': { code: 'Backquote', shift: false },
  '~': { code: 'Backquote', shift: true },
  ',': { code: 'Comma', shift: false },
  '<': { code: 'Comma', shift: true },
  '.': { code: 'Period', shift: false },
  '>': { code: 'Period', shift: true },
  '/': { code: 'Slash', shift: false },
  '?': { code: 'Slash', shift: true },
};

/**
 * The key (and whether Shift is needed) that types `ch` on a US keyboard, or undefined for a
 * character the US layout cannot type. Newline and carriage return are Enter, tab is Tab, \b is
 * Backspace and ESC (1Bh) is Escape.
 */
export function charToKeyStrokes(ch: string): KeyStroke | undefined {
  if (ch.length !== 1) return undefined;
  if (ch >= 'a' && ch <= 'z') return { code: `Key${ch.toUpperCase()}`, shift: false };
  if (ch >= 'A' && ch <= 'Z') return { code: `Key${ch}`, shift: true };
  if (ch >= '0' && ch <= '9') return { code: `Digit${ch}`, shift: false };
  const d = SHIFTED_DIGITS.indexOf(ch);
  if (d >= 0) return { code: `Digit${d}`, shift: true };
  return Object.prototype.hasOwnProperty.call(PUNCTUATION, ch) ? PUNCTUATION[ch] : undefined;
}

/**
 * Types text into the guest as key presses and releases, one keystroke at a time, when the guest
 * waits for a key: the BIOS reports an INT 16h read (AH=00h/10h) finding its buffer empty. A guest
 * that only polls (AH=01h/11h) or reads the keyboard some other way gets a keystroke once it has
 * gone `patienceTicks` of virtual time without one; a poll alone does not trigger typing, because
 * programs also poll to flush type-ahead or to look for a hot key. Both triggers are virtual-time
 * events, so typing is deterministic.
 *
 * Text: characters of the US layout; `\n` is Enter; `{Name}` is a KeyboardEvent.code such as
 * `{Escape}`, `{F5}` or `{ArrowUp}`; `{{` types a `{`.
 */
import { charToKeyStrokes, isKeyCode } from '../devices/scancodes.js';

export interface KeyEventSink {
  keyEvent(code: string, pressed: boolean): void;
}

interface Stroke {
  readonly code: string;
  readonly shift: boolean;
}

export class KeysError extends Error {}

/** Parses typed text into keystrokes; throws with the offending character or name. */
export function parseKeys(text: string): Stroke[] {
  const out: Stroke[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '{') {
      if (text[i + 1] === '{') {
        out.push(charToKeyStrokes('{') as Stroke);
        i++;
        continue;
      }
      const end = text.indexOf('}', i);
      if (end < 0) throw new KeysError(`unclosed '{' in typed keys at position ${i + 1}`);
      const name = text.slice(i + 1, end);
      if (!isKeyCode(name)) throw new KeysError(`unknown key name {${name}}`);
      out.push({ code: name, shift: false });
      i = end;
      continue;
    }
    if (ch === '\n' || ch === '\r') {
      out.push({ code: 'Enter', shift: false });
      continue;
    }
    if (ch === '\t') {
      out.push({ code: 'Tab', shift: false });
      continue;
    }
    const s = charToKeyStrokes(ch);
    if (!s) throw new KeysError(`cannot type the character ${JSON.stringify(ch)} on a US keyboard`);
    out.push(s);
  }
  return out;
}

/** Virtual time the 8042 needs to hand over a keystroke's scancodes, as a fraction of a second. */
const STROKE_GAP_SECONDS = 1 / 20;

export class KeyTypist {
  private queue: Stroke[] = [];
  private readonly gapTicks: number;
  private lastStroke = 0;
  private wanted = false;
  private polled = false;

  /** `ticksPerSecond` scales the gap between strokes; `patienceTicks` is the fallback for pollers. */
  constructor(
    private readonly patienceTicks: number,
    ticksPerSecond: number,
  ) {
    this.gapTicks = Math.round(ticksPerSecond * STROKE_GAP_SECONDS);
  }

  get pending(): number {
    return this.queue.length;
  }

  type(text: string, now: number): void {
    if (this.queue.length === 0) this.lastStroke = now - this.gapTicks;
    this.queue.push(...parseKeys(text));
  }

  /** The guest asked for a key and found none: `blocking` when it waits for one. */
  keyWanted(blocking: boolean): void {
    if (blocking) this.wanted = true;
    else this.polled = true;
  }

  /** Delivers the next keystroke if the guest wants one (or waited long enough). */
  pump(now: number, sink: KeyEventSink): void {
    if (this.queue.length === 0) {
      this.wanted = false;
      this.polled = false;
      return;
    }
    // One keystroke at a time: the last one's scancodes must have reached the guest first.
    if (now - this.lastStroke < this.gapTicks) return;
    if (!this.wanted && !(this.polled && now - this.lastStroke >= this.patienceTicks)) return;
    const s = this.queue.shift() as Stroke;
    if (s.shift) sink.keyEvent('ShiftLeft', true);
    sink.keyEvent(s.code, true);
    sink.keyEvent(s.code, false);
    if (s.shift) sink.keyEvent('ShiftLeft', false);
    this.wanted = false;
    this.polled = false;
    this.lastStroke = now;
  }

  clear(): void {
    this.queue = [];
    this.wanted = false;
    this.polled = false;
  }
}

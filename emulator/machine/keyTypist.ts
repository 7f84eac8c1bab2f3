/**
 * Types text into the guest as key presses and releases, one keystroke at a time, when the guest
 * asks for a key: the BIOS reports INT 16h finding its buffer empty. A guest that reads the
 * keyboard some other way still gets a keystroke after `patienceTicks` of virtual time without a
 * request. Both triggers are virtual-time events, so typing is deterministic.
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

export class KeyTypist {
  private queue: Stroke[] = [];
  private lastStroke = 0;
  private wanted = false;

  constructor(private readonly patienceTicks: number) {}

  get pending(): number {
    return this.queue.length;
  }

  type(text: string, now: number): void {
    if (this.queue.length === 0) this.lastStroke = now;
    this.queue.push(...parseKeys(text));
  }

  /** The guest asked for a key and found none. */
  keyWanted(): void {
    this.wanted = true;
  }

  /** Delivers the next keystroke if the guest wants one (or waited long enough). */
  pump(now: number, sink: KeyEventSink): void {
    if (this.queue.length === 0) {
      this.wanted = false;
      return;
    }
    if (!this.wanted && now - this.lastStroke < this.patienceTicks) return;
    const s = this.queue.shift() as Stroke;
    if (s.shift) sink.keyEvent('ShiftLeft', true);
    sink.keyEvent(s.code, true);
    sink.keyEvent(s.code, false);
    if (s.shift) sink.keyEvent('ShiftLeft', false);
    this.wanted = false;
    this.lastStroke = now;
  }

  clear(): void {
    this.queue = [];
    this.wanted = false;
  }
}

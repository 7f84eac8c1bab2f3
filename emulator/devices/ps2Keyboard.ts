/**
 * The PS/2 (MF2) keyboard behind the 8042's keyboard port. It speaks scancode set 2 by default
 * (set 1 on request); the controller translates to set 1 when its translation bit is set.
 *
 * The 8042 owns it: `new I8042(...)` creates one as `i8042.keyboard`. Host input arrives through
 * `keyEvent(code, pressed)` with DOM KeyboardEvent.code values (see scancodes.ts); the controller
 * pulls bytes with `readByte()` as fast as the guest reads port 60h and sends host commands with
 * `write(byte)`.
 *
 * Commands, with ACK (FAh) as the keyboard sends it: EDh LEDs, EEh echo, F0h scancode set (0 =
 * query; set 3 is refused with FEh), F2h identify (ABh 83h), F3h typematic rate/delay, F4h enable,
 * F5h disable (and defaults), F6h defaults, F7h-FDh (set 3 key types: acknowledged, no effect),
 * FEh resend, FFh reset (ACK, then the self-test result AAh); anything else gets FEh. A byte with
 * bit 7 set while an argument is expected starts a new command, as the hardware does.
 *
 * Typematic repeat runs in virtual time (`kbd.typematic`, default 500 ms delay, 10.9 cps), so a
 * held key repeats the same way on every run; the host should not forward its own auto-repeat
 * events (a press of a key already down is ignored). A repeat is generated only once the previous
 * bytes have been taken, so a guest that stops reading does not find a flood of repeats later.
 */
import {
  boolField,
  bytesField,
  expectState,
  hex,
  StateError,
  type Device,
  type DeviceState,
  type InspectNode,
  type ResetKind,
} from '../machine/device.js';
import type { Scheduler, Timer } from '../machine/scheduler.js';
import { ByteQueue } from './byteQueue.js';
import { isKeyCode, scancodeSequence } from './scancodes.js';
import { intField } from './stateFields.js';

export const KBD_ACK = 0xfa;
export const KBD_RESEND = 0xfe;
export const KBD_BAT_OK = 0xaa;
export const KBD_ECHO = 0xee;

/** Default typematic byte: 500 ms delay, 10.9 characters per second. */
const TYPEMATIC_DEFAULT = 0x2b;

/** Key events held for the guest; a typing harness may queue a long text at once. */
const SCAN_QUEUE_BYTES = 4096;

/** Typematic period in seconds for the low five bits of the F3h argument (data sheet formula). */
export function typematicPeriod(value: number): number {
  const a = value & 7;
  const b = (value >> 3) & 3;
  return ((8 + a) * (1 << b) * 4.17) / 1000;
}

export function typematicDelay(value: number): number {
  return (((value >> 5) & 3) + 1) * 0.25;
}

const STATE_VERSION = 1;

export class Ps2Keyboard implements Device {
  readonly name = 'ps2-keyboard';
  private readonly replies = new ByteQueue(16);
  private readonly scan = new ByteQueue(SCAN_QUEUE_BYTES);
  private scanning = true;
  private set: 1 | 2 = 2;
  private leds = 0;
  private typematic = TYPEMATIC_DEFAULT;
  /** Command waiting for its argument byte (EDh, F0h, F3h), or 0. */
  private pendingCommand = 0;
  private lastSent = 0;
  private readonly held = new Set<string>();
  /** The key that repeats while held, or ''. */
  private repeatKey = '';
  private readonly repeatTimer: Timer;

  constructor(
    private readonly scheduler: Scheduler,
    /** Called when bytes become available for the controller. */
    private readonly onData: () => void,
  ) {
    this.repeatTimer = scheduler.createTimer('kbd.typematic', () => this.repeat());
  }

  hasData(): boolean {
    return this.replies.length > 0 || this.scan.length > 0;
  }

  /** The next byte for the controller (command replies before key data), or -1. */
  readByte(): number {
    const b = this.replies.length > 0 ? this.replies.shift() : this.scan.shift();
    if (b >= 0) this.lastSent = b;
    return b;
  }

  /** Host input. Returns false for a code the keyboard has no key for. */
  keyEvent(code: string, pressed: boolean): boolean {
    if (!isKeyCode(code)) return false;
    if (pressed === this.held.has(code)) return true; // host auto-repeat or a stray release
    if (pressed) this.held.add(code);
    else this.held.delete(code);
    if (!this.scanning) return true;
    this.queueKey(code, pressed);
    if (pressed) {
      if (code === 'Pause') {
        this.repeatKey = '';
        this.repeatTimer.cancel();
      } else {
        this.repeatKey = code;
        this.repeatTimer.setIn(this.scheduler.ticksFromSeconds(typematicDelay(this.typematic)));
      }
    } else if (code === this.repeatKey) {
      this.repeatKey = '';
      this.repeatTimer.cancel();
    }
    this.onData();
    return true;
  }

  private queueKey(code: string, pressed: boolean): void {
    const mods = {
      ctrl: this.held.has('ControlLeft') || this.held.has('ControlRight'),
      shift: this.held.has('ShiftLeft') || this.held.has('ShiftRight'),
      alt: this.held.has('AltLeft') || this.held.has('AltRight'),
    };
    const bytes = scancodeSequence(code, pressed, this.set, mods);
    if (bytes === null) return;
    if (this.scan.capacity - this.scan.length < bytes.length + 1) {
      // Buffer overrun: the keyboard sends its overrun code in place of the lost keys.
      if (!this.scan.full) this.scan.push(this.set === 2 ? 0x00 : 0xff);
      return;
    }
    for (const b of bytes) this.scan.push(b);
  }

  private repeat(): void {
    if (this.repeatKey === '' || !this.held.has(this.repeatKey) || !this.scanning) return;
    if (this.scan.length === 0) {
      this.queueKey(this.repeatKey, true);
      this.onData();
    }
    this.repeatTimer.setIn(this.scheduler.ticksFromSeconds(typematicPeriod(this.typematic)));
  }

  private reply(...bytes: number[]): void {
    for (const b of bytes) this.replies.push(b);
    this.onData();
  }

  private defaults(): void {
    this.typematic = TYPEMATIC_DEFAULT;
    this.repeatKey = '';
    this.repeatTimer.cancel();
  }

  /** A byte from the host (through the 8042's data port). */
  write(byte: number): void {
    const pending = this.pendingCommand;
    if (pending !== 0 && byte < 0x80) {
      this.pendingCommand = 0;
      this.argument(pending, byte);
      return;
    }
    this.pendingCommand = 0;
    switch (byte) {
      case 0xed:
      case 0xf0:
      case 0xf3:
        this.pendingCommand = byte;
        this.reply(KBD_ACK);
        return;
      case 0xee:
        this.reply(KBD_ECHO);
        return;
      case 0xf2:
        this.reply(KBD_ACK, 0xab, 0x83);
        return;
      case 0xf4:
        this.scan.clear();
        this.scanning = true;
        this.reply(KBD_ACK);
        return;
      case 0xf5:
        this.scan.clear();
        this.defaults();
        this.scanning = false;
        this.reply(KBD_ACK);
        return;
      case 0xf6:
        this.scan.clear();
        this.defaults();
        this.reply(KBD_ACK);
        return;
      case 0xfe:
        this.reply(this.lastSent);
        return;
      case 0xff:
        this.scan.clear();
        this.defaults();
        this.leds = 0;
        this.set = 2;
        this.scanning = true;
        this.reply(KBD_ACK, KBD_BAT_OK);
        return;
      default:
        if (byte >= 0xf7 && byte <= 0xfd) this.reply(KBD_ACK);
        else this.reply(KBD_RESEND);
    }
  }

  private argument(command: number, value: number): void {
    switch (command) {
      case 0xed:
        this.leds = value & 7;
        this.reply(KBD_ACK);
        return;
      case 0xf3:
        this.typematic = value & 0x7f;
        this.reply(KBD_ACK);
        return;
      default: // F0h
        if (value === 0) this.reply(KBD_ACK, this.set);
        else if (value === 1 || value === 2) {
          this.set = value;
          this.scan.clear();
          this.reply(KBD_ACK);
        } else this.reply(KBD_RESEND);
    }
  }

  /** LED state from the last EDh command: bit 0 Scroll Lock, bit 1 Num Lock, bit 2 Caps Lock. */
  get ledState(): number {
    return this.leds;
  }

  reset(kind: ResetKind): void {
    if (kind === 'hard') return;
    this.replies.clear();
    this.scan.clear();
    this.scanning = true;
    this.set = 2;
    this.leds = 0;
    this.pendingCommand = 0;
    this.lastSent = 0;
    this.held.clear();
    this.defaults();
  }

  saveState(): DeviceState {
    return {
      device: this.name,
      version: STATE_VERSION,
      fields: {
        replies: this.replies.snapshot(),
        scan: this.scan.snapshot(),
        scanning: this.scanning,
        set: this.set,
        leds: this.leds,
        typematic: this.typematic,
        pendingCommand: this.pendingCommand,
        lastSent: this.lastSent,
        held: [...this.held].sort(),
        repeatKey: this.repeatKey,
      },
    };
  }

  loadState(state: DeviceState): void {
    const f = expectState(state, this.name, STATE_VERSION);
    const held = f.held;
    if (!Array.isArray(held) || !held.every((k) => typeof k === 'string' && isKeyCode(k))) throw new StateError('keyboard held keys are not key codes');
    const repeatKey = f.repeatKey;
    if (typeof repeatKey !== 'string' || (repeatKey !== '' && !isKeyCode(repeatKey))) throw new StateError('keyboard repeat key is not a key code');
    this.replies.restore(bytesField(f, 'replies'));
    this.scan.restore(bytesField(f, 'scan'));
    this.scanning = boolField(f, 'scanning');
    this.set = intField(f, 'set', 1, 2) as 1 | 2;
    this.leds = intField(f, 'leds', 0, 7);
    this.typematic = intField(f, 'typematic', 0, 0x7f);
    this.pendingCommand = intField(f, 'pendingCommand', 0, 0xff);
    this.lastSent = intField(f, 'lastSent', 0, 0xff);
    this.held.clear();
    for (const k of held as string[]) this.held.add(k);
    this.repeatKey = repeatKey;
  }

  inspect(): readonly InspectNode[] {
    return [
      { name: 'scanning', value: this.scanning ? 'enabled' : 'disabled' },
      { name: 'scancode set', value: String(this.set) },
      { name: 'LEDs', value: `${this.leds & 4 ? 'Caps ' : ''}${this.leds & 2 ? 'Num ' : ''}${this.leds & 1 ? 'Scroll' : ''}`.trim() || 'off' },
      {
        name: 'typematic',
        value: `${hex(this.typematic, 2)} (${typematicDelay(this.typematic) * 1000} ms, ${(1 / typematicPeriod(this.typematic)).toFixed(1)} cps)`,
      },
      { name: 'queued bytes', value: String(this.replies.length + this.scan.length) },
      { name: 'keys down', value: [...this.held].join(' ') || 'none' },
    ];
  }
}

/**
 * The POST diagnostic port 80h: a BIOS writes its progress codes here (on real boards, to a
 * two-digit display card). The last code and a short history are kept for the debugger; reads
 * return the last code, as many chipsets latch it.
 *
 * Wiring:
 *   const post = new PostCodePort(io);
 *   post.onPostCode = (code) => log(`POST ${code.toString(16)}`);
 */
import type { IoBus } from '../io/ioBus.js';
import { bytesField, expectState, hex, type Device, type DeviceState, type InspectNode, type ResetKind } from '../machine/device.js';
import { intField } from './stateFields.js';

/** How many recent codes the debugger sees. */
export const POST_HISTORY = 16;

const STATE_VERSION = 1;

export class PostCodePort implements Device {
  readonly name = 'post';
  private last = 0;
  /** Most recent codes, oldest first. */
  private history: number[] = [];
  onPostCode: ((code: number) => void) | null = null;

  constructor(io: IoBus) {
    io.register(0x80, 0x80, { read8: () => this.last, write8: (_p, v) => this.write(v) }, this.name, 'POST code');
  }

  get lastCode(): number {
    return this.last;
  }

  get recentCodes(): readonly number[] {
    return this.history;
  }

  private write(code: number): void {
    this.last = code;
    this.history.push(code);
    if (this.history.length > POST_HISTORY) this.history.shift();
    if (this.onPostCode !== null) this.onPostCode(code);
  }

  reset(kind: ResetKind): void {
    if (kind === 'hard') return;
    this.last = 0;
    this.history = [];
  }

  saveState(): DeviceState {
    return { device: this.name, version: STATE_VERSION, fields: { last: this.last, history: Uint8Array.from(this.history) } };
  }

  loadState(state: DeviceState): void {
    const f = expectState(state, this.name, STATE_VERSION);
    this.last = intField(f, 'last', 0, 0xff);
    this.history = Array.from(bytesField(f, 'history')).slice(-POST_HISTORY);
  }

  inspect(): readonly InspectNode[] {
    return [
      { name: 'last POST code', value: hex(this.last, 2) },
      { name: 'recent', value: this.history.map((c) => hex(c, 2)).join(' ') },
    ];
  }
}

/**
 * A PS/2 mouse on the 8042's auxiliary port (IRQ12), with the IntelliMouse wheel extension.
 *
 * The 8042 owns it: `new I8042(...)` creates one as `i8042.mouse`. Host input:
 * `mouseMove(dx, dy, buttons, wheel)` with dx to the right and dy DOWN the screen (as DOM
 * movementX/Y give them; the packet's Y axis points up, so the sign is flipped here), and buttons
 * as DOM MouseEvent.buttons (bit 0 left, bit 1 right, bit 2 middle).
 *
 * Commands, each acknowledged with FAh: FFh reset (FAh AAh 00h), FEh resend, F6h defaults,
 * F5h/F4h disable/enable data reporting, F3h sample rate, F2h device ID (00h, or 03h after the
 * IntelliMouse sequence of rates 200, 100, 80), F0h remote mode, EEh/ECh wrap mode on/off,
 * EBh read data (remote mode), EAh stream mode, E9h status (three bytes), E8h resolution,
 * E7h/E6h scaling 2:1 / 1:1. Unknown commands get FEh; in wrap mode every byte but ECh and FFh is
 * echoed.
 *
 * Movement packets: three bytes (four with the wheel): buttons, X/Y sign and overflow bits, then
 * the 8-bit low parts of the 9-bit deltas. A delta beyond -256..255 is clamped and flagged as
 * overflow, as the hardware does. Movement that arrives while earlier packets are still waiting is
 * accumulated into one packet, so a guest that reads slowly sees fewer, larger moves instead of a
 * backlog. Scaling 2:1 applies to stream-mode reports; resolution is stored and reported but the
 * host's deltas are taken as counts.
 */
import {
  boolField,
  bytesField,
  expectState,
  type Device,
  type DeviceState,
  type InspectNode,
  type ResetKind,
} from '../machine/device.js';
import { ByteQueue } from './byteQueue.js';
import { fixedBytesField, intField } from './stateFields.js';

export const MOUSE_ACK = 0xfa;
export const MOUSE_RESEND = 0xfe;

const STATE_VERSION = 1;

/** Scaling 2:1 table for |delta| 0-5; larger values double. */
const SCALE_2_1 = [0, 1, 3, 6, 9, 15];

function scale21(v: number): number {
  const a = Math.abs(v);
  const s = a < SCALE_2_1.length ? SCALE_2_1[a] : a * 2;
  return v < 0 ? -s : s;
}

export class Ps2Mouse implements Device {
  readonly name = 'ps2-mouse';
  private readonly replies = new ByteQueue(16);
  private readonly packets = new ByteQueue(64);
  private reporting = false;
  private remote = false;
  private wrap = false;
  private scaling21 = false;
  private resolution = 2;
  private sampleRate = 100;
  private id = 0;
  /** The last three sample rates set (the IntelliMouse knock is 200, 100, 80). */
  private readonly rateHistory = new Uint8Array(3);
  private pendingCommand = 0;
  private lastSent = 0;
  private buttons = 0;
  private accX = 0;
  private accY = 0;
  private accZ = 0;
  /** Buttons changed since the last packet (a click without movement still reports). */
  private dirty = false;

  constructor(private readonly onData: () => void) {}

  get packetSize(): number {
    return this.id === 3 ? 4 : 3;
  }

  hasData(): boolean {
    return this.replies.length > 0 || this.packets.length > 0;
  }

  readByte(): number {
    const b = this.replies.length > 0 ? this.replies.shift() : this.packets.shift();
    if (b >= 0) this.lastSent = b;
    if (this.packets.length === 0 && this.dirty && this.streaming()) this.emitPacket();
    return b;
  }

  private streaming(): boolean {
    return this.reporting && !this.remote && !this.wrap;
  }

  /** Host input: relative movement (dy positive = down), DOM buttons bits, wheel clicks (positive = down). */
  mouseMove(dx: number, dy: number, buttons: number, wheel = 0): void {
    this.accX += Math.trunc(dx);
    this.accY -= Math.trunc(dy);
    this.accZ += Math.trunc(wheel);
    if ((buttons & 7) !== this.buttons) this.dirty = true;
    this.buttons = buttons & 7;
    if (this.accX !== 0 || this.accY !== 0 || this.accZ !== 0) this.dirty = true;
    if (!this.streaming() || !this.dirty) return;
    if (this.packets.length === 0) {
      this.emitPacket();
      this.onData();
    }
  }

  /** Builds one packet from the accumulated movement and resets the counters. */
  private buildPacket(out: ByteQueue, scaled: boolean): void {
    let dx = scaled && this.scaling21 ? scale21(this.accX) : this.accX;
    let dy = scaled && this.scaling21 ? scale21(this.accY) : this.accY;
    let flags = 0x08 | this.buttons;
    if (dx > 255 || dx < -256) {
      flags |= 0x40;
      dx = dx > 0 ? 255 : -256;
    }
    if (dy > 255 || dy < -256) {
      flags |= 0x80;
      dy = dy > 0 ? 255 : -256;
    }
    if (dx < 0) flags |= 0x10;
    if (dy < 0) flags |= 0x20;
    out.push(flags);
    out.push(dx & 0xff);
    out.push(dy & 0xff);
    if (this.id === 3) out.push(Math.max(-8, Math.min(7, this.accZ)) & 0xff);
    this.accX = 0;
    this.accY = 0;
    this.accZ = 0;
    this.dirty = false;
  }

  private emitPacket(): void {
    this.buildPacket(this.packets, true);
  }

  private reply(b: number): void {
    this.replies.push(b);
  }

  private defaults(): void {
    this.sampleRate = 100;
    this.resolution = 2;
    this.scaling21 = false;
    this.reporting = false;
    this.remote = false;
  }

  /** A byte from the host (8042 command D4h, then the data port). */
  write(byte: number): void {
    if (this.wrap && byte !== 0xec && byte !== 0xff) {
      this.reply(byte);
      this.onData();
      return;
    }
    const pending = this.pendingCommand;
    if (pending !== 0) {
      this.pendingCommand = 0;
      if (pending === 0xf3) {
        this.sampleRate = byte;
        this.rateHistory.copyWithin(0, 1);
        this.rateHistory[2] = byte;
        if (this.rateHistory[0] === 200 && this.rateHistory[1] === 100 && this.rateHistory[2] === 80) this.id = 3;
      } else {
        this.resolution = byte & 3;
      }
      this.reply(MOUSE_ACK);
      this.onData();
      return;
    }
    switch (byte) {
      case 0xff:
        this.packets.clear();
        this.defaults();
        this.wrap = false;
        this.id = 0;
        this.rateHistory.fill(0);
        this.accX = this.accY = this.accZ = 0;
        this.dirty = false;
        this.reply(MOUSE_ACK);
        this.reply(0xaa);
        this.reply(0x00);
        break;
      case 0xfe:
        this.reply(this.lastSent);
        break;
      case 0xf6:
        this.packets.clear();
        this.defaults();
        this.reply(MOUSE_ACK);
        break;
      case 0xf5:
        this.packets.clear();
        this.reporting = false;
        this.reply(MOUSE_ACK);
        break;
      case 0xf4:
        this.packets.clear();
        this.reporting = true;
        this.accX = this.accY = this.accZ = 0;
        this.dirty = false;
        this.reply(MOUSE_ACK);
        break;
      case 0xf3:
      case 0xe8:
        this.pendingCommand = byte;
        this.reply(MOUSE_ACK);
        break;
      case 0xf2:
        this.packets.clear();
        this.reply(MOUSE_ACK);
        this.reply(this.id);
        break;
      case 0xf0:
        this.packets.clear();
        this.remote = true;
        this.reply(MOUSE_ACK);
        break;
      case 0xee:
        this.packets.clear();
        this.wrap = true;
        this.reply(MOUSE_ACK);
        break;
      case 0xec:
        this.wrap = false;
        this.reply(MOUSE_ACK);
        break;
      case 0xeb:
        this.reply(MOUSE_ACK);
        this.buildPacket(this.replies, false);
        break;
      case 0xea:
        this.packets.clear();
        this.remote = false;
        this.reply(MOUSE_ACK);
        break;
      case 0xe9:
        this.reply(MOUSE_ACK);
        // Status byte: bit 6 remote, 5 reporting, 4 scaling 2:1, 2 left, 1 middle, 0 right.
        this.reply(
          (this.remote ? 0x40 : 0) |
            (this.reporting ? 0x20 : 0) |
            (this.scaling21 ? 0x10 : 0) |
            (this.buttons & 1 ? 4 : 0) |
            (this.buttons & 4 ? 2 : 0) |
            (this.buttons & 2 ? 1 : 0),
        );
        this.reply(this.resolution);
        this.reply(this.sampleRate);
        break;
      case 0xe7:
        this.scaling21 = true;
        this.reply(MOUSE_ACK);
        break;
      case 0xe6:
        this.scaling21 = false;
        this.reply(MOUSE_ACK);
        break;
      default:
        this.reply(MOUSE_RESEND);
    }
    this.onData();
  }

  reset(kind: ResetKind): void {
    if (kind === 'hard') return;
    this.replies.clear();
    this.packets.clear();
    this.defaults();
    this.wrap = false;
    this.id = 0;
    this.rateHistory.fill(0);
    this.pendingCommand = 0;
    this.lastSent = 0;
    this.buttons = 0;
    this.accX = this.accY = this.accZ = 0;
    this.dirty = false;
  }

  saveState(): DeviceState {
    return {
      device: this.name,
      version: STATE_VERSION,
      fields: {
        replies: this.replies.snapshot(),
        packets: this.packets.snapshot(),
        reporting: this.reporting,
        remote: this.remote,
        wrap: this.wrap,
        scaling21: this.scaling21,
        resolution: this.resolution,
        sampleRate: this.sampleRate,
        id: this.id,
        rateHistory: this.rateHistory.slice(),
        pendingCommand: this.pendingCommand,
        lastSent: this.lastSent,
        buttons: this.buttons,
        accX: this.accX,
        accY: this.accY,
        accZ: this.accZ,
        dirty: this.dirty,
      },
    };
  }

  loadState(state: DeviceState): void {
    const f = expectState(state, this.name, STATE_VERSION);
    this.replies.restore(bytesField(f, 'replies'));
    this.packets.restore(bytesField(f, 'packets'));
    this.reporting = boolField(f, 'reporting');
    this.remote = boolField(f, 'remote');
    this.wrap = boolField(f, 'wrap');
    this.scaling21 = boolField(f, 'scaling21');
    this.resolution = intField(f, 'resolution', 0, 3);
    this.sampleRate = intField(f, 'sampleRate', 0, 0xff);
    this.id = intField(f, 'id', 0, 0xff);
    this.rateHistory.set(fixedBytesField(f, 'rateHistory', 3));
    this.pendingCommand = intField(f, 'pendingCommand', 0, 0xff);
    this.lastSent = intField(f, 'lastSent', 0, 0xff);
    this.buttons = intField(f, 'buttons', 0, 7);
    this.accX = intField(f, 'accX', -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    this.accY = intField(f, 'accY', -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    this.accZ = intField(f, 'accZ', -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    this.dirty = boolField(f, 'dirty');
  }

  inspect(): readonly InspectNode[] {
    return [
      { name: 'mode', value: this.wrap ? 'wrap' : this.remote ? 'remote' : 'stream' },
      { name: 'reporting', value: this.reporting ? 'enabled' : 'disabled' },
      { name: 'device ID', value: String(this.id) },
      { name: 'sample rate', value: `${this.sampleRate}/s` },
      { name: 'resolution', value: `${1 << this.resolution} counts/mm` },
      { name: 'scaling', value: this.scaling21 ? '2:1' : '1:1' },
      { name: 'buttons', value: String(this.buttons) },
      { name: 'queued bytes', value: String(this.replies.length + this.packets.length) },
    ];
  }
}

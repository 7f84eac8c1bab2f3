/**
 * The debug console port E9h (the "port E9 hack" of Bochs and QEMU): bytes a guest writes go to
 * a host callback unbuffered, so test programs and BIOS code can print without a screen. Reads
 * return E9h, which is how guests detect the port.
 *
 * Wiring:
 *   const dbg = new DebugConsolePort(io, (byte) => process.stdout.write(Uint8Array.of(byte)));
 */
import type { IoBus } from '../io/ioBus.js';
import { expectState, numField, type Device, type DeviceState, type InspectNode, type ResetKind } from '../machine/device.js';

const STATE_VERSION = 1;

export class DebugConsolePort implements Device {
  readonly name = 'debugcon';
  private written = 0;

  constructor(
    io: IoBus,
    private readonly onOutput: (byte: number) => void,
  ) {
    io.register(0xe9, 0xe9, { read8: () => 0xe9, write8: (_p, v) => this.write(v) }, this.name, 'debug console (E9h)');
  }

  private write(byte: number): void {
    this.written++;
    this.onOutput(byte);
  }

  reset(_kind: ResetKind): void {}

  saveState(): DeviceState {
    // The port has no guest-visible state; the byte count only feeds the debugger view.
    return { device: this.name, version: STATE_VERSION, fields: { written: this.written } };
  }

  loadState(state: DeviceState): void {
    const f = expectState(state, this.name, STATE_VERSION);
    this.written = numField(f, 'written');
  }

  inspect(): readonly InspectNode[] {
    return [{ name: 'bytes written', value: String(this.written) }];
  }
}

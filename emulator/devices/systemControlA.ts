/**
 * System control port A (92h), the "fast A20 and reset" port of PS/2-era and later chipsets, and
 * the A20 gate that combines it with the 8042's output port.
 *
 *   bit 0  write 1 (from 0): pulse the CPU reset line (fast reset); the pulse ends by itself, so the
 *          bit reads 0 again and the next write of 1 resets once more
 *   bit 1  A20 gate (1 = enabled)
 *   bit 3  CMOS security lock (stored only)
 *   other bits read back as written
 *
 * Wiring:
 *   const a20 = new A20Gate((on) => memory.setA20(on));
 *   const kbc = new I8042(io, scheduler, irq1, irq12, { onA20: (on) => a20.setKbc(on), onReset });
 *   const port92 = new SystemControlA(io, { onA20: (on) => a20.setPort92(on), onReset });
 * The callbacks run inside the guest's OUT: act on a reset at the next instruction boundary.
 *
 * The CPU-only reset it triggers does not reset the register (A20 stays as it was); reset('hard')
 * (the system RESET line) and reset('power') clear it, closing this A20 gate.
 */
import type { IoBus } from '../io/ioBus.js';
import { expectState, hex, type Device, type DeviceState, type InspectNode, type ResetKind } from '../machine/device.js';
import { intField } from './stateFields.js';

export interface SystemControlAOptions {
  readonly onA20: (enabled: boolean) => void;
  readonly onReset: () => void;
}

const STATE_VERSION = 1;

export class SystemControlA implements Device {
  readonly name = 'port92';
  private value = 0;

  constructor(
    io: IoBus,
    private readonly options: SystemControlAOptions,
  ) {
    io.register(0x92, 0x92, { read8: () => this.value, write8: (_p, v) => this.write(v) }, this.name, 'system control port A: fast A20, fast reset');
    this.reset('power');
  }

  get a20(): boolean {
    return (this.value & 2) !== 0;
  }

  private write(v: number): void {
    const old = this.value;
    this.value = v;
    if ((old ^ v) & 2) this.options.onA20((v & 2) !== 0);
    if (v & 1 && !(old & 1)) {
      this.value &= ~1;
      this.options.onReset();
    }
  }

  reset(_kind: ResetKind): void {
    this.value = 0;
    this.options.onA20(false);
  }

  saveState(): DeviceState {
    return { device: this.name, version: STATE_VERSION, fields: { value: this.value } };
  }

  loadState(state: DeviceState): void {
    this.value = intField(expectState(state, this.name, STATE_VERSION), 'value', 0, 0xff);
    this.options.onA20(this.a20);
  }

  inspect(): readonly InspectNode[] {
    return [
      { name: 'port 92h', value: hex(this.value, 2) },
      { name: 'A20', value: this.a20 ? 'enabled' : 'disabled' },
    ];
  }
}

/**
 * The A20 line: enabled when either the 8042's output port bit 1 or port 92h bit 1 enables it,
 * as chipsets OR the two sources. Calls `setA20` only when the combined line changes.
 */
export class A20Gate {
  private kbc = false;
  private port92 = false;
  private line: boolean | null = null;

  constructor(private readonly setA20: (enabled: boolean) => void) {}

  get enabled(): boolean {
    return this.kbc || this.port92;
  }

  setKbc(on: boolean): void {
    this.kbc = on;
    this.apply();
  }

  setPort92(on: boolean): void {
    this.port92 = on;
    this.apply();
  }

  private apply(): void {
    const on = this.enabled;
    if (on === this.line) return;
    this.line = on;
    this.setA20(on);
  }
}

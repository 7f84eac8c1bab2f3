/**
 * System control port B (61h) of the AT, and the PC speaker it drives.
 *
 *   bit 0  R/W  PIT counter 2 GATE
 *   bit 1  R/W  speaker data (the speaker sounds counter 2's OUT only while this is set)
 *   bit 2  R/W  parity check disable (1 = off)
 *   bit 3  R/W  channel check disable (1 = off)
 *   bit 4  R    refresh request: toggles on every DRAM refresh cycle, i.e. every 18 PIT clocks
 *                (15.085 us), the interval the BIOS programs into counter 1. DOS programs and BIOSes
 *                count its toggles for calibrated delays.
 *   bit 5  R    PIT counter 2 OUT
 *   bit 6  R    channel check (IOCHK) — never raised here
 *   bit 7  R    parity error — never raised here
 *
 * Wiring:
 *   const portB = new SystemControlB(io, pit);
 *   portB.onSpeakerChange = (s) => audio.setTone(s.on ? s.frequency : 0);
 *
 * The refresh toggle is computed from virtual time, so a delay loop waiting on it takes the same
 * virtual time on every run. reset('hard') (the system RESET line) clears the register as power-on does.
 */
import type { IoBus } from '../io/ioBus.js';
import { expectState, hex, type Device, type DeviceState, type InspectNode, type ResetKind } from '../machine/device.js';
import type { Pit8254 } from './pit8254.js';
import { intField } from './stateFields.js';

/** PIT clocks between DRAM refresh requests (counter 1's divisor as every AT BIOS sets it). */
export const REFRESH_PIT_CLOCKS = 18;

export interface SpeakerState {
  /** True while the speaker is driven by a running square wave (gate and data bits set). */
  readonly on: boolean;
  /** Tone frequency in Hz while on, else 0. */
  readonly frequency: number;
}

const STATE_VERSION = 1;

export class SystemControlB implements Device {
  readonly name = 'port61';
  /** Bits 0-3 as last written. */
  private control = 0;
  /** The tone last reported (0 = silent), so port writes that change nothing report nothing. */
  private lastTone = 0;
  /** Told whenever the speaker's tone starts, stops or changes pitch (for an audio output). */
  onSpeakerChange: ((state: SpeakerState) => void) | null = null;

  constructor(
    io: IoBus,
    private readonly pit: Pit8254,
  ) {
    io.register(0x61, 0x61, { read8: () => this.read(), write8: (_p, v) => this.write(v) }, this.name, 'system control port B: speaker, PIT gate 2, refresh toggle');
    pit.onCounter2Change = () => this.speakerMaybeChanged();
    this.reset('power');
  }

  read(): number {
    const refresh = Math.floor(this.pit.clock() / REFRESH_PIT_CLOCKS) & 1;
    return this.control | (refresh << 4) | (this.pit.output(2) ? 0x20 : 0);
  }

  write(value: number): void {
    this.control = value & 0x0f;
    this.pit.setGate(2, (value & 1) !== 0);
    this.speakerMaybeChanged();
  }

  /** The speaker as an audio output would play it. */
  speaker(): SpeakerState {
    const tone = this.tone();
    return { on: tone > 0, frequency: tone };
  }

  /** The tone in Hz, 0 when silent (gate and data bits set, counter 2 running a periodic mode). */
  private tone(): number {
    return (this.control & 3) === 3 ? this.pit.counter2Frequency() : 0;
  }

  private speakerMaybeChanged(): void {
    // Sound played by toggling bit 1 writes this port thousands of times a second: no allocation
    // unless someone listens and the tone changed.
    const tone = this.tone();
    if (tone === this.lastTone) return;
    this.lastTone = tone;
    if (this.onSpeakerChange !== null) this.onSpeakerChange({ on: tone > 0, frequency: tone });
  }

  reset(_kind: ResetKind): void {
    this.write(0);
  }

  saveState(): DeviceState {
    return { device: this.name, version: STATE_VERSION, fields: { control: this.control } };
  }

  loadState(state: DeviceState): void {
    const f = expectState(state, this.name, STATE_VERSION);
    // Counter 2's gate is restored with the PIT's own state; only the latch bits live here.
    this.control = intField(f, 'control', 0, 0x0f);
    this.lastTone = this.tone();
  }

  inspect(): readonly InspectNode[] {
    const sp = this.speaker();
    return [
      { name: 'port 61h', value: hex(this.read(), 2) },
      { name: 'speaker', value: sp.on ? `${sp.frequency.toFixed(1)} Hz` : 'off' },
      { name: 'parity check', value: this.control & 4 ? 'disabled' : 'enabled' },
      { name: 'channel check', value: this.control & 8 ? 'disabled' : 'enabled' },
    ];
  }
}

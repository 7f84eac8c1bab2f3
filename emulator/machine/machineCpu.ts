/**
 * The CPU as the machine drives it: run a slice, take interrupts from the PIC, reset, snapshot,
 * and serve the BIOS trap. The CPU class implements this; the machine depends on nothing else of
 * it, which keeps the wiring testable with a small fake.
 */
import type { InterruptController } from '../io/irq.js';
import type { BiosCpu } from '../bios/biosContext.js';
import type { DeviceState, ResetKind } from './device.js';

export type CpuStopReason = 'budget' | 'halt' | 'stop' | 'breakpoint' | 'shutdown' | 'unsupported' | string;

export interface MachineCpu extends BiosCpu {
  reset(kind: ResetKind): void;
  /** Executes at most `maxInstructions`; returns how many ran. */
  run(maxInstructions: number): number;
  /** Executes exactly one instruction, stepping over a breakpoint on it; returns how many ran. */
  step(): number;
  readonly halted: boolean;
  readonly stopReason: CpuStopReason;
  readonly instructionCount: number;
  pic: InterruptController | null;
  setIntr(level: boolean): void;
  biosTrap: ((id: number) => void) | null;
  saveState(): DeviceState;
  loadState(state: DeviceState): void;
}

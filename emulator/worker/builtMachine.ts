/**
 * What a machine factory hands the worker host, the standalone adapter and tests: the debugger's
 * and the display's views of one powered-on machine.
 */
import type { MachineConfig } from '../../protocol/machineState.js';
import type { DebugTarget, DisplayTarget, TargetOutputListener } from './debugTarget.js';

export interface BuiltMachine {
  readonly target: DebugTarget;
  readonly display: DisplayTarget;
  /** Lines worth telling the user (the overlay that takes the guest's writes, the boot drive). */
  readonly notes: readonly string[];
  /** Serial output and similar guest text. */
  onOutput(listener: TargetOutputListener): void;
  /** Makes the guest's disk writes so far durable (the session overlay is consistent on disk). */
  flush(): void;
  /** Flushes and closes the disk images. */
  close(): void;
}

export type MachineFactory = (config: MachineConfig) => Promise<BuiltMachine>;

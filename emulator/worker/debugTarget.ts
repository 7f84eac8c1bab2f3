/**
 * The narrow surface of a machine that the debugger and the worker's run loop drive. The real
 * Machine is adapted to it in machineTarget.ts; tests drive small fakes through the same surface.
 */
import type { CpuState, RegisterName } from '../../protocol/machineState.js';
import type { Frame } from '../../protocol/frame.js';

/**
 * Why `run` returned. `budget`: the instruction budget ran out. `breakpoint`: CS:EIP is at a
 * breakpoint that has not executed yet (the next run or step executes it). `halt`: HLT with
 * interrupts off (nothing can wake the CPU). `shutdown`: triple fault or power off (see stopDetail).
 */
export type TargetStop = 'budget' | 'breakpoint' | 'halt' | 'shutdown';

export interface DebugTarget {
  cpuState(): CpuState;
  /** Throws an Error with a one-line reason when the value cannot be loaded (e.g. a bad selector). */
  setRegister(name: RegisterName, value: number): void;
  /** Side-effect-free physical read: 0-255, or -1 where nothing answers (beyond RAM, no device). */
  peekPhysical(address: number): number;
  /** Physical write as the CPU would do it; false where nothing can be written (ROM, unmapped). */
  pokePhysical(address: number, value: number): boolean;
  /** Linear to physical without side effects (no accessed/dirty bits, no faults); -1 when unmapped. */
  translate(linear: number): number;
  addBreakpoint(linear: number): void;
  removeBreakpoint(linear: number): void;
  clearBreakpoints(): void;
  /**
   * Runs at most `budget` ticks of virtual time (one tick per instruction; a halted CPU skips
   * ticks to its next timer). Stops before an instruction that has a breakpoint, except the first one.
   */
  run(budget: number): TargetStop;
  /** Executes exactly one instruction (ignores a breakpoint on it). */
  step(): TargetStop;
  /** Why the last run or step ended with 'shutdown' or 'halt', in words. */
  readonly stopDetail: string;
  /** Instructions executed since power-on (cheap: read on every slice). */
  readonly instructions: number;
  /** Virtual time in ticks (the scheduler's clock). */
  readonly ticks: number;
  /** Ticks per virtual second (the scheduler's clock), for the status line. */
  readonly ticksPerSecond: number;
  /** The RESET line: RAM survives, the CPU restarts at the BIOS entry point. */
  reset(): void;
}

/** Screen and input: what the webview drives. */
export interface DisplayTarget {
  /** Renders the screen; only changed rows unless `full`. Null when nothing changed. */
  frame(full: boolean): Frame | null;
  screenText(): string;
  /** PNG file bytes of the current screen. */
  screenshotPng(): Uint8Array;
  /** A DOM KeyboardEvent.code press or release. */
  keyEvent(code: string, pressed: boolean): void;
  typeText(text: string): void;
  mouseMove(dx: number, dy: number, buttons: number): void;
}

/** Serial output and similar guest-side text, pushed to the debug console. */
export type TargetOutputListener = (text: string) => void;

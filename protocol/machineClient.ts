/**
 * The debug adapter's only view of a machine. Two implementations: in-process over the Machine
 * (standalone `win31 dap`, tests, and inside the worker), and a proxy over the worker's MessagePort
 * (the extension host). Every method is async so both look the same.
 */
import type { BreakpointSpec, EvalResult, Expr } from './debugExpression.js';
import type {
  AddressSpace,
  CpuState,
  MachineEvent,
  MachineStatus,
  MemoryBlock,
  RegisterName,
  StopEvent,
} from './machineState.js';

export interface Unsubscribe {
  (): void;
}

export interface MachineClient {
  registers(): Promise<CpuState>;
  /** Writes a register (flags by name: `zf`); returns the new state. Segment loads reload the descriptor cache. */
  setRegister(name: RegisterName, value: number): Promise<CpuState>;
  /** Reads without side effects on devices; unreadable bytes are reported, not invented. */
  readMemory(space: AddressSpace, address: number, length: number): Promise<MemoryBlock>;
  /** Returns how many bytes were written (a write stops at the first unwritable byte). */
  writeMemory(space: AddressSpace, address: number, data: Uint8Array): Promise<number>;
  /** Linear to physical through the current paging state; -1 when not mapped. */
  translate(linear: number): Promise<number>;
  /**
   * Physical to linear: every linear page in the current address space that maps the physical
   * address (identity when paging is off). Capped at `max` results.
   */
  reverseTranslate(physical: number, max: number): Promise<number[]>;
  /** Evaluates an expression tree; a bad memory access or division by zero rejects with the reason. */
  evaluate(expr: Expr): Promise<EvalResult>;
  /** Replaces the whole breakpoint set. */
  setBreakpoints(specs: readonly BreakpointSpec[]): Promise<void>;
  /** Starts running; a 'stopped' or 'terminated' event ends the run. */
  resume(): Promise<void>;
  /** Requests a stop; a 'stopped' event with reason 'pause' follows (at once if already paused). */
  pause(): Promise<void>;
  /** Executes exactly one instruction (an interrupt taken first counts as the step's effect). */
  step(): Promise<StopEvent>;
  /**
   * Runs until CS:EIP reaches `linear` with `condition` true (breakpoints still apply): the
   * temporary breakpoint behind step over and step out. Resolves once running; a 'stopped' event
   * with reason 'goto' follows.
   */
  runUntil(linear: number, condition?: Expr): Promise<void>;
  /** The RESET line (Ctrl+Alt+Del style hard reset is the guest's business; this is the button). */
  reset(): Promise<void>;
  powerOff(): Promise<void>;
  status(): Promise<MachineStatus>;
  onEvent(listener: (event: MachineEvent) => void): Unsubscribe;
}

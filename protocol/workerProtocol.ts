/**
 * The machine worker's typed request/response protocol over a MessagePort. Each method is one
 * request kind with its parameter and result types; replies carry the request id. Events flow
 * from the worker unasked. A SharedArrayBuffer control word (see ControlWord) lets the host ask for
 * a pause that the run loop sees between two slices even while it is not reading messages.
 */
import type { BreakpointSpec, EvalResult, Expr } from './debugExpression.js';
import type {
  AddressSpace,
  CpuState,
  MachineConfig,
  MachineEvent,
  MachineStatus,
  MemoryBlock,
  RegisterName,
  SpeedSetting,
  StopEvent,
} from './machineState.js';
import type { Frame } from './frame.js';

export interface BootInfo {
  readonly status: MachineStatus;
  /** Notes for the user (e.g. the overlay that takes the guest's writes). */
  readonly notes: readonly string[];
}

export interface WorkerMethods {
  /** Builds the machine from the configuration and powers it on, paused at the first instruction when `paused`. */
  boot: { params: { config: MachineConfig; paused: boolean }; result: BootInfo };
  registers: { params: null; result: CpuState };
  setRegister: { params: { name: RegisterName; value: number }; result: CpuState };
  readMemory: { params: { space: AddressSpace; address: number; length: number }; result: MemoryBlock };
  writeMemory: { params: { space: AddressSpace; address: number; data: Uint8Array }; result: number };
  translate: { params: { linear: number }; result: number };
  reverseTranslate: { params: { physical: number; max: number }; result: number[] };
  evaluate: { params: { expr: Expr }; result: EvalResult };
  setBreakpoints: { params: { specs: readonly BreakpointSpec[] }; result: null };
  resume: { params: null; result: null };
  pause: { params: null; result: null };
  step: { params: null; result: StopEvent };
  runUntil: { params: { linear: number; condition?: Expr }; result: null };
  reset: { params: null; result: null };
  powerOff: { params: null; result: null };
  status: { params: null; result: MachineStatus };
  setSpeed: { params: { speed: SpeedSetting }; result: null };
  /** The next frame: everything when `full`, else what changed since the last one (null: nothing). */
  frame: { params: { full: boolean }; result: Frame | null };
  key: { params: { code: string; pressed: boolean }; result: null };
  typeText: { params: { text: string }; result: null };
  mouse: { params: { dx: number; dy: number; buttons: number }; result: null };
  /** The screen as a PNG file's bytes. */
  screenshot: { params: null; result: Uint8Array };
  /** The text screen as lines (empty in graphics modes). */
  screenText: { params: null; result: string };
}

export type WorkerMethod = keyof WorkerMethods;
export type WorkerParams<M extends WorkerMethod> = WorkerMethods[M]['params'];
export type WorkerResult<M extends WorkerMethod> = WorkerMethods[M]['result'];

export type WorkerRequest = {
  [M in WorkerMethod]: { readonly type: 'request'; readonly id: number; readonly method: M; readonly params: WorkerParams<M> };
}[WorkerMethod];

export type WorkerReply =
  | { readonly type: 'reply'; readonly id: number; readonly ok: true; readonly result: WorkerResult<WorkerMethod> }
  | { readonly type: 'reply'; readonly id: number; readonly ok: false; readonly error: string };

export type WorkerNotice =
  | { readonly type: 'event'; readonly event: MachineEvent }
  | { readonly type: 'status'; readonly status: MachineStatus }
  /** The worker cannot go on (an exception escaped the run loop): the host shows the reason. */
  | { readonly type: 'fatal'; readonly message: string };

export type WorkerOutbound = WorkerReply | WorkerNotice;

/** `workerData` handed to the worker at start. */
export interface WorkerStartData {
  /** Int32Array view: index 0 is the ControlWord. */
  readonly control: SharedArrayBuffer;
}

/** Values of the control word (index 0 of WorkerStartData.control). */
export type ControlWord = 0 | 1;

/**
 * The host side of the machine protocol: a MachineClient (plus display and input calls) that
 * proxies every call over a MessagePort to a WorkerHost, and a pause that also goes through the
 * shared control word so a busy run loop sees it between two slices.
 */
import type { MessagePort, Worker } from 'node:worker_threads';
import type { BreakpointSpec, EvalResult, Expr } from '../../protocol/debugExpression.js';
import type { MachineClient, Unsubscribe } from '../../protocol/machineClient.js';
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
} from '../../protocol/machineState.js';
import type { Frame } from '../../protocol/frame.js';
import type { WorkerMethod, WorkerNotice, WorkerOutbound, WorkerParams, WorkerResult } from '../../protocol/workerProtocol.js';

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
}

export class WorkerMachineClient implements MachineClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly eventListeners = new Set<(e: MachineEvent) => void>();
  private readonly statusListeners = new Set<(s: MachineStatus) => void>();
  private readonly fatalListeners = new Set<(message: string) => void>();
  private closed: string | null = null;

  constructor(
    private readonly port: MessagePort | Worker,
    private readonly control?: Int32Array,
  ) {
    port.on('message', (msg: WorkerOutbound) => this.receive(msg));
  }

  private receive(msg: WorkerOutbound): void {
    if (msg.type === 'reply') {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new Error(msg.error));
      return;
    }
    this.notice(msg);
  }

  private notice(n: WorkerNotice): void {
    if (n.type === 'event') for (const l of this.eventListeners) l(n.event);
    else if (n.type === 'status') for (const l of this.statusListeners) l(n.status);
    else this.fail(n.message);
  }

  /** The worker died or reported a fatal error: every pending and later call fails with the reason. */
  fail(message: string): void {
    if (this.closed) return;
    this.closed = message;
    for (const p of this.pending.values()) p.reject(new Error(message));
    this.pending.clear();
    for (const l of this.fatalListeners) l(message);
    for (const l of this.eventListeners) l({ kind: 'terminated', terminated: { cause: 'error', reason: message } });
  }

  call<M extends WorkerMethod>(method: M, params: WorkerParams<M>, transfer: ArrayBuffer[] = []): Promise<WorkerResult<M>> {
    if (this.closed) return Promise.reject(new Error(this.closed));
    const id = this.nextId++;
    return new Promise<WorkerResult<M>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.port.postMessage({ type: 'request', id, method, params }, transfer);
    });
  }

  boot(config: MachineConfig, paused: boolean): Promise<WorkerResult<'boot'>> {
    return this.call('boot', { config, paused });
  }

  registers(): Promise<CpuState> {
    return this.call('registers', null);
  }

  setRegister(name: RegisterName, value: number): Promise<CpuState> {
    return this.call('setRegister', { name, value });
  }

  readMemory(space: AddressSpace, address: number, length: number): Promise<MemoryBlock> {
    return this.call('readMemory', { space, address, length });
  }

  writeMemory(space: AddressSpace, address: number, data: Uint8Array): Promise<number> {
    return this.call('writeMemory', { space, address, data });
  }

  translate(linear: number): Promise<number> {
    return this.call('translate', { linear });
  }

  reverseTranslate(physical: number, max: number): Promise<number[]> {
    return this.call('reverseTranslate', { physical, max });
  }

  evaluate(expr: Expr): Promise<EvalResult> {
    return this.call('evaluate', { expr });
  }

  async setBreakpoints(specs: readonly BreakpointSpec[]): Promise<void> {
    await this.call('setBreakpoints', { specs });
  }

  async resume(): Promise<void> {
    await this.call('resume', null);
  }

  async pause(): Promise<void> {
    // The control word reaches a run loop that is busy and not reading messages.
    if (this.control) Atomics.store(this.control, 0, 1);
    await this.call('pause', null);
  }

  step(): Promise<StopEvent> {
    return this.call('step', null);
  }

  async runUntil(linear: number, condition?: Expr): Promise<void> {
    await this.call('runUntil', condition ? { linear, condition } : { linear });
  }

  async reset(): Promise<void> {
    await this.call('reset', null);
  }

  async powerOff(): Promise<void> {
    await this.call('powerOff', null);
  }

  status(): Promise<MachineStatus> {
    return this.call('status', null);
  }

  setSpeed(speed: SpeedSetting): Promise<null> {
    return this.call('setSpeed', { speed });
  }

  frame(full: boolean): Promise<Frame | null> {
    return this.call('frame', { full });
  }

  key(code: string, pressed: boolean): Promise<null> {
    return this.call('key', { code, pressed });
  }

  typeText(text: string): Promise<null> {
    return this.call('typeText', { text });
  }

  mouse(dx: number, dy: number, buttons: number): Promise<null> {
    return this.call('mouse', { dx, dy, buttons });
  }

  screenshot(): Promise<Uint8Array> {
    return this.call('screenshot', null);
  }

  screenText(): Promise<string> {
    return this.call('screenText', null);
  }

  onEvent(listener: (event: MachineEvent) => void): Unsubscribe {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onStatus(listener: (s: MachineStatus) => void): Unsubscribe {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  onFatal(listener: (message: string) => void): Unsubscribe {
    this.fatalListeners.add(listener);
    return () => this.fatalListeners.delete(listener);
  }
}

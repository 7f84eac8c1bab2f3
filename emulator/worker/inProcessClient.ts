/**
 * MachineClient over a DebugTarget in the same thread: the standalone adapter and tests use it
 * directly, the worker serves it over its MessagePort. It owns the run loop: slices of
 * instructions between which it checks the pause request (a plain flag, or the shared control
 * word a host thread sets), evaluates breakpoint conditions, hit counts and logpoints here, next
 * to the CPU, and yields to the event loop so requests get answered while the guest runs.
 */
import type { BreakpointSpec, EvalResult, Expr } from '../../protocol/debugExpression.js';
import type { MachineClient, Unsubscribe } from '../../protocol/machineClient.js';
import type {
  AddressSpace,
  CpuState,
  MachineEvent,
  MachineStatus,
  MemoryBlock,
  RegisterName,
  RunState,
  SpeedSetting,
  StopEvent,
  StopReason,
} from '../../protocol/machineState.js';
import type { DebugTarget, TargetStop } from './debugTarget.js';
import { evaluate, formatLog, type EvalContext } from './expressionEval.js';

/** Instructions per host second for the throttled speeds: Intel's published MIPS ratings. */
export const SPEED_IPS: { readonly [s in SpeedSetting]: number } = {
  max: Infinity,
  '486-33': 27_000_000,
  '386-25': 8_500_000,
};

/** Instructions per run() call: small enough that a pause is seen within ~1 ms of host time. */
const SLICE = 20_000;
/** Host milliseconds the loop may run before it yields to the event loop. */
const YIELD_MS = 12;
/**
 * Virtual time may run at most this many times faster than the host clock. A busy guest flat out
 * stays below it (45 MIPS is 1.8x at 25 M ticks/s); an idle one, whose HLT skips virtual time to
 * the next timer, would otherwise see seconds pass per host millisecond, and a key held for
 * 50 ms of host time would auto-repeat in the guest. Pacing only: the guest sees ticks, never this.
 */
const MAX_VIRTUAL_RATE = 2;
/**
 * Unused pacing credit expires after this many host milliseconds, so a guest that ran slower than
 * the limits for a while (busy host, a long slice) cannot then catch up in one burst.
 */
const CREDIT_MS = 20;

interface ArmedBreakpoint {
  readonly spec: BreakpointSpec;
  hits: number;
}

export interface InProcessOptions {
  /** Int32Array over a SharedArrayBuffer: index 0 set to 1 by another thread requests a pause. */
  readonly control?: Int32Array;
  readonly speed?: SpeedSetting;
  /** Host clock for pacing only (never guest-visible). */
  readonly now?: () => number;
}

export class InProcessMachineClient implements MachineClient {
  private readonly listeners = new Set<(e: MachineEvent) => void>();
  private byLinear = new Map<number, ArmedBreakpoint[]>();
  private temp: { linear: number; condition?: Expr } | null = null;
  private runState: RunState = 'paused';
  private pauseRequested = false;
  private loopScheduled = false;
  private speed: SpeedSetting;
  private readonly control: Int32Array | undefined;
  private readonly now: () => number;
  private executed = 0;
  private windowStart = 0;
  private windowInstructions = 0;
  private mipsValue = 0;
  /** Pacing: virtual ticks and instructions the loop may still run, earned with host time. */
  private lastPace = 0;
  private tickCredit = 0;
  private instructionCredit = 0;

  constructor(
    readonly target: DebugTarget,
    options: InProcessOptions = {},
  ) {
    this.control = options.control;
    this.speed = options.speed ?? 'max';
    this.now = options.now ?? (() => performance.now());
  }

  get state(): RunState {
    return this.runState;
  }

  async registers(): Promise<CpuState> {
    return this.target.cpuState();
  }

  async setRegister(name: RegisterName, value: number): Promise<CpuState> {
    this.target.setRegister(name, value >>> 0);
    return this.target.cpuState();
  }

  async readMemory(space: AddressSpace, address: number, length: number): Promise<MemoryBlock> {
    const data = new Uint8Array(Math.max(0, Math.min(length, 1 << 20)));
    let readable = data.length;
    for (let i = 0; i < data.length; i++) {
      const a = (address + i) >>> 0;
      const phys = space === 'linear' ? this.target.translate(a) : a;
      const v = phys < 0 ? -1 : this.target.peekPhysical(phys);
      if (v < 0) {
        readable = i;
        break;
      }
      data[i] = v;
    }
    return { address: address >>> 0, data, readable };
  }

  async writeMemory(space: AddressSpace, address: number, data: Uint8Array): Promise<number> {
    for (let i = 0; i < data.length; i++) {
      const a = (address + i) >>> 0;
      const phys = space === 'linear' ? this.target.translate(a) : a;
      if (phys < 0 || !this.target.pokePhysical(phys, data[i])) return i;
    }
    return data.length;
  }

  async translate(linear: number): Promise<number> {
    return this.target.translate(linear >>> 0);
  }

  async reverseTranslate(physical: number, max: number): Promise<number[]> {
    return reverseMap(this.target, physical >>> 0, max);
  }

  async evaluate(expr: Expr): Promise<EvalResult> {
    return evaluate(expr, this.context());
  }

  async setBreakpoints(specs: readonly BreakpointSpec[]): Promise<void> {
    const old = this.byLinear;
    const next = new Map<number, ArmedBreakpoint[]>();
    for (const spec of specs) {
      // A breakpoint whose definition did not change keeps its hit count.
      let prevHits = 0;
      for (const list of old.values()) for (const b of list) if (b.spec.id === spec.id) prevHits = b.hits;
      for (const lin of spec.linear) {
        const l = lin >>> 0;
        let list = next.get(l);
        if (!list) next.set(l, (list = []));
        list.push({ spec, hits: prevHits });
      }
    }
    this.byLinear = next;
    this.syncTargetBreakpoints();
  }

  private syncTargetBreakpoints(): void {
    this.target.clearBreakpoints();
    for (const l of this.byLinear.keys()) this.target.addBreakpoint(l);
    if (this.temp) this.target.addBreakpoint(this.temp.linear);
  }

  async resume(): Promise<void> {
    this.start();
  }

  async pause(): Promise<void> {
    if (this.runState === 'running') {
      this.pauseRequested = true;
      return;
    }
    if (this.runState === 'paused') this.stop('pause', []);
  }

  async step(): Promise<StopEvent> {
    if (this.runState === 'off') throw new Error('the machine is powered off');
    if (this.runState === 'running') throw new Error('the machine is running: pause it first');
    const r = this.target.step();
    this.executed++;
    if (r === 'shutdown') {
      this.terminate();
      throw new Error(`the machine stopped: ${this.target.stopDetail}`);
    }
    return this.stop(r === 'halt' ? 'halt' : 'step', []);
  }

  async runUntil(linear: number, condition?: Expr): Promise<void> {
    this.temp = condition ? { linear: linear >>> 0, condition } : { linear: linear >>> 0 };
    this.syncTargetBreakpoints();
    this.start();
  }

  async reset(): Promise<void> {
    this.target.reset();
    this.temp = null;
    this.syncTargetBreakpoints();
    if (this.runState === 'paused') this.stop('entry', []);
  }

  async powerOff(): Promise<void> {
    if (this.runState === 'off') return;
    this.terminate('poweroff', 'powered off');
  }

  async status(): Promise<MachineStatus> {
    return this.statusNow();
  }

  statusNow(): MachineStatus {
    return {
      state: this.runState,
      instructions: this.executed,
      mips: this.runState === 'running' ? this.mipsValue : 0,
      virtualMhz: this.target.ticksPerSecond / 1e6,
      speed: this.speed,
    };
  }

  setSpeed(speed: SpeedSetting): void {
    this.speed = speed;
    this.resetPacing();
  }

  onEvent(listener: (event: MachineEvent) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Guest text (serial output) for the debug console. */
  emitOutput(text: string): void {
    this.emit({ kind: 'output', output: { category: 'serial', text } });
  }

  private emit(event: MachineEvent): void {
    for (const l of this.listeners) l(event);
  }

  private context(): EvalContext {
    const t = this.target;
    return { state: t.cpuState(), peekPhysical: (a) => t.peekPhysical(a), translate: (l) => t.translate(l) };
  }

  private start(): void {
    if (this.runState === 'off') throw new Error('the machine is powered off');
    if (this.runState === 'running') return;
    this.runState = 'running';
    this.pauseRequested = false;
    if (this.control) Atomics.store(this.control, 0, 0);
    this.windowStart = this.now();
    this.windowInstructions = 0;
    this.resetPacing();
    this.emit({ kind: 'continued' });
    this.schedule();
  }

  private schedule(delayMs = 0): void {
    if (this.loopScheduled) return;
    this.loopScheduled = true;
    const run = (): void => {
      this.loopScheduled = false;
      this.loop();
    };
    if (delayMs > 0) setTimeout(run, delayMs);
    else setImmediate(run);
  }

  private pauseSeen(): boolean {
    if (this.pauseRequested) return true;
    if (this.control && Atomics.load(this.control, 0) !== 0) {
      Atomics.store(this.control, 0, 0);
      return true;
    }
    return false;
  }

  /** Runs slices until a stop, a pause request, or YIELD_MS of host time; then yields. */
  private loop(): void {
    if (this.runState !== 'running') return;
    const t0 = this.now();
    const ips = SPEED_IPS[this.speed];
    for (;;) {
      if (this.pauseSeen()) {
        this.stop('pause', []);
        return;
      }
      const allowed = this.earnCredit(ips);
      if (allowed < 1) {
        this.updateMips();
        this.schedule(1);
        return;
      }
      const budget = Math.min(SLICE, Math.floor(allowed));
      const before = this.target.instructions;
      const ticksBefore = this.target.ticks;
      let r: TargetStop;
      try {
        r = this.target.run(budget);
      } catch (e) {
        this.terminate('error', e instanceof Error ? e.message : String(e));
        return;
      }
      const ran = this.target.instructions - before;
      this.executed += ran;
      this.instructionCredit -= ran;
      this.tickCredit -= this.target.ticks - ticksBefore;
      this.windowInstructions += ran;
      if (r === 'breakpoint' && this.onBreakpoint()) return;
      if (r === 'halt') {
        this.stop('halt', [], this.target.stopDetail);
        return;
      }
      if (r === 'shutdown') {
        this.terminate();
        return;
      }
      if (this.now() - t0 >= YIELD_MS) break;
    }
    this.updateMips();
    this.schedule();
  }

  private resetPacing(): void {
    this.lastPace = this.now();
    this.tickCredit = 0;
    this.instructionCredit = 0;
  }

  /** Adds the credit earned since the last call (capped at CREDIT_MS worth); returns what may run now. */
  private earnCredit(ips: number): number {
    const now = this.now();
    const dt = now - this.lastPace;
    this.lastPace = now;
    const tickRate = (this.target.ticksPerSecond * MAX_VIRTUAL_RATE) / 1000;
    this.tickCredit = Math.min(this.tickCredit + dt * tickRate, CREDIT_MS * tickRate);
    if (ips === Infinity) return this.tickCredit;
    const insRate = ips / 1000;
    this.instructionCredit = Math.min(this.instructionCredit + dt * insRate, CREDIT_MS * insRate);
    return Math.min(this.tickCredit, this.instructionCredit);
  }

  private updateMips(): void {
    const t = this.now();
    const dt = t - this.windowStart;
    if (dt >= 500) {
      this.mipsValue = this.windowInstructions / dt / 1000;
      this.windowStart = t;
      this.windowInstructions = 0;
    }
  }

  /** Decides what a breakpoint trap means; true when the run stops. */
  private onBreakpoint(): boolean {
    const ctx = this.context();
    const pc = ctx.state.pcLinear >>> 0;
    const hit: number[] = [];
    for (const b of this.byLinear.get(pc) ?? []) {
      if (b.spec.condition && !this.truthy(b.spec.condition, ctx)) continue;
      b.hits++;
      const hc = b.spec.hitCondition;
      if (hc) {
        const pass =
          hc.op === '==' ? b.hits === hc.count : hc.op === '>=' ? b.hits >= hc.count : hc.op === '>' ? b.hits > hc.count : b.hits % hc.count === 0;
        if (!pass) continue;
      }
      if (b.spec.log) {
        this.emit({ kind: 'output', output: { category: 'log', text: formatLog(b.spec.log, ctx) + '\n' } });
        continue;
      }
      hit.push(b.spec.id);
    }
    const temp = this.temp;
    const gotoHit = temp !== null && temp.linear === pc && (!temp.condition || this.truthy(temp.condition, ctx));
    if (hit.length > 0) {
      this.stop('breakpoint', hit);
      return true;
    }
    if (gotoHit) {
      this.stop('goto', []);
      return true;
    }
    return false;
  }

  private truthy(cond: Expr, ctx: EvalContext): boolean {
    try {
      return evaluate(cond, ctx).value !== 0;
    } catch (e) {
      // A condition that cannot be evaluated stops the run, with the reason: silence would hide the bug.
      this.emit({ kind: 'output', output: { category: 'console', text: `breakpoint condition failed: ${e instanceof Error ? e.message : String(e)}\n` } });
      return true;
    }
  }

  private stop(reason: StopReason, ids: number[], description?: string): StopEvent {
    if (this.runState === 'running') this.runState = 'paused';
    if (reason !== 'step' && this.temp) {
      this.temp = null;
      this.syncTargetBreakpoints();
    }
    const stop: StopEvent = {
      reason,
      hitBreakpointIds: ids,
      pcLinear: this.target.cpuState().pcLinear >>> 0,
      ...(description !== undefined ? { description } : {}),
    };
    this.emit({ kind: 'stopped', stop });
    return stop;
  }

  /** Announces the initial stop after boot (stopOnEntry). */
  announceEntry(): StopEvent {
    return this.stop('entry', []);
  }

  private terminate(cause?: 'poweroff' | 'error', reason?: string): void {
    this.runState = 'off';
    const detail = reason ?? this.target.stopDetail;
    const c = cause ?? (/triple/i.test(detail) ? 'triple-fault' : 'poweroff');
    this.emit({ kind: 'terminated', terminated: { cause: c, reason: detail } });
  }
}

/**
 * Every linear page mapping `physical` through the page tables at CR3 (4 KiB pages; the 386/486
 * have no large pages). Identity when paging is off. Reads the tables with side-effect-free peeks.
 */
export function reverseMap(t: DebugTarget, physical: number, max: number): number[] {
  const s = t.cpuState();
  if ((s.cr0 & 0x80000000) === 0) return [physical];
  const out: number[] = [];
  const frame = physical & ~0xfff;
  const dir = s.cr3 & ~0xfff;
  const rd = (a: number): number => {
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const b = t.peekPhysical(a + i);
      if (b < 0) return 0;
      v |= b << (8 * i);
    }
    return v >>> 0;
  };
  for (let pd = 0; pd < 1024 && out.length < max; pd++) {
    const pde = rd(dir + pd * 4);
    if ((pde & 1) === 0) continue;
    const table = pde & ~0xfff;
    for (let pt = 0; pt < 1024 && out.length < max; pt++) {
      const pte = rd(table + pt * 4);
      if ((pte & 1) !== 0 && ((pte & ~0xfff) >>> 0) === frame >>> 0) {
        out.push(((pd << 22) | (pt << 12) | (physical & 0xfff)) >>> 0);
      }
    }
  }
  return out;
}

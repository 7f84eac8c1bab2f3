/**
 * The worker side of the machine protocol: answers WorkerRequests from a MessagePort with an
 * InProcessMachineClient and the machine's display, and forwards machine events, status and fatal
 * errors. It runs in the worker thread (machineWorker.ts) but takes any port, so tests can drive
 * it over a MessageChannel in one thread.
 */
import type { MessagePort } from 'node:worker_threads';
import type { MachineConfig } from '../../protocol/machineState.js';
import type {
  WorkerMethod,
  WorkerNotice,
  WorkerOutbound,
  WorkerParams,
  WorkerRequest,
  WorkerResult,
} from '../../protocol/workerProtocol.js';
import type { BuiltMachine, MachineFactory } from './builtMachine.js';
import { InProcessMachineClient } from './inProcessClient.js';

type Handlers = { [M in WorkerMethod]: (params: WorkerParams<M>) => Promise<WorkerResult<M>> | WorkerResult<M> };

/** Status notices while running, in host milliseconds (pacing only). */
const STATUS_MS = 500;
/**
 * The guest's disk writes are flushed this often and at every stop, so the session overlay on disk
 * is never more than this far behind the guest (and consistent for anyone reading it).
 */
const FLUSH_MS = 1000;

export class WorkerHost {
  private machine: BuiltMachine | null = null;
  private client: InProcessMachineClient | null = null;
  private statusTimer: ReturnType<typeof setInterval> | null = null;
  private flushTimer: ReturnType<typeof setInterval> | null = null;
  private readonly handlers: Handlers;

  constructor(
    private readonly port: MessagePort,
    private readonly factory: MachineFactory,
    private readonly control?: Int32Array,
  ) {
    const c = (): InProcessMachineClient => {
      if (!this.client) throw new Error('no machine: boot first');
      return this.client;
    };
    const m = (): BuiltMachine => {
      if (!this.machine) throw new Error('no machine: boot first');
      return this.machine;
    };
    this.handlers = {
      boot: (p) => this.boot(p.config, p.paused),
      registers: () => c().registers(),
      setRegister: (p) => c().setRegister(p.name, p.value),
      readMemory: (p) => c().readMemory(p.space, p.address, p.length),
      writeMemory: (p) => c().writeMemory(p.space, p.address, p.data),
      translate: (p) => c().translate(p.linear),
      reverseTranslate: (p) => c().reverseTranslate(p.physical, p.max),
      evaluate: (p) => c().evaluate(p.expr),
      setBreakpoints: async (p) => (await c().setBreakpoints(p.specs), null),
      resume: async () => (await c().resume(), null),
      // The host also set the control word; a loop that already saw it has stopped and announced
      // it, so only a still-running machine needs the request (no second 'stopped' event).
      pause: async () => (c().state === 'running' ? await c().pause() : undefined, null),
      step: () => c().step(),
      runUntil: async (p) => (await c().runUntil(p.linear, p.condition), null),
      reset: async () => (await c().reset(), null),
      powerOff: async () => (await this.powerOff(), null),
      status: () => c().status(),
      setSpeed: (p) => (c().setSpeed(p.speed), null),
      frame: (p) => m().display.frame(p.full),
      key: (p) => (m().display.keyEvent(p.code, p.pressed), null),
      typeText: (p) => (m().display.typeText(p.text), null),
      mouse: (p) => (m().display.mouseMove(p.dx, p.dy, p.buttons), null),
      screenshot: () => m().display.screenshotPng(),
      screenText: () => m().display.screenText(),
    };
    port.on('message', (msg: WorkerRequest) => void this.dispatch(msg));
  }

  private send(msg: WorkerOutbound, transfer: ArrayBuffer[] = []): void {
    this.port.postMessage(msg, transfer);
  }

  notice(n: WorkerNotice): void {
    this.send(n);
  }

  private async dispatch(req: WorkerRequest): Promise<void> {
    try {
      const handler = this.handlers[req.method] as (p: WorkerParams<WorkerMethod>) => Promise<WorkerResult<WorkerMethod>> | WorkerResult<WorkerMethod>;
      const result = await handler(req.params);
      this.send({ type: 'reply', id: req.id, ok: true, result }, transferables(result));
    } catch (e) {
      this.send({ type: 'reply', id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  }

  private async boot(config: MachineConfig, paused: boolean): Promise<WorkerResult<'boot'>> {
    if (this.machine) await this.powerOff();
    const machine = await this.factory(config);
    this.machine = machine;
    const client = new InProcessMachineClient(machine.target, { speed: config.speed, ...(this.control ? { control: this.control } : {}) });
    this.client = client;
    machine.onOutput((text) => this.notice({ type: 'event', event: { kind: 'output', output: { category: 'serial', text } } }));
    client.onEvent((event) => {
      // Not on single steps: a flush may fsync, and stepping must stay fast.
      if (event.kind === 'stopped' && event.stop.reason !== 'step') this.flush(machine);
      this.notice({ type: 'event', event });
      if (event.kind === 'terminated') this.stopStatus();
    });
    if (!paused) await client.resume();
    this.statusTimer = setInterval(() => this.notice({ type: 'status', status: client.statusNow() }), STATUS_MS);
    this.statusTimer.unref?.();
    this.flushTimer = setInterval(() => this.flush(machine), FLUSH_MS);
    this.flushTimer.unref?.();
    return { status: client.statusNow(), notes: machine.notes };
  }

  private stopStatus(): void {
    if (this.statusTimer) clearInterval(this.statusTimer);
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.statusTimer = null;
    this.flushTimer = null;
  }

  private flush(machine: BuiltMachine): void {
    if (this.machine !== machine) return;
    try {
      machine.flush();
    } catch (e) {
      this.notice({ type: 'fatal', message: `cannot write the session overlay: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  private async powerOff(): Promise<void> {
    this.stopStatus();
    const client = this.client;
    const machine = this.machine;
    this.client = null;
    this.machine = null;
    if (client) await client.powerOff();
    machine?.close();
  }
}

/** Buffers in a result that can move to the other thread instead of being copied. */
function transferables(result: unknown): ArrayBuffer[] {
  if (result instanceof Uint8Array && result.buffer instanceof ArrayBuffer) return [result.buffer];
  if (result !== null && typeof result === 'object' && 'spans' in result) {
    const spans = (result as { spans: readonly { rgba: Uint8Array }[] }).spans;
    const out: ArrayBuffer[] = [];
    for (const s of spans) if (s.rgba.buffer instanceof ArrayBuffer && !out.includes(s.rgba.buffer)) out.push(s.rgba.buffer);
    return out;
  }
  return [];
}

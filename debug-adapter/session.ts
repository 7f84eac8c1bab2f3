/**
 * The `win31` debug adapter: translates DAP requests into MachineClient calls and machine events
 * into DAP events. It knows nothing about where the machine runs (in this process, or in a worker
 * behind a MessagePort); a MachineProvider hands it a client.
 */
import {
  Breakpoint,
  ContinuedEvent,
  DebugSession,
  InitializedEvent,
  InvalidatedEvent,
  OutputEvent,
  StoppedEvent,
  TerminatedEvent,
  Thread,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { BreakpointSpec, EvalResult, Expr } from '../protocol/debugExpression.js';
import type { MachineClient, Unsubscribe } from '../protocol/machineClient.js';
import type { AddressSpace, CpuModel, CpuState, MachineEvent, MemoryBlock, SpeedSetting } from '../protocol/machineState.js';
import type { DecodedInstruction, InstructionDecoder } from './decoder.js';
import { disassemble } from './disassembly.js';
import { parseCodeAddress, parseExpression, parseHitCondition, parseLogMessage } from './expressionParser.js';
import { hex, is32, linearReference, registerForVariable, scopes, SCOPE, segOffReference, stackSlot, STACK_WORDS, variables } from './registerViews.js';
import { findReturnAddress, walkStack } from './stackWalk.js';

export const THREAD_ID = 1;

export interface LaunchArguments extends DebugProtocol.LaunchRequestArguments {
  /** Hard disk image (qcow2 or raw). */
  image?: string;
  /** Floppy image (raw 1.44 MB etc.). */
  floppy?: string;
  /** RAM in MiB (default 16). */
  memory?: number;
  cpu?: CpuModel;
  speed?: SpeedSetting;
  /** true or 'bios': stop at the first BIOS instruction; 'bootSector': stop at 0000:7C00. */
  stopOnEntry?: boolean | 'bios' | 'bootSector';
  /** Folder that relative image paths are resolved against. */
  cwd?: string;
}

export interface AttachArguments extends DebugProtocol.AttachRequestArguments {
  /** Which open machine (the image path shown in its editor tab); default: the only one. */
  machine?: string;
}

export interface ProvidedMachine {
  readonly client: MachineClient;
  readonly decoder: InstructionDecoder;
  /** Lines for the debug console (e.g. where the overlay is). */
  readonly notes: readonly string[];
  /** True when the adapter owns the machine and powers it off at the end of the session. */
  readonly owned: boolean;
}

export interface MachineProvider {
  /** Builds and powers on a machine, paused before its first instruction. */
  launch(args: LaunchArguments): Promise<ProvidedMachine>;
  attach(args: AttachArguments): Promise<ProvidedMachine>;
}

interface BreakpointEntry {
  readonly spec: BreakpointSpec;
  /** Set for `phys:` breakpoints: re-resolved through the page tables at every stop. */
  readonly physical?: number;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function formatValue(r: EvalResult): string {
  return `${hex(r.value, r.size * 2)} (${r.value})`;
}

export class Win31DebugSession extends DebugSession {
  private machine: ProvidedMachine | null = null;
  private unsubscribe: Unsubscribe | null = null;
  private cached: CpuState | null = null;
  private nextBreakpointId = 1;
  private functionBps: BreakpointEntry[] = [];
  private instructionBps: BreakpointEntry[] = [];
  private entryPending: 'bios' | 'bootSector' | null = null;
  private stepping = false;
  private launched = false;
  /** VS Code needs stop reasons dressed up to focus a frame that has no source (see stoppedEvent). */
  private vscodeClient = false;

  constructor(private readonly provider: MachineProvider) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse, args: DebugProtocol.InitializeRequestArguments): void {
    this.vscodeClient = args.clientID === 'vscode';
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsInstructionBreakpoints: true,
      supportsDisassembleRequest: true,
      supportsReadMemoryRequest: true,
      supportsWriteMemoryRequest: true,
      supportsSetVariable: true,
      supportsEvaluateForHovers: true,
      supportsSteppingGranularity: true,
      supportsTerminateRequest: true,
      supportsGotoTargetsRequest: false,
    };
    this.sendResponse(response);
  }

  private get client(): MachineClient {
    if (!this.machine) throw new Error('no machine: launch or attach first');
    return this.machine.client;
  }

  private async state(): Promise<CpuState> {
    if (!this.cached) this.cached = await this.client.registers();
    return this.cached;
  }

  private adopt(m: ProvidedMachine): void {
    this.machine = m;
    for (const n of m.notes) this.sendEvent(new OutputEvent(n + '\n', 'console'));
    this.unsubscribe = m.client.onEvent((e) => void this.onMachineEvent(e));
  }

  private async onMachineEvent(e: MachineEvent): Promise<void> {
    if (e.kind === 'continued') {
      this.cached = null;
      if (!this.stepping) this.sendEvent(new ContinuedEvent(THREAD_ID, true));
      return;
    }
    if (e.kind === 'output') {
      this.sendEvent(new OutputEvent(e.output.text, e.output.category === 'serial' ? 'stdout' : 'console'));
      return;
    }
    if (e.kind === 'terminated') {
      this.sendEvent(new OutputEvent(`machine stopped: ${e.terminated.reason}\n`, e.terminated.cause === 'poweroff' ? 'console' : 'stderr'));
      this.sendEvent(new TerminatedEvent());
      return;
    }
    this.cached = null;
    this.stepping = false;
    const stop = e.stop;
    let reason: string = stop.reason;
    if (this.entryPending !== null && (stop.reason === 'goto' || stop.reason === 'entry')) reason = 'entry';
    else if (stop.reason === 'goto') reason = 'step';
    else if (stop.reason === 'halt') reason = 'pause';
    this.entryPending = null;
    await this.refreshPhysicalBreakpoints();
    const ev = this.stoppedEvent(reason, stop.description);
    if (stop.hitBreakpointIds.length > 0) ev.body.hitBreakpointIds = [...stop.hitBreakpointIds];
    this.sendEvent(ev);
  }

  /**
   * VS Code focuses (and shows registers for) a frame without a source only when the thread stopped
   * on an 'instruction breakpoint' or an instruction-granularity step; it then opens the
   * Disassembly view at it. Every stop here is at an instruction, so for VS Code the reason says
   * that and the description keeps the real one ("Paused on step"); other clients get plain reasons.
   */
  private stoppedEvent(reason: string, detail?: string): DebugProtocol.StoppedEvent {
    const label: { [r: string]: string } = { entry: 'Paused on entry', step: 'Paused on step', breakpoint: 'Paused on breakpoint', pause: 'Paused' };
    const dressed = this.vscodeClient && reason !== 'exception';
    const ev = new StoppedEvent(dressed ? 'instruction breakpoint' : reason, THREAD_ID) as DebugProtocol.StoppedEvent;
    ev.body.allThreadsStopped = true;
    const text = dressed ? [label[reason] ?? `Paused (${reason})`, detail].filter(Boolean).join(': ') : detail;
    if (text) ev.body.description = text;
    return ev;
  }

  protected override async launchRequest(response: DebugProtocol.LaunchResponse, launchArgs: LaunchArguments | undefined): Promise<void> {
    const args: LaunchArguments = launchArgs ?? {};
    try {
      if (!args.image && !args.floppy) throw new Error("the launch configuration needs 'image' (a .qcow2 or raw hard disk) or 'floppy'");
      this.adopt(await this.provider.launch(args));
      this.launched = true;
      const soe = args.stopOnEntry;
      this.entryPending = soe === true || soe === 'bios' ? 'bios' : soe === 'bootSector' ? 'bootSector' : null;
      this.sendResponse(response);
      this.sendEvent(new InitializedEvent());
    } catch (e) {
      this.sendErrorResponse(response, { id: 1001, format: `cannot start the machine: ${errorText(e)}`, showUser: true });
    }
  }

  protected override async attachRequest(response: DebugProtocol.AttachResponse, args: AttachArguments): Promise<void> {
    try {
      this.adopt(await this.provider.attach(args));
      this.sendResponse(response);
      this.sendEvent(new InitializedEvent());
    } catch (e) {
      this.sendErrorResponse(response, { id: 1002, format: `cannot attach: ${errorText(e)}`, showUser: true });
    }
  }

  protected override async configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): Promise<void> {
    this.sendResponse(response);
    try {
      if (!this.launched) {
        // Attached: show where the machine is, paused, so the user sees registers at once.
        const st = await this.client.status();
        if (st.state === 'running') await this.client.pause();
        else if (st.state === 'paused') this.sendEvent(this.stoppedEvent('pause'));
        return;
      }
      if (this.entryPending === 'bios') this.sendEvent(this.entryStop());
      else if (this.entryPending === 'bootSector') await this.client.runUntil(0x7c00);
      else await this.client.resume();
    } catch (e) {
      this.sendEvent(new OutputEvent(`cannot start: ${errorText(e)}\n`, 'stderr'));
    }
  }

  private entryStop(): DebugProtocol.StoppedEvent {
    this.entryPending = null;
    return this.stoppedEvent('entry');
  }

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [new Thread(THREAD_ID, 'CPU')] };
    this.sendResponse(response);
  }

  // ---- breakpoints ----

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    response.body = {
      breakpoints: (args.breakpoints ?? []).map(() => ({
        verified: false,
        message: 'guest code has no source files here: use a function breakpoint (0000:7C00, lin:..., phys:...) or the Disassembly view',
      })),
    };
    this.sendResponse(response);
  }

  /** Builds a spec from the common DAP breakpoint fields; throws with the reason. */
  private specFields(bp: { condition?: string; hitCondition?: string; logMessage?: string }): Pick<BreakpointSpec, 'condition' | 'hitCondition' | 'log'> {
    const out: { condition?: Expr; hitCondition?: BreakpointSpec['hitCondition']; log?: BreakpointSpec['log'] } = {};
    if (bp.condition && bp.condition.trim() !== '') out.condition = parseExpression(bp.condition);
    if (bp.hitCondition && bp.hitCondition.trim() !== '') out.hitCondition = parseHitCondition(bp.hitCondition);
    if (bp.logMessage !== undefined && bp.logMessage !== '') out.log = parseLogMessage(bp.logMessage);
    return out;
  }

  /**
   * DAP carries log messages on source breakpoints only, and guest code has no sources here, so a
   * function breakpoint becomes a logpoint by its name: `0000:7C35 log ax={ax}`.
   */
  private async resolveBreakpoint(name: string, fields: { condition?: string; hitCondition?: string; logMessage?: string }): Promise<{ entry: BreakpointEntry; message?: string }> {
    const m = /^(.*?)\s+log\s+(.*)$/is.exec(name);
    const text = m ? m[1] : name;
    const extra = this.specFields(m ? { ...fields, logMessage: m[2] } : fields);
    const addr = parseCodeAddress(text);
    const id = this.nextBreakpointId++;
    if (addr.kind === 'physical') {
      const phys = (await this.client.evaluate({ k: 'addr', address: addr })).value;
      const linear = await this.client.reverseTranslate(phys, 64);
      const message =
        linear.length === 0
          ? `physical ${hex(phys, 8)} is not mapped by the current page tables; it is looked up again at every stop`
          : undefined;
      return { entry: { spec: { id, linear, ...extra }, physical: phys }, ...(message ? { message } : {}) };
    }
    const r = await this.client.evaluate({ k: 'addr', address: addr });
    return { entry: { spec: { id, linear: [r.value], ...extra } } };
  }

  private async pushBreakpoints(): Promise<void> {
    await this.client.setBreakpoints([...this.functionBps, ...this.instructionBps].map((b) => b.spec));
  }

  private async refreshPhysicalBreakpoints(): Promise<void> {
    const all = [...this.functionBps, ...this.instructionBps];
    if (!all.some((b) => b.physical !== undefined)) return;
    let changed = false;
    const remap = async (list: BreakpointEntry[]): Promise<BreakpointEntry[]> => {
      const out: BreakpointEntry[] = [];
      for (const b of list) {
        if (b.physical === undefined) {
          out.push(b);
          continue;
        }
        const linear = await this.client.reverseTranslate(b.physical, 64);
        if (linear.join() !== b.spec.linear.join()) changed = true;
        out.push({ spec: { ...b.spec, linear }, physical: b.physical });
      }
      return out;
    };
    this.functionBps = await remap(this.functionBps);
    this.instructionBps = await remap(this.instructionBps);
    if (changed) await this.pushBreakpoints();
  }

  protected override async setFunctionBreakPointsRequest(
    response: DebugProtocol.SetFunctionBreakpointsResponse,
    args: DebugProtocol.SetFunctionBreakpointsArguments,
  ): Promise<void> {
    const result: DebugProtocol.Breakpoint[] = [];
    const entries: BreakpointEntry[] = [];
    for (const fb of args.breakpoints) {
      try {
        const { entry, message } = await this.resolveBreakpoint(fb.name, fb);
        entries.push(entry);
        const bp: DebugProtocol.Breakpoint = new Breakpoint(true);
        bp.id = entry.spec.id;
        if (entry.spec.linear.length > 0) bp.instructionReference = hex(entry.spec.linear[0], 8);
        if (message) bp.message = message;
        result.push(bp);
      } catch (e) {
        const bp: DebugProtocol.Breakpoint = new Breakpoint(false);
        bp.message = `'${fb.name}': ${errorText(e)}`;
        result.push(bp);
      }
    }
    this.functionBps = entries;
    try {
      await this.pushBreakpoints();
      response.body = { breakpoints: result };
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, { id: 1003, format: errorText(e) });
    }
  }

  protected override async setInstructionBreakpointsRequest(
    response: DebugProtocol.SetInstructionBreakpointsResponse,
    args: DebugProtocol.SetInstructionBreakpointsArguments,
  ): Promise<void> {
    const result: DebugProtocol.Breakpoint[] = [];
    const entries: BreakpointEntry[] = [];
    for (const ib of args.breakpoints) {
      try {
        const base = await this.resolveReference(ib.instructionReference);
        if (base.space !== 'linear') throw new Error('instruction breakpoints take linear addresses');
        const linear = (base.address + (ib.offset ?? 0)) >>> 0;
        const spec: BreakpointSpec = { id: this.nextBreakpointId++, linear: [linear], ...this.specFields(ib) };
        entries.push({ spec });
        const bp: DebugProtocol.Breakpoint = new Breakpoint(true);
        bp.id = spec.id;
        bp.instructionReference = hex(linear, 8);
        result.push(bp);
      } catch (e) {
        const bp: DebugProtocol.Breakpoint = new Breakpoint(false);
        bp.message = errorText(e);
        result.push(bp);
      }
    }
    this.instructionBps = entries;
    try {
      await this.pushBreakpoints();
      response.body = { breakpoints: result };
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, { id: 1004, format: errorText(e) });
    }
  }

  // ---- run control ----

  protected override async continueRequest(response: DebugProtocol.ContinueResponse): Promise<void> {
    response.body = { allThreadsContinued: true };
    this.sendResponse(response);
    this.cached = null;
    await this.run(() => this.client.resume());
  }

  protected override async pauseRequest(response: DebugProtocol.PauseResponse): Promise<void> {
    this.sendResponse(response);
    await this.run(() => this.client.pause());
  }

  protected override async stepInRequest(response: DebugProtocol.StepInResponse): Promise<void> {
    this.sendResponse(response);
    await this.stepOne();
  }

  private async stepOne(): Promise<void> {
    this.stepping = true;
    this.cached = null;
    await this.run(async () => {
      await this.client.step();
    });
  }

  protected override async nextRequest(response: DebugProtocol.NextResponse): Promise<void> {
    this.sendResponse(response);
    try {
      const s = await this.state();
      const ins = await this.decodeAt(s, s.pcLinear);
      if (ins && (ins.kind === 'call' || ins.kind === 'int' || ins.kind === 'rep' || ins.kind === 'loop')) {
        // Run to the next instruction; for calls and interrupts only once the stack is back at
        // this level, so a recursive call that passes the same address does not stop early.
        const next = (s.pcLinear + ins.length) >>> 0;
        const wide = is32(s) || s.ss.big;
        const spNow = wide ? s.esp >>> 0 : s.esp & 0xffff;
        const condition: Expr | undefined =
          ins.kind === 'call' || ins.kind === 'int'
            ? { k: 'binary', op: '>=', left: { k: 'reg', name: wide ? 'esp' : 'sp' }, right: { k: 'num', value: spNow } }
            : undefined;
        this.stepping = true;
        this.cached = null;
        await this.run(() => this.client.runUntil(next, condition));
        return;
      }
    } catch (e) {
      this.sendEvent(new OutputEvent(`step over: ${errorText(e)}; stepping one instruction\n`, 'console'));
    }
    await this.stepOne();
  }

  protected override async stepOutRequest(response: DebugProtocol.StepOutResponse): Promise<void> {
    try {
      const s = await this.state();
      const ret = await findReturnAddress(s, (a, n) => this.client.readMemory('linear', a, n));
      if (!ret) {
        throw new Error(
          s.mode === 'protected'
            ? 'step out needs a real-mode or V86 stack (protected-mode frames are not walked yet)'
            : 'no return address found in the 64 words at SS:SP (no CALL or INT ends right before any of them)',
        );
      }
      this.sendResponse(response);
      this.stepping = true;
      this.cached = null;
      const condition: Expr = { k: 'binary', op: '>=', left: { k: 'reg', name: 'sp' }, right: { k: 'num', value: ret.spAfter & 0xffff } };
      await this.run(() => this.client.runUntil(ret.linear, condition));
    } catch (e) {
      this.sendErrorResponse(response, { id: 1005, format: `cannot step out: ${errorText(e)}`, showUser: true });
    }
  }

  private async run(action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
    } catch (e) {
      this.stepping = false;
      this.sendEvent(new OutputEvent(`${errorText(e)}\n`, 'stderr'));
    }
  }

  // ---- inspection ----

  private async decodeAt(s: CpuState, linear: number): Promise<DecodedInstruction | null> {
    if (!this.machine) return null;
    const block = await this.client.readMemory('linear', linear, 16);
    if (block.readable === 0) return null;
    const bits = is32(s) ? 32 : 16;
    const ip = (linear - s.cs.base) >>> 0;
    return this.machine.decoder.decode(block.data, 0, block.readable, bits, bits === 16 ? ip & 0xffff : ip);
  }

  protected override async stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): Promise<void> {
    try {
      const s = await this.state();
      const frames = await walkStack(s, (a, n) => this.client.readMemory('linear', a, n));
      const wide = is32(s);
      const all: DebugProtocol.StackFrame[] = frames.map((f, i) => {
        const off = (f.ip >>> 0).toString(16).toUpperCase().padStart(wide && f.kind === 'current' ? 8 : 4, '0');
        const where = `${f.cs.toString(16).toUpperCase().padStart(4, '0')}:${off}`;
        const form = s.mode === 'protected' ? 'sel:off' : 'seg:off';
        const name = f.kind === 'current' ? `${where} (${form}, ${s.mode === 'v86' ? 'V86' : s.mode})` : `${where} (${f.kind} return)`;
        return { id: i + 1, name, line: 0, column: 0, instructionPointerReference: hex(f.linear, 8), presentationHint: i === 0 ? 'normal' : 'subtle' };
      });
      const start = args.startFrame ?? 0;
      const levels = args.levels ?? all.length;
      response.body = { stackFrames: all.slice(start, start + (levels || all.length)), totalFrames: all.length };
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, { id: 1006, format: errorText(e) });
    }
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse): void {
    response.body = { scopes: scopes() };
    this.sendResponse(response);
  }

  protected override async variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): Promise<void> {
    try {
      const s = await this.state();
      const stack = args.variablesReference === SCOPE.stack ? await this.readStack(s) : null;
      response.body = { variables: variables(s, args.variablesReference, stack) };
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, { id: 1007, format: errorText(e) });
    }
  }

  private async readStack(s: CpuState): Promise<MemoryBlock> {
    const wide = is32(s);
    const sp = wide ? s.esp >>> 0 : s.esp & 0xffff;
    return this.client.readMemory('linear', (s.ss.base + sp) >>> 0, STACK_WORDS * (wide ? 4 : 2));
  }

  protected override async setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): Promise<void> {
    try {
      const s = await this.state();
      const value = (await this.client.evaluate(parseExpression(args.value))).value;
      if (args.variablesReference === SCOPE.stack) {
        const slot = stackSlot(args.name);
        if (slot < 0) throw new Error(`'${args.name}' is not a stack slot`);
        const wide = is32(s);
        const size = wide ? 4 : 2;
        const sp = wide ? s.esp >>> 0 : s.esp & 0xffff;
        const data = new Uint8Array(size);
        for (let i = 0; i < size; i++) data[i] = (value >>> (8 * i)) & 0xff;
        const n = await this.client.writeMemory('linear', (s.ss.base + sp + slot) >>> 0, data);
        if (n < size) throw new Error('the stack slot is not writable');
        response.body = { value: hex(value, size * 2) };
      } else {
        const reg = registerForVariable(args.variablesReference, args.name);
        if (!reg) throw new Error(`'${args.name}' is read-only`);
        this.cached = await this.client.setRegister(reg, value);
        const rows = variables(this.cached, args.variablesReference, null);
        response.body = { value: rows.find((r) => r.name === args.name)?.value ?? hex(value, 8) };
      }
      this.cached = null;
      this.sendResponse(response);
      this.sendEvent(new InvalidatedEvent(['variables']));
    } catch (e) {
      this.sendErrorResponse(response, { id: 1008, format: `cannot set ${args.name}: ${errorText(e)}` });
    }
  }

  protected override async evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): Promise<void> {
    try {
      const expr = parseExpression(args.expression);
      const r = await this.client.evaluate(expr);
      const body: DebugProtocol.EvaluateResponse['body'] = { result: formatValue(r), variablesReference: 0 };
      if (r.pointer) body.memoryReference = r.pointer.space === 'physical' ? `phys:${hex(r.pointer.address, 8).slice(2)}` : linearReference(r.pointer.address);
      else if (expr.k === 'reg') {
        const s = await this.state();
        const segFor: { [k: string]: 'ds' | 'es' | 'ss' | 'cs' } = { si: 'ds', esi: 'ds', bx: 'ds', ebx: 'ds', di: 'es', edi: 'es', bp: 'ss', ebp: 'ss', sp: 'ss', esp: 'ss', ip: 'cs', eip: 'cs' };
        const seg = segFor[expr.name];
        if (seg) body.memoryReference = segOffReference(s, seg, r.value);
      }
      response.body = body;
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, { id: 1009, format: errorText(e) });
    }
  }

  /** memoryReference / instructionReference: `0x7C00` or `lin:` (linear), `phys:`, `seg:off`. */
  private async resolveReference(ref: string): Promise<{ space: AddressSpace; address: number }> {
    const addr = parseCodeAddress(ref);
    const r = await this.client.evaluate({ k: 'addr', address: addr });
    return { space: addr.kind === 'physical' ? 'physical' : 'linear', address: r.value >>> 0 };
  }

  protected override async readMemoryRequest(response: DebugProtocol.ReadMemoryResponse, args: DebugProtocol.ReadMemoryArguments): Promise<void> {
    try {
      const base = await this.resolveReference(args.memoryReference);
      const address = (base.address + (args.offset ?? 0)) >>> 0;
      const count = Math.min(args.count, 1 << 20);
      const block = await this.client.readMemory(base.space, address, count);
      response.body = {
        address: hex(address, 8),
        data: Buffer.from(block.data.subarray(0, block.readable)).toString('base64'),
        unreadableBytes: count - block.readable,
      };
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, { id: 1010, format: `cannot read memory at '${args.memoryReference}': ${errorText(e)}` });
    }
  }

  protected override async writeMemoryRequest(response: DebugProtocol.WriteMemoryResponse, args: DebugProtocol.WriteMemoryArguments): Promise<void> {
    try {
      const base = await this.resolveReference(args.memoryReference);
      const address = (base.address + (args.offset ?? 0)) >>> 0;
      const data = new Uint8Array(Buffer.from(args.data, 'base64'));
      const n = await this.client.writeMemory(base.space, address, data);
      if (n < data.length && !args.allowPartial) {
        throw new Error(`only ${n} of ${data.length} bytes are writable at ${base.space} ${hex(address, 8)}`);
      }
      response.body = { bytesWritten: n };
      this.cached = null;
      this.sendResponse(response);
      this.sendEvent(new InvalidatedEvent(['variables']));
    } catch (e) {
      this.sendErrorResponse(response, { id: 1011, format: `cannot write memory at '${args.memoryReference}': ${errorText(e)}` });
    }
  }

  protected override async disassembleRequest(response: DebugProtocol.DisassembleResponse, args: DebugProtocol.DisassembleArguments): Promise<void> {
    try {
      if (!this.machine) throw new Error('no machine');
      const s = await this.state();
      const base = await this.resolveReference(args.memoryReference);
      if (base.space !== 'linear') throw new Error('disassembly takes linear addresses');
      const anchor = (base.address + (args.offset ?? 0)) >>> 0;
      const instructions = await disassemble(
        {
          read: (a, n) => this.client.readMemory('linear', a, n),
          decoder: this.machine.decoder,
          bits: is32(s) ? 32 : 16,
          csBase: s.cs.base,
          csSelector: s.cs.selector,
          knownStarts: [s.pcLinear],
        },
        anchor,
        args.instructionOffset ?? 0,
        args.instructionCount,
      );
      response.body = { instructions };
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, { id: 1012, format: `cannot disassemble: ${errorText(e)}` });
    }
  }

  // ---- end ----

  protected override async terminateRequest(response: DebugProtocol.TerminateResponse): Promise<void> {
    try {
      if (this.machine) await this.machine.client.powerOff();
    } catch {
      // Already off.
    }
    this.sendResponse(response);
  }

  protected override async disconnectRequest(response: DebugProtocol.DisconnectResponse, args: DebugProtocol.DisconnectArguments): Promise<void> {
    const m = this.machine;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.machine = null;
    try {
      if (m) {
        await m.client.setBreakpoints([]);
        const end = args.terminateDebuggee ?? m.owned;
        if (end) await m.client.powerOff();
        else await m.client.resume();
      }
    } catch {
      // The machine may be gone already; disconnecting must still succeed.
    }
    this.sendResponse(response);
  }
}

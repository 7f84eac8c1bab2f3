/**
 * The CPU as the rest of the machine sees it: the run loop (instruction boundaries, interrupts,
 * faults, breakpoints), and the register, memory and state API used by the BIOS, the debugger and
 * the machine wiring.
 */
import type { InterruptController } from '../io/irq.js';
import type { IoBus } from '../io/ioBus.js';
import { expectState, hex, numField, boolField, type Device, type DeviceState, type InspectNode, type ResetKind, type StateValue } from '../machine/device.js';
import type { PhysicalMemory } from '../memory/physicalMemory.js';
import { ATT_BREAKPOINT, ATT_DEBUG, ATT_EXTRA, ATT_HALT, ATT_INTR, ATT_NMI, ATT_SHADOW, ATT_SHUTDOWN, ATT_STOP, ATT_TRAP, CpuCore, REP_CHUNK } from './cpuCore.js';
import type { CpuModel } from './cpuModel.js';
import { ACC_BIG } from './cpuState.js';
import { dispatchTable, prefixTable } from './dispatch.js';
import { codeBreakpointDue, debugAfterInstruction, noteSingleStep, updateBreakpoints, writeDebugRegister } from './debugRegisters.js';
import { setCr0 } from './execSystem.js';
import { FAULT, UnsupportedError, VEC_DB, VEC_DE, VEC_NMI } from './fault.js';
import { IF, TF, VM } from './flags.js';
import { BYTE_REG, CS, REG16_NAMES, REG32_NAMES, REG8_NAMES, SEG_LDTR, SEG_NAMES, SEG_TR, type RegName, type SegmentInfo, type TableRegister } from './registers.js';

export type { CpuModel } from './cpuModel.js';
export type { RegName, SegmentInfo, TableRegister } from './registers.js';

export type StopReason = 'budget' | 'halt' | 'stop' | 'breakpoint' | 'shutdown' | 'unsupported';

export interface CpuOptions {
  readonly model: CpuModel;
  readonly memory: PhysicalMemory;
  readonly io: IoBus;
}

const STATE_VERSION = 1;

export class Cpu extends CpuCore implements Device {
  readonly name = 'cpu';
  /** The interrupt controller the INTA cycle talks to. */
  pic: InterruptController | null = null;
  stopReason: StopReason = 'budget';
  /** Why the CPU stopped with 'unsupported' (the feature it reached). */
  unsupportedReason = '';
  /** Instructions executed since reset (a faulting instruction counts, and so does each REP iteration). */
  instructionCount = 0;

  private intrLine = false;
  private readonly bpPages = new Uint16Array(1 << 20);
  private readonly bpSet = new Set<number>();
  /** Linear address whose breakpoint the next run() steps over (the one it stopped at). */
  private bpSkip = -1;

  constructor(options: CpuOptions) {
    super(options.model, options.memory, options.io);
    this.ops = dispatchTable(this.traits.gen);
    this.prefixBytes = prefixTable(this.traits.gen);
    options.memory.setBusBits(this.traits.busBits);
    this.reset('power');
  }

  // ---- reset -------------------------------------------------------------------------------

  /** The model's documented reset state. RAM is not the CPU's business. */
  reset(_kind: ResetKind): void {
    const t = this.traits;
    this.r32.fill(0);
    this.r32[2] = t.resetEdx;
    this.flags = 0x0002;
    this.lzOp = 0;
    this.cr0 = t.resetCr0;
    this.cr2 = 0;
    this.cr3 = 0;
    this.cr4 = 0;
    this.dr.fill(0);
    if (this.gen >= 386) {
      this.dr[6] = 0xffff0ff0 | 0;
      this.dr[7] = 0x400;
    }
    this.testRegs.fill(0);
    this.gdtrBase = 0;
    this.gdtrLimit = 0xffff;
    this.idtrBase = 0;
    this.idtrLimit = 0xffff;
    this.cpl = 0;
    for (let s = 0; s < 6; s++) this.resetSegment(s, 0, 0);
    this.resetSegment(CS, t.resetCs, t.resetCsBase);
    this.setCache(SEG_LDTR, 0, 0xffff, 0x82);
    this.segSel[SEG_LDTR] = 0;
    this.setCache(SEG_TR, 0, 0xffff, 0x8b);
    this.segSel[SEG_TR] = 0;
    this.eip = t.resetIp;
    this.resetPrefixes();
    this.halted = false;
    this.shutdown = false;
    this.deliveryDepth = 0;
    this.trapArmed = false;
    this.extBit = 0;
    this.rfFresh = false;
    this.dbgHit = 0;
    this.attention = (this.intrLine ? ATT_INTR : 0) | (this.bpSet.size !== 0 ? ATT_BREAKPOINT : 0);
    this.selectTlb();
    updateBreakpoints(this);
    this.attention &= ~ATT_DEBUG;
    this.flushTlb();
  }

  // ---- run loop ----------------------------------------------------------------------------

  /**
   * Executes up to `maxInstructions` instructions; returns how many ran. Stops early on HLT,
   * requestStop(), a breakpoint (before the instruction), shutdown, or an unsupported feature;
   * `stopReason` says which.
   */
  run(maxInstructions: number): number {
    this.stopReason = 'budget';
    let n = 0;
    if (this.shutdown) {
      this.stopReason = 'shutdown';
      return 0;
    }
    if ((this.attention & ATT_STOP) !== 0) {
      this.attention &= ~ATT_STOP;
      this.stopReason = 'stop';
      return 0;
    }
    if (this.halted && !this.wakeFromHalt()) {
      this.stopReason = this.shutdown ? 'shutdown' : 'halt';
      return 0;
    }
    const skip = this.bpSkip;
    this.bpSkip = -1;
    if ((this.attention & ATT_BREAKPOINT) !== 0 && this.hitBreakpoint(skip)) {
      this.stopReason = 'breakpoint';
      return 0;
    }
    if ((this.attention & ATT_DEBUG) !== 0 && codeBreakpointDue(this)) this.deliverGuarded(VEC_DB, false);
    const ops = this.ops;
    // REP iterations count as instructions. Up to `tail` a REP step may run a whole chunk and
    // still end within the budget; past it each step may only run the iterations that are left.
    const tail = maxInstructions - REP_CHUNK;
    this.repChunk = REP_CHUNK;
    outer: while (n < maxInstructions) {
      try {
        while (n <= tail) {
          const eip = this.eip;
          this.startEip = eip;
          const op = this.fetch8();
          ops[op | this.opIdx](this, op);
          n++;
          if (this.attention !== 0) {
            n += this.repExtra;
            this.repExtra = 0;
            if (this.serviceBoundary()) break outer;
          }
        }
        while (n < maxInstructions) {
          this.repChunk = maxInstructions - n;
          const eip = this.eip;
          this.startEip = eip;
          const op = this.fetch8();
          ops[op | this.opIdx](this, op);
          n++;
          if (this.attention !== 0) {
            n += this.repExtra;
            this.repExtra = 0;
            if (this.serviceBoundary()) break outer;
          }
        }
      } catch (e) {
        if (e === FAULT) {
          n++;
          this.faultToGuest();
          n += this.repExtra;
          this.repExtra = 0;
          if (this.attention !== 0 && this.serviceBoundary()) break;
          continue;
        }
        if (e instanceof UnsupportedError) {
          this.resetPrefixes();
          this.eip = this.startEip;
          this.unsupportedReason = e.message;
          this.stopReason = 'unsupported';
          break;
        }
        this.resetPrefixes();
        this.eip = this.startEip;
        throw e;
      }
    }
    this.instructionCount += n;
    if (!this.defAs32) this.eip &= 0xffff;
    return n;
  }

  /**
   * Executes exactly one instruction, stepping over a breakpoint at the current address. A REP
   * string instruction advances by one iteration per step (EIP stays on it until it completes, as
   * with the chip's single-step trap). An external interrupt accepted at the boundary after the
   * instruction is entered within the same step: CS:IP is then the handler's first instruction.
   */
  step(): number {
    this.bpSkip = (this.segBase[CS] + this.eip) >>> 0;
    return this.run(1);
  }

  /** Delivers the fault the current instruction raised, from the instruction boundary. */
  private faultToGuest(): void {
    const vector = FAULT.vector;
    const code = FAULT.errorCode;
    this.resetPrefixes();
    this.repContinued = false;
    this.dbgHit = 0;
    // A fault in the middle of a system access may leave the supervisor class selected.
    this.selectTlb();
    // The 8086 divide error is an interrupt after the instruction: it returns past it.
    const ret = vector === VEC_DE && !this.traits.divFaultPushesStart ? this.eip : this.startEip;
    this.eip = ret;
    this.halted = false;
    this.deliverException(vector, ret, (this.cr0 & 1) !== 0 ? code : -1);
  }

  /**
   * True when CS:EIP (the next instruction) has a breakpoint, except at `skip` (the breakpoint
   * the previous run stopped at) and while a REP continues with its next iterations. On a hit the
   * next run() steps over it.
   */
  private hitBreakpoint(skip: number): boolean {
    const lin = (this.segBase[CS] + this.eip) >>> 0;
    if (lin === skip || this.repContinued || this.bpPages[lin >>> 12] === 0 || !this.bpSet.has(lin)) return false;
    this.bpSkip = lin;
    return true;
  }

  /** Handles everything flagged in `attention` at an instruction boundary; true = stop the run. */
  private serviceBoundary(): boolean {
    let a = this.attention & ~ATT_EXTRA;
    this.attention = a;
    if (a & ATT_SHUTDOWN) {
      this.stopReason = 'shutdown';
      return true;
    }
    const shadow = (a & ATT_SHADOW) !== 0;
    if (shadow) {
      a &= ~ATT_SHADOW;
      this.attention = a;
    }
    // Traps of the instruction that just ended: data breakpoints, then the single step.
    const dataTrap = (a & ATT_DEBUG) !== 0 && debugAfterInstruction(this);
    if (a & ATT_TRAP && !shadow) {
      if (this.trapArmed) {
        this.trapArmed = false;
        noteSingleStep(this);
        this.deliverGuarded(VEC_DB, true);
      } else if (dataTrap) this.deliverGuarded(VEC_DB, true);
      this.trapArmed = (this.flags & TF) !== 0;
      if (!this.trapArmed) this.attention &= ~ATT_TRAP;
    } else if (dataTrap) this.deliverGuarded(VEC_DB, true);
    if (!shadow) this.acceptInterrupts();
    if ((this.attention & ATT_DEBUG) !== 0 && codeBreakpointDue(this)) this.deliverGuarded(VEC_DB, false);
    if (this.attention & ATT_HALT) {
      this.attention &= ~ATT_HALT;
      if (this.halted) {
        this.stopReason = 'halt';
        return true;
      }
    }
    if (this.attention & ATT_STOP) {
      this.attention &= ~ATT_STOP;
      this.stopReason = 'stop';
      return true;
    }
    if (this.shutdown) {
      this.stopReason = 'shutdown';
      return true;
    }
    if ((this.attention & ATT_BREAKPOINT) !== 0 && this.hitBreakpoint(-1)) {
      this.stopReason = 'breakpoint';
      return true;
    }
    return false;
  }

  /** Takes a pending NMI, or an INTR when IF is set. Returns true when one was delivered. */
  private acceptInterrupts(): boolean {
    const a = this.attention;
    if (a & ATT_NMI) {
      this.attention &= ~ATT_NMI;
      this.halted = false;
      this.deliverGuarded(VEC_NMI);
      return true;
    }
    if (a & ATT_INTR && this.intrLine && (this.flags & IF) !== 0 && this.pic !== null) {
      const vector = this.pic.acknowledge() & 0xff;
      this.halted = false;
      this.deliverGuarded(vector);
      return true;
    }
    return false;
  }

  /** Delivers an event from outside the instruction stream (EXT = 1): traps, NMI, INTR. */
  private deliverGuarded(vector: number, _trap = false): void {
    if (!this.defAs32) this.eip &= 0xffff;
    this.startEip = this.eip;
    const savedExt = this.extBit;
    this.extBit = 1;
    try {
      this.interrupt(vector, this.eip);
    } catch (e) {
      if (e !== FAULT) throw e;
      this.extBit = savedExt;
      this.selectTlb();
      this.deliverException(FAULT.vector, this.eip, (this.cr0 & 1) !== 0 ? FAULT.errorCode : -1);
    } finally {
      this.extBit = savedExt;
    }
  }

  /** At the start of run() while halted: an acceptable interrupt wakes the CPU. */
  private wakeFromHalt(): boolean {
    if (this.attention & (ATT_INTR | ATT_NMI)) {
      try {
        this.acceptInterrupts();
      } catch (e) {
        if (e instanceof UnsupportedError) {
          this.unsupportedReason = e.message;
          return false;
        }
        throw e;
      }
    }
    return !this.halted;
  }

  // ---- interrupt pins ----------------------------------------------------------------------

  /** Drives the INTR pin. The PIC's vector is read (INTA) only when the CPU accepts. */
  setIntr(level: boolean): void {
    this.intrLine = level;
    if (level) this.attention |= ATT_INTR;
    else this.attention &= ~ATT_INTR;
  }

  /** Raises a non-maskable interrupt, taken at the next instruction boundary. */
  nmi(): void {
    this.attention |= ATT_NMI;
  }

  /** Makes run() return at the next instruction boundary (or the next run() return at once). */
  requestStop(): void {
    this.attention |= ATT_STOP;
  }

  // ---- registers ---------------------------------------------------------------------------

  getReg(name: RegName): number {
    const i32 = (REG32_NAMES as readonly string[]).indexOf(name);
    if (i32 >= 0) return this.r32[i32] >>> 0;
    const i16 = (REG16_NAMES as readonly string[]).indexOf(name);
    if (i16 >= 0) return this.r16[i16 << 1];
    const i8 = (REG8_NAMES as readonly string[]).indexOf(name);
    if (i8 >= 0) return this.r8[BYTE_REG[i8]];
    const s = (SEG_NAMES as readonly string[]).indexOf(name);
    if (s >= 0) return this.segSel[s];
    switch (name) {
      case 'eip':
        return this.defAs32 ? this.eip >>> 0 : this.eip & 0xffff;
      case 'ip':
        return this.eip & 0xffff;
      case 'eflags':
        return this.getFlags();
      case 'flags':
        return this.getFlags() & 0xffff;
      case 'cr0':
        return this.cr0 >>> 0;
      case 'cr2':
        return this.cr2 >>> 0;
      case 'cr3':
        return this.cr3 >>> 0;
      case 'cr4':
        return this.cr4 >>> 0;
      default:
        return this.dr[debugIndex(name)] >>> 0;
    }
  }

  setReg(name: RegName, value: number): void {
    const i32 = (REG32_NAMES as readonly string[]).indexOf(name);
    if (i32 >= 0) {
      this.r32[i32] = value;
      return;
    }
    const i16 = (REG16_NAMES as readonly string[]).indexOf(name);
    if (i16 >= 0) {
      this.r16[i16 << 1] = value;
      return;
    }
    const i8 = (REG8_NAMES as readonly string[]).indexOf(name);
    if (i8 >= 0) {
      this.r8[BYTE_REG[i8]] = value;
      return;
    }
    const s = (SEG_NAMES as readonly string[]).indexOf(name);
    if (s >= 0) {
      this.loadSeg(s, value);
      return;
    }
    switch (name) {
      case 'eip':
        this.eip = value >>> 0;
        return;
      case 'ip':
        this.eip = value & 0xffff;
        return;
      case 'eflags':
      case 'flags': {
        const mask = (name === 'flags' ? 0xffff : 0xffffffff) & (this.traits.writableFlags | (this.gen >= 386 ? VM | 0x10000 : 0));
        this.setFlagBits(value, mask);
        if (this.flags & TF) this.attention |= ATT_TRAP;
        return;
      }
      case 'cr0':
        setCr0(this, value | 0);
        return;
      case 'cr2':
        this.cr2 = value | 0;
        return;
      case 'cr3':
        this.cr3 = value | 0;
        this.flushTlb();
        return;
      case 'cr4':
        this.cr4 = value | 0;
        return;
      default:
        writeDebugRegister(this, debugIndex(name), value | 0);
    }
  }

  getSegment(index: number): SegmentInfo {
    if (index < 0 || index > SEG_TR) throw new RangeError(`segment index ${index} out of range (0-7)`);
    const access = this.segAccess[index];
    return {
      selector: this.segSel[index],
      base: this.segBase[index] >>> 0,
      limit: this.segLimit[index],
      access,
      big: (access & ACC_BIG) !== 0,
    };
  }

  mode(): 'real' | 'protected' | 'v86' {
    if ((this.cr0 & 1) === 0) return 'real';
    return this.flags & VM ? 'v86' : 'protected';
  }

  get gdtr(): TableRegister {
    return { base: this.gdtrBase >>> 0, limit: this.gdtrLimit };
  }

  get idtr(): TableRegister {
    return { base: this.idtrBase >>> 0, limit: this.idtrLimit };
  }

  get ldtr(): SegmentInfo {
    return this.getSegment(SEG_LDTR);
  }

  get tr(): SegmentInfo {
    return this.getSegment(SEG_TR);
  }

  // ---- guest memory for the BIOS (segmentation, limit checks; may raise guest faults) -----------

  readVirt8(seg: number, offset: number): number {
    return this.rd8(seg, this.virtOffset(offset));
  }
  readVirt16(seg: number, offset: number): number {
    return this.rd16(seg, this.virtOffset(offset));
  }
  readVirt32(seg: number, offset: number): number {
    return this.rd32(seg, this.virtOffset(offset)) >>> 0;
  }
  writeVirt8(seg: number, offset: number, value: number): void {
    this.wr8(seg, this.virtOffset(offset), value & 0xff);
  }
  writeVirt16(seg: number, offset: number, value: number): void {
    this.wr16(seg, this.virtOffset(offset), value & 0xffff);
  }
  writeVirt32(seg: number, offset: number, value: number): void {
    this.wr32(seg, this.virtOffset(offset), value | 0);
  }

  private virtOffset(offset: number): number {
    if (!Number.isInteger(offset) || offset < 0 || offset > 0xffffffff) throw new RangeError(`bad offset ${offset}`);
    return offset;
  }

  /** Linear-address accesses (through paging once it exists); values are unsigned. */
  readLinear8(linear: number): number {
    return this.readL8(linear | 0);
  }
  readLinear16(linear: number): number {
    return this.readL16(linear | 0);
  }
  readLinear32(linear: number): number {
    return this.readL32(linear | 0) >>> 0;
  }
  writeLinear8(linear: number, value: number): void {
    this.writeL8(linear | 0, value & 0xff);
  }
  writeLinear16(linear: number, value: number): void {
    this.writeL16(linear | 0, value & 0xffff);
  }
  writeLinear32(linear: number, value: number): void {
    this.writeL32(linear | 0, value | 0);
  }

  /** Short names of the linear accessors, as the BIOS calls them. */
  readLin8(linear: number): number {
    return this.readL8(linear | 0);
  }
  readLin16(linear: number): number {
    return this.readL16(linear | 0);
  }
  readLin32(linear: number): number {
    return this.readL32(linear | 0) >>> 0;
  }
  writeLin8(linear: number, value: number): void {
    this.writeL8(linear | 0, value & 0xff);
  }
  writeLin16(linear: number, value: number): void {
    this.writeL16(linear | 0, value & 0xffff);
  }
  writeLin32(linear: number, value: number): void {
    this.writeL32(linear | 0, value | 0);
  }

  // ---- debugger memory: side-effect free ---------------------------------------------------------

  /** Physical address of a linear address, or -1 when unmapped. No faults, no A/D bit updates. */
  translateLinear(linear: number): number {
    return this.peekTranslate(linear >>> 0);
  }

  /** Reads guest bytes at a linear address without side effects (MMIO through peek8). */
  peekLinear(linear: number, buffer: Uint8Array): void {
    for (let i = 0; i < buffer.length; i++) {
      const p = this.translateLinear(linear + i);
      buffer[i] = p < 0 ? 0xff : this.memory.peek8(p);
    }
  }

  /** Writes guest bytes at a linear address (ROM and unmapped pages ignore them). */
  pokeLinear(linear: number, data: Uint8Array): void {
    for (let i = 0; i < data.length; i++) {
      const p = this.translateLinear(linear + i);
      if (p >= 0) this.memory.write8(p, data[i]);
    }
  }

  // ---- breakpoints -------------------------------------------------------------------------------

  addBreakpoint(linear: number): void {
    const a = linear >>> 0;
    if (this.bpSet.has(a)) return;
    this.bpSet.add(a);
    this.bpPages[a >>> 12]++;
    this.attention |= ATT_BREAKPOINT;
  }

  removeBreakpoint(linear: number): void {
    const a = linear >>> 0;
    if (!this.bpSet.delete(a)) return;
    this.bpPages[a >>> 12]--;
    if (this.bpSet.size === 0) this.attention &= ~ATT_BREAKPOINT;
  }

  clearBreakpoints(): void {
    for (const a of this.bpSet) this.bpPages[a >>> 12] = 0;
    this.bpSet.clear();
    this.attention &= ~ATT_BREAKPOINT;
  }

  get breakpoints(): ReadonlySet<number> {
    return this.bpSet;
  }

  // ---- state ---------------------------------------------------------------------------------

  saveState(): DeviceState {
    const segs: StateValue[] = [];
    for (let s = 0; s < 8; s++) {
      segs.push({ selector: this.segSel[s], base: this.segBase[s] >>> 0, limit: this.segLimit[s], access: this.segAccess[s] });
    }
    return {
      device: this.name,
      version: STATE_VERSION,
      fields: {
        model: this.model,
        regs: Int32Array.from(this.r32),
        eip: this.eip >>> 0,
        eflags: this.getFlags(),
        segments: segs,
        cr0: this.cr0 | 0,
        cr2: this.cr2 | 0,
        cr3: this.cr3 | 0,
        cr4: this.cr4 | 0,
        dr: Int32Array.from(this.dr),
        testRegs: Int32Array.from(this.testRegs),
        gdtrBase: this.gdtrBase >>> 0,
        gdtrLimit: this.gdtrLimit,
        idtrBase: this.idtrBase >>> 0,
        idtrLimit: this.idtrLimit,
        cpl: this.cpl,
        halted: this.halted,
        shutdown: this.shutdown,
        intr: this.intrLine,
        interruptShadow: (this.attention & ATT_SHADOW) !== 0,
        nmiPending: (this.attention & ATT_NMI) !== 0,
        trapArmed: this.trapArmed,
        instructionCount: this.instructionCount,
        tlb: this.exportTlb(),
      },
    };
  }

  loadState(state: DeviceState): void {
    const f = expectState(state, this.name, STATE_VERSION);
    if (f.model !== this.model) throw new Error(`CPU state is for a ${String(f.model)}, this CPU is a ${this.model}`);
    const regs = f.regs;
    const dr = f.dr;
    const tr = f.testRegs;
    const segs = f.segments;
    if (!(regs instanceof Int32Array) || regs.length !== 8) throw new Error('CPU state lacks the registers');
    if (!(dr instanceof Int32Array) || !(tr instanceof Int32Array)) throw new Error('CPU state lacks debug/test registers');
    if (!Array.isArray(segs) || segs.length !== 8) throw new Error('CPU state lacks the segment caches');
    this.r32.set(regs);
    this.dr.set(dr);
    this.testRegs.set(tr);
    this.cr0 = numField(f, 'cr0');
    this.cr2 = numField(f, 'cr2');
    this.cr3 = numField(f, 'cr3');
    this.cr4 = numField(f, 'cr4');
    this.gdtrBase = numField(f, 'gdtrBase') | 0;
    this.gdtrLimit = numField(f, 'gdtrLimit');
    this.idtrBase = numField(f, 'idtrBase') | 0;
    this.idtrLimit = numField(f, 'idtrLimit');
    this.cpl = numField(f, 'cpl');
    this.extBit = 0;
    this.rfFresh = false;
    this.dbgHit = 0;
    this.lzOp = 0;
    this.flags = numField(f, 'eflags') & ~0x2a;
    for (let s = 0; s < 8; s++) {
      const seg = segs[s] as { [k: string]: StateValue };
      this.segSel[s] = numField(seg, 'selector');
      this.setCache(s, numField(seg, 'base'), numField(seg, 'limit'), numField(seg, 'access'));
    }
    this.eip = numField(f, 'eip');
    this.halted = boolField(f, 'halted');
    this.shutdown = boolField(f, 'shutdown');
    this.intrLine = boolField(f, 'intr');
    this.trapArmed = boolField(f, 'trapArmed');
    this.instructionCount = numField(f, 'instructionCount');
    this.attention =
      (this.intrLine ? ATT_INTR : 0) |
      (boolField(f, 'interruptShadow') ? ATT_SHADOW : 0) |
      (boolField(f, 'nmiPending') ? ATT_NMI : 0) |
      (this.trapArmed || (this.flags & TF) !== 0 ? ATT_TRAP : 0) |
      (this.shutdown ? ATT_SHUTDOWN : 0) |
      (this.bpSet.size !== 0 ? ATT_BREAKPOINT : 0);
    this.resetPrefixes();
    this.deliveryDepth = 0;
    this.refreshAllFast();
    this.selectTlb();
    updateBreakpoints(this);
    this.flushTlb();
    // The TLB is guest-visible (stale entries until a flush); states saved before it was kept have none.
    const tlb = f.tlb;
    if (tlb instanceof Int32Array) this.importTlb(tlb);
  }

  inspect(): readonly InspectNode[] {
    const regs: InspectNode[] = REG32_NAMES.map((n, i) => ({ name: n, value: hex(this.r32[i], 8) }));
    regs.push({ name: 'eip', value: hex(this.eip, 8) }, { name: 'eflags', value: hex(this.getFlags(), 8) });
    const segs: InspectNode[] = ['es', 'cs', 'ss', 'ds', 'fs', 'gs', 'ldtr', 'tr'].map((n, i) => ({
      name: n,
      value: hex(this.segSel[i], 4),
      children: [
        { name: 'base', value: hex(this.segBase[i], 8) },
        { name: 'limit', value: hex(this.segLimit[i], 8) },
        { name: 'access', value: hex(this.segAccess[i], 4) },
      ],
    }));
    return [
      { name: 'model', value: this.model },
      { name: 'mode', value: this.mode() },
      { name: 'registers', value: '', children: regs },
      { name: 'segments', value: '', children: segs },
      {
        name: 'system',
        value: '',
        children: [
          { name: 'cr0', value: hex(this.cr0, 8) },
          { name: 'cr2', value: hex(this.cr2, 8) },
          { name: 'cr3', value: hex(this.cr3, 8) },
          { name: 'gdtr', value: `${hex(this.gdtrBase, 8)}:${hex(this.gdtrLimit, 4)}` },
          { name: 'idtr', value: `${hex(this.idtrBase, 8)}:${hex(this.idtrLimit, 4)}` },
          { name: 'cpl', value: String(this.cpl) },
          { name: 'halted', value: String(this.halted) },
        ],
      },
    ];
  }
}

/** DR4/DR5 name DR6/DR7, as MOV DRn does on the 386/486. */
function debugIndex(name: string): number {
  const n = Number(name.slice(2));
  return n === 4 || n === 5 ? n + 2 : n;
}

/**
 * The architectural state of the CPU (registers, descriptor caches, EFLAGS with lazy evaluation,
 * control and system-table registers) and the per-instruction decode state. The memory, execution
 * and public layers extend this class; one class chain keeps every hot field access monomorphic.
 */
import { modelTraits, type CpuModel, type ModelTraits } from './cpuModel.js';
import { AF, ARITH_FLAGS, CF, DF, IF, LZ_ADD, LZ_DEC, LZ_INC, LZ_LOGIC, LZ_NONE, LZ_SUB, OF, PARITY, PF, SF, TF, ZF } from './flags.js';
import { CS, DS, SS } from './registers.js';

/** Segment access-rights bits as cached (descriptor byte 5 in bits 0-7, byte 6 high nibble in 12-15). */
export const ACC_PRESENT = 0x80;
export const ACC_CODE = 0x08;
export const ACC_WRITABLE = 0x02; // data: writable; code: readable
export const ACC_EXPAND_DOWN = 0x04;
export const ACC_S = 0x10;
export const ACC_BIG = 0x4000; // D/B
export const ACC_GRAN = 0x8000;
/** What a real-mode segment looks like after reset: present, writable data, DPL 0, accessed. */
export const ACC_REAL_DATA = ACC_PRESENT | ACC_S | ACC_WRITABLE | 0x01;
export const ACC_REAL_CODE = ACC_PRESENT | ACC_S | ACC_CODE | ACC_WRITABLE | 0x01;

/** Descriptor-cache slots: ES CS SS DS FS GS, then LDTR and TR. */
export const SEG_SLOTS = 8;

export class CpuState {
  readonly model: CpuModel;
  readonly traits: ModelTraits;
  /** 86, 186, 286, 386 or 486. */
  readonly gen: number;

  // General registers: one buffer, three views (see registers.ts).
  readonly regBuffer = new ArrayBuffer(32);
  readonly r32 = new Int32Array(this.regBuffer);
  readonly r16 = new Uint16Array(this.regBuffer);
  readonly r8 = new Uint8Array(this.regBuffer);
  /** Instruction pointer (EIP; IP is its low half in 16-bit code). Kept in 0..FFFFFFFFh. */
  eip = 0;

  // Segment descriptor caches. Loading a selector always goes through one path that fills these;
  // real mode changes only selector and base, so limits and attributes survive ("unreal mode").
  readonly segSel = new Uint16Array(SEG_SLOTS);
  readonly segBase = new Int32Array(SEG_SLOTS);
  /** Segment limit in bytes minus one, 0..FFFFFFFFh. */
  readonly segLimit = new Float64Array(SEG_SLOTS);
  readonly segAccess = new Uint16Array(SEG_SLOTS);
  /**
   * Largest offset a byte access may use without the slow path: the limit for ordinary segments,
   * -1 for segments that always need the full check (expand-down, not present). Word and dword
   * accesses compare against this minus 1 or 3.
   */
  readonly segFast = new Float64Array(SEG_SLOTS);
  /** The same for writes: -1 also for read-only data and code segments in protected mode. */
  readonly segFastW = new Float64Array(SEG_SLOTS);

  // EFLAGS: `flags` holds every bit that is not lazily defined (see flags.ts for lzOp).
  flags = 0x0002;
  lzOp = LZ_NONE;
  lzA = 0;
  lzB = 0;
  lzR = 0;

  // Control, debug and system-table registers. They exist on every model (the 286 has only the
  // MSW, the low 16 bits of cr0); the next layer (protected mode, paging) reads them.
  cr0 = 0;
  cr2 = 0;
  cr3 = 0;
  cr4 = 0;
  readonly dr = new Int32Array(8);
  /** 386/486 test registers TR3-TR7 (index = register number). */
  readonly testRegs = new Int32Array(8);
  gdtrBase = 0;
  gdtrLimit = 0xffff;
  idtrBase = 0;
  idtrLimit = 0x3ff;
  cpl = 0;

  // Per-instruction decode state. Prefix handlers change these; resetPrefixes() restores them.
  /** 0 for 16-bit operand size, 256 for 32-bit: the offset into the dispatch table. */
  opIdx = 0;
  /** Operand-size index implied by the code segment (no 66h prefix). */
  defOpIdx = 0;
  as32 = false;
  defAs32 = false;
  /** Segment used by DS-default and SS-default memory operands (a segment override sets both). */
  dsSeg = DS;
  ssSeg = SS;
  /** 0, or F2h/F3h: the last REP prefix. */
  rep = 0;
  lock = false;
  prefixed = false;
  /** Non-zero while a prefixed instruction is decoded on a model with a length limit (286: 10, 386: 15). */
  lenLimit = 0;
  /**
   * Prefix bytes an instruction may carry before it could exceed the length limit: the limit minus
   * the longest unprefixed instruction (6 bytes on the 286, 12 on the 386+). Infinity: no limit.
   */
  readonly prefixSlack: number;
  /** Segment of the last decoded memory operand (set by ea()). */
  eaSeg = DS;
  /** EIP of the first byte of the current instruction (prefixes included). */
  startEip = 0;
  /** Stack pointer is ESP (SS.B set) rather than SP. */
  ss32 = false;
  /** Bits of EFLAGS that POPF/IRET may change in the current mode (model and mode dependent). */
  flagsWritable: number;
  /** OR-ed into every EFLAGS value read: bit 1, and bits 12-15 on the 8086/186. */
  flagsFixed: number;

  constructor(model: CpuModel) {
    this.traits = modelTraits(model);
    this.model = model;
    this.gen = this.traits.gen;
    this.flagsWritable = this.traits.writableFlags;
    this.flagsFixed = this.traits.flagsHigh === 'ones' ? 0xf002 : 0x0002;
    const maxLen = this.traits.maxInstructionLength;
    this.prefixSlack = maxLen === 0 ? Infinity : maxLen - (this.gen >= 386 ? 12 : 6);
  }

  /** Is the CPU in protected mode (CR0.PE)? V86 is protected mode with EFLAGS.VM. */
  get protectedMode(): boolean {
    return (this.cr0 & 1) !== 0;
  }

  resetPrefixes(): void {
    this.opIdx = this.defOpIdx;
    this.as32 = this.defAs32;
    this.dsSeg = DS;
    this.ssSeg = SS;
    this.rep = 0;
    this.lock = false;
    this.prefixed = false;
    this.lenLimit = 0;
  }

  /** Re-derives the default operand/address size from the CS descriptor cache (D bit). */
  updateCodeSize(): void {
    const big = (this.segAccess[CS] & ACC_BIG) !== 0;
    this.defOpIdx = big ? 256 : 0;
    this.defAs32 = big;
    if (!this.prefixed) {
      this.opIdx = this.defOpIdx;
      this.as32 = big;
    }
  }

  updateStackSize(): void {
    this.ss32 = (this.segAccess[SS] & ACC_BIG) !== 0;
  }

  // ---- lazy flags ----------------------------------------------------------------------------

  getCF(): number {
    const op = this.lzOp;
    const kind = op >> 2;
    if (kind === LZ_ADD) {
      const a = this.lzA;
      const b = this.lzB;
      return (((a & b) | ((a | b) & ~this.lzR)) >>> TOP[op & 3]) & 1;
    }
    if (kind === LZ_SUB) {
      const a = this.lzA;
      const b = this.lzB;
      return (((~a & b) | ((~a | b) & this.lzR)) >>> TOP[op & 3]) & 1;
    }
    if (kind === LZ_LOGIC) return 0;
    return this.flags & CF;
  }

  getZF(): boolean {
    return this.lzOp === LZ_NONE ? (this.flags & ZF) !== 0 : this.lzR === 0;
  }

  getSF(): boolean {
    const op = this.lzOp;
    return op === LZ_NONE ? (this.flags & SF) !== 0 : ((this.lzR >>> TOP[op & 3]) & 1) !== 0;
  }

  getPF(): boolean {
    return this.lzOp === LZ_NONE ? (this.flags & PF) !== 0 : PARITY[this.lzR & 0xff] !== 0;
  }

  getOF(): boolean {
    const op = this.lzOp;
    const kind = op >> 2;
    if (kind === LZ_ADD || kind === LZ_INC) {
      const r = this.lzR;
      return ((((this.lzA ^ r) & (this.lzB ^ r)) >>> TOP[op & 3]) & 1) !== 0;
    }
    if (kind === LZ_SUB || kind === LZ_DEC) {
      const a = this.lzA;
      return ((((a ^ this.lzB) & (a ^ this.lzR)) >>> TOP[op & 3]) & 1) !== 0;
    }
    if (kind === LZ_LOGIC) return false;
    return (this.flags & OF) !== 0;
  }

  getAF(): boolean {
    const kind = this.lzOp >> 2;
    if (kind >= LZ_ADD && kind <= LZ_DEC) return ((this.lzA ^ this.lzB ^ this.lzR) & 0x10) !== 0;
    if (kind === LZ_LOGIC) return false;
    return (this.flags & AF) !== 0;
  }

  /** Folds the lazy flags into `flags` (which then holds every bit) and clears lzOp. */
  materializeFlags(): void {
    const op = this.lzOp;
    if (op === LZ_NONE) return;
    const top = TOP[op & 3];
    const r = this.lzR;
    const a = this.lzA;
    const b = this.lzB;
    let f = this.flags;
    // ZF, SF, PF always come from the result.
    let z = (r === 0 ? ZF : 0) | (((r >>> top) & 1) << 7) | PARITY[r & 0xff];
    switch (op >> 2) {
      case LZ_ADD:
        z |= (((a & b) | ((a | b) & ~r)) >>> top) & 1;
        z |= ((((a ^ r) & (b ^ r)) >>> top) & 1) << 11;
        z |= (a ^ b ^ r) & AF;
        break;
      case LZ_SUB:
        z |= (((~a & b) | ((~a | b) & r)) >>> top) & 1;
        z |= ((((a ^ b) & (a ^ r)) >>> top) & 1) << 11;
        z |= (a ^ b ^ r) & AF;
        break;
      case LZ_INC:
        z |= f & CF;
        z |= ((((a ^ r) & (b ^ r)) >>> top) & 1) << 11;
        z |= (a ^ b ^ r) & AF;
        break;
      case LZ_DEC:
        z |= f & CF;
        z |= ((((a ^ b) & (a ^ r)) >>> top) & 1) << 11;
        z |= (a ^ b ^ r) & AF;
        break;
      case LZ_LOGIC:
        break;
      default:
        z |= f & (CF | AF | OF);
        break;
    }
    f = (f & ~(CF | PF | AF | ZF | SF | OF)) | z;
    this.flags = f;
    this.lzOp = LZ_NONE;
  }

  /** The full EFLAGS value as the guest reads it (PUSHF). */
  getFlags(): number {
    this.materializeFlags();
    return (this.flags | this.flagsFixed) >>> 0;
  }

  /** Replaces the bits in `mask` (already limited to what the mode allows) with `value`. */
  setFlagBits(value: number, mask: number): void {
    // When every arithmetic flag is replaced the lazy ones need not be computed first.
    if ((mask & ARITH_FLAGS) === ARITH_FLAGS) this.lzOp = LZ_NONE;
    else this.materializeFlags();
    this.flags = ((this.flags & ~mask) | (value & mask)) & ~0x2a;
  }

  /** Makes CF concrete (INC/DEC keep it while redefining the others). */
  concreteCF(): void {
    const op = this.lzOp;
    if (op === LZ_NONE) return;
    const kind = op >> 2;
    if (kind === LZ_INC || kind === LZ_DEC) return;
    this.flags = (this.flags & ~CF) | this.getCF();
  }

  /** Sets one concrete flag (CLC, STC, CMC, CLD, ...); lazy flags stay lazy except the one set. */
  setCF(on: boolean): void {
    this.materializeFlags();
    this.flags = on ? this.flags | CF : this.flags & ~CF;
  }

  get df(): boolean {
    return (this.flags & DF) !== 0;
  }

  get interruptsEnabled(): boolean {
    return (this.flags & IF) !== 0;
  }

  get trapFlag(): boolean {
    return (this.flags & TF) !== 0;
  }

  /** Evaluates condition code cc (the low nibble of Jcc/SETcc): O NO B AE E NE BE A S NS P NP L GE LE G. */
  testCC(cc: number): boolean {
    let r: boolean;
    switch (cc >> 1) {
      case 0:
        r = this.getOF();
        break;
      case 1:
        r = this.getCF() !== 0;
        break;
      case 2:
        r = this.getZF();
        break;
      case 3:
        r = this.getCF() !== 0 || this.getZF();
        break;
      case 4:
        r = this.getSF();
        break;
      case 5:
        r = this.getPF();
        break;
      case 6:
        r = this.getSF() !== this.getOF();
        break;
      default:
        r = this.getZF() || this.getSF() !== this.getOF();
        break;
    }
    return (cc & 1) === 0 ? r : !r;
  }
}

const TOP = Int32Array.of(7, 15, 31, 31);

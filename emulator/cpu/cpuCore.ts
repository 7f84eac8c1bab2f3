/**
 * The execution core shared by every instruction handler: ModR/M effective addresses, the stack,
 * segment-register loads (the one path that fills the descriptor caches), far transfers, and
 * interrupt/exception delivery.
 */
import {
  ACC_BIG,
  ACC_CODE,
  ACC_PRESENT,
  ACC_S,
  ACC_WRITABLE,
  ACC_REAL_CODE,
  ACC_REAL_DATA,
} from './cpuState.js';
import { CpuMemory } from './cpuMemory.js';
import { AC, IF, RF, TF, VM } from './flags.js';
import { FAULT, VEC_DF, VEC_GP, VEC_NP, VEC_PF, VEC_SS } from './fault.js';
import { accessOf, baseOf, desc, descriptorLinear, limitOf, markAccessed, readDescriptor } from './descriptor.js';
import { jumpFarProtected } from './farTransfer.js';
import { interruptProtected } from './interruptProtected.js';
import { BYTE_REG, CS, EBP, ESP, SEG_TR, SS } from './registers.js';

/**
 * An instruction handler. `op` is the opcode byte (the second byte for 0Fh opcodes), or the ModR/M
 * byte for group members; register-encoded opcodes (40h+r, B8h+r, ...) take the register from it.
 */
export type Handler = (c: CpuCore, op: number) => void;

/** Bits of CpuCore.attention: reasons to look at the CPU between two instructions. */
export const ATT_HALT = 1;
export const ATT_STOP = 2;
export const ATT_SHADOW = 4;
export const ATT_INTR = 8;
export const ATT_NMI = 16;
export const ATT_TRAP = 32;
export const ATT_SHUTDOWN = 64;
/** A REP string instruction ran more than one iteration: repExtra holds the surplus. */
export const ATT_EXTRA = 128;
/** Breakpoints exist: look up the next instruction's address at every boundary. */
export const ATT_BREAKPOINT = 256;
/** Debug registers armed, or RF set: data-breakpoint traps, RF retirement, instruction breakpoints. */
export const ATT_DEBUG = 512;

/** Most REP iterations one instruction step runs before the run loop looks at the CPU again. */
export const REP_CHUNK = 4096;

export class CpuCore extends CpuMemory {
  /**
   * Dispatch table: [0, 256) one-byte opcodes with 16-bit operand size, [256, 512) with 32-bit,
   * [512, 768) and [768, 1024) the 0Fh opcodes. Built from the opcode table for this model.
   */
  ops: Handler[] = [];
  /** Non-zero for the opcode bytes that are prefixes on this model. */
  prefixBytes: Uint8Array = new Uint8Array(256);
  /** Non-zero when the run loop must look at the CPU after the current instruction (ATT_*). */
  attention = 0;
  halted = false;
  /**
   * EIP points at a REP string instruction in the middle of its iterations (it left EIP on itself
   * to continue; see execString.ts). Cleared when the REP completes or an interrupt intervenes.
   */
  repContinued = false;
  /**
   * A single-step trap is due at the next instruction boundary (TF was set when the instruction
   * began). Delivering any interrupt or exception cancels it: their handlers start untraced.
   */
  trapArmed = false;
  /** Iterations the current REP step may run (the run loop lowers it near the end of its budget). */
  repChunk = REP_CHUNK;
  /** REP iterations beyond the first in the last step: each iteration counts as an instruction. */
  repExtra = 0;
  /** The TypeScript BIOS behind the private opcode 0F 3F lo hi (see execSystem.ts biosTrap). */
  biosTrap: ((id: number) => void) | null = null;
  /** Depth of nested exception delivery: a fault while delivering one becomes #DF, then shutdown. */
  deliveryDepth = 0;
  /** DR7-enabled instruction breakpoints (bit n: DRn). */
  execBreakpoints = 0;
  /** 1 while an external interrupt or an exception is delivered: the EXT bit of error codes. */
  extBit = 0;
  /** IRET just set RF: the next boundary keeps it (the instruction after IRET runs with RF = 1). */
  rfFresh = false;
  /** Set by a triple fault; the run loop stops with stopReason 'shutdown'. */
  shutdown = false;


  // ---- ModR/M ----------------------------------------------------------------------------------

  /** Decodes the memory operand of ModR/M byte `m` (mod != 3): returns the offset, sets eaSeg. */
  ea(m: number): number {
    return this.as32 ? this.ea32(m) : this.ea16(m);
  }

  ea16(m: number): number {
    const r = this.r16;
    let off: number;
    const mod = m >> 6;
    switch (m & 7) {
      case 0:
        off = r[6] + r[12];
        this.eaSeg = this.dsSeg;
        break;
      case 1:
        off = r[6] + r[14];
        this.eaSeg = this.dsSeg;
        break;
      case 2:
        off = r[10] + r[12];
        this.eaSeg = this.ssSeg;
        break;
      case 3:
        off = r[10] + r[14];
        this.eaSeg = this.ssSeg;
        break;
      case 4:
        off = r[12];
        this.eaSeg = this.dsSeg;
        break;
      case 5:
        off = r[14];
        this.eaSeg = this.dsSeg;
        break;
      case 6:
        if (mod === 0) {
          this.eaSeg = this.dsSeg;
          return this.fetch16();
        }
        off = r[10];
        this.eaSeg = this.ssSeg;
        break;
      default:
        off = r[6];
        this.eaSeg = this.dsSeg;
        break;
    }
    if (mod === 1) off += this.fetchS8();
    else if (mod === 2) off += this.fetch16();
    return off & 0xffff;
  }

  ea32(m: number): number {
    const r = this.r32;
    const mod = m >> 6;
    const rm = m & 7;
    let off: number;
    if (rm === 4) {
      const sib = this.fetch8();
      const base = sib & 7;
      const index = (sib >> 3) & 7;
      if (base === 5 && mod === 0) {
        off = this.fetch32();
        this.eaSeg = this.dsSeg;
      } else {
        off = r[base];
        this.eaSeg = base === ESP || base === EBP ? this.ssSeg : this.dsSeg;
      }
      if (index !== 4) off += r[index] << (sib >> 6);
    } else if (rm === 5 && mod === 0) {
      this.eaSeg = this.dsSeg;
      return this.fetch32() >>> 0;
    } else {
      off = r[rm];
      this.eaSeg = rm === EBP ? this.ssSeg : this.dsSeg;
    }
    if (mod === 1) off += this.fetchS8();
    else if (mod === 2) off += this.fetch32();
    return off >>> 0;
  }

  /** Reads the r/m operand of ModR/M byte `m` (register or memory). */
  readE8(m: number): number {
    if (m >= 0xc0) return this.r8[BYTE_REG[m & 7]];
    const off = this.ea(m);
    return this.rd8(this.eaSeg, off);
  }

  readE16(m: number): number {
    if (m >= 0xc0) return this.r16[(m & 7) << 1];
    const off = this.ea(m);
    return this.rd16(this.eaSeg, off);
  }

  readE32(m: number): number {
    if (m >= 0xc0) return this.r32[m & 7];
    const off = this.ea(m);
    return this.rd32(this.eaSeg, off);
  }

  // ---- stack -----------------------------------------------------------------------------------

  getSP(): number {
    return this.ss32 ? this.r32[ESP] >>> 0 : this.r16[ESP << 1];
  }

  setSP(v: number): void {
    if (this.ss32) this.r32[ESP] = v;
    else this.r16[ESP << 1] = v;
  }

  /** Writes a word below stack pointer `sp` and returns the decremented pointer (not committed). */
  pushAt16(sp: number, v: number): number {
    const n = this.ss32 ? (sp - 2) >>> 0 : (sp - 2) & 0xffff;
    this.wr16(SS, n, v);
    return n;
  }

  pushAt32(sp: number, v: number): number {
    const n = this.ss32 ? (sp - 4) >>> 0 : (sp - 4) & 0xffff;
    this.wr32(SS, n, v);
    return n;
  }

  push16(v: number): void {
    if (this.ss32) {
      const sp = (this.r32[ESP] - 2) >>> 0;
      this.wr16(SS, sp, v);
      this.r32[ESP] = sp;
    } else {
      const sp = (this.r16[8] - 2) & 0xffff;
      this.wr16(SS, sp, v);
      this.r16[8] = sp;
    }
  }

  push32(v: number): void {
    if (this.ss32) {
      const sp = (this.r32[ESP] - 4) >>> 0;
      this.wr32(SS, sp, v);
      this.r32[ESP] = sp;
    } else {
      const sp = (this.r16[8] - 4) & 0xffff;
      this.wr32(SS, sp, v);
      this.r16[8] = sp;
    }
  }

  pop16(): number {
    if (this.ss32) {
      const sp = this.r32[ESP] >>> 0;
      const v = this.rd16(SS, sp);
      this.r32[ESP] = sp + 2;
      return v;
    }
    const sp = this.r16[8];
    const v = this.rd16(SS, sp);
    this.r16[8] = sp + 2;
    return v;
  }

  pop32(): number {
    if (this.ss32) {
      const sp = this.r32[ESP] >>> 0;
      const v = this.rd32(SS, sp);
      this.r32[ESP] = sp + 4;
      return v;
    }
    const sp = this.r16[8];
    const v = this.rd32(SS, sp);
    this.r16[8] = sp + 4;
    return v;
  }

  /** Reads the word at stack pointer + `delta` without popping (for instructions that commit late). */
  peekStack16(delta: number): number {
    const sp = this.getSP() + delta;
    return this.rd16(SS, this.ss32 ? sp >>> 0 : sp & 0xffff);
  }

  peekStack32(delta: number): number {
    const sp = this.getSP() + delta;
    return this.rd32(SS, this.ss32 ? sp >>> 0 : sp & 0xffff);
  }

  /** Adds `delta` to the stack pointer with the stack's wrap. */
  adjustSP(delta: number): void {
    if (this.ss32) this.r32[ESP] = this.r32[ESP] + delta;
    else this.r16[8] = this.r16[8] + delta;
  }

  // ---- segments --------------------------------------------------------------------------------

  get v86(): boolean {
    return (this.flags & VM) !== 0;
  }

  /** True in real mode and V86 mode: selectors are paragraph numbers. */
  get realAddressing(): boolean {
    return (this.cr0 & 1) === 0 || (this.flags & VM) !== 0;
  }

  /**
   * Loads segment register `seg` as MOV/POP/far transfers do. Real mode: base = selector << 4, the
   * limit and attributes stay as cached (which is what makes unreal mode work). V86: the limit
   * becomes FFFFh. Protected mode: the descriptor is read into the cache.
   */
  loadSeg(seg: number, sel: number): void {
    sel &= 0xffff;
    if ((this.cr0 & 1) === 0) {
      // Real mode: the cached attributes (and so the code and stack sizes) do not change. The
      // fetch window survives a far transfer within the same segment.
      if (seg === CS && this.segBase[CS] !== sel << 4) this.fwLen = 0;
      this.segSel[seg] = sel;
      this.segBase[seg] = sel << 4;
      return;
    }
    if ((this.flags & VM) !== 0) {
      this.segSel[seg] = sel;
      this.setCache(seg, sel << 4, 0xffff, (seg === CS ? ACC_REAL_CODE : ACC_REAL_DATA) | 0x60);
      return;
    }
    this.loadSegProtected(seg, sel);
  }

  /** Fills a descriptor cache directly (reset, LOADALL-style state loads, the debugger). */
  setCache(seg: number, base: number, limit: number, access: number): void {
    this.segBase[seg] = base | 0;
    this.segLimit[seg] = limit >>> 0;
    this.segAccess[seg] = access;
    if (seg < 6) this.refreshFast(seg);
    if (seg === CS) this.csChanged();
    else if (seg === SS) this.updateStackSize();
  }

  /** Makes a data segment register unusable (the null selector, or invalidated by a return to an outer ring). */
  loadNull(seg: number, sel: number): void {
    this.segSel[seg] = sel;
    this.segBase[seg] = 0;
    this.segLimit[seg] = 0;
    this.segAccess[seg] = 0;
    this.segFast[seg] = -1;
    this.segFastW[seg] = -1;
  }

  csChanged(): void {
    this.updateCodeSize();
    this.invalidateFetch();
  }

  /** Changes the privilege level, and with it the paging access class. */
  setCpl(cpl: number): void {
    this.cpl = cpl;
    this.selectTlb();
  }

  /**
   * Protected-mode selector load for DS, ES, FS, GS and SS (MOV, POP, LDS...; Intel 386 manual,
   * MOV pseudo-code): null selectors (not for SS), the table limit, the type, the privilege rules,
   * presence (#NP, #SS for the stack), then the accessed bit. A CS load here (only the debugger
   * asks for one) loads the code segment at the current privilege level.
   */
  loadSegProtected(seg: number, sel: number): void {
    const rpl = sel & 3;
    const errSel = (sel & 0xfffc) | this.extBit;
    if ((sel & 0xfffc) === 0) {
      if (seg === SS || seg === CS) this.raise(VEC_GP, this.extBit);
      this.loadNull(seg, sel);
      return;
    }
    readDescriptor(this, sel);
    const hi = desc.hi;
    const access = accessOf(hi);
    const dpl = (access >> 5) & 3;
    const code = (access & ACC_CODE) !== 0;
    if ((access & ACC_S) === 0) this.raise(VEC_GP, errSel);
    if (seg === SS) {
      if (code || (access & ACC_WRITABLE) === 0 || rpl !== this.cpl || dpl !== this.cpl) this.raise(VEC_GP, errSel);
      if ((access & ACC_PRESENT) === 0) this.raise(VEC_SS, errSel);
    } else if (seg === CS) {
      if (!code) this.raise(VEC_GP, errSel);
      if ((access & ACC_PRESENT) === 0) this.raise(VEC_NP, errSel);
    } else {
      if (code && (access & ACC_WRITABLE) === 0) this.raise(VEC_GP, errSel);
      if ((!code || (access & 0x04) === 0) && (rpl > dpl || this.cpl > dpl)) this.raise(VEC_GP, errSel);
      if ((access & ACC_PRESENT) === 0) this.raise(VEC_NP, errSel);
    }
    markAccessed(this);
    this.segSel[seg] = seg === CS ? (sel & 0xfffc) | this.cpl : sel;
    this.setCache(seg, baseOf(desc.lo, hi), limitOf(desc.lo, hi), access | 1);
  }

  /** Linear address of the descriptor for `sel` in the GDT or LDT; #GP(sel) when outside the table. */
  descriptorAddress(sel: number): number {
    const a = descriptorLinear(this, sel);
    if (a === -1) this.raise(VEC_GP, (sel & 0xfffc) | this.extBit);
    return a;
  }

  /** Loads CS:EIP for a far JMP (operand size applied by the caller); gates and tasks in protected mode. */
  farJump(sel: number, offset: number): void {
    if (this.realAddressing) {
      this.loadSeg(CS, sel);
      this.eip = offset;
      return;
    }
    jumpFarProtected(this, sel, offset);
  }

  /** Near transfer: EIP = target, reduced to 16 bits for a 16-bit operand size. */
  jumpNear(target: number): void {
    this.eip = this.opIdx === 0 ? target & 0xffff : target >>> 0;
  }

  // ---- interrupts ------------------------------------------------------------------------------

  /**
   * Delivers interrupt `vector` with `returnEip` as the pushed return address. Real mode: push
   * FLAGS, CS, IP; clear IF, TF and AC; jump through the IVT entry at IDTR.base + 4 * vector.
   * Protected and V86 mode go through the IDT (interruptProtected.ts): `errorCode` (-1: none) is
   * pushed there, and `soft` marks INT n / INT3 / INTO, which are checked against the gate's DPL.
   */
  interrupt(vector: number, returnEip: number): void {
    if ((this.cr0 & 1) !== 0) {
      this.interruptPm(vector, returnEip, -1, false);
      return;
    }
    this.repContinued = false;
    this.trapArmed = false;
    const entry = vector << 2;
    // The IVT may be moved and shortened with LIDT (286+); an entry past its limit is #GP.
    if (entry + 3 > this.idtrLimit) this.raise(VEC_GP, -1);
    const base = this.idtrBase;
    const ip = this.readL16((base + entry) | 0);
    const cs = this.readL16((base + entry + 2) | 0);
    const flags = this.getFlags();
    const sp = this.r16[ESP << 1];
    if (!this.ss32 && sp >= 6 && sp - 1 <= this.segFastW[SS]) {
      // The usual case: the three words lie inside the stack segment without wrapping.
      const lin = (this.segBase[SS] + sp - 6) | 0;
      this.writeL16((lin + 4) | 0, flags);
      this.writeL16((lin + 2) | 0, this.segSel[CS]);
      this.writeL16(lin, returnEip);
      this.r16[ESP << 1] = sp - 6;
    } else {
      let p = this.getSP();
      p = this.pushAt16(p, flags);
      p = this.pushAt16(p, this.segSel[CS]);
      p = this.pushAt16(p, returnEip);
      this.setSP(p);
    }
    this.flags &= ~(IF | TF | AC | RF);
    this.loadSeg(CS, cs);
    this.eip = ip;
  }

  /** Protected and V86 mode delivery with an error code (-1: none); `soft` for INT n, INT3, INTO. */
  interruptPm(vector: number, returnEip: number, errorCode: number, soft: boolean): void {
    this.repContinued = false;
    this.trapArmed = false;
    interruptProtected(this, vector, returnEip, errorCode, soft);
  }

  /**
   * Delivers an exception raised by the current instruction (EIP already restored to where the
   * return address must point). A fault while delivering it follows the Intel rules (386 manual
   * 9.8.8): contributory after contributory, or contributory/#PF after #PF, is a double fault;
   * anything else is delivered in turn; a fault while delivering #DF shuts the CPU down.
   */
  deliverException(vector: number, returnEip: number, errorCode = -1): void {
    let v = vector;
    let code = errorCode;
    const savedExt = this.extBit;
    for (let round = 0; round < 8; round++) {
      this.extBit = 1;
      try {
        if ((this.cr0 & 1) !== 0) this.interruptPm(v, returnEip, code, false);
        else this.interrupt(v, returnEip);
        this.extBit = savedExt;
        return;
      } catch (e) {
        this.extBit = savedExt;
        if (e !== FAULT) throw e;
        const second = FAULT.vector;
        if (v === VEC_DF) break;
        if ((contributory(v) && contributory(second)) || (v === VEC_PF && (second === VEC_PF || contributory(second)))) {
          v = VEC_DF;
          code = 0;
        } else {
          v = second;
          code = FAULT.errorCode;
        }
      }
    }
    this.enterShutdown();
  }

  enterShutdown(): void {
    this.shutdown = true;
    this.attention |= ATT_SHUTDOWN;
  }

  /**
   * Flags POPF may change in the current mode: IOPL only at CPL 0 (never in V86), IF only when
   * CPL <= IOPL, never VM or RF.
   */
  popfMask(size32: boolean): number {
    let m = this.flagsWritable;
    if ((this.cr0 & 1) !== 0) {
      if ((this.flags & VM) !== 0) m &= ~0x3000;
      else {
        if (this.cpl > ((this.flags >> 12) & 3)) m &= ~IF;
        if (this.cpl !== 0) m &= ~0x3000;
      }
    }
    if (!size32) m &= 0xffff;
    return m & ~(VM | RF);
  }

  /**
   * May the program use `size` bytes of ports at `port`? Real mode always may; protected mode
   * when CPL <= IOPL; otherwise (and always in V86 mode) every bit of the ports in the 386 TSS's
   * I/O permission bitmap must be clear (386 manual 8.3). A denied access is #GP(0) before any
   * port is touched.
   */
  checkIo(port: number, size: number): void {
    if ((this.cr0 & 1) === 0) return;
    if ((this.flags & VM) === 0 && this.cpl <= ((this.flags >> 12) & 3)) return;
    const type = this.segAccess[SEG_TR] & 0x1f;
    if ((type !== 0x09 && type !== 0x0b) || this.segLimit[SEG_TR] < 0x67) this.raise(VEC_GP, 0);
    const base = this.segBase[SEG_TR];
    const map = this.sysRead16((base + 0x66) | 0);
    const at = map + (port >>> 3);
    if (at + 1 > this.segLimit[SEG_TR]) this.raise(VEC_GP, 0);
    const bits = this.sysRead16((base + at) | 0);
    const want = ((1 << size) - 1) << (port & 7);
    if ((bits & want) !== 0) this.raise(VEC_GP, 0);
  }

  /** Initialises a real-mode descriptor cache (reset): the given selector, base, 64 KiB limit. */
  resetSegment(seg: number, sel: number, base: number): void {
    this.segSel[seg] = sel;
    this.setCache(seg, base, 0xffff, seg === CS ? ACC_REAL_CODE : ACC_REAL_DATA);
  }

  /** Does the code segment default to 32-bit operands and addresses (CS.D)? */
  get code32(): boolean {
    return (this.segAccess[CS] & ACC_BIG) !== 0;
  }
}

/** Exceptions of the contributory class (386 manual table 9-3): #DE, #TS, #NP, #SS, #GP. */
function contributory(v: number): boolean {
  return v === 0 || (v >= 10 && v <= 13);
}

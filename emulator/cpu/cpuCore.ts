/**
 * The execution core shared by every instruction handler: ModR/M effective addresses, the stack,
 * segment-register loads (the one path that fills the descriptor caches), far transfers, and
 * interrupt/exception delivery.
 */
import {
  ACC_BIG,
  ACC_CODE,
  ACC_EXPAND_DOWN,
  ACC_GRAN,
  ACC_PRESENT,
  ACC_S,
  ACC_WRITABLE,
  ACC_REAL_CODE,
  ACC_REAL_DATA,
} from './cpuState.js';
import { CpuMemory } from './cpuMemory.js';
import { AC, IF, RF, TF, VM } from './flags.js';
import { FAULT, UnsupportedError, VEC_DF, VEC_GP, VEC_NP, VEC_SS } from './fault.js';
import { BYTE_REG, CS, EBP, ESP, SEG_LDTR, SS } from './registers.js';

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
    const usable = (access & ACC_PRESENT) !== 0 && (access & (ACC_CODE | ACC_EXPAND_DOWN)) !== ACC_EXPAND_DOWN;
    this.segFast[seg] = usable ? limit >>> 0 : -1;
    if (seg === CS) this.csChanged();
    else if (seg === SS) this.updateStackSize();
  }

  csChanged(): void {
    this.updateCodeSize();
    this.invalidateFetch();
  }

  /**
   * Protected-mode selector load for code and data segments at the current privilege level. Gates,
   * privilege transitions and task state segments belong to the protected-mode layer and stop the
   * CPU with UnsupportedError until it exists.
   */
  private loadSegProtected(seg: number, sel: number): void {
    const rpl = sel & 3;
    if ((sel & 0xfffc) === 0) {
      if (seg === SS || seg === CS) this.raise(VEC_GP, 0);
      this.segSel[seg] = sel;
      this.segBase[seg] = 0;
      this.segLimit[seg] = 0;
      this.segAccess[seg] = 0;
      this.segFast[seg] = -1;
      return;
    }
    const descAddr = this.descriptorAddress(sel);
    const lo = this.readL32(descAddr);
    const hi = this.readL32((descAddr + 4) | 0);
    const access = ((hi >>> 8) & 0xff) | ((hi >>> 8) & 0xf000);
    const dpl = (access >> 5) & 3;
    const isCode = (access & ACC_CODE) !== 0;
    const errSel = sel & 0xfffc;
    if ((access & ACC_S) === 0) {
      if (seg === CS) throw new UnsupportedError(`far transfer through system descriptor ${sel.toString(16)}h (gates, TSS) is not implemented yet`);
      this.raise(VEC_GP, errSel);
    }
    if (seg === SS) {
      if (isCode || (access & ACC_WRITABLE) === 0 || rpl !== this.cpl || dpl !== this.cpl) this.raise(VEC_GP, errSel);
    } else if (seg === CS) {
      if (!isCode) this.raise(VEC_GP, errSel);
      const conforming = (access & 0x04) !== 0;
      if (conforming ? dpl > this.cpl : dpl !== this.cpl || rpl > this.cpl) {
        throw new UnsupportedError('a far transfer that changes privilege level is not implemented yet');
      }
    } else if (isCode && (access & ACC_WRITABLE) === 0) {
      this.raise(VEC_GP, errSel);
    } else if (!isCode || (access & 0x04) === 0) {
      if (dpl < Math.max(this.cpl, rpl)) this.raise(VEC_GP, errSel);
    }
    if ((access & ACC_PRESENT) === 0) this.raise(seg === SS ? VEC_SS : VEC_NP, errSel);
    // Mark the descriptor accessed, as the chip does on every load.
    if ((access & 1) === 0) this.writeL8((descAddr + 5) | 0, (access | 1) & 0xff);
    const base = ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) | 0;
    let limit = (lo & 0xffff) | (hi & 0xf0000);
    if (access & ACC_GRAN) limit = ((limit << 12) | 0xfff) >>> 0;
    this.segSel[seg] = seg === CS ? (sel & 0xfffc) | this.cpl : sel;
    this.setCache(seg, base, limit, access | 1);
  }

  /** Linear address of the descriptor for `sel` in the GDT or LDT; #GP(sel) when outside the table. */
  descriptorAddress(sel: number): number {
    const index = sel & 0xfff8;
    if (sel & 4) {
      if ((this.segAccess[SEG_LDTR] & ACC_PRESENT) === 0 || index + 7 > this.segLimit[SEG_LDTR]) this.raise(VEC_GP, sel & 0xfffc);
      return (this.segBase[SEG_LDTR] + index) | 0;
    }
    if (index + 7 > this.gdtrLimit) this.raise(VEC_GP, sel & 0xfffc);
    return (this.gdtrBase + index) | 0;
  }

  /** Loads CS:EIP for a far JMP/CALL/RET/interrupt (operand size applied by the caller). */
  farJump(sel: number, offset: number): void {
    this.loadSeg(CS, sel);
    this.eip = offset;
  }

  /** Near transfer: EIP = target, reduced to 16 bits for a 16-bit operand size. */
  jumpNear(target: number): void {
    this.eip = this.opIdx === 0 ? target & 0xffff : target >>> 0;
  }

  // ---- interrupts ------------------------------------------------------------------------------

  /**
   * Delivers interrupt `vector` with `returnEip` as the pushed return address. Real mode: push
   * FLAGS, CS, IP; clear IF, TF and AC; jump through the IVT entry at IDTR.base + 4 * vector.
   */
  interrupt(vector: number, returnEip: number): void {
    if (!this.realAddressing) {
      throw new UnsupportedError(`interrupt ${vector.toString(16)}h in protected mode is not implemented yet`);
    }
    if ((this.flags & VM) !== 0) {
      throw new UnsupportedError(`interrupt ${vector.toString(16)}h in virtual-8086 mode is not implemented yet`);
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
    if (!this.ss32 && sp >= 6 && sp - 1 <= this.segFast[SS]) {
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

  /**
   * Delivers an exception raised by the current instruction (EIP already restored to where the
   * return address must point). A fault while delivering becomes a double fault, and a fault
   * while delivering that shuts the CPU down (triple fault).
   */
  deliverException(vector: number, returnEip: number): void {
    if (this.deliveryDepth >= 2) {
      this.enterShutdown();
      return;
    }
    this.deliveryDepth++;
    try {
      this.interrupt(vector, returnEip);
    } catch (e) {
      if (e === FAULT) {
        if (this.deliveryDepth >= 2) this.enterShutdown();
        else this.deliverException(VEC_DF, returnEip);
      } else {
        throw e;
      }
    } finally {
      this.deliveryDepth--;
    }
  }

  enterShutdown(): void {
    this.shutdown = true;
    this.attention |= ATT_SHUTDOWN;
  }

  /** Flags IRET/POPF may change in the current mode (IOPL only at CPL 0, never VM/RF via POPF). */
  popfMask(size32: boolean): number {
    let m = this.flagsWritable;
    if (!this.realAddressing && this.cpl > ((this.flags >> 12) & 3)) m &= ~IF;
    if (!this.realAddressing && this.cpl !== 0) m &= ~0x3000;
    if (!size32) m &= 0xffff;
    return m & ~(VM | RF);
  }

  /**
   * May the program use `size` bytes of ports at `port`? Real mode always may. The protected-mode
   * rule (IOPL, then the TSS I/O permission bitmap; V86 always the bitmap) belongs here; until it
   * exists such accesses stop the CPU with UnsupportedError.
   */
  checkIo(_port: number, _size: number): void {
    if ((this.cr0 & 1) === 0) return;
    if ((this.flags & VM) !== 0 || this.cpl > ((this.flags >> 12) & 3)) {
      throw new UnsupportedError('the I/O permission bitmap is not implemented yet');
    }
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

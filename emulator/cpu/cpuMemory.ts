/**
 * Guest memory as the CPU sees it: segmentation (base + offset with a limit check against the
 * descriptor cache), the single linear-to-physical translation point with its TLB, and the cached
 * instruction-fetch window.
 *
 * TLB: one Int32Array per access class (read, write), indexed by linear page number, holding the
 * index in PhysicalMemory.mem of the page's first byte; -1 when not cached; -2 for a cached page
 * that is never direct (MMIO, ROM writes, unmapped space), which goes straight to PhysicalMemory.
 * Every filled page is remembered so a flush clears only those. The paging unit will sit in
 * translate(); the TLB already keys by linear address.
 */
import type { IoBus } from '../io/ioBus.js';
import type { PhysicalMemory } from '../memory/physicalMemory.js';
import { ACC_BIG, ACC_CODE, ACC_EXPAND_DOWN, CpuState } from './cpuState.js';
import type { CpuModel } from './cpuModel.js';
import { FAULT, VEC_GP, VEC_SS } from './fault.js';
import { CS, SS } from './registers.js';

const TLB_PAGES = 1 << 20;
const TLB_LIST = 4096;

export class CpuMemory extends CpuState {
  readonly memory: PhysicalMemory;
  readonly io: IoBus;
  /** PhysicalMemory.mem: RAM, then the ROM window. */
  readonly mem: Uint8Array;
  readonly tlbR = new Int32Array(TLB_PAGES).fill(-1);
  readonly tlbW = new Int32Array(TLB_PAGES).fill(-1);
  private readonly tlbList = new Int32Array(TLB_LIST);
  private tlbCount = 0;

  // Instruction-fetch window: EIPs in [fwStart, fwStart + fwLen) are at mem[fwDelta + eip].
  fwStart = 0;
  fwLen = 0;
  fwDelta = 0;

  constructor(model: CpuModel, memory: PhysicalMemory, io: IoBus) {
    super(model);
    this.memory = memory;
    this.io = io;
    this.mem = memory.mem;
    memory.onMaskChange(() => this.flushTlb());
  }

  /** Throws the guest fault `vector` (real mode pushes no error code). */
  raise(vector: number, errorCode = -1): never {
    FAULT.vector = vector;
    FAULT.errorCode = errorCode;
    throw FAULT;
  }

  // ---- translation -----------------------------------------------------------------------------

  /**
   * Linear to physical: the one translation point. Without paging it applies the bus/A20 mask;
   * the paging unit goes here (and may fault) once CR0.PG exists.
   */
  translate(linear: number, _write: boolean): number {
    return (linear & this.memory.mask) >>> 0;
  }

  flushTlb(): void {
    const n = this.tlbCount;
    if (n >= TLB_LIST) {
      this.tlbR.fill(-1);
      this.tlbW.fill(-1);
    } else {
      const list = this.tlbList;
      for (let i = 0; i < n; i++) {
        const p = list[i];
        this.tlbR[p] = -1;
        this.tlbW[p] = -1;
      }
    }
    this.tlbCount = 0;
    this.fwLen = 0;
  }

  /**
   * Fills the TLB entries of the page holding `linear`; returns the direct index for `write`, or
   * -2 when that access class is not direct.
   */
  private tlbFill(linear: number, write: boolean): number {
    const phys = this.translate(linear, write);
    const page = linear >>> 12;
    const r = this.memory.pageIndex(phys, false);
    const w = this.memory.pageIndex(phys, true);
    if (this.tlbR[page] === -1 && this.tlbW[page] === -1) {
      if (this.tlbCount >= TLB_LIST) this.flushTlb();
      this.tlbList[this.tlbCount++] = page;
    }
    this.tlbR[page] = r < 0 ? -2 : r;
    this.tlbW[page] = w < 0 ? -2 : w;
    return write ? this.tlbW[page] : this.tlbR[page];
  }

  /**
   * Index in `mem` of a linear address whose page can be accessed directly for reading (or
   * writing), or -1 (MMIO, ROM writes, unmapped; later also pages the TLB cannot map).
   */
  directIndex(lin: number, write: boolean): number {
    let i = (write ? this.tlbW : this.tlbR)[lin >>> 12];
    if (i === -1) i = this.tlbFill(lin, write);
    return i < 0 ? -1 : i + (lin & 0xfff);
  }

  // ---- linear accesses -------------------------------------------------------------------------

  readL8(lin: number): number {
    const i = this.tlbR[lin >>> 12];
    if (i >= 0) return this.mem[i + (lin & 0xfff)];
    const j = i === -1 ? this.tlbFill(lin, false) : i;
    if (j >= 0) return this.mem[j + (lin & 0xfff)];
    return this.memory.read8(this.translate(lin, false));
  }

  readL16(lin: number): number {
    const i = this.tlbR[lin >>> 12];
    const o = lin & 0xfff;
    if (i >= 0 && o !== 0xfff) {
      const p = i + o;
      return this.mem[p] | (this.mem[p + 1] << 8);
    }
    return this.readL8(lin) | (this.readL8((lin + 1) | 0) << 8);
  }

  readL32(lin: number): number {
    const i = this.tlbR[lin >>> 12];
    const o = lin & 0xfff;
    if (i >= 0 && o <= 0xffc) {
      const m = this.mem;
      const p = i + o;
      return m[p] | (m[p + 1] << 8) | (m[p + 2] << 16) | (m[p + 3] << 24);
    }
    return this.readL16(lin) | (this.readL16((lin + 2) | 0) << 16);
  }

  writeL8(lin: number, v: number): void {
    const i = this.tlbW[lin >>> 12];
    if (i >= 0) {
      this.mem[i + (lin & 0xfff)] = v;
      return;
    }
    const j = i === -1 ? this.tlbFill(lin, true) : i;
    if (j >= 0) this.mem[j + (lin & 0xfff)] = v;
    else this.memory.write8(this.translate(lin, true), v & 0xff);
  }

  writeL16(lin: number, v: number): void {
    const i = this.tlbW[lin >>> 12];
    const o = lin & 0xfff;
    if (i >= 0 && o !== 0xfff) {
      const p = i + o;
      this.mem[p] = v;
      this.mem[p + 1] = v >> 8;
      return;
    }
    this.writeL8(lin, v & 0xff);
    this.writeL8((lin + 1) | 0, (v >> 8) & 0xff);
  }

  writeL32(lin: number, v: number): void {
    const i = this.tlbW[lin >>> 12];
    const o = lin & 0xfff;
    if (i >= 0 && o <= 0xffc) {
      const m = this.mem;
      const p = i + o;
      m[p] = v;
      m[p + 1] = v >> 8;
      m[p + 2] = v >> 16;
      m[p + 3] = v >> 24;
      return;
    }
    this.writeL16(lin, v & 0xffff);
    this.writeL16((lin + 2) | 0, (v >>> 16) & 0xffff);
  }

  // ---- segmented accesses ----------------------------------------------------------------------
  // `off` is the effective address, already reduced to the address size (0..FFFFh or 0..FFFFFFFFh).

  rd8(seg: number, off: number): number {
    if (off > this.segFast[seg]) this.checkLimit(seg, off, 1);
    return this.readL8((this.segBase[seg] + off) | 0);
  }

  rd16(seg: number, off: number): number {
    if (off >= this.segFast[seg]) return this.rd16Slow(seg, off);
    return this.readL16((this.segBase[seg] + off) | 0);
  }

  rd32(seg: number, off: number): number {
    if (off + 2 >= this.segFast[seg]) return this.rd32Slow(seg, off);
    return this.readL32((this.segBase[seg] + off) | 0);
  }

  wr8(seg: number, off: number, v: number): void {
    if (off > this.segFast[seg]) this.checkLimit(seg, off, 1);
    this.writeL8((this.segBase[seg] + off) | 0, v);
  }

  wr16(seg: number, off: number, v: number): void {
    if (off >= this.segFast[seg]) {
      this.wr16Slow(seg, off, v);
      return;
    }
    this.writeL16((this.segBase[seg] + off) | 0, v);
  }

  wr32(seg: number, off: number, v: number): void {
    if (off + 2 >= this.segFast[seg]) {
      this.wr32Slow(seg, off, v);
      return;
    }
    this.writeL32((this.segBase[seg] + off) | 0, v);
  }

  /** Checks that a write of `size` bytes at seg:off would not fault, without writing. */
  probeWrite(seg: number, off: number, size: number): void {
    if (this.traits.segmentLimits && off + size - 1 > this.segFast[seg]) this.checkLimit(seg, off, size);
  }

  /**
   * The full limit check: expand-down segments, and the fault. #SS for the stack segment, #GP for
   * the others (real mode pushes no error code; protected mode pushes 0).
   */
  checkLimit(seg: number, off: number, size: number): void {
    if (this.withinLimit(seg, off, size)) return;
    // The 286 in real mode reports every limit violation, stack ones included, as #GP (13).
    const stack = seg === SS && (this.gen >= 386 || this.protectedMode);
    this.raise(stack ? VEC_SS : VEC_GP, this.protectedMode ? 0 : -1);
  }

  /** Does an access of `size` bytes at seg:off lie inside the segment (expand-down aware)? */
  withinLimit(seg: number, off: number, size: number): boolean {
    const acc = this.segAccess[seg];
    const limit = this.segLimit[seg];
    const last = off + size - 1;
    if ((acc & (ACC_CODE | ACC_EXPAND_DOWN)) === ACC_EXPAND_DOWN) {
      const upper = acc & ACC_BIG ? 0xffffffff : 0xffff;
      return off > limit && last <= upper;
    }
    return last <= limit;
  }

  /** Offset arithmetic in 16-bit addressing wraps within the segment (8086/186 have no limits). */
  private wrapsWord(off: number): boolean {
    return !this.traits.segmentLimits && off === 0xffff;
  }

  private rd16Slow(seg: number, off: number): number {
    if (this.wrapsWord(off)) return this.rd8(seg, 0xffff) | (this.rd8(seg, 0) << 8);
    this.checkLimit(seg, off, 2);
    return this.readL16((this.segBase[seg] + off) | 0);
  }

  private rd32Slow(seg: number, off: number): number {
    this.checkLimit(seg, off, 4);
    return this.readL32((this.segBase[seg] + off) | 0);
  }

  private wr16Slow(seg: number, off: number, v: number): void {
    if (this.wrapsWord(off)) {
      this.wr8(seg, 0xffff, v & 0xff);
      this.wr8(seg, 0, (v >> 8) & 0xff);
      return;
    }
    this.checkLimit(seg, off, 2);
    this.writeL16((this.segBase[seg] + off) | 0, v);
  }

  private wr32Slow(seg: number, off: number, v: number): void {
    this.checkLimit(seg, off, 4);
    this.writeL32((this.segBase[seg] + off) | 0, v);
  }

  // ---- instruction fetch -----------------------------------------------------------------------

  fetch8(): number {
    const eip = this.eip;
    if ((eip - this.fwStart) >>> 0 < this.fwLen) {
      this.eip = eip + 1;
      return this.mem[this.fwDelta + eip];
    }
    return this.fetch8Slow();
  }

  fetch16(): number {
    const eip = this.eip;
    if ((eip - this.fwStart) >>> 0 < this.fwLen - 1) {
      this.eip = eip + 2;
      const p = this.fwDelta + eip;
      return this.mem[p] | (this.mem[p + 1] << 8);
    }
    const lo = this.fetch8();
    return lo | (this.fetch8() << 8);
  }

  fetch32(): number {
    const eip = this.eip;
    if ((eip - this.fwStart) >>> 0 < this.fwLen - 3) {
      this.eip = eip + 4;
      const m = this.mem;
      const p = this.fwDelta + eip;
      return m[p] | (m[p + 1] << 8) | (m[p + 2] << 16) | (m[p + 3] << 24);
    }
    const lo = this.fetch16();
    return lo | (this.fetch16() << 16);
  }

  /** Sign-extended 8-bit immediate or displacement. */
  fetchS8(): number {
    return (this.fetch8() << 24) >> 24;
  }

  private fetch8Slow(): number {
    this.refillFetch();
    const eip = this.eip;
    if ((eip - this.fwStart) >>> 0 < this.fwLen) {
      this.eip = eip + 1;
      return this.mem[this.fwDelta + eip];
    }
    // Code in a page without direct access (MMIO): one byte at a time.
    const v = this.readL8((this.segBase[CS] + eip) | 0);
    this.eip = eip + 1;
    return v;
  }

  /** Re-establishes the fetch window at EIP, applying IP wrap, the CS limit and the length limit. */
  private refillFetch(): void {
    let eip = this.eip;
    const code32 = this.defAs32;
    if (!code32 && eip > 0xffff) {
      // 16-bit IP wraps between instructions; inside one, the 286+ fault (the 8086 wraps).
      if (eip === this.startEip || !this.traits.segmentLimits) {
        if (eip === this.startEip) this.startEip = eip & 0xffff;
        eip &= 0xffff;
        this.eip = eip;
      }
    }
    // An instruction longer than the limit is #GP on the 286 (measured) as on the 386.
    if (this.lenLimit !== 0 && eip - this.startEip >= this.lenLimit) this.raise(VEC_GP, this.protectedMode ? 0 : -1);
    const limit = this.segLimit[CS];
    if (eip > limit) this.raise(VEC_GP, this.protectedMode ? 0 : -1);
    const lin = (this.segBase[CS] + eip) | 0;
    let idx = this.tlbR[lin >>> 12];
    if (idx === -1) idx = this.tlbFill(lin, false);
    if (idx < 0) {
      this.fwLen = 0;
      return;
    }
    const pageOff = lin & 0xfff;
    const start = eip - pageOff;
    let end = start + 0x1000;
    if (end > limit + 1) end = limit + 1;
    if (!code32 && end > 0x10000) end = 0x10000;
    if (this.lenLimit !== 0 && end > this.startEip + this.lenLimit) end = this.startEip + this.lenLimit;
    this.fwStart = start;
    this.fwLen = end - start;
    this.fwDelta = idx + pageOff - eip;
  }

  /** Starts enforcing the instruction length limit (called by the first prefix of an instruction). */
  limitLength(): void {
    const max = this.traits.maxInstructionLength;
    if (max === 0 || this.lenLimit !== 0) return;
    this.lenLimit = max;
    const end = this.startEip + max;
    if (this.fwStart + this.fwLen > end) this.fwLen = Math.max(0, end - this.fwStart);
  }

  /** Drops the fetch window (CS reloaded, CS limit changed, TLB flushed). */
  invalidateFetch(): void {
    this.fwLen = 0;
  }
}

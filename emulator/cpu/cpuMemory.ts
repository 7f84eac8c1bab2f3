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
import { ACC_BIG, ACC_CODE, ACC_EXPAND_DOWN, ACC_PRESENT, ACC_WRITABLE, CpuState } from './cpuState.js';
import { VM } from './flags.js';
import type { CpuModel } from './cpuModel.js';
import { FAULT, VEC_GP, VEC_PF, VEC_SS } from './fault.js';
import { CS, SS } from './registers.js';

const TLB_PAGES = 1 << 20;
const TLB_LIST = 4096;
const PG = 0x80000000;
const WP = 0x10000;
/** Page-table entry bits (Intel 386 manual 5.2.4). */
const PTE_P = 1;
const PTE_W = 2;
const PTE_U = 4;
const PTE_A = 0x20;
const PTE_D = 0x40;

export class CpuMemory extends CpuState {
  readonly memory: PhysicalMemory;
  readonly io: IoBus;
  /** PhysicalMemory.mem: RAM, then the ROM window. */
  readonly mem: Uint8Array;
  /** The TLB of the current access class (supervisor, or user at CPL 3 with paging on). */
  tlbR: Int32Array;
  tlbW: Int32Array;
  private readonly tlbSR = new Int32Array(TLB_PAGES).fill(-1);
  private readonly tlbSW = new Int32Array(TLB_PAGES).fill(-1);
  /** User-class tables, allocated when paging is first enabled (until then the supervisor ones). */
  private tlbUR: Int32Array;
  private tlbUW: Int32Array;
  /** Accesses are user accesses (CPL 3 with paging on, outside system-table accesses). */
  userAccess = false;
  private readonly tlbList = new Int32Array(TLB_LIST);
  private tlbCount = 0;
  /**
   * Data breakpoints (DR0-DR3 with R/W = 01 or 11): linear page of each, -1 when not armed. Pages
   * holding one never get a direct TLB entry, so their accesses reach the slow path that checks.
   */
  readonly watchPage = new Int32Array(4).fill(-1);
  readonly watchStart = new Float64Array(4);
  readonly watchEnd = new Float64Array(4);
  /** Watch also reads (R/W = 11) rather than writes only. */
  readonly watchReads = new Uint8Array(4);
  watchCount = 0;
  /** B0-B3 bits of data breakpoints hit by the current instruction (reported as a trap after it). */
  dbgHit = 0;

  // Instruction-fetch window: EIPs in [fwStart, fwStart + fwLen) are at mem[fwDelta + eip].
  fwStart = 0;
  fwLen = 0;
  fwDelta = 0;

  constructor(model: CpuModel, memory: PhysicalMemory, io: IoBus) {
    super(model);
    this.memory = memory;
    this.io = io;
    this.mem = memory.mem;
    this.tlbR = this.tlbSR;
    this.tlbW = this.tlbSW;
    this.tlbUR = this.tlbSR;
    this.tlbUW = this.tlbSW;
    memory.onMaskChange(() => this.flushTlb());
  }

  /** Throws the guest fault `vector` (real mode pushes no error code). */
  raise(vector: number, errorCode = -1): never {
    FAULT.vector = vector;
    FAULT.errorCode = errorCode;
    throw FAULT;
  }

  // ---- translation -----------------------------------------------------------------------------

  get pagingEnabled(): boolean {
    return (this.cr0 & PG) !== 0;
  }

  /**
   * Chooses the TLB of the access class: user while CPL is 3 with paging on. Called whenever CPL,
   * CR0.PG or the system-access state changes.
   */
  selectTlb(): void {
    const user = this.cpl === 3 && (this.cr0 & PG) !== 0;
    this.setUserAccess(user);
  }

  setUserAccess(user: boolean): void {
    if (user === this.userAccess && this.tlbR === (user ? this.tlbUR : this.tlbSR)) return;
    if (user && this.tlbUR === this.tlbSR) {
      this.tlbUR = new Int32Array(TLB_PAGES).fill(-1);
      this.tlbUW = new Int32Array(TLB_PAGES).fill(-1);
      this.flushTlb();
    }
    this.userAccess = user;
    this.tlbR = user ? this.tlbUR : this.tlbSR;
    this.tlbW = user ? this.tlbUW : this.tlbSW;
    this.fwLen = 0;
  }

  /**
   * Linear to physical: the one translation point. Without paging it applies the bus/A20 mask;
   * with paging it walks the two-level tables of CR3, checks U/S and R/W (CR0.WP on the 486),
   * sets the Accessed and Dirty bits, and raises #PF with CR2 and the error code.
   */
  translate(linear: number, write: boolean): number {
    if ((this.cr0 & PG) === 0) return (linear & this.memory.mask) >>> 0;
    return this.walk(linear, write, this.userAccess);
  }

  /** Last walk: the page may be written without another walk (writable for this class and dirty). */
  private walkWritable = false;

  private walk(linear: number, write: boolean, user: boolean): number {
    const memory = this.memory;
    const mask = memory.mask;
    const pdeAddr = ((this.cr3 & 0xfffff000) + ((linear >>> 22) << 2)) & mask;
    let pde = memory.read32(pdeAddr);
    if ((pde & PTE_P) === 0) this.pageFault(linear, write, user, 0);
    // The directory entry's Accessed bit is set before the table entry is looked at.
    if ((pde & PTE_A) === 0) {
      pde |= PTE_A;
      memory.write32(pdeAddr, pde);
    }
    const pteAddr = ((pde & 0xfffff000) + (((linear >>> 12) & 0x3ff) << 2)) & mask;
    let pte = memory.read32(pteAddr);
    if ((pte & PTE_P) === 0) this.pageFault(linear, write, user, 0);
    const rights = pde & pte;
    const writable = (rights & PTE_W) !== 0 || (!user && (this.cr0 & WP) === 0);
    if (user && (rights & PTE_U) === 0) this.pageFault(linear, write, user, 1);
    if (write && !writable) this.pageFault(linear, write, user, 1);
    const dirty = write && (pte & PTE_D) === 0;
    if ((pte & PTE_A) === 0 || dirty) {
      pte |= PTE_A;
      if (dirty) pte |= PTE_D;
      memory.write32(pteAddr, pte);
    }
    this.walkWritable = writable && (pte & PTE_D) !== 0;
    return ((pte & 0xfffff000) | (linear & 0xfff)) & mask;
  }

  private pageFault(linear: number, write: boolean, user: boolean, present: number): never {
    this.cr2 = linear | 0;
    this.raise(VEC_PF, present | (write ? 2 : 0) | (user ? 4 : 0));
  }

  /** Side-effect-free translation for the debugger: -1 when not mapped. No A/D updates, no faults. */
  peekTranslate(linear: number): number {
    const mask = this.memory.mask;
    if ((this.cr0 & PG) === 0) return (linear & mask) >>> 0;
    const pde = this.memory.peek32(((this.cr3 & 0xfffff000) + ((linear >>> 22) << 2)) & mask);
    if ((pde & PTE_P) === 0) return -1;
    const pte = this.memory.peek32(((pde & 0xfffff000) + (((linear >>> 12) & 0x3ff) << 2)) & mask);
    if ((pte & PTE_P) === 0) return -1;
    return (((pte & 0xfffff000) | (linear & 0xfff)) & mask) >>> 0;
  }

  flushTlb(): void {
    // Every filled entry is in the list (tlbFill flushes before the list overflows).
    const n = this.tlbCount;
    const user = this.tlbUR !== this.tlbSR;
    const list = this.tlbList;
    for (let i = 0; i < n; i++) {
      const p = list[i];
      this.tlbSR[p] = -1;
      this.tlbSW[p] = -1;
      if (user) {
        this.tlbUR[p] = -1;
        this.tlbUW[p] = -1;
      }
    }
    this.tlbCount = 0;
    this.fwLen = 0;
  }

  /**
   * The TLB's contents (guest-visible: a stale entry stays in use until a flush), as groups of
   * five: linear page, then the supervisor read/write and user read/write entries.
   */
  exportTlb(): Int32Array {
    const out = new Int32Array(this.tlbCount * 5);
    const user = this.tlbUR !== this.tlbSR;
    for (let i = 0; i < this.tlbCount; i++) {
      const p = this.tlbList[i];
      const o = i * 5;
      out[o] = p;
      out[o + 1] = this.tlbSR[p];
      out[o + 2] = this.tlbSW[p];
      out[o + 3] = user ? this.tlbUR[p] : -1;
      out[o + 4] = user ? this.tlbUW[p] : -1;
    }
    return out;
  }

  /** Restores what exportTlb() saved (into an emptied TLB). */
  importTlb(data: Int32Array): void {
    this.flushTlb();
    const n = Math.min(Math.floor(data.length / 5), TLB_LIST);
    for (let i = 0; i < n; i++) {
      const p = data[i * 5];
      if (p < 0 || p >= TLB_PAGES) continue;
      const ur = data[i * 5 + 3];
      const uw = data[i * 5 + 4];
      if ((ur !== -1 || uw !== -1) && this.tlbUR === this.tlbSR) {
        this.tlbUR = new Int32Array(TLB_PAGES).fill(-1);
        this.tlbUW = new Int32Array(TLB_PAGES).fill(-1);
      }
      this.tlbSR[p] = data[i * 5 + 1];
      this.tlbSW[p] = data[i * 5 + 2];
      if (this.tlbUR !== this.tlbSR) {
        this.tlbUR[p] = ur;
        this.tlbUW[p] = uw;
      }
      this.tlbList[this.tlbCount++] = p;
    }
    this.tlbR = this.userAccess ? this.tlbUR : this.tlbSR;
    this.tlbW = this.userAccess ? this.tlbUW : this.tlbSW;
  }

  /** INVLPG: forgets one linear page in every access class. */
  flushPage(linear: number): void {
    const p = linear >>> 12;
    this.tlbSR[p] = -1;
    this.tlbSW[p] = -1;
    this.tlbUR[p] = -1;
    this.tlbUW[p] = -1;
    this.fwLen = 0;
  }

  /**
   * Fills the TLB entries of the page holding `linear`; returns the direct index for `write`, or
   * -2 when that access class is not direct.
   */
  private tlbFill(linear: number, write: boolean): number {
    const phys = this.translate(linear, write);
    const page = linear >>> 12;
    const tlbR = this.tlbR;
    const tlbW = this.tlbW;
    if (tlbR[page] === -1 && tlbW[page] === -1) {
      if (this.tlbCount >= TLB_LIST) this.flushTlb();
      this.tlbList[this.tlbCount++] = page;
    }
    const watched = this.watchCount !== 0 && this.isWatchedPage(page);
    const r = this.memory.pageIndex(phys, false);
    tlbR[page] = r < 0 || watched ? -2 : r;
    // With paging, a read fills the write entry only when a write would not need the walk again
    // (writable and already dirty); a write always fills it.
    if (write || (this.cr0 & PG) === 0 || this.walkWritable) {
      const w = this.memory.pageIndex(phys, true);
      tlbW[page] = w < 0 || watched ? -2 : w;
    }
    return write ? tlbW[page] : tlbR[page];
  }

  private isWatchedPage(page: number): boolean {
    const w = this.watchPage;
    return w[0] === page || w[1] === page || w[2] === page || w[3] === page;
  }

  /** Records data-breakpoint hits for an access of one byte at `lin` (slow path only). */
  private checkWatch(lin: number, write: boolean): void {
    const a = lin >>> 0;
    for (let i = 0; i < 4; i++) {
      if (this.watchPage[i] < 0 || (!write && this.watchReads[i] === 0)) continue;
      if (a >= this.watchStart[i] && a < this.watchEnd[i]) this.dbgHit |= 1 << i;
    }
  }

  /**
   * Index in `mem` of a linear address whose page can be accessed directly for reading (or
   * writing), or -1 (MMIO, ROM writes, unmapped, watched by a data breakpoint).
   */
  directIndex(lin: number, write: boolean): number {
    let i = (write ? this.tlbW : this.tlbR)[lin >>> 12];
    if (i === -1) i = this.tlbFill(lin, write);
    return i < 0 ? -1 : i + (lin & 0xfff);
  }

  // ---- system accesses: descriptor tables, TSS, IDT are supervisor accesses at any CPL ---------

  sysRead8(lin: number): number {
    if (!this.userAccess) return this.readL8(lin);
    this.setUserAccess(false);
    try {
      return this.readL8(lin);
    } finally {
      this.setUserAccess(true);
    }
  }

  sysRead16(lin: number): number {
    if (!this.userAccess) return this.readL16(lin);
    this.setUserAccess(false);
    try {
      return this.readL16(lin);
    } finally {
      this.setUserAccess(true);
    }
  }

  sysRead32(lin: number): number {
    if (!this.userAccess) return this.readL32(lin);
    this.setUserAccess(false);
    try {
      return this.readL32(lin);
    } finally {
      this.setUserAccess(true);
    }
  }

  sysWrite8(lin: number, v: number): void {
    if (!this.userAccess) return this.writeL8(lin, v);
    this.setUserAccess(false);
    try {
      this.writeL8(lin, v);
    } finally {
      this.setUserAccess(true);
    }
  }

  sysWrite16(lin: number, v: number): void {
    if (!this.userAccess) return this.writeL16(lin, v);
    this.setUserAccess(false);
    try {
      this.writeL16(lin, v);
    } finally {
      this.setUserAccess(true);
    }
  }

  sysWrite32(lin: number, v: number): void {
    if (!this.userAccess) return this.writeL32(lin, v);
    this.setUserAccess(false);
    try {
      this.writeL32(lin, v);
    } finally {
      this.setUserAccess(true);
    }
  }

  // ---- linear accesses -------------------------------------------------------------------------

  readL8(lin: number): number {
    const i = this.tlbR[lin >>> 12];
    if (i >= 0) return this.mem[i + (lin & 0xfff)];
    const j = i === -1 ? this.tlbFill(lin, false) : i;
    if (j >= 0) return this.mem[j + (lin & 0xfff)];
    if (this.watchCount !== 0) this.checkWatch(lin, false);
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
    else {
      if (this.watchCount !== 0) this.checkWatch(lin, true);
      this.memory.write8(this.translate(lin, true), v & 0xff);
    }
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
    // A word across two pages: both must be writable before either byte changes.
    if (o === 0xfff) this.probeWritePage((lin + 1) | 0);
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
    if (o > 0xffc) this.probeWritePage((lin + 3) & ~0xfff);
    this.writeL16(lin, v & 0xffff);
    this.writeL16((lin + 2) | 0, (v >>> 16) & 0xffff);
  }

  /** Makes sure a write to the page of `lin` will not fault (translates it, may raise #PF). */
  private probeWritePage(lin: number): void {
    if ((this.cr0 & PG) !== 0 && this.tlbW[lin >>> 12] === -1) this.tlbFill(lin, true);
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
    if (off > this.segFastW[seg]) this.checkLimitW(seg, off, 1);
    this.writeL8((this.segBase[seg] + off) | 0, v);
  }

  wr16(seg: number, off: number, v: number): void {
    if (off >= this.segFastW[seg]) {
      this.wr16Slow(seg, off, v);
      return;
    }
    this.writeL16((this.segBase[seg] + off) | 0, v);
  }

  wr32(seg: number, off: number, v: number): void {
    if (off + 2 >= this.segFastW[seg]) {
      this.wr32Slow(seg, off, v);
      return;
    }
    this.writeL32((this.segBase[seg] + off) | 0, v);
  }

  /** Checks that a write of `size` bytes at seg:off would not fault, without writing. */
  probeWrite(seg: number, off: number, size: number): void {
    if (this.traits.segmentLimits && off + size - 1 > this.segFastW[seg]) this.checkLimitW(seg, off, size);
  }

  /** Checks that a read of `size` bytes at seg:off would not fault, without reading. */
  probeRead(seg: number, off: number, size: number): void {
    if (this.traits.segmentLimits && off + size - 1 > this.segFast[seg]) this.checkLimit(seg, off, size);
  }

  /**
   * Recomputes the fast-path limits of segment `seg` from its cache and the mode. Real and V86
   * mode check only the limit; protected mode also wants a present, readable (or writable)
   * segment, and every expand-down segment takes the full check.
   */
  refreshFast(seg: number): void {
    const acc = this.segAccess[seg];
    const limit = this.segLimit[seg];
    const expandDown = (acc & (ACC_CODE | ACC_EXPAND_DOWN)) === ACC_EXPAND_DOWN;
    if (expandDown) {
      this.segFast[seg] = -1;
      this.segFastW[seg] = -1;
    } else if ((this.cr0 & 1) === 0 || (this.flags & VM) !== 0) {
      this.segFast[seg] = limit;
      this.segFastW[seg] = limit;
    } else if ((acc & ACC_PRESENT) === 0) {
      this.segFast[seg] = -1;
      this.segFastW[seg] = -1;
    } else {
      const code = (acc & ACC_CODE) !== 0;
      this.segFast[seg] = !code || (acc & ACC_WRITABLE) !== 0 ? limit : -1;
      this.segFastW[seg] = !code && (acc & ACC_WRITABLE) !== 0 ? limit : -1;
    }
  }

  /** After a change of CR0.PE or EFLAGS.VM: the rules of every segment change. */
  refreshAllFast(): void {
    for (let s = 0; s < 6; s++) this.refreshFast(s);
  }

  /**
   * The full check for reads: in protected mode an unusable (null, not present) or execute-only
   * segment is #GP(0) (#SS(0) for the stack), then the limit with expand-down segments. #SS for
   * the stack segment, #GP for the others (real mode pushes no error code; protected mode 0).
   */
  checkLimit(seg: number, off: number, size: number): void {
    if ((this.cr0 & 1) !== 0 && (this.flags & VM) === 0) {
      const acc = this.segAccess[seg];
      if ((acc & ACC_PRESENT) === 0) this.raise(seg === SS ? VEC_SS : VEC_GP, 0);
      if ((acc & (ACC_CODE | ACC_WRITABLE)) === ACC_CODE) this.raise(VEC_GP, 0);
    }
    if (this.withinLimit(seg, off, size)) return;
    // The 286 in real mode reports every limit violation, stack ones included, as #GP (13).
    const stack = seg === SS && (this.gen >= 386 || this.protectedMode);
    this.raise(stack ? VEC_SS : VEC_GP, this.protectedMode ? 0 : -1);
  }

  /** The full check for writes: protected mode also refuses code and read-only data segments. */
  checkLimitW(seg: number, off: number, size: number): void {
    if ((this.cr0 & 1) !== 0 && (this.flags & VM) === 0) {
      const acc = this.segAccess[seg];
      if ((acc & ACC_PRESENT) === 0) this.raise(seg === SS ? VEC_SS : VEC_GP, 0);
      if ((acc & (ACC_CODE | ACC_WRITABLE)) !== ACC_WRITABLE) this.raise(VEC_GP, 0);
    }
    if (this.withinLimit(seg, off, size)) return;
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
    this.checkLimitW(seg, off, 2);
    this.writeL16((this.segBase[seg] + off) | 0, v);
  }

  private wr32Slow(seg: number, off: number, v: number): void {
    this.checkLimitW(seg, off, 4);
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

/**
 * The physical address space of an AT-class PC:
 *   00000-9FFFF  conventional RAM
 *   A0000-BFFFF  video memory window (MMIO, owned by the VGA)
 *   C0000-DFFFF  option ROMs (the video BIOS at C0000) or nothing (reads FFh)
 *   E0000-FFFFF  system BIOS ROM (the BIOS image occupies F0000-FFFFF)
 *   100000-...   extended RAM
 *   top 128 KiB of the address bus: an alias of E0000-FFFFF, so the reset vector at FFFFFFF0h
 *                (386+) or FFFFF0h (286) reaches the BIOS.
 * Addresses are masked to the CPU's bus width (20 bits on the 8086, 24 on the 286, 32 on the 386+)
 * and by the A20 gate before anything else.
 *
 * RAM and the ROM window share one byte array (`mem`: RAM, then the 256 KiB of C0000-FFFFF), so the
 * CPU's TLB can point at either with a plain index (see pageIndex).
 */

export interface MmioHandler {
  read8(addr: number): number;
  write8(addr: number, value: number): void;
  /** Reads without side effects (no latch loads, no status clears): used by the debugger. */
  peek8(addr: number): number;
}

interface MmioRegion {
  readonly start: number;
  readonly end: number; // exclusive
  readonly handler: MmioHandler;
}

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;

/** What backs a physical 4 KiB page; lets the CPU's TLB take a direct path for RAM. */
export const enum PageKind {
  Ram = 0,
  Rom = 1,
  Mmio = 2,
  None = 3,
}

export interface PhysicalMemoryOptions {
  /**
   * false: RAM fills the whole space below ramSize, with no adapter hole, ROM window or top-of-bus
   * alias. Only for CPU conformance rigs whose test vectors assume RAM everywhere.
   */
  readonly adapterHole?: boolean;
}

const HOLE_START = 0xa0000;
const HOLE_END = 0x100000;
const ROM_START = 0xc0000;
const ROM_SIZE = HOLE_END - ROM_START;
const TOP_ALIAS_SIZE = 0x20000;

export class PhysicalMemory {
  /** RAM followed by the ROM window: the array the CPU's fast paths index. */
  readonly mem: Uint8Array;
  readonly ram: Uint8Array;
  /** ROM contents for C0000-FFFFF (index = address - C0000h). Unloaded bytes read FFh. */
  readonly rom: Uint8Array;
  private readonly romLoaded: Uint8Array = new Uint8Array(ROM_SIZE >>> PAGE_SHIFT);
  private readonly mmio: MmioRegion[] = [];
  private busMask: number;
  private a20 = true;
  /** busMask with bit 20 cleared while the A20 gate is closed. Apply to every physical address. */
  mask: number;
  private readonly maskListeners: (() => void)[] = [];
  /** The map has the adapter hole, ROM window and top-of-bus alias (every real machine). */
  private readonly hole: boolean;

  constructor(
    readonly ramSize: number,
    busBits: 20 | 24 | 32 = 32,
    options: PhysicalMemoryOptions = {},
  ) {
    if (ramSize < 0x100000 || ramSize > 0x10000000 || ramSize % PAGE_SIZE !== 0) {
      throw new RangeError(`RAM size must be 1 MiB to 256 MiB in whole pages, not ${ramSize}`);
    }
    this.hole = options.adapterHole ?? true;
    this.mem = new Uint8Array(ramSize + ROM_SIZE);
    this.ram = this.mem.subarray(0, ramSize);
    this.rom = this.mem.subarray(ramSize);
    this.rom.fill(0xff);
    this.busMask = busBits === 32 ? -1 : (1 << busBits) - 1;
    this.mask = this.busMask;
  }

  get a20Enabled(): boolean {
    return this.a20;
  }

  setBusBits(bits: 20 | 24 | 32): void {
    this.busMask = bits === 32 ? -1 : (1 << bits) - 1;
    this.updateMask();
  }

  /** Opens or closes the A20 gate (8042 output port bit 1, port 92h bit 1). */
  setA20(enabled: boolean): void {
    if (this.a20 === enabled) return;
    this.a20 = enabled;
    this.updateMask();
  }

  /**
   * Called when the address mask changes or the map does (a ROM loaded, an MMIO window claimed), so
   * cached translations can be dropped.
   */
  onMaskChange(listener: () => void): void {
    this.maskListeners.push(listener);
  }

  private updateMask(): void {
    this.mask = this.a20 ? this.busMask : this.busMask & ~0x100000;
    for (const l of this.maskListeners) l();
  }

  /** Claims [start, end) for memory-mapped I/O. Must lie below 1 MiB (the PC has no other MMIO here). */
  registerMmio(start: number, end: number, handler: MmioHandler): void {
    if (start < HOLE_START || end > ROM_START || end <= start) throw new RangeError('MMIO regions live in A0000-BFFFF');
    if (!this.hole) throw new Error('this memory has no adapter hole for MMIO');
    for (const r of this.mmio) if (start < r.end && r.start < end) throw new Error('overlapping MMIO regions');
    this.mmio.push({ start, end, handler });
    for (const l of this.maskListeners) l();
  }

  /** Places ROM bytes at `start` (within C0000-FFFFF). */
  loadRom(start: number, bytes: Uint8Array): void {
    if (start < ROM_START || start + bytes.length > HOLE_END) throw new RangeError('ROMs live in C0000-FFFFF');
    if (!this.hole) throw new Error('this memory has no ROM window');
    this.rom.set(bytes, start - ROM_START);
    for (let p = start >>> PAGE_SHIFT; p < (start + bytes.length + PAGE_SIZE - 1) >>> PAGE_SHIFT; p++) {
      this.romLoaded[p - (ROM_START >>> PAGE_SHIFT)] = 1;
    }
    for (const l of this.maskListeners) l();
  }

  /**
   * Maps a masked physical address into the 1 MiB ROM window when it falls in the top-of-bus alias;
   * returns -1 otherwise.
   */
  private topAlias(addr: number): number {
    const top = this.busMask === -1 ? 0x100000000 : this.busMask + 1;
    const a = addr >>> 0;
    return a >= top - TOP_ALIAS_SIZE ? HOLE_END - TOP_ALIAS_SIZE + (a - (top - TOP_ALIAS_SIZE)) : -1;
  }

  private isRam(a: number): boolean {
    return a < this.ramSize && (!this.hole || a < HOLE_START || a >= HOLE_END);
  }

  /** Classifies the page holding the (already masked) physical address. */
  pageKind(addr: number): PageKind {
    const a = addr >>> 0;
    if (this.isRam(a)) return PageKind.Ram;
    if (!this.hole) return PageKind.None;
    if (a < HOLE_END && a >= HOLE_START) {
      if (a < ROM_START) return this.findMmio(a) ? PageKind.Mmio : PageKind.None;
      return this.romLoaded[(a - ROM_START) >>> PAGE_SHIFT] ? PageKind.Rom : PageKind.None;
    }
    const alias = this.topAlias(a);
    if (alias >= 0) return this.pageKind(alias);
    return PageKind.None;
  }

  /**
   * Index in `mem` of the first byte of the page holding the (already masked) physical address,
   * when the page can be accessed directly: RAM for reads and writes, loaded ROM for reads.
   * Returns -1 for everything that needs read8/write8 (MMIO, ROM writes, unmapped space).
   */
  pageIndex(addr: number, write: boolean): number {
    const a = (addr >>> 0) & ~(PAGE_SIZE - 1);
    if (this.isRam(a)) return a;
    if (write || !this.hole) return -1;
    let r = a;
    if (r >= HOLE_END) {
      r = this.topAlias(a);
      if (r < 0) return -1;
    }
    if (r < ROM_START || r >= HOLE_END || !this.romLoaded[(r - ROM_START) >>> PAGE_SHIFT]) return -1;
    return this.ramSize + (r - ROM_START);
  }

  private findMmio(a: number): MmioRegion | undefined {
    for (const r of this.mmio) if (a >= r.start && a < r.end) return r;
    return undefined;
  }

  read8(addr: number): number {
    const a = (addr & this.mask) >>> 0;
    if (this.isRam(a)) return this.mem[a];
    return this.slowRead(a, false);
  }

  /** Debugger read: never triggers device side effects. */
  peek8(addr: number): number {
    const a = (addr & this.mask) >>> 0;
    if (this.isRam(a)) return this.mem[a];
    return this.slowRead(a, true);
  }

  /** Debugger read of a dword (page-table entries): no device side effects. */
  peek32(addr: number): number {
    return (this.peek8(addr) | (this.peek8(addr + 1) << 8) | (this.peek8(addr + 2) << 16) | (this.peek8(addr + 3) << 24)) >>> 0;
  }

  write8(addr: number, value: number): void {
    const a = (addr & this.mask) >>> 0;
    if (this.isRam(a)) {
      this.mem[a] = value;
      return;
    }
    if (this.hole && a >= HOLE_START && a < ROM_START) {
      const r = this.findMmio(a);
      if (r) r.handler.write8(a, value & 0xff);
    }
    // ROM and unmapped space ignore writes.
  }

  read16(addr: number): number {
    return this.read8(addr) | (this.read8(addr + 1) << 8);
  }

  read32(addr: number): number {
    return (this.read16(addr) | (this.read16(addr + 2) << 16)) >>> 0;
  }

  write16(addr: number, value: number): void {
    this.write8(addr, value & 0xff);
    this.write8(addr + 1, (value >>> 8) & 0xff);
  }

  write32(addr: number, value: number): void {
    this.write16(addr, value & 0xffff);
    this.write16(addr + 2, value >>> 16);
  }

  private slowRead(a: number, peek: boolean): number {
    if (!this.hole) return 0xff;
    if (a < HOLE_END) {
      if (a < ROM_START) {
        const r = this.findMmio(a);
        if (!r) return 0xff;
        return peek ? r.handler.peek8(a) & 0xff : r.handler.read8(a) & 0xff;
      }
      return this.rom[a - ROM_START];
    }
    const alias = this.topAlias(a);
    return alias >= 0 ? this.rom[alias - ROM_START] : 0xff;
  }
}

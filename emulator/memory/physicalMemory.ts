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

const HOLE_START = 0xa0000;
const HOLE_END = 0x100000;
const ROM_START = 0xc0000;
const TOP_ALIAS_SIZE = 0x20000;

export class PhysicalMemory {
  readonly ram: Uint8Array;
  /** ROM contents for C0000-FFFFF (index = address - C0000h). Unloaded bytes read FFh. */
  readonly rom: Uint8Array = new Uint8Array(HOLE_END - ROM_START).fill(0xff);
  private readonly romLoaded: Uint8Array = new Uint8Array((HOLE_END - ROM_START) >>> PAGE_SHIFT);
  private readonly mmio: MmioRegion[] = [];
  private busMask: number;
  private a20 = true;
  /** busMask with bit 20 cleared while the A20 gate is closed. Apply to every physical address. */
  mask: number;
  private readonly maskListeners: (() => void)[] = [];

  constructor(
    readonly ramSize: number,
    busBits: 20 | 24 | 32 = 32,
  ) {
    if (ramSize < 0x100000 || ramSize > 0x10000000 || ramSize % PAGE_SIZE !== 0) {
      throw new RangeError(`RAM size must be 1 MiB to 256 MiB in whole pages, not ${ramSize}`);
    }
    this.ram = new Uint8Array(ramSize);
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

  /** Called when the address mask changes, so cached translations can be dropped. */
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
    for (const r of this.mmio) if (start < r.end && r.start < end) throw new Error('overlapping MMIO regions');
    this.mmio.push({ start, end, handler });
  }

  /** Places ROM bytes at `start` (within C0000-FFFFF). */
  loadRom(start: number, bytes: Uint8Array): void {
    if (start < ROM_START || start + bytes.length > HOLE_END) throw new RangeError('ROMs live in C0000-FFFFF');
    this.rom.set(bytes, start - ROM_START);
    for (let p = start >>> PAGE_SHIFT; p < (start + bytes.length + PAGE_SIZE - 1) >>> PAGE_SHIFT; p++) {
      this.romLoaded[p - (ROM_START >>> PAGE_SHIFT)] = 1;
    }
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

  /** Classifies the page holding the (already masked) physical address. */
  pageKind(addr: number): PageKind {
    const a = addr >>> 0;
    if (a < HOLE_START || (a >= HOLE_END && a < this.ramSize)) return PageKind.Ram;
    if (a < HOLE_END) {
      if (a < ROM_START) return this.findMmio(a) ? PageKind.Mmio : PageKind.None;
      return this.romLoaded[(a - ROM_START) >>> PAGE_SHIFT] ? PageKind.Rom : PageKind.None;
    }
    const alias = this.topAlias(a);
    if (alias >= 0) return this.pageKind(alias);
    return PageKind.None;
  }

  private findMmio(a: number): MmioRegion | undefined {
    for (const r of this.mmio) if (a >= r.start && a < r.end) return r;
    return undefined;
  }

  read8(addr: number): number {
    const a = (addr & this.mask) >>> 0;
    if (a < HOLE_START || (a >= HOLE_END && a < this.ramSize)) return this.ram[a];
    return this.slowRead(a, false);
  }

  /** Debugger read: never triggers device side effects. */
  peek8(addr: number): number {
    const a = (addr & this.mask) >>> 0;
    if (a < HOLE_START || (a >= HOLE_END && a < this.ramSize)) return this.ram[a];
    return this.slowRead(a, true);
  }

  write8(addr: number, value: number): void {
    const a = (addr & this.mask) >>> 0;
    if (a < HOLE_START || (a >= HOLE_END && a < this.ramSize)) {
      this.ram[a] = value;
      return;
    }
    if (a >= HOLE_START && a < ROM_START) {
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

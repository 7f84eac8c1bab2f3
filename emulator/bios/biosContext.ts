/**
 * What a BIOS service handler works with: the CPU (registers and linear memory, so every guest
 * access goes through paging when Windows runs the BIOS in virtual-8086 mode), the caller's saved
 * registers in the service frame on its own stack, the ROM addresses, and the machine's
 * configuration. Handlers are restartable: a guest fault inside one (a page fault on the frame or
 * a buffer) unwinds to the trap, which runs again once the fault is handled, so they read and
 * validate before they write.
 */
import type { RegName } from '../cpu/registers.js';
import { FRAME } from './romCoreSource.js';
import type { SystemRom } from './systemRom.js';
import type { VideoRom } from './videoRom.js';

/** The part of the CPU the BIOS uses (the CPU class provides it). */
export interface BiosCpu {
  getReg(name: RegName): number;
  setReg(name: RegName, value: number): void;
  readLinear8(linear: number): number;
  readLinear16(linear: number): number;
  readLinear32(linear: number): number;
  writeLinear8(linear: number, value: number): void;
  writeLinear16(linear: number, value: number): void;
  writeLinear32(linear: number, value: number): void;
}

export interface DiskGeometry {
  readonly cylinders: number;
  readonly heads: number;
  readonly sectors: number;
}

export interface BiosHardDisk extends DiskGeometry {
  /** Sectors the device holds (may exceed C*H*S). */
  readonly totalSectors: number;
}

export interface BiosFloppy extends DiskGeometry {
  /** CMOS drive type: 1 360K, 2 1.2M, 3 720K, 4 1.44M, 5 2.88M. */
  readonly driveType: number;
}

export type BootDevice = 'floppy' | 'hard';

export interface BiosConfig {
  readonly memoryBytes: number;
  readonly floppies: readonly (BiosFloppy | null)[];
  readonly hardDisks: readonly BiosHardDisk[];
  readonly bootOrder: readonly BootDevice[];
  /** UART base ports present, COM1 first. */
  readonly serialPorts: readonly number[];
  readonly hasFpu: boolean;
}

/** Linear address of seg:off in real and virtual-8086 mode (offsets wrap at 64 KiB). */
export function lin(seg: number, off: number): number {
  return ((seg & 0xffff) * 16 + (off & 0xffff)) >>> 0;
}

export class BiosContext {
  /** Linear address of SS:SP at the current trap: the scratch area, then the saved registers. */
  frameBase = 0;
  /** Told when INT 16h finds the type-ahead buffer empty; `blocking` for a read that waits. */
  onKeyboardIdle: ((blocking: boolean) => void) | null = null;

  constructor(
    readonly cpu: BiosCpu,
    readonly rom: SystemRom,
    readonly videoRom: VideoRom,
    readonly config: BiosConfig,
  ) {}

  /** Locates the frame of the service that trapped. */
  enter(): void {
    this.frameBase = lin(this.cpu.getReg('ss'), this.cpu.getReg('sp'));
  }

  rd8(seg: number, off: number): number {
    return this.cpu.readLinear8(lin(seg, off));
  }

  rd16(seg: number, off: number): number {
    const o = off & 0xffff;
    if (o === 0xffff) return this.rd8(seg, o) | (this.rd8(seg, 0) << 8);
    return this.cpu.readLinear16(lin(seg, o));
  }

  rd32(seg: number, off: number): number {
    return (this.rd16(seg, off) | (this.rd16(seg, off + 2) << 16)) >>> 0;
  }

  wr8(seg: number, off: number, v: number): void {
    this.cpu.writeLinear8(lin(seg, off), v & 0xff);
  }

  wr16(seg: number, off: number, v: number): void {
    const o = off & 0xffff;
    if (o === 0xffff) {
      this.wr8(seg, o, v);
      this.wr8(seg, 0, v >>> 8);
      return;
    }
    this.cpu.writeLinear16(lin(seg, o), v & 0xffff);
  }

  wr32(seg: number, off: number, v: number): void {
    this.wr16(seg, off, v & 0xffff);
    this.wr16(seg, off + 2, v >>> 16);
  }

  /**
   * Makes a handler that writes many bytes restartable: every page of [seg:off, seg:off+length)
   * is read and written back unchanged first, so a page fault (a V86 monitor tracking video memory
   * unmaps pages, for instance) happens before anything changed, and the re-run finds the same
   * memory. The range follows the 64 KiB offset wrap of real and V86 mode.
   */
  touch(seg: number, off: number, length: number): void {
    if (length <= 0) return;
    const cpu = this.cpu;
    let at = off & 0xffff;
    let left = length;
    while (left > 0) {
      const a = lin(seg, at);
      cpu.writeLinear8(a, cpu.readLinear8(a));
      const toPage = 0x1000 - (a & 0xfff);
      const toWrap = 0x10000 - at;
      const step = Math.min(toPage, toWrap, left);
      const last = lin(seg, at + step - 1);
      if (step > 1) cpu.writeLinear8(last, cpu.readLinear8(last));
      at = (at + step) & 0xffff;
      left -= step;
    }
  }

  // ---- BIOS data area (segment 40h) ----
  bda8(off: number): number {
    return this.cpu.readLinear8(0x400 + off);
  }
  bda16(off: number): number {
    return this.cpu.readLinear16(0x400 + off);
  }
  bda32(off: number): number {
    return this.cpu.readLinear32(0x400 + off);
  }
  setBda8(off: number, v: number): void {
    this.cpu.writeLinear8(0x400 + off, v & 0xff);
  }
  setBda16(off: number, v: number): void {
    this.cpu.writeLinear16(0x400 + off, v & 0xffff);
  }
  setBda32(off: number, v: number): void {
    this.cpu.writeLinear32(0x400 + off, v >>> 0);
  }

  // ---- the caller's registers, saved in the frame ----
  private f16(off: number): number {
    return this.cpu.readLinear16(this.frameBase + off);
  }
  private setF16(off: number, v: number): void {
    this.cpu.writeLinear16(this.frameBase + off, v & 0xffff);
  }
  private f8(off: number): number {
    return this.cpu.readLinear8(this.frameBase + off);
  }
  private setF8(off: number, v: number): void {
    this.cpu.writeLinear8(this.frameBase + off, v & 0xff);
  }

  get ax(): number { return this.f16(FRAME.eax); }
  set ax(v: number) { this.setF16(FRAME.eax, v); }
  get al(): number { return this.f8(FRAME.eax); }
  set al(v: number) { this.setF8(FRAME.eax, v); }
  get ah(): number { return this.f8(FRAME.eax + 1); }
  set ah(v: number) { this.setF8(FRAME.eax + 1, v); }
  get bx(): number { return this.f16(FRAME.ebx); }
  set bx(v: number) { this.setF16(FRAME.ebx, v); }
  get bl(): number { return this.f8(FRAME.ebx); }
  set bl(v: number) { this.setF8(FRAME.ebx, v); }
  get bh(): number { return this.f8(FRAME.ebx + 1); }
  set bh(v: number) { this.setF8(FRAME.ebx + 1, v); }
  get cx(): number { return this.f16(FRAME.ecx); }
  set cx(v: number) { this.setF16(FRAME.ecx, v); }
  get cl(): number { return this.f8(FRAME.ecx); }
  set cl(v: number) { this.setF8(FRAME.ecx, v); }
  get ch(): number { return this.f8(FRAME.ecx + 1); }
  set ch(v: number) { this.setF8(FRAME.ecx + 1, v); }
  get dx(): number { return this.f16(FRAME.edx); }
  set dx(v: number) { this.setF16(FRAME.edx, v); }
  get dl(): number { return this.f8(FRAME.edx); }
  set dl(v: number) { this.setF8(FRAME.edx, v); }
  get dh(): number { return this.f8(FRAME.edx + 1); }
  set dh(v: number) { this.setF8(FRAME.edx + 1, v); }
  get si(): number { return this.f16(FRAME.esi); }
  set si(v: number) { this.setF16(FRAME.esi, v); }
  get di(): number { return this.f16(FRAME.edi); }
  set di(v: number) { this.setF16(FRAME.edi, v); }
  get bp(): number { return this.f16(FRAME.ebp); }
  set bp(v: number) { this.setF16(FRAME.ebp, v); }
  get es(): number { return this.f16(FRAME.es); }
  set es(v: number) { this.setF16(FRAME.es, v); }
  get ds(): number { return this.f16(FRAME.ds); }
  get eax(): number { return this.cpu.readLinear32(this.frameBase + FRAME.eax); }
  set eax(v: number) { this.cpu.writeLinear32(this.frameBase + FRAME.eax, v >>> 0); }
  get ebx(): number { return this.cpu.readLinear32(this.frameBase + FRAME.ebx); }
  set ebx(v: number) { this.cpu.writeLinear32(this.frameBase + FRAME.ebx, v >>> 0); }
  get ecx(): number { return this.cpu.readLinear32(this.frameBase + FRAME.ecx); }
  set ecx(v: number) { this.cpu.writeLinear32(this.frameBase + FRAME.ecx, v >>> 0); }
  get edx(): number { return this.cpu.readLinear32(this.frameBase + FRAME.edx); }
  set edx(v: number) { this.cpu.writeLinear32(this.frameBase + FRAME.edx, v >>> 0); }

  /** CF in the FLAGS image IRET restores. */
  set carry(on: boolean) {
    const f = this.f16(FRAME.flags);
    this.setF16(FRAME.flags, on ? f | 1 : f & ~1);
  }
  /** ZF in the FLAGS image IRET restores. */
  set zero(on: boolean) {
    const f = this.f16(FRAME.flags);
    this.setF16(FRAME.flags, on ? f | 0x40 : f & ~0x40);
  }
  get callerFlags(): number {
    return this.f16(FRAME.flags);
  }

  scratch8(off: number): number { return this.f8(FRAME.scratch + off); }
  scratch16(off: number): number { return this.f16(FRAME.scratch + off); }
  scratch32(off: number): number { return this.cpu.readLinear32(this.frameBase + FRAME.scratch + off); }
  setScratch8(off: number, v: number): void { this.setF8(FRAME.scratch + off, v); }
  setScratch16(off: number, v: number): void { this.setF16(FRAME.scratch + off, v); }
  setScratch32(off: number, v: number): void { this.cpu.writeLinear32(this.frameBase + FRAME.scratch + off, v >>> 0); }

  /** Continues the service in the x86 routine `label` when the trap returns. */
  jump(label: string): void {
    this.cpu.setReg('ip', this.rom.addr(label));
  }

  /** Returns with AH = status and CF = (status != 0), the usual error convention. */
  status(code: number): void {
    this.ah = code;
    this.carry = code !== 0;
  }

  /**
   * Queues port I/O for the `io_script` routine: (port, value) pairs, a port with bit 15 set is
   * read. At most 10 entries. Returns by jumping there.
   */
  ioScript(entries: readonly (readonly [number, number])[]): void {
    if (entries.length === 0) return;
    if (entries.length > 10) throw new RangeError('io_script holds at most 10 entries');
    entries.forEach(([port, value], i) => {
      this.setScratch16(i * 3, port);
      this.setScratch8(i * 3 + 2, value);
    });
    this.cpu.setReg('cx', entries.length);
    this.jump('io_script');
  }

  /** Queues CMOS writes (index, value) for `cmos_script` (at most 16). */
  cmosScript(entries: readonly (readonly [number, number])[]): void {
    if (entries.length === 0) return;
    entries.forEach(([index, value], i) => {
      this.setScratch8(i * 2, index);
      this.setScratch8(i * 2 + 1, value);
    });
    this.cpu.setReg('cx', entries.length);
    this.jump('cmos_script');
  }
}

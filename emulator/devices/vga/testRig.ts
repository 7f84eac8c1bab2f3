/**
 * A VGA on a real I/O bus and physical memory, driven the way guest code drives it (OUT/IN and
 * byte accesses to A0000h-BFFFFh). Shared by the VGA's tests and benchmarks.
 */
import { IoBus } from '../../io/ioBus.js';
import { Scheduler } from '../../machine/scheduler.js';
import { PhysicalMemory } from '../../memory/physicalMemory.js';
import { FONT_8X16 } from './fonts/romFonts.js';
import { egaDacPalette, programMode } from './modeTables.js';
import { Vga } from './vga.js';

export class VgaRig {
  readonly scheduler = new Scheduler();
  readonly io = new IoBus();
  readonly memory = new PhysicalMemory(0x100000, 20);
  readonly vga = new Vga(this.scheduler);

  constructor() {
    this.vga.attach(this.io, this.memory);
  }

  out(port: number, value: number): void {
    this.io.out8(port, value);
  }

  in(port: number): number {
    return this.io.in8(port);
  }

  /** Index/data pair write, e.g. seq(2, 0x0f) = OUT 3C4h,2 / OUT 3C5h,0Fh. */
  seq(index: number, value: number): void {
    this.out(0x3c4, index);
    this.out(0x3c5, value);
  }

  gc(index: number, value: number): void {
    this.out(0x3ce, index);
    this.out(0x3cf, value);
  }

  crtc(index: number, value: number): void {
    this.out(0x3d4, index);
    this.out(0x3d5, value);
  }

  /** Writes an attribute register the way BIOSes do: reset the flip-flop, index, data, re-enable. */
  attr(index: number, value: number): void {
    this.in(0x3da);
    this.out(0x3c0, index);
    this.out(0x3c0, value);
    this.out(0x3c0, 0x20);
  }

  dacSet(index: number, r: number, g: number, b: number): void {
    this.out(0x3c8, index);
    this.out(0x3c9, r);
    this.out(0x3c9, g);
    this.out(0x3c9, b);
  }

  write(addr: number, value: number): void {
    this.memory.write8(addr, value);
  }

  read(addr: number): number {
    return this.memory.read8(addr);
  }

  /** Programs a standard mode's registers and a DAC palette (EGA colours in 0-63, a grey ramp above). */
  setMode(mode: number): void {
    programMode(
      (p, v) => this.out(p, v),
      (p) => this.in(p),
      mode,
    );
    const ega = egaDacPalette();
    this.out(0x3c8, 0);
    for (let i = 0; i < 256; i++) {
      const g = i & 0x3f;
      this.out(0x3c9, i < 64 ? ega[i * 3] : g);
      this.out(0x3c9, i < 64 ? ega[i * 3 + 1] : g);
      this.out(0x3c9, i < 64 ? ega[i * 3 + 2] : g);
    }
  }

  /** Loads an 8xN font into plane 2 at 32-byte steps, as the BIOS does after a text mode set. */
  loadFont(font: Uint8Array = FONT_8X16, height = 16): void {
    this.seq(2, 0x04);
    this.seq(4, 0x07);
    this.gc(4, 0x02);
    this.gc(5, 0x00);
    this.gc(6, 0x04);
    for (let c = 0; c < 256; c++) for (let r = 0; r < 32; r++) this.write(0xa0000 + c * 32 + r, r < height ? font[c * height + r] : 0);
    this.seq(2, 0x03);
    this.seq(4, 0x02);
    this.gc(4, 0x00);
    this.gc(5, 0x10);
    this.gc(6, 0x0e);
  }

  /** Renders a frame into a fresh buffer. */
  frame(): { width: number; height: number; rgba: Uint8ClampedArray } {
    const g = this.vga.frameGeometry();
    const rgba = new Uint8ClampedArray(g.width * g.height * 4);
    this.vga.renderFrame(rgba);
    return { width: g.width, height: g.height, rgba };
  }
}

/**
 * Scan-out: turns the planes and registers into an RGBA frame the way the CRTC, sequencer and
 * attribute controller would, one logical line at a time.
 *
 * "Logical" size means one output pixel per distinct picture element: mode 3 is 720x400, mode 12h
 * 640x480, mode 13h 320x200 (its 2-dot-wide pixels and repeated scan lines collapsed). The display
 * size (what a monitor shows, dot clock for dot clock) and the 4:3 aspect come with it so a viewer
 * can scale.
 *
 * Lines whose memory did not change since the previous frame into the same target are skipped; any
 * register change, font change, blink or cursor change redraws everything. Steady state allocates
 * nothing.
 */
import { dac6to8, rgbaWord } from '../../render/palette.js';
import type { AttributeController } from './attributeController.js';
import { AR_PANNING, AR_PLANE_ENABLE } from './attributeController.js';
import { CR_CURSOR_END, CR_CURSOR_START, CR_MODE_CONTROL, CR_PRESET_ROW_SCAN, CR_UNDERLINE, type Crtc } from './crtc.js';
import type { Dac } from './dac.js';
import type { GraphicsController } from './graphicsController.js';
import type { Sequencer } from './sequencer.js';
import type { VgaMemory } from './vgaMemory.js';

/** The register blocks and memory the renderer reads. */
export interface VgaParts {
  readonly seq: Sequencer;
  readonly crtc: Crtc;
  readonly gc: GraphicsController;
  readonly ac: AttributeController;
  readonly dac: Dac;
  readonly mem: VgaMemory;
  /** Bumped by every register write that can change the picture. */
  readonly registerGeneration: number;
}

export interface FrameGeometry {
  /** Logical frame size (the size renderFrame writes). */
  readonly width: number;
  readonly height: number;
  /** What the monitor shows: dots and scan lines as timed by the CRTC. */
  readonly displayWidth: number;
  readonly displayHeight: number;
  /** Width / height of the picture on the tube (always 4:3 on a VGA monitor). */
  readonly aspect: number;
  readonly text: boolean;
}

export interface FrameResult extends FrameGeometry {
  /** Rows [dirtyTop, dirtyBottom) were written; equal when nothing changed. */
  readonly dirtyTop: number;
  readonly dirtyBottom: number;
}

export const MAX_WIDTH = 2304;
export const MAX_HEIGHT = 2048;

/** Per plane byte: its 8 bits spread to bit 0 of 8 nibbles... as two words of 4 bytes (pixels 0-3, 4-7). */
const SPREAD_HI = new Uint32Array(256);
const SPREAD_LO = new Uint32Array(256);
for (let b = 0; b < 256; b++) {
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < 4; i++) {
    if (b & (0x80 >> i)) hi |= 1 << (i * 8);
    if (b & (0x08 >> i)) lo |= 1 << (i * 8);
  }
  SPREAD_HI[b] = hi;
  SPREAD_LO[b] = lo;
}

export class VgaRenderer {
  /** RGBA word per DAC index (after the pixel mask). */
  private readonly lut = new Uint32Array(256);
  /** DAC index per 4-bit attribute colour (plane enable, palette, colour select applied). */
  private readonly pal16 = new Uint8Array(16);
  /** One logical line of DAC indices, with room for a panned extra character. */
  private readonly line = new Uint8Array(MAX_WIDTH + 16);
  private dacGeneration = -1;
  private registerGeneration = -1;
  private lastTarget: Uint8ClampedArray | null = null;
  private lastWidth = 0;
  private lastHeight = 0;
  private lastTextPhase = -1;
  private vf = 1;
  private view: Uint32Array | null = null;

  constructor(private readonly v: VgaParts) {}

  geometry(): FrameGeometry {
    const { seq, crtc, gc, ac } = this.v;
    const text = !gc.graphicsMode;
    const chars = crtc.hDisplay;
    const dots = text ? (seq.eightDot ? 8 : 9) : 8;
    const perChar = text ? dots : gc.shiftMode === 2 || ac.eightBit ? 4 : 8;
    const width = Math.min(MAX_WIDTH, chars * perChar);
    const lines = Math.min(MAX_HEIGHT, crtc.vDisplay);
    const vf = this.verticalFactor();
    return {
      width,
      height: Math.max(1, Math.floor(lines / vf)),
      displayWidth: chars * dots * (seq.halfDotClock ? 2 : 1),
      displayHeight: lines,
      aspect: 4 / 3,
      text,
    };
  }

  /** Scan lines per distinct logical line. */
  private verticalFactor(): number {
    const { crtc, gc } = this.v;
    let vf = crtc.doubleScan ? 2 : 1;
    if (gc.graphicsMode) {
      const rows = crtc.maxScanLine + 1;
      const mode = crtc.regs[CR_MODE_CONTROL];
      const distinct = Math.min(rows, (mode & 1 ? 1 : 2) * (mode & 2 ? 1 : 2));
      if (rows % distinct === 0) vf *= rows / distinct;
    }
    return vf;
  }

  /**
   * Renders into `target` (RGBA, at least width*height*4 bytes of the current geometry) at virtual
   * time `frame` (frame number, for blinking). Returns the geometry and the rows it wrote.
   */
  render(target: Uint8ClampedArray, frame: number): FrameResult {
    const g = this.geometry();
    const { width, height } = g;
    if (target.length < width * height * 4) throw new RangeError(`frame buffer too small for ${width}x${height}`);
    const v = this.v;
    let full = target !== this.lastTarget || width !== this.lastWidth || height !== this.lastHeight;
    // The 32-bit view of the target is kept while the caller keeps handing in the same buffer.
    if (full || this.view === null) this.view = new Uint32Array(target.buffer, target.byteOffset, width * height);
    const out = this.view;
    if (v.registerGeneration !== this.registerGeneration) {
      this.registerGeneration = v.registerGeneration;
      full = true;
      this.buildPal16();
    }
    if (v.dac.generation !== this.dacGeneration) {
      this.dacGeneration = v.dac.generation;
      full = true;
      this.buildLut();
    }
    const textPhase = g.text ? ((frame >> 3) & 1) | (((frame >> 4) & 1) << 1) : 0;
    if (g.text && (textPhase !== this.lastTextPhase || v.mem.fontDirty)) full = true;
    this.lastTextPhase = textPhase;
    this.lastTarget = target;
    this.lastWidth = width;
    this.lastHeight = height;

    this.vf = this.verticalFactor();
    let top = height;
    let bottom = 0;
    if (v.seq.screenOff || !v.ac.paletteEnabled) {
      if (full) {
        out.fill(this.lut[0] & 0xff000000);
        top = 0;
        bottom = height;
      }
    } else {
      for (let y = 0; y < height; y++) {
        if (this.renderLine(out, y, width, g.text, full, textPhase)) {
          if (y < top) top = y;
          bottom = y + 1;
        }
      }
    }
    v.mem.dirtyPages.fill(0);
    v.mem.fontDirty = false;
    return { ...g, dirtyTop: top < bottom ? top : 0, dirtyBottom: top < bottom ? bottom : 0 };
  }

  private buildLut(): void {
    const { dac } = this.v;
    for (let i = 0; i < 256; i++) {
      const e = (i & dac.pelMask) * 3;
      this.lut[i] = rgbaWord(dac6to8(dac.palette[e]), dac6to8(dac.palette[e + 1]), dac6to8(dac.palette[e + 2]));
    }
  }

  private buildPal16(): void {
    const { ac } = this.v;
    const enable = ac.regs[AR_PLANE_ENABLE] & 0x0f;
    for (let c = 0; c < 16; c++) this.pal16[c] = ac.dacIndex(c & enable);
  }

  /** Renders logical line y; returns false when it was clean and left alone. */
  private renderLine(out: Uint32Array, y: number, width: number, text: boolean, full: boolean, textPhase: number): boolean {
    const { crtc, ac, seq, gc } = this.v;
    const vf = this.vf;
    const s = y * vf;
    const lc = crtc.lineCompare;
    const split = s > lc;
    const rel = split ? s - lc - 1 : s;
    const ds = crtc.doubleScan ? rel >> 1 : rel;
    const r = split ? ds : ds + (crtc.regs[CR_PRESET_ROW_SCAN] & 0x1f);
    const rows = crtc.maxScanLine + 1;
    const charRow = Math.floor(r / rows);
    const rowScan = r % rows;
    const base = split ? 0 : crtc.startAddress + ((crtc.regs[CR_PRESET_ROW_SCAN] >> 5) & 3);
    const ma = base + charRow * crtc.rowPitch;
    const chars = crtc.hDisplay;
    if (!full) {
      const a0 = crtc.memoryAddress(ma, rowScan);
      const a1 = crtc.memoryAddress(ma + chars, rowScan);
      if (a1 >= a0 && !this.anyDirty(a0, a1)) return false;
    }
    // Pixel panning, in logical pixels.
    const p = split && ac.splitIgnoresPanning ? 0 : ac.regs[AR_PANNING] & 0x0f;
    let pan: number;
    if (text) pan = seq.eightDot ? p & 7 : p < 8 ? p + 1 : 0;
    else if (gc.shiftMode === 2 || ac.eightBit) pan = (p & 7) >> 1;
    else pan = p & 7;
    const line = this.line;
    const n = pan === 0 ? chars : chars + 1;
    if (text) this.textLine(ma, rowScan, n, textPhase);
    else if (gc.shiftMode === 2 || ac.eightBit) this.line256(ma, rowScan, n);
    else if (gc.shiftMode === 1) this.lineCga(ma, rowScan, n);
    else this.linePlanar(ma, rowScan, n);
    const lut = this.lut;
    let o = y * width;
    for (let x = 0; x < width; x++) out[o++] = lut[line[x + pan]];
    return true;
  }

  private anyDirty(a0: number, a1: number): boolean {
    const pages = this.v.mem.dirtyPages;
    for (let pg = a0 >>> 8; pg <= a1 >>> 8; pg++) if (pages[pg]) return true;
    return false;
  }

  private linePlanar(ma: number, rowScan: number, n: number): void {
    const { crtc, mem } = this.v;
    const words = mem.words;
    const pal = this.pal16;
    const line = this.line;
    let x = 0;
    for (let k = 0; k < n; k++) {
      const w = words[crtc.memoryAddress(ma + k, rowScan)];
      const b0 = w & 0xff;
      const b1 = (w >>> 8) & 0xff;
      const b2 = (w >>> 16) & 0xff;
      const b3 = w >>> 24;
      const hi = SPREAD_HI[b0] | (SPREAD_HI[b1] << 1) | (SPREAD_HI[b2] << 2) | (SPREAD_HI[b3] << 3);
      const lo = SPREAD_LO[b0] | (SPREAD_LO[b1] << 1) | (SPREAD_LO[b2] << 2) | (SPREAD_LO[b3] << 3);
      line[x] = pal[hi & 0xf];
      line[x + 1] = pal[(hi >>> 8) & 0xf];
      line[x + 2] = pal[(hi >>> 16) & 0xf];
      line[x + 3] = pal[hi >>> 24];
      line[x + 4] = pal[lo & 0xf];
      line[x + 5] = pal[(lo >>> 8) & 0xf];
      line[x + 6] = pal[(lo >>> 16) & 0xf];
      line[x + 7] = pal[lo >>> 24];
      x += 8;
    }
  }

  /** CGA 4-colour: planes 0/1 give pixels 0-3/4-7 two bits at a time; planes 2/3 supply bits 3-2. */
  private lineCga(ma: number, rowScan: number, n: number): void {
    const { crtc, mem } = this.v;
    const words = mem.words;
    const pal = this.pal16;
    const line = this.line;
    let x = 0;
    for (let k = 0; k < n; k++) {
      const w = words[crtc.memoryAddress(ma + k, rowScan)];
      const b0 = w & 0xff;
      const b1 = (w >>> 8) & 0xff;
      const b2 = (w >>> 16) & 0xff;
      const b3 = w >>> 24;
      for (let i = 0; i < 4; i++) {
        const sh = 6 - 2 * i;
        line[x + i] = pal[((b0 >> sh) & 3) | (((b2 >> sh) & 3) << 2)];
        line[x + 4 + i] = pal[((b1 >> sh) & 3) | (((b3 >> sh) & 3) << 2)];
      }
      x += 8;
    }
  }

  /** 256 colours: each character clock fetches planes 0-3, one pixel each, straight to the DAC. */
  private line256(ma: number, rowScan: number, n: number): void {
    const { crtc, mem } = this.v;
    const words = mem.words;
    const line = this.line;
    let x = 0;
    for (let k = 0; k < n; k++) {
      const w = words[crtc.memoryAddress(ma + k, rowScan)];
      line[x] = w & 0xff;
      line[x + 1] = (w >>> 8) & 0xff;
      line[x + 2] = (w >>> 16) & 0xff;
      line[x + 3] = w >>> 24;
      x += 4;
    }
  }

  private textLine(ma: number, rowScan: number, n: number, phase: number): void {
    const { crtc, mem, seq, ac } = this.v;
    const bytes = mem.bytes;
    const pal = this.pal16;
    const line = this.line;
    const nine = !seq.eightDot;
    const lineGraphics = ac.lineGraphics;
    const blink = ac.blinkEnabled;
    const blinkOff = (phase & 2) !== 0;
    const cursorOn = (phase & 1) === 0;
    const cs = crtc.regs[CR_CURSOR_START];
    const ce = crtc.regs[CR_CURSOR_END] & 0x1f;
    const cursorRow = (cs & 0x20) === 0 && rowScan >= (cs & 0x1f) && rowScan <= ce && cursorOn;
    const cursorAt = crtc.cursorAddress;
    const underline = crtc.regs[CR_UNDERLINE] & 0x1f;
    const mapA = seq.charMapOffset(1);
    const mapB = seq.charMapOffset(0);
    let x = 0;
    for (let k = 0; k < n; k++) {
      const m = ma + k;
      const a = crtc.memoryAddress(m, rowScan) << 2;
      const ch = bytes[a];
      const at = bytes[a + 1];
      const font = at & 0x08 ? mapA : mapB;
      let bits = bytes[(((font + ch * 32 + rowScan) & 0xffff) << 2) | 2];
      const fg = pal[at & 0x0f];
      let bgAttr = at >> 4;
      if (blink) {
        if (bgAttr & 8 && blinkOff) bits = 0;
        bgAttr &= 7;
      }
      // Underline and cursor light the whole cell width, 9th dot included.
      let solid = false;
      if (rowScan === underline && (at & 0x77) === 0x01 && !(blink && at & 0x80 && blinkOff)) solid = true;
      if (cursorRow && (m & 0xffff) === cursorAt) solid = true;
      if (solid) bits = 0xff;
      const bg = pal[bgAttr];
      line[x] = bits & 0x80 ? fg : bg;
      line[x + 1] = bits & 0x40 ? fg : bg;
      line[x + 2] = bits & 0x20 ? fg : bg;
      line[x + 3] = bits & 0x10 ? fg : bg;
      line[x + 4] = bits & 0x08 ? fg : bg;
      line[x + 5] = bits & 0x04 ? fg : bg;
      line[x + 6] = bits & 0x02 ? fg : bg;
      line[x + 7] = bits & 0x01 ? fg : bg;
      if (nine) {
        line[x + 8] = solid || (lineGraphics && ch >= 0xc0 && ch <= 0xdf && bits & 1) ? fg : bg;
        x += 9;
      } else {
        x += 8;
      }
    }
  }
}

/**
 * The video ROM at C0000h: option-ROM signature 55h AAh, length in 512-byte blocks, an init entry
 * at offset 3 (POST calls it far; it sets mode 3 through INT 10h), the three ROM fonts, the 64-byte
 * parameter table of every VGA mode, the default DAC palettes and the INT 10h AH=1Bh static
 * functionality table. The last byte makes the 8-bit sum of the image zero, as option-ROM scans
 * check. The data blocks are reserved in the source and filled after assembly.
 */
import { FONT_8X14, FONT_8X16, FONT_8X8 } from '../devices/vga/fonts/romFonts.js';
import { STATIC_FUNCTIONALITY_TABLE, VGA_MODES, egaDacPalette, modeParameterTable } from '../devices/vga/modeTables.js';
import { assemble } from './romAssembler.js';

export const VIDEO_ROM_BASE = 0xc0000;
export const VIDEO_ROM_SEGMENT = 0xc000;
const VIDEO_ROM_SIZE = 0x8000;

export function videoRomSource(): string {
  return `
bits 16
org 0
  db 0x55, 0xaa, ${VIDEO_ROM_SIZE / 512}
init:
  push ax
  mov ax, 0x0003
  int 0x10
  pop ax
  retf
  times 0x1e-($-$$) db 0
  db 'IBM VGA compatible video BIOS', 0
functionality:
  times 16 db 0
ega_palette:
  times 64*3 db 0
vga_palette:
  times 256*3 db 0
mode_tables:
  times ${VGA_MODES.length}*64 db 0
font8:
  times 256*8 db 0
font14:
  times 256*14 db 0
font16:
  times 256*16 db 0
video_end:
  times ${VIDEO_ROM_SIZE}-($-$$) db 0
`;
}

/** The default 256-colour DAC palette of mode 13h (6-bit triples). */
export function vgaDefaultPalette(): Uint8Array {
  const out = new Uint8Array(256 * 3);
  // 0-15: the sixteen CGA colours as the EGA palette renders them (colour 6 is brown).
  const ega = egaDacPalette();
  const cga = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f];
  cga.forEach((e, i) => out.set(ega.subarray(e * 3, e * 3 + 3), i * 3));
  // 16-31: a grey ramp.
  const greys = [0x00, 0x05, 0x08, 0x0b, 0x0e, 0x11, 0x14, 0x18, 0x1c, 0x20, 0x24, 0x28, 0x2d, 0x32, 0x38, 0x3f];
  greys.forEach((g, i) => out.set([g, g, g], (16 + i) * 3));
  // 32-247: nine 24-step hue circles: three intensities, each at high, medium and low saturation.
  const levels = [
    [0x00, 0x10, 0x1f, 0x2f, 0x3f], [0x1f, 0x27, 0x2f, 0x37, 0x3f], [0x2d, 0x31, 0x36, 0x3a, 0x3f],
    [0x00, 0x07, 0x0e, 0x15, 0x1c], [0x0e, 0x11, 0x15, 0x18, 0x1c], [0x14, 0x16, 0x18, 0x1a, 0x1c],
    [0x00, 0x04, 0x08, 0x0c, 0x10], [0x08, 0x0a, 0x0c, 0x0e, 0x10], [0x0b, 0x0c, 0x0d, 0x0f, 0x10],
  ];
  let n = 32;
  for (const L of levels) {
    const steps: [number, number, number][] = [];
    for (let k = 0; k < 4; k++) steps.push([k, 0, 4]); // blue to magenta: red rises
    for (let k = 4; k > 0; k--) steps.push([4, 0, k]); // magenta to red: blue falls
    for (let k = 0; k < 4; k++) steps.push([4, k, 0]); // red to yellow: green rises
    for (let k = 4; k > 0; k--) steps.push([k, 4, 0]); // yellow to green: red falls
    for (let k = 0; k < 4; k++) steps.push([0, 4, k]); // green to cyan: blue rises
    for (let k = 4; k > 0; k--) steps.push([0, k, 4]); // cyan to blue: green falls
    for (const [r, g, b] of steps) out.set([L[r], L[g], L[b]], n++ * 3);
  }
  return out;
}

export interface VideoRom {
  readonly image: Uint8Array;
  /** Offsets (in segment C000h) of the data blocks. */
  readonly font8: number;
  readonly font14: number;
  readonly font16: number;
  readonly egaPalette: number;
  readonly vgaPalette: number;
  readonly functionality: number;
  /** Offset of a mode's 64-byte parameter table, or -1 for a mode the VGA lacks. */
  modeTable(mode: number): number;
}

let cached: { bytes: Uint8Array; labels: ReadonlyMap<string, number> } | null = null;

/** Builds the image (assembled once per process; each call gets its own copy). */
export function buildVideoRom(): VideoRom {
  if (cached === null) cached = assemble(videoRomSource());
  const { bytes, labels } = cached;
  const image = bytes.slice();
  const at = (name: string): number => {
    const v = labels.get(name);
    if (v === undefined) throw new Error(`video ROM lacks ${name}`);
    return v;
  };
  image.set(STATIC_FUNCTIONALITY_TABLE, at('functionality'));
  image.set(egaDacPalette(), at('ega_palette'));
  image.set(vgaDefaultPalette(), at('vga_palette'));
  VGA_MODES.forEach((mode, i) => image.set(modeParameterTable(mode), at('mode_tables') + i * 64));
  image.set(FONT_8X8, at('font8'));
  image.set(FONT_8X14, at('font14'));
  image.set(FONT_8X16, at('font16'));
  if (at('video_end') > VIDEO_ROM_SIZE - 1) throw new Error('video ROM overflows its 32 KiB');
  let sum = 0;
  for (let i = 0; i < image.length - 1; i++) sum = (sum + image[i]) & 0xff;
  image[image.length - 1] = (0x100 - sum) & 0xff;
  const tables = at('mode_tables');
  return {
    image,
    font8: at('font8'),
    font14: at('font14'),
    font16: at('font16'),
    egaPalette: at('ega_palette'),
    vgaPalette: at('vga_palette'),
    functionality: at('functionality'),
    modeTable: (mode: number) => {
      const i = VGA_MODES.indexOf(mode & 0x7f);
      return i < 0 ? -1 : tables + i * 64;
    },
  };
}

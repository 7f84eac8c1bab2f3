/**
 * Regenerates romFonts.ts, the VGA character ROM fonts (8x8, 8x14, 8x16 in code page 437 order),
 * from the VGA console fonts that Debian ships in console-setup-linux
 * (/usr/share/consolefonts/*-VGA{8,14,16}.psf.gz). Those are built from u_vga16.bdf, copyright
 * 2000-2001 Dmitry Bolkhovityanov under an X11/MIT-style licence (Debian's
 * /usr/share/doc/keyboard-configuration/copyright.fonts; the package's copyright adds that console
 * fonts are public domain by nature).
 *
 * Run: `npx tsx emulator/devices/vga/fonts/generateRomFonts.ts [consolefonts-dir]`. Without a
 * directory it uses /usr/share/consolefonts when it holds the fonts, else it fetches the package
 * with `apt-get download console-setup-linux` into a temporary directory and unpacks it there.
 *
 * The PSF fonts are indexed by Unicode, so every CP437 code is looked up by its Unicode value in a
 * fixed priority list of fonts. Glyphs none of them have (a few pictographs and maths signs at the
 * small sizes) are resampled from the 8x16 glyph by nearest row, and the script says which.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { CP437_TO_UNICODE } from '../cp437.js';

interface PsfFont {
  readonly height: number;
  readonly glyphs: Uint8Array;
  /** Unicode code point -> glyph index (first glyph that lists it). */
  readonly map: Map<number, number>;
  /**
   * Code points that head their glyph's Unicode list. Console fonts also list look-alikes under a
   * glyph (U+2550 double line under the single line of U+2500); only a head is the real drawing.
   */
  readonly primary: Set<number>;
}

/** Parses PSF1 (magic 36 04) and PSF2 (magic 72 b5 4a 86) fonts with their Unicode tables. */
function parsePsf(buf: Buffer): PsfFont {
  const map = new Map<number, number>();
  if (buf[0] === 0x36 && buf[1] === 0x04) {
    const mode = buf[2];
    const height = buf[3];
    const count = mode & 1 ? 512 : 256;
    const glyphs = new Uint8Array(buf.subarray(4, 4 + count * height));
    let p = 4 + count * height;
    let g = 0;
    const primary = new Set<number>();
    let inSequence = false;
    let first = true;
    while (p + 1 < buf.length && g < count) {
      const v = buf.readUInt16LE(p);
      p += 2;
      if (v === 0xffff) {
        g++;
        inSequence = false;
        first = true;
      } else if (v === 0xfffe) {
        inSequence = true;
      } else if (!inSequence) {
        if (first) primary.add(v);
        first = false;
        if (!map.has(v)) map.set(v, g);
      }
    }
    return { height, glyphs, map, primary };
  }
  if (buf.readUInt32LE(0) !== 0x864ab572) throw new Error('not a PSF font');
  const headerSize = buf.readUInt32LE(8);
  const count = buf.readUInt32LE(16);
  const bytesPerGlyph = buf.readUInt32LE(20);
  const height = buf.readUInt32LE(24);
  const width = buf.readUInt32LE(28);
  if (width !== 8 || bytesPerGlyph !== height) throw new Error('only 8-pixel-wide PSF2 fonts are used');
  const glyphs = new Uint8Array(buf.subarray(headerSize, headerSize + count * height));
  const text = buf.subarray(headerSize + count * height).toString('latin1');
  const primary = new Set<number>();
  let g = 0;
  for (const entry of text.split('\xff')) {
    if (g >= count) break;
    const single = Buffer.from(entry.split('\xfe')[0], 'latin1').toString('utf8');
    let first = true;
    for (const ch of single) {
      const cp = ch.codePointAt(0) ?? 0;
      if (first) primary.add(cp);
      first = false;
      if (!map.has(cp)) map.set(cp, g);
    }
    g++;
  }
  return { height, glyphs, map, primary };
}

/** Order in which the console-setup sets are searched: the broad Unicode sets first. */
const PRIORITY = ['Uni2', 'Uni1', 'FullCyrSlav', 'FullGreek', 'Lat15', 'Lat2', 'Lat38', 'Lat7', 'Greek', 'CyrSlav', 'CyrKoi', 'Arabic', 'Hebrew'];

/** Unicode stand-ins for CP437 pictographs that the sources list under a neighbouring code point. */
const ALTERNATIVES: ReadonlyMap<number, readonly number[]> = new Map([
  [0x25ba, [0x25b6, 0x25b8]],
  [0x25c4, [0x25c0, 0x25c2]],
]);

function locateFonts(arg: string | undefined): string {
  if (arg) return arg;
  const system = '/usr/share/consolefonts';
  if (existsSync(join(system, 'Uni2-VGA16.psf.gz'))) return system;
  const tmp = mkdtempSync(join(tmpdir(), 'vgafonts-'));
  execFileSync('apt-get', ['download', 'console-setup-linux'], { cwd: tmp, stdio: 'inherit' });
  const deb = readdirSync(tmp).find((f) => f.endsWith('.deb'));
  if (!deb) throw new Error('apt-get download console-setup-linux produced no package');
  execFileSync('dpkg-deb', ['-x', deb, 'root'], { cwd: tmp });
  return join(tmp, 'root', 'usr', 'share', 'consolefonts');
}

function loadSet(dir: string, height: number): PsfFont[] {
  return PRIORITY.map((name) => join(dir, `${name}-VGA${height}.psf.gz`))
    .filter((p) => existsSync(p))
    .map((p) => parsePsf(gunzipSync(readFileSync(p))));
}

/** The glyph drawn for `unicode` (or a listed stand-in): a font's own drawing of it, or a look-alike when `approximate`. */
function glyphFor(fonts: readonly PsfFont[], unicode: number, approximate: boolean): Uint8Array | null {
  for (const cp of [unicode, ...(ALTERNATIVES.get(unicode) ?? [])]) {
    for (const f of fonts) {
      const g = f.map.get(cp);
      if (g !== undefined && (approximate || f.primary.has(cp))) return f.glyphs.subarray(g * f.height, (g + 1) * f.height);
    }
  }
  return null;
}

/** Shrinks an 8x16 glyph to `height` rows, ORing the rows that fall together so thin strokes survive. */
function resample(glyph16: Uint8Array, height: number): Uint8Array {
  const out = new Uint8Array(height);
  for (let y = 0; y < 16; y++) out[Math.floor((y * height) / 16)] |= glyph16[y];
  return out;
}

/** Codes whose small-font drawings in the source are known to be mislabelled (VGA8's Greek letters). */
const MISLABELLED: ReadonlyMap<number, readonly number[]> = new Map([[8, Array.from({ length: 16 }, (_, i) => 0xe0 + i)]]);

function bitsDiffering(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) for (let x = a[i] ^ b[i]; x; x &= x - 1) n++;
  return n;
}

/**
 * The small console fonts carry a few glyphs under the wrong label (in VGA8 the Greek letters at
 * E0h-EFh show box-drawing and other shapes; in VGA14 the pilcrow is blank). Those are replaced by
 * their resampled 8x16 drawing: the known VGA8 range, any glyph blank while its 8x16 one is not, and any that
 * duplicates another code's glyph although their 8x16 drawings differ (the code whose glyph is
 * further from its own 8x16 drawing loses).
 */
function repairSmallFont(out: Uint8Array, height: number, sixteen: Uint8Array, resampled: string[]): void {
  const glyph = (c: number): Uint8Array => out.subarray(c * height, (c + 1) * height);
  const ref = (c: number): Uint8Array => resample(sixteen.subarray(c * 16, c * 16 + 16), height);
  const replace = (c: number): void => {
    out.set(ref(c), c * height);
    const name = c.toString(16).toUpperCase().padStart(2, '0');
    if (!resampled.includes(name)) resampled.push(name);
  };
  for (const c of MISLABELLED.get(height) ?? []) replace(c);
  for (let c = 1; c < 256; c++) {
    if (glyph(c).every((b) => b === 0) && sixteen.subarray(c * 16, c * 16 + 16).some((b) => b !== 0)) replace(c);
  }
  const groups = new Map<string, number[]>();
  for (let c = 1; c < 256; c++) {
    const key = Array.from(glyph(c)).join(',');
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  for (const codes of groups.values()) {
    if (codes.length < 2) continue;
    const distinct16 = new Set(codes.map((c) => Array.from(sixteen.subarray(c * 16, c * 16 + 16)).join(',')));
    if (distinct16.size < 2) continue;
    const ranked = [...codes].sort((a, b) => bitsDiffering(glyph(a), ref(a)) - bitsDiffering(glyph(b), ref(b)) || a - b);
    for (const c of ranked.slice(1)) replace(c);
  }
  resampled.sort();
}

function build(dir: string): { fonts: Map<number, Uint8Array>; notes: string[] } {
  const fonts = new Map<number, Uint8Array>();
  const notes: string[] = [];
  const sixteen = loadSet(dir, 16);
  for (const height of [16, 14, 8]) {
    const set = height === 16 ? sixteen : loadSet(dir, height);
    if (set.length === 0) throw new Error(`no *-VGA${height}.psf.gz fonts in ${dir}`);
    const out = new Uint8Array(256 * height);
    const resampled: string[] = [];
    const approximated: string[] = [];
    for (let c = 1; c < 256; c++) {
      // 00h and FFh are blank cells in the IBM character set, whatever Unicode maps them to.
      if (c === 0xff || c === 0x20) continue;
      const name = c.toString(16).toUpperCase().padStart(2, '0');
      let g = glyphFor(set, CP437_TO_UNICODE[c], false);
      if (g === null && height !== 16) {
        const g16 = glyphFor(sixteen, CP437_TO_UNICODE[c], false);
        if (g16 !== null) {
          g = resample(g16, height);
          resampled.push(name);
        }
      }
      if (g === null) {
        g = glyphFor(set, CP437_TO_UNICODE[c], true);
        if (g !== null) approximated.push(name);
      }
      if (g === null) throw new Error(`no glyph for CP437 ${c.toString(16)} at height ${height}`);
      out.set(g, c * height);
    }
    if (height !== 16) repairSmallFont(out, height, fonts.get(16) ?? new Uint8Array(0), resampled);
    if (resampled.length) notes.push(`8x${height}: ${resampled.join(' ')}h resampled from the 8x16 glyphs`);
    if (approximated.length) notes.push(`8x${height}: ${approximated.join(' ')}h drawn with the sources' look-alike glyphs`);
    fonts.set(height, out);
  }
  return { fonts, notes };
}

function render(fonts: Map<number, Uint8Array>, notes: string[]): string {
  const lines: string[] = [
    '// Generated by generateRomFonts.ts from Debian console-setup-linux: do not edit by hand.',
    '/**',
    ' * The VGA character ROM fonts in code page 437 order: 8x8, 8x14 and 8x16, one byte per glyph row,',
    ' * bit 7 = leftmost pixel. The BIOS copies one of them into plane 2 at each text mode set and hands',
    ' * their addresses out through INT 10h AX=1130h.',
    ' *',
    ' * Provenance: Debian package console-setup-linux, /usr/share/consolefonts/*-VGA{8,14,16}.psf.gz,',
    ' * built from u_vga16.bdf. Licence: "Copyright (c) 2000, 2001 by Dmitry Bolkhovityanov. All Rights',
    ' * Reserved. Permission is hereby granted, free of charge, to any person obtaining a copy of this',
    ' * software and associated documentation files (the "Software"), to deal in the Software without',
    ' * restriction, including without limitation the rights to use, copy, modify, merge, publish,',
    ' * distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the',
    ' * Software is furnished to do so, subject to the following conditions: The above copyright notice',
    ' * and this permission notice shall be included in all copies or substantial portions of the',
    ' * Software. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED,',
    ' * INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE',
    ' * AND NONINFRINGEMENT. IN NO EVENT SHALL THE XFREE86 PROJECT BE LIABLE FOR ANY CLAIM, DAMAGES OR',
    ' * OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN',
    ' * CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE. Except as contained in',
    ' * this notice, the name of Dmitry Bolkhovityanov shall not be used in advertising or otherwise to',
    ' * promote the sale, use or other dealings in this Software without prior written authorization',
    ' * from the Dmitry Bolkhovityanov." (Debian: /usr/share/doc/keyboard-configuration/copyright.fonts;',
    ' * the package copyright adds "All console fonts are public domain by nature".)',
    ...notes.map((n) => ` * ${n}.`),
    ' */',
    '',
    'function glyphs(rows: readonly string[]): Uint8Array {',
    '  const out = new Uint8Array(rows.length * (rows[0].length / 2));',
    '  let o = 0;',
    '  for (const r of rows) for (let i = 0; i < r.length; i += 2) out[o++] = parseInt(r.slice(i, i + 2), 16);',
    '  return out;',
    '}',
  ];
  for (const height of [8, 14, 16]) {
    const data = fonts.get(height);
    if (!data) continue;
    lines.push('', `/** 256 glyphs x ${height} rows. */`, `export const FONT_8X${height}: Uint8Array = glyphs([`);
    for (let c = 0; c < 256; c++) {
      const hexRow = Buffer.from(data.subarray(c * height, (c + 1) * height)).toString('hex');
      lines.push(`  '${hexRow}', // ${c.toString(16).toUpperCase().padStart(2, '0')}`);
    }
    lines.push(']);');
  }
  return lines.join('\n') + '\n';
}

const here = dirname(fileURLToPath(import.meta.url));
const { fonts, notes } = build(locateFonts(process.argv[2]));
writeFileSync(join(here, 'romFonts.ts'), render(fonts, notes));
for (const n of notes) process.stdout.write(n + '\n');
process.stdout.write(`wrote ${join(here, 'romFonts.ts')}\n`);

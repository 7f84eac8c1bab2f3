/**
 * INT 10h, the video service. The BIOS data area (40:49h-40:89h) is the only state; register
 * programming happens in the ROM's x86 routines (vid_setmode, vid_cursor, io_script, ...), to which
 * these handlers hand the values. Text output goes straight into video memory through the CPU's
 * linear address path. Supported: text modes 0-3 and 7, mode 13h (and CGA modes 4-6 for pixels);
 * teletype, write string and scrolling in text modes and mode 13h; in the planar modes 0Dh-12h
 * characters (AH=09h/0Ah/0Eh/13h), scrolling and pixels through the graphics controller (ROM
 * routines vid_planar_*).
 *
 * AH=1Ch save/restore state buffer (ours; callers treat it as opaque): a 32-byte header with the
 * offsets of the blocks present (+0 hardware, +2 BIOS data, +4 DAC), then 64 bytes of VGA
 * registers (vid_hw_save), 64 bytes of BIOS data area video fields, 770 bytes of DAC state.
 */
import { FONT_8X8 } from '../devices/vga/fonts/romFonts.js';
import { vgaModeParameters, type VgaModeParameters } from '../devices/vga/modeTables.js';
import type { BiosContext } from './biosContext.js';
import { VIDEO_ROM_SEGMENT } from './videoRom.js';

// BDA offsets (segment 40h).
const MODE = 0x49;
const COLS = 0x4a;
const PAGE_SIZE = 0x4c;
const PAGE_START = 0x4e;
const CURSOR = 0x50;
const CURSOR_SHAPE = 0x60;
const ACTIVE_PAGE = 0x62;
const CRTC_BASE = 0x63;
const MODE_CTL = 0x65;
const PALETTE = 0x66;
const ROWS = 0x84;
const CHAR_HEIGHT = 0x85;
const VIDEO_CTL = 0x87;
const SWITCHES = 0x88;
const VGA_FLAGS = 0x89;

function params(mode: number): VgaModeParameters | null {
  try {
    return vgaModeParameters(mode);
  } catch {
    return null;
  }
}

function isText(mode: number): boolean {
  return mode <= 3 || mode === 7;
}

export function int10(b: BiosContext): void {
  const ah = b.ah;
  switch (ah) {
    case 0x00:
      return setMode(b, b.al);
    case 0x01:
      return setCursorShape(b, b.cx);
    case 0x02:
      return setCursor(b, b.bh & 7, b.dh, b.dl);
    case 0x03: {
      const page = b.bh & 7;
      b.dx = b.bda16(CURSOR + page * 2);
      b.cx = b.bda16(CURSOR_SHAPE);
      return;
    }
    case 0x05:
      return setPage(b, b.al & 7);
    case 0x06:
    case 0x07:
      return scroll(b, ah === 0x06, b.al, b.bh, b.ch, b.cl, b.dh, b.dl);
    case 0x08: {
      const page = b.bh & 7;
      const pos = b.bda16(CURSOR + page * 2);
      if (!isText(b.bda8(MODE))) return;
      b.ax = b.rd16(textSeg(b), page * b.bda16(PAGE_SIZE) + cellOffset(b, pos >> 8, pos & 0xff));
      return;
    }
    case 0x09:
    case 0x0a: {
      const page = b.bh & 7;
      const pos = b.bda16(CURSOR + page * 2);
      writeChars(b, page, pos >> 8, pos & 0xff, b.al, b.bl, b.cx, ah === 0x09);
      return;
    }
    case 0x0b:
      return;
    case 0x0c:
      return writePixel(b, b.cx, b.dx, b.al);
    case 0x0d:
      if (isPlanar(b.bda8(MODE))) {
        const x = b.cx;
        b.cpu.setReg('di', (b.bda16(PAGE_START) + b.dx * pitch(b) + (x >> 3)) & 0xffff);
        b.cpu.setReg('cl', 7 - (x & 7));
        return b.jump('vid_planar_read');
      }
      b.al = readPixel(b, b.cx, b.dx);
      return;
    case 0x0e:
      teletype(b, b.al, b.bl, -1, true);
      return updateCursor(b);
    case 0x0f:
      b.al = b.bda8(MODE) | (b.bda8(VIDEO_CTL) & 0x80);
      b.ah = b.bda16(COLS);
      b.bh = b.bda8(ACTIVE_PAGE);
      return;
    case 0x10:
      return palette(b);
    case 0x11:
      return font(b);
    case 0x12:
      return alternateSelect(b);
    case 0x13:
      return writeString(b);
    case 0x1a:
      if (b.al === 0x00) {
        b.al = 0x1a;
        b.bx = 0x0008;
      } else if (b.al === 0x01) b.al = 0x1a;
      return;
    case 0x1b:
      if (b.bx === 0) functionalityState(b);
      return;
    case 0x1c:
      return saveRestore(b);
    default:
      return;
  }
}

function isPlanar(mode: number): boolean {
  return mode >= 0x0d && mode <= 0x12;
}

/** Bytes per scan line in a planar mode: eight pixels per byte. */
function pitch(b: BiosContext): number {
  return b.bda16(COLS);
}

/**
 * Writes vid_planar_chars's parameter block: `count` cells of character `ch` from text position
 * (row, col) of the active page in colour `color`, with the font INT 43h points at.
 */
function planarChars(b: BiosContext, row: number, col: number, ch: number, color: number, count: number): void {
  const height = b.bda16(CHAR_HEIGHT);
  const p = pitch(b);
  b.setScratch16(0, p);
  b.setScratch16(2, count);
  b.setScratch16(4, height);
  b.setScratch16(6, (b.rd16(0, 0x43 * 4) + ch * height) & 0xffff);
  b.setScratch16(8, (b.bda16(PAGE_START) + row * height * p + col) & 0xffff);
  b.setScratch16(10, color & 0x8f);
  b.setScratch16(12, b.rd16(0, 0x43 * 4 + 2));
  b.setScratch16(30, 0);
}

/**
 * Full-width scroll in a planar mode through vid_planar_scroll (partial-width windows are not
 * supported there). `queued` says whether characters written by planarChars follow it.
 */
function planarScroll(b: BiosContext, up: boolean, lines: number, color: number, top: number, bottom: number, queued: boolean): void {
  const line = b.bda16(CHAR_HEIGHT) * pitch(b);
  const base = b.bda16(PAGE_START);
  const height = bottom - top + 1;
  const cpu = b.cpu;
  if (!queued) {
    b.setScratch16(2, 0);
    b.setScratch16(30, 0);
  }
  const moved = (height - lines) * line;
  if (up) {
    cpu.setReg('si', base + (top + lines) * line);
    cpu.setReg('di', base + top * line);
  } else {
    cpu.setReg('si', base + (bottom + 1 - lines) * line - 1);
    cpu.setReg('di', base + (bottom + 1) * line - 1);
  }
  cpu.setReg('cx', moved);
  cpu.setReg('bx', lines * line);
  cpu.setReg('ax', ((up ? 0 : 1) << 8) | (color & 0x0f));
  b.jump('vid_planar_scroll');
}

/** A scroll window narrower than the screen in a planar mode, through vid_planar_window. */
function planarWindow(b: BiosContext, up: boolean, lines: number, color: number, top: number, left: number, bottom: number, right: number): void {
  const h = b.bda16(CHAR_HEIGHT);
  const p = pitch(b);
  const base = b.bda16(PAGE_START) + left;
  const height = bottom - top + 1;
  // Copy from the far side towards the side being scrolled to, then fill what was uncovered.
  const firstDst = up ? top * h : (bottom + 1) * h - 1;
  const firstSrc = up ? (top + lines) * h : (bottom + 1 - lines) * h - 1;
  b.setScratch16(0, p);
  b.setScratch16(2, 0);
  b.setScratch16(14, right - left + 1);
  b.setScratch16(16, (height - lines) * h);
  b.setScratch16(18, lines * h);
  b.setScratch16(20, (base + firstSrc * p) & 0xffff);
  b.setScratch16(22, (base + firstDst * p) & 0xffff);
  b.setScratch16(24, (up ? p : -p) & 0xffff);
  b.setScratch16(26, color & 0x0f);
  b.setScratch16(30, 0);
  b.jump('vid_planar_window');
}

function textSeg(b: BiosContext): number {
  return b.bda8(MODE) === 7 ? 0xb000 : 0xb800;
}

function cellOffset(b: BiosContext, row: number, col: number): number {
  return (row * b.bda16(COLS) + col) * 2;
}

function setMode(b: BiosContext, al: number): void {
  const mode = al & 0x7f;
  const keep = (al & 0x80) !== 0;
  const p = params(mode);
  const table = b.videoRom.modeTable(mode);
  if (p === null || table < 0) return;
  const crtc = p.misc & 1 ? 0x3d4 : 0x3b4;
  const text = p.text;
  const fontOff = p.charHeight >= 16 ? b.videoRom.font16 : p.charHeight >= 14 ? b.videoRom.font14 : b.videoRom.font8;
  const pal256 = p.bitsPerPixel === 8;
  // Parameter block for vid_setmode (see romServiceSource.ts).
  b.setScratch16(0, table);
  b.setScratch16(2, VIDEO_ROM_SEGMENT);
  b.setScratch16(4, pal256 ? b.videoRom.vgaPalette : b.videoRom.egaPalette);
  b.setScratch16(6, VIDEO_ROM_SEGMENT);
  b.setScratch16(8, pal256 ? 256 : 64);
  b.setScratch16(10, fontOff);
  b.setScratch16(12, VIDEO_ROM_SEGMENT);
  b.setScratch8(14, p.charHeight);
  b.setScratch8(15, (text ? 1 : 0) | (keep ? 0x80 : 0));
  b.setScratch16(16, p.segment >>> 4);
  b.setScratch16(18, text ? 0x4000 : 0x8000);
  b.setScratch16(20, text ? 0x0720 : 0);
  b.setScratch16(22, crtc);
  b.setBda8(MODE, mode);
  b.setBda16(COLS, p.columns);
  b.setBda16(PAGE_SIZE, p.pageSize);
  b.setBda16(PAGE_START, 0);
  for (let i = 0; i < 8; i++) b.setBda16(CURSOR + i * 2, 0);
  b.setBda16(CURSOR_SHAPE, text ? 0x0607 : 0);
  b.setBda8(ACTIVE_PAGE, 0);
  b.setBda16(CRTC_BASE, crtc);
  b.setBda8(MODE_CTL, text ? (mode === 7 ? 0x29 : mode <= 1 ? 0x28 : 0x29) : 0x1e);
  b.setBda8(PALETTE, mode === 6 ? 0x3f : 0x30);
  b.setBda8(ROWS, p.rows - 1);
  b.setBda16(CHAR_HEIGHT, p.charHeight);
  b.setBda8(VIDEO_CTL, (keep ? 0x80 : 0) | 0x60);
  b.setBda8(SWITCHES, 0x09);
  b.setBda8(VGA_FLAGS, (b.bda8(VGA_FLAGS) & 0x0f) | 0x10 | 0x01);
  // INT 43h: the graphics-mode character set matching the mode's cell height.
  b.wr16(0, 0x43 * 4, text ? b.videoRom.font8 : fontOff);
  b.wr16(0, 0x43 * 4 + 2, VIDEO_ROM_SEGMENT);
  b.jump('vid_setmode');
}

function setCursorShape(b: BiosContext, cx: number): void {
  b.setBda16(CURSOR_SHAPE, cx);
  let start = cx >> 8;
  let end = cx & 0xff;
  const height = b.bda16(CHAR_HEIGHT);
  if ((start & 0x60) === 0x20) {
    start = 0x20;
    end = 0;
  } else if (start < 8 && end < 8 && height > 8) {
    // CGA-style cursor values scaled to the taller VGA cell (cursor emulation).
    start = Math.floor((start * height) / 8);
    end = Math.min(height - 1, Math.floor(((end + 1) * height) / 8) - 1);
  }
  const crtc = b.bda16(CRTC_BASE);
  b.ioScript([
    [crtc, 0x0a],
    [crtc + 1, start],
    [crtc, 0x0b],
    [crtc + 1, end],
  ]);
}

function cursorLocation(b: BiosContext, page: number): number {
  const pos = b.bda16(CURSOR + page * 2);
  const cols = b.bda16(COLS);
  return ((b.bda16(PAGE_START) >> 1) + (pos >> 8) * cols + (pos & 0xff)) & 0xffff;
}

/** Sends the active page's cursor to the CRTC through vid_cursor. */
function updateCursor(b: BiosContext): void {
  if (!isText(b.bda8(MODE))) return;
  b.cpu.setReg('ax', cursorLocation(b, b.bda8(ACTIVE_PAGE)));
  b.cpu.setReg('dx', b.bda16(CRTC_BASE));
  b.jump('vid_cursor');
}

function setCursor(b: BiosContext, page: number, row: number, col: number): void {
  b.setBda16(CURSOR + page * 2, (row << 8) | col);
  if (page === b.bda8(ACTIVE_PAGE)) updateCursor(b);
}

function setPage(b: BiosContext, page: number): void {
  const start = page * b.bda16(PAGE_SIZE);
  b.setBda8(ACTIVE_PAGE, page);
  b.setBda16(PAGE_START, start);
  const crtc = b.bda16(CRTC_BASE);
  const addr = isText(b.bda8(MODE)) ? start >> 1 : start;
  const cur = cursorLocation(b, page);
  b.ioScript([
    [crtc, 0x0c],
    [crtc + 1, addr >> 8],
    [crtc, 0x0d],
    [crtc + 1, addr & 0xff],
    [crtc, 0x0e],
    [crtc + 1, cur >> 8],
    [crtc, 0x0f],
    [crtc + 1, cur & 0xff],
  ]);
}

function scroll(b: BiosContext, up: boolean, lines: number, attr: number, top: number, left: number, bottom: number, right: number): void {
  const mode = b.bda8(MODE);
  const cols = b.bda16(COLS);
  const rows = b.bda8(ROWS) + 1;
  if (right >= cols) right = cols - 1;
  if (bottom >= rows) bottom = rows - 1;
  if (top > bottom || left > right) return;
  const height = bottom - top + 1;
  if (lines === 0 || lines > height) lines = height;
  if (isText(mode)) {
    const seg = textSeg(b);
    const base = b.bda16(PAGE_START);
    const fill = (attr << 8) | 0x20;
    b.touch(seg, base + (top * cols + left) * 2, ((bottom - top) * cols + (right - left) + 1) * 2);
    for (let i = 0; i < height; i++) {
      const row = up ? top + i : bottom - i;
      const src = up ? row + lines : row - lines;
      const inside = up ? src <= bottom : src >= top;
      for (let c = left; c <= right; c++) {
        const v = inside ? b.rd16(seg, base + (src * cols + c) * 2) : fill;
        b.wr16(seg, base + (row * cols + c) * 2, v);
      }
    }
    return;
  }
  if (isPlanar(mode)) {
    if (left === 0 && right === cols - 1) planarScroll(b, up, lines, attr, top, bottom, false);
    else planarWindow(b, up, lines, attr, top, left, bottom, right);
    return;
  }
  if (mode === 0x13) {
    b.touch(0xa000, top * 8 * 320 + left * 8, ((bottom - top + 1) * 8 - 1) * 320 + (right - left + 1) * 8);
    for (let i = 0; i < height; i++) {
      const row = up ? top + i : bottom - i;
      const src = up ? row + lines : row - lines;
      const inside = up ? src <= bottom : src >= top;
      for (let y = 0; y < 8; y++) {
        const dst = (row * 8 + y) * 320 + left * 8;
        const from = (src * 8 + y) * 320 + left * 8;
        for (let x = 0; x < (right - left + 1) * 8; x++) b.wr8(0xa000, dst + x, inside ? b.rd8(0xa000, from + x) : attr);
      }
    }
  }
}

function writeChars(b: BiosContext, page: number, row: number, col: number, ch: number, attr: number, count: number, withAttr: boolean): void {
  const mode = b.bda8(MODE);
  const cols = b.bda16(COLS);
  if (isText(mode)) {
    const seg = textSeg(b);
    let off = page * b.bda16(PAGE_SIZE) + cellOffset(b, row, col);
    b.touch(seg, off, count * 2);
    for (let i = 0; i < count; i++, off += 2) {
      b.wr8(seg, off, ch);
      if (withAttr) b.wr8(seg, off + 1, attr);
    }
    return;
  }
  if (isPlanar(mode)) {
    const n = Math.min(count, cols - col);
    if (n <= 0 || page !== b.bda8(ACTIVE_PAGE)) return;
    planarChars(b, row, col, ch, attr, n);
    b.jump('vid_planar_chars');
    return;
  }
  if (mode === 0x13) {
    for (let i = 0; i < count; i++) {
      const c = col + i;
      drawGlyph13(b, (row + Math.floor(c / cols)) * 8, (c % cols) * 8, ch, attr);
    }
  }
}

function drawGlyph13(b: BiosContext, y0: number, x0: number, ch: number, color: number): void {
  for (let y = 0; y < 8; y++) {
    const bits = FONT_8X8[ch * 8 + y];
    for (let x = 0; x < 8; x++) b.wr8(0xa000, (y0 + y) * 320 + x0 + x, bits & (0x80 >> x) ? color : 0);
  }
}

/**
 * Teletype output of one character on the active page; `attr` >= 0 also sets the attribute. In the
 * planar modes (only for AH=0Eh, `planar` true) the drawing and scrolling are left to the ROM's
 * planar routines, which run when the trap returns.
 */
function teletype(b: BiosContext, ch: number, color: number, attr: number, planar = false): boolean {
  const page = b.bda8(ACTIVE_PAGE);
  const pos = b.bda16(CURSOR + page * 2);
  let row = pos >> 8;
  let col = pos & 0xff;
  const cols = b.bda16(COLS);
  const rows = b.bda8(ROWS) + 1;
  const mode = b.bda8(MODE);
  let drawRow = -1;
  let drawCol = -1;
  // Every page this writes (the BIOS data area's cursor, the screen) is touched first.
  b.touch(0x40, CURSOR + page * 2, 2);
  if (isText(mode)) b.touch(textSeg(b), page * b.bda16(PAGE_SIZE), rows * cols * 2);
  else if (mode === 0x13) b.touch(0xa000, 0, 64000);
  switch (ch) {
    case 0x07:
      return false;
    case 0x08:
      if (col > 0) col--;
      break;
    case 0x0a:
      row++;
      break;
    case 0x0d:
      col = 0;
      break;
    default:
      if (isText(mode)) {
        const seg = textSeg(b);
        const off = page * b.bda16(PAGE_SIZE) + cellOffset(b, row, col);
        b.wr8(seg, off, ch);
        if (attr >= 0) b.wr8(seg, off + 1, attr);
      } else if (mode === 0x13) drawGlyph13(b, row * 8, col * 8, ch, attr >= 0 ? attr : color);
      else if (planar && isPlanar(mode)) {
        drawRow = row;
        drawCol = col;
      }
      col++;
      if (col >= cols) {
        col = 0;
        row++;
      }
  }
  if (planar && isPlanar(mode)) {
    const scrolls = row >= rows;
    if (drawCol >= 0) planarChars(b, scrolls ? drawRow - 1 : drawRow, drawCol, ch, attr >= 0 ? attr : color, 1);
    if (scrolls) {
      planarScroll(b, true, 1, 0, 0, rows - 1, drawCol >= 0);
      row = rows - 1;
    } else if (drawCol >= 0) b.jump('vid_planar_chars');
    b.setBda16(CURSOR + page * 2, (row << 8) | col);
    return scrolls || drawCol >= 0;
  }
  if (row >= rows) {
    // Scroll with the attribute found at the cursor, as the IBM BIOS does.
    let fill = 0;
    if (isText(mode)) fill = b.rd8(textSeg(b), page * b.bda16(PAGE_SIZE) + cellOffset(b, rows - 1, col) + 1);
    const save = b.bda16(PAGE_START);
    b.setBda16(PAGE_START, page * b.bda16(PAGE_SIZE));
    scroll(b, true, 1, fill, 0, 0, rows - 1, cols - 1);
    b.setBda16(PAGE_START, save);
    row = rows - 1;
  }
  b.setBda16(CURSOR + page * 2, (row << 8) | col);
  return false;
}

function writeString(b: BiosContext): void {
  const mode = b.al;
  const page = b.bh & 7;
  const saved = b.bda16(CURSOR + page * 2);
  const active = b.bda8(ACTIVE_PAGE);
  const seg = b.es;
  let off = b.bp;
  const count = b.cx;
  const attr0 = b.bl;
  // Reads the whole string first: a fault while reading must not leave half of it written.
  const chars: number[] = [];
  for (let i = 0; i < count; i++) {
    chars.push(b.rd8(seg, off++));
    if (mode & 2) chars.push(b.rd8(seg, off++));
  }
  const m = b.bda8(MODE);
  b.touch(0x40, CURSOR, 0x63 - CURSOR);
  if (isPlanar(m)) {
    // One character per trip through the ROM's planar routines (see planarStringStep).
    if (page !== active) return;
    b.setScratch16(24, saved);
    b.setScratch16(28, 0);
    b.setBda16(CURSOR + page * 2, (b.dh << 8) | b.dl);
    return planarStringStep(b);
  }
  if (isText(m)) b.touch(textSeg(b), page * b.bda16(PAGE_SIZE), (b.bda8(ROWS) + 1) * b.bda16(COLS) * 2);
  else if (m === 0x13) b.touch(0xa000, 0, 64000);
  b.setBda8(ACTIVE_PAGE, page);
  b.setBda16(CURSOR + page * 2, (b.dh << 8) | b.dl);
  for (let i = 0; i < count; i++) {
    const ch = mode & 2 ? chars[i * 2] : chars[i];
    const attr = mode & 2 ? chars[i * 2 + 1] : attr0;
    const control = ch === 7 || ch === 8 || ch === 10 || ch === 13;
    teletype(b, ch, attr, control ? -1 : attr);
  }
  b.setBda8(ACTIVE_PAGE, active);
  if (!(mode & 1)) b.setBda16(CURSOR + page * 2, saved);
  if (page === active) updateCursor(b);
}

/**
 * AH=13h in a planar mode: teletypes the string's characters from scratch +28 on until one needs
 * the ROM (drawing or scrolling), which traps back here when done (scratch +30 = 1); at the end
 * the cursor saved in scratch +24 comes back unless AL bit 0 asked to keep the new one.
 */
function planarStringStep(b: BiosContext): void {
  const mode = b.al;
  const count = b.cx;
  const seg = b.es;
  const off = b.bp;
  const page = b.bh & 7;
  const size = mode & 2 ? 2 : 1;
  for (let i = b.scratch16(28); i < count; ) {
    const ch = b.rd8(seg, off + i * size);
    const attr = mode & 2 ? b.rd8(seg, off + i * size + 1) : b.bl;
    const control = ch === 7 || ch === 8 || ch === 10 || ch === 13;
    const queued = teletype(b, ch, attr, control ? -1 : attr, true);
    b.setScratch16(28, ++i);
    if (queued) {
      b.setScratch16(30, 1);
      return;
    }
  }
  b.setScratch16(30, 0);
  if (!(mode & 1)) b.setBda16(CURSOR + page * 2, b.scratch16(24));
}

function pixelAddress(mode: number, x: number, y: number): [number, number, number] | null {
  if (mode === 0x13) return [0xa000, y * 320 + x, 8];
  if (mode === 4 || mode === 5) return [0xb800, (y & 1) * 0x2000 + (y >> 1) * 80 + (x >> 2), 2];
  if (mode === 6) return [0xb800, (y & 1) * 0x2000 + (y >> 1) * 80 + (x >> 3), 1];
  return null;
}

function writePixel(b: BiosContext, x: number, y: number, color: number): void {
  const mode = b.bda8(MODE);
  if (isPlanar(mode)) {
    b.setScratch16(30, 0);
    b.cpu.setReg('di', (b.bda16(PAGE_START) + y * pitch(b) + (x >> 3)) & 0xffff);
    b.cpu.setReg('ax', ((0x80 >> (x & 7)) << 8) | (color & 0x8f));
    return b.jump('vid_planar_pixel');
  }
  const a = pixelAddress(mode, x, y);
  if (a === null) return;
  const [seg, off, bpp] = a;
  if (bpp === 8) return b.wr8(seg, off, color);
  const per = 8 / bpp;
  const shift = (per - 1 - (x % per)) * bpp;
  const mask = ((1 << bpp) - 1) << shift;
  const old = b.rd8(seg, off);
  const v = ((color << shift) & mask);
  b.wr8(seg, off, color & 0x80 ? old ^ v : (old & ~mask) | v);
}

function readPixel(b: BiosContext, x: number, y: number): number {
  const a = pixelAddress(b.bda8(MODE), x, y);
  if (a === null) return 0;
  const [seg, off, bpp] = a;
  if (bpp === 8) return b.rd8(seg, off);
  const per = 8 / bpp;
  const shift = (per - 1 - (x % per)) * bpp;
  return (b.rd8(seg, off) >> shift) & ((1 << bpp) - 1);
}

function palette(b: BiosContext): void {
  const al = b.al;
  const cpu = b.cpu;
  switch (al) {
    case 0x00:
      return b.ioScript([[0x8000 | 0x3da, 0], [0x3c0, b.bl & 0x1f], [0x3c0, b.bh], [0x3c0, 0x20]]);
    case 0x01:
      return b.ioScript([[0x8000 | 0x3da, 0], [0x3c0, 0x11], [0x3c0, b.bh], [0x3c0, 0x20]]);
    case 0x02:
      cpu.setReg('ds', b.es);
      cpu.setReg('si', b.dx);
      return b.jump('vid_attr_write_all');
    case 0x03: {
      // Blink (BL=1) or intensity (BL=0) through attribute mode control bit 3.
      const p = params(b.bda8(MODE));
      const base = p ? p.attribute[0x10] : 0x0c;
      const v = b.bl ? base | 0x08 : base & ~0x08;
      return b.ioScript([[0x8000 | 0x3da, 0], [0x3c0, 0x10], [0x3c0, v], [0x3c0, 0x20]]);
    }
    case 0x07:
      cpu.setReg('bl', b.bl & 0x1f);
      return b.jump('vid_attr_read');
    case 0x08:
      cpu.setReg('bl', 0x11);
      return b.jump('vid_attr_read');
    case 0x09:
      cpu.setReg('es', b.es);
      cpu.setReg('di', b.dx);
      return b.jump('vid_attr_read_all');
    case 0x10:
      return b.ioScript([[0x3c8, b.bl], [0x3c9, b.dh], [0x3c9, b.ch], [0x3c9, b.cl]]);
    case 0x12:
      cpu.setReg('ds', b.es);
      cpu.setReg('si', b.dx);
      cpu.setReg('bl', b.bl);
      cpu.setReg('cx', Math.min(b.cx, 256));
      return b.jump('vid_dac_write');
    case 0x15:
      cpu.setReg('bl', b.bl);
      return b.jump('vid_dac_read_one');
    case 0x17:
      cpu.setReg('es', b.es);
      cpu.setReg('di', b.dx);
      cpu.setReg('bl', b.bl);
      cpu.setReg('cx', Math.min(b.cx, 256));
      return b.jump('vid_dac_read');
    case 0x18:
      return b.ioScript([[0x3c6, b.bl]]);
    case 0x19:
      return b.jump('vid_pel_read');
    default:
      return;
  }
}

function font(b: BiosContext): void {
  const al = b.al;
  const vr = b.videoRom;
  if (al === 0x30) {
    // Font information: pointer selected by BH, CX = bytes per character, DL = rows - 1.
    const sel = b.bh;
    let seg = VIDEO_ROM_SEGMENT;
    let off = 0;
    if (sel === 0) {
      off = b.rd16(0, 0x1f * 4);
      seg = b.rd16(0, 0x1f * 4 + 2);
    } else if (sel === 1) {
      off = b.rd16(0, 0x43 * 4);
      seg = b.rd16(0, 0x43 * 4 + 2);
    } else if (sel === 2 || sel === 5) off = vr.font14;
    else if (sel === 3) off = vr.font8;
    else if (sel === 4) off = vr.font8 + 128 * 8;
    else if (sel === 6 || sel === 7) off = vr.font16;
    b.es = seg;
    b.bp = off;
    b.cx = b.bda16(CHAR_HEIGHT);
    b.dl = b.bda8(ROWS);
    return;
  }
  if (al >= 0x20 && al <= 0x24) {
    // Graphics-mode character set pointers (INT 1Fh / INT 43h).
    if (al === 0x20) {
      b.wr16(0, 0x1f * 4, b.bp);
      b.wr16(0, 0x1f * 4 + 2, b.es);
      return;
    }
    const off = al === 0x21 ? b.bp : al === 0x22 ? vr.font14 : al === 0x23 ? vr.font8 : vr.font16;
    const seg = al === 0x21 ? b.es : VIDEO_ROM_SEGMENT;
    b.wr16(0, 0x43 * 4, off);
    b.wr16(0, 0x43 * 4 + 2, seg);
    if (al === 0x21) b.setBda16(CHAR_HEIGHT, b.cx);
    return;
  }
  const sub = al & 0x0f;
  if (sub > 4 || sub === 3) return;
  const recalc = (al & 0x10) !== 0;
  let seg = VIDEO_ROM_SEGMENT;
  let off: number;
  let height: number;
  let count = 256;
  let first = 0;
  if (sub === 0) {
    seg = b.es;
    off = b.bp;
    height = b.bh;
    count = b.cx;
    first = b.dx;
  } else if (sub === 1) {
    off = vr.font14;
    height = 14;
  } else if (sub === 2) {
    off = vr.font8;
    height = 8;
  } else {
    off = vr.font16;
    height = 16;
  }
  if (height === 0 || height > 32) return;
  const cpu = b.cpu;
  cpu.setReg('ds', seg);
  cpu.setReg('si', off);
  cpu.setReg('cx', count);
  cpu.setReg('dx', first);
  cpu.setReg('bl', b.bl & 7);
  cpu.setReg('bh', height);
  let entries = 0;
  if (recalc) {
    // Re-derive rows, cell height, cursor and vertical display end from the new cell height.
    const crtc = b.bda16(CRTC_BASE);
    const scanLines = 400;
    const rows = Math.floor(scanLines / height);
    b.setBda8(ROWS, rows - 1);
    b.setBda16(CHAR_HEIGHT, height);
    b.setBda16(PAGE_SIZE, rows * b.bda16(COLS) * 2);
    const script: [number, number][] = [
      [crtc, 0x09],
      [crtc + 1, 0x40 | (height - 1)],
      [crtc, 0x0a],
      [crtc + 1, height - 2],
      [crtc, 0x0b],
      [crtc + 1, height - 1],
      [crtc, 0x12],
      [crtc + 1, (rows * height - 1) & 0xff],
    ];
    script.forEach(([port, value], i) => {
      b.setScratch16(i * 3, port);
      b.setScratch8(i * 3 + 2, value);
    });
    entries = script.length;
  }
  b.setScratch16(30, entries);
  b.jump('vid_font');
}

function alternateSelect(b: BiosContext): void {
  const bl = b.bl;
  if (bl === 0x10) {
    b.bh = 0;
    b.bl = 3;
    b.ch = 0;
    b.cl = b.bda8(SWITCHES) & 0x0f;
    return;
  }
  if (bl === 0x30) {
    const al = b.al;
    if (al > 2) return;
    const flags = b.bda8(VGA_FLAGS) & ~0x90;
    b.setBda8(VGA_FLAGS, flags | (al === 2 ? 0x10 : al === 0 ? 0x80 : 0));
    b.al = 0x12;
    return;
  }
  if (bl === 0x31 || bl === 0x33) {
    const bit = bl === 0x31 ? 0x08 : 0x02;
    const on = bl === 0x31 ? b.al !== 0 : b.al === 0;
    b.setBda8(VGA_FLAGS, on ? b.bda8(VGA_FLAGS) | bit : b.bda8(VGA_FLAGS) & ~bit);
    b.al = 0x12;
    return;
  }
  if (bl === 0x34) {
    b.setBda8(VIDEO_CTL, b.al ? b.bda8(VIDEO_CTL) | 1 : b.bda8(VIDEO_CTL) & ~1);
    b.al = 0x12;
    return;
  }
  if (bl === 0x32 || bl === 0x35 || bl === 0x36) b.al = 0x12;
}

function functionalityState(b: BiosContext): void {
  const seg = b.es;
  const di = b.di;
  const mode = b.bda8(MODE);
  const p = params(mode);
  const out = new Uint8Array(64);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, b.videoRom.functionality, true);
  dv.setUint16(2, VIDEO_ROM_SEGMENT, true);
  out[4] = mode;
  dv.setUint16(5, b.bda16(COLS), true);
  dv.setUint16(7, b.bda16(PAGE_SIZE), true);
  dv.setUint16(9, b.bda16(PAGE_START), true);
  for (let i = 0; i < 8; i++) dv.setUint16(0x0b + i * 2, b.bda16(CURSOR + i * 2), true);
  dv.setUint16(0x1b, b.bda16(CURSOR_SHAPE), true);
  out[0x1d] = b.bda8(ACTIVE_PAGE);
  dv.setUint16(0x1e, b.bda16(CRTC_BASE), true);
  out[0x20] = b.bda8(MODE_CTL);
  out[0x21] = b.bda8(PALETTE);
  out[0x22] = b.bda8(ROWS) + 1;
  dv.setUint16(0x23, b.bda16(CHAR_HEIGHT), true);
  out[0x25] = 0x08;
  const colours = p === null ? 0 : p.text ? (mode === 7 ? 0 : 16) : 1 << p.bitsPerPixel;
  dv.setUint16(0x27, colours, true);
  out[0x29] = p === null ? 1 : Math.max(1, Math.floor((p.text ? 0x8000 : 0x10000) / p.pageSize));
  out[0x2a] = mode === 0x11 || mode === 0x12 ? 3 : mode === 0x0f || mode === 0x10 ? 1 : p && p.text ? 2 : 0;
  out[0x2d] = 0x20 | (b.bda8(VGA_FLAGS) & 0x08 ? 0x10 : 0);
  out[0x31] = 3;
  b.touch(seg, di, 64);
  for (let i = 0; i < 64; i++) b.wr8(seg, di + i, out[i]);
  b.al = 0x1b;
}

const STATE_HEADER = 0x20;
const STATE_HW = 64;
const STATE_BDA = 64;
const STATE_DAC = 770;
/** The BIOS data area video fields a state save keeps (offsets in segment 40h). */
const STATE_BDA_FIELDS: readonly [number, number][] = [
  [0x49, 30],
  [0x84, 7],
  [0xa8, 4],
];

function stateLayout(mask: number): { hw: number; bda: number; dac: number; size: number } {
  let at = STATE_HEADER;
  const take = (bit: number, n: number): number => {
    if (!(mask & bit)) return 0;
    const o = at;
    at += n;
    return o;
  };
  const hw = take(1, STATE_HW);
  const bda = take(2, STATE_BDA);
  const dac = take(4, STATE_DAC);
  return { hw, bda, dac, size: at };
}

function saveRestore(b: BiosContext): void {
  const al = b.al;
  const mask = b.cx & 7;
  if (al > 2) return;
  if (al === 0) {
    b.bx = Math.ceil(stateLayout(mask).size / 64);
    b.al = 0x1c;
    return;
  }
  const seg = b.es;
  const buf = b.bx;
  if (al === 1) {
    const l = stateLayout(mask);
    b.touch(seg, buf, l.size);
    b.wr16(seg, buf, l.hw);
    b.wr16(seg, buf + 2, l.bda);
    b.wr16(seg, buf + 4, l.dac);
    if (l.bda) {
      let o = buf + l.bda;
      for (const [start, n] of STATE_BDA_FIELDS) for (let i = 0; i < n; i++) b.wr8(seg, o++, b.bda8(start + i));
    }
  } else {
    const bdaOff = b.rd16(seg, buf + 2);
    if (mask & 2 && bdaOff) {
      let o = buf + bdaOff;
      const bytes: number[] = [];
      for (const [, n] of STATE_BDA_FIELDS) for (let i = 0; i < n; i++) bytes.push(b.rd8(seg, o++));
      let k = 0;
      for (const [start, n] of STATE_BDA_FIELDS) for (let i = 0; i < n; i++) b.setBda8(start + i, bytes[k++]);
    }
  }
  // The port work follows in x86, one block at a time; scratch +0 holds the blocks still to do.
  b.setScratch8(0, mask & 5);
  int10Step(b);
}

/** Continues AH=13h in a planar mode, or AH=1Ch with the next hardware or DAC block, or finishes. */
export function int10Step(b: BiosContext): void {
  if (b.ah === 0x13) return planarStringStep(b);
  const left = b.scratch8(0);
  const saving = b.al === 1;
  const seg = b.es;
  const buf = b.bx;
  const cpu = b.cpu;
  const block = left & 1 ? 1 : left & 4 ? 4 : 0;
  if (block === 0) {
    b.al = 0x1c;
    return;
  }
  b.setScratch8(0, left & ~block);
  const off = b.rd16(seg, buf + (block === 1 ? 0 : 4));
  if (off === 0) return int10Step(b);
  if (saving) {
    cpu.setReg('es', seg);
    cpu.setReg('di', buf + off);
  } else {
    cpu.setReg('ds', seg);
    cpu.setReg('si', buf + off);
  }
  b.jump(block === 1 ? (saving ? 'vid_hw_save' : 'vid_hw_restore') : saving ? 'vid_dac_save' : 'vid_dac_restore');
}

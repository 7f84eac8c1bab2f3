/**
 * The text screen as data: characters, attributes and cursor read from planes 0 and 1 through the
 * CRTC's addressing (start address, offset, word/byte mode), the way the display would show them.
 */
import { CP437_CHARS } from './cp437.js';
import { CR_CURSOR_END, CR_CURSOR_START, CR_PRESET_ROW_SCAN } from './crtc.js';
import type { VgaParts } from './renderer.js';

export interface TextSnapshot {
  /** False in graphics modes, where cols and rows are 0. */
  readonly text: boolean;
  readonly cols: number;
  readonly rows: number;
  /** cols*rows code page 437 bytes, row-major. */
  readonly chars: Uint8Array;
  readonly attrs: Uint8Array;
  readonly cursor: { readonly row: number; readonly col: number; readonly visible: boolean };
}

export interface ScreenTextOptions {
  /** Drop trailing spaces from each row (default true). */
  readonly trimEnd?: boolean;
}

export function readTextSnapshot(v: VgaParts): TextSnapshot {
  const { crtc, gc, mem } = v;
  if (gc.graphicsMode) {
    return { text: false, cols: 0, rows: 0, chars: new Uint8Array(0), attrs: new Uint8Array(0), cursor: { row: 0, col: 0, visible: false } };
  }
  const cols = crtc.hDisplay;
  const lines = crtc.doubleScan ? crtc.vDisplay >> 1 : crtc.vDisplay;
  const rows = Math.max(1, Math.floor(lines / (crtc.maxScanLine + 1)));
  const chars = new Uint8Array(cols * rows);
  const attrs = new Uint8Array(cols * rows);
  const start = crtc.startAddress + ((crtc.regs[CR_PRESET_ROW_SCAN] >> 5) & 3);
  const pitch = crtc.rowPitch;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const a = crtc.memoryAddress(start + r * pitch + c, 0);
      chars[r * cols + c] = mem.planeByte(0, a);
      attrs[r * cols + c] = mem.planeByte(1, a);
    }
  }
  const rel = (crtc.cursorAddress - start) & 0xffff;
  const row = pitch > 0 ? Math.floor(rel / pitch) : 0;
  const col = pitch > 0 ? rel % pitch : rel;
  const cs = crtc.regs[CR_CURSOR_START];
  const ce = crtc.regs[CR_CURSOR_END] & 0x1f;
  const visible = (cs & 0x20) === 0 && (cs & 0x1f) <= ce && (cs & 0x1f) <= crtc.maxScanLine && row < rows && col < cols;
  return { text: true, cols, rows, chars, attrs, cursor: { row, col, visible } };
}

/** One string per row, code page 437 mapped to Unicode. */
export function snapshotLines(s: TextSnapshot, options: ScreenTextOptions = {}): string[] {
  const trim = options.trimEnd ?? true;
  const out: string[] = [];
  for (let r = 0; r < s.rows; r++) {
    let line = '';
    for (let c = 0; c < s.cols; c++) line += CP437_CHARS[s.chars[r * s.cols + c]];
    out.push(trim ? line.replace(/ +$/, '') : line);
  }
  return out;
}

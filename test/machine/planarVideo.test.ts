import { describe, expect, it } from 'vitest';
import { FONT_8X16 } from '../../emulator/devices/vga/fonts/romFonts.js';
import { assemble } from '../../emulator/bios/romAssembler.js';
import { createMachine } from '../../emulator/machine/createMachine.js';
import type { Machine } from '../../emulator/machine/machine.js';
import { startAfterPost } from './machineHarness.js';

const image = new Uint8Array(1_474_560);

function colourAt(m: Machine, x: number, y: number): number {
  const off = y * 80 + (x >> 3);
  const bit = 7 - (x & 7);
  let c = 0;
  for (let p = 0; p < 4; p++) c |= ((m.vga.planeByte(p, off) >> bit) & 1) << p;
  return c;
}

describe('INT 10h in planar mode 12h', () => {
  it('writes and reads pixels (also XOR), draws teletype characters from the font and scrolls', () => {
    const p = assemble(`bits 16
org 0x7c00
main:
  xor ax, ax
  mov ds, ax
  mov ax, 0x0012
  int 0x10
  mov ax, 0x0c05
  xor bh, bh
  mov cx, 10
  mov dx, 470
  int 0x10
  mov ah, 0x0d
  int 0x10
  mov [0x600], al
  mov ax, 0x0c83
  int 0x10
  mov ah, 0x0d
  int 0x10
  mov [0x601], al
  ; 31 lines of teletype, each ending in CR LF: the 30th and 31st line feeds scroll, so 'C' ends on top
  mov dl, 'A'
.line:
  mov al, dl
  mov ah, 0x0e
  mov bl, 0x0e
  int 0x10
  mov ax, 0x0e0d
  int 0x10
  mov ax, 0x0e0a
  int 0x10
  inc dl
  cmp dl, 'A' + 31
  jb .line
  ; scroll the window rows 0-2, columns 0-3 up one row, filling with colour 2
  mov ax, 0x0601
  mov bh, 2
  xor cx, cx
  mov dx, 0x0203
  int 0x10
  ; write string 'HI' at row 10, column 10 in red, moving the cursor
  push cs
  pop es
  mov bp, hi
  mov ax, 0x1301
  mov bx, 0x0004
  mov cx, 2
  mov dx, 0x0a0a
  int 0x10
  cli
  hlt
hi:
  db 'HI'
`);
    const m = createMachine({
      floppy: { image: { size: image.length, readOnly: true, read: (o, b) => b.set(image.subarray(o, o + b.length)), write: () => {}, flush: () => {}, close: () => {} } },
      rtcStart: new Date(Date.UTC(2024, 0, 1)),
    });
    startAfterPost(m, p.bytes, p.labels.get('main') as number);
    expect(m.run(m.scheduler.hz * 2).stop).toBe('halt');
    expect(m.memory.ram[0x600]).toBe(5);
    expect(m.memory.ram[0x601]).toBe(5 ^ 3);
    // The pixel at y = 470 has scrolled up two text rows (32 lines) with everything else.
    expect(colourAt(m, 10, 470 - 32)).toBe(5 ^ 3);
    // Row 0 held 'C' (the third line); the window scroll moved 'D' up from row 1. Row 28 holds the
    // last letter. All in yellow on black.
    for (const [row, ch] of [[0, 'D'.charCodeAt(0)], [1, 'E'.charCodeAt(0)], [28, 'A'.charCodeAt(0) + 30]]) {
      for (let y = 0; y < 16; y++) {
        const bits = FONT_8X16[ch * 16 + y];
        for (let x = 0; x < 8; x++) expect(colourAt(m, x, row * 16 + y), `row ${row} glyph line ${y} pixel ${x}`).toBe(bits & (0x80 >> x) ? 14 : 0);
      }
    }
    // The window's last row is filled with colour 2; just right of the window, row 2 is untouched.
    for (let y = 32; y < 48; y++) {
      for (let x = 0; x < 32; x++) expect(colourAt(m, x, y)).toBe(2);
      for (let x = 32; x < 40; x++) expect(colourAt(m, x, y)).toBe(0);
    }
    // AH=13h drew 'HI' at row 10, columns 10 and 11, in red, and left the cursor after it.
    for (const [col, ch] of [[10, 'H'.charCodeAt(0)], [11, 'I'.charCodeAt(0)]]) {
      for (let y = 0; y < 16; y++) {
        const bits = FONT_8X16[ch * 16 + y];
        for (let x = 0; x < 8; x++) expect(colourAt(m, col * 8 + x, 160 + y)).toBe(bits & (0x80 >> x) ? 4 : 0);
      }
    }
    expect(m.memory.ram[0x450] | (m.memory.ram[0x451] << 8)).toBe(0x0a0c);
    // Row 29, where the cursor waits after the last line feed, is blank.
    for (let y = 29 * 16; y < 480; y++) for (let x = 0; x < 16; x++) expect(colourAt(m, x, y)).toBe(0);
  });
});

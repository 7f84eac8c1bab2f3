import { describe, expect, it } from 'vitest';
import { FONT_8X14, FONT_8X16, FONT_8X8 } from './fonts/romFonts.js';
import { STATIC_FUNCTIONALITY_TABLE, VGA_MODES, modeParameterTable, vgaModeParameters } from './modeTables.js';
import { VgaRig } from './testRig.js';

// Resolution, text grid and refresh each standard mode must come out at (IBM VGA technical
// reference): what the display logic derives from the table's registers.
const EXPECTED: Record<number, [w: number, h: number, hz: number]> = {
  0x00: [360, 400, 70.1], 0x01: [360, 400, 70.1], 0x02: [720, 400, 70.1], 0x03: [720, 400, 70.1],
  0x04: [320, 200, 70.1], 0x05: [320, 200, 70.1], 0x06: [640, 200, 70.1], 0x07: [720, 400, 70.1],
  0x0d: [320, 200, 70.1], 0x0e: [640, 200, 70.1], 0x0f: [640, 350, 70.1], 0x10: [640, 350, 70.1],
  0x11: [640, 480, 59.9], 0x12: [640, 480, 59.9], 0x13: [320, 200, 70.1],
};

describe('VGA mode tables', () => {
  it.each(VGA_MODES.map((m) => [m.toString(16).padStart(2, '0') + 'h', m]))('mode %s programs the documented geometry and refresh', (_, mode) => {
    const r = new VgaRig();
    r.setMode(mode);
    const g = r.vga.frameGeometry();
    const [w, h, hz] = EXPECTED[mode];
    expect([g.width, g.height]).toEqual([w, h]);
    expect(r.scheduler.hz / r.vga.frameTicks).toBeCloseTo(hz, 0);
    const p = vgaModeParameters(mode);
    expect(g.text).toBe(p.text);
    if (p.text) {
      const s = r.vga.textSnapshot();
      expect([s.cols, s.rows]).toEqual([p.columns, p.rows]);
    }
  });

  it('lays out the 64-byte parameter table as INT 10h reads it', () => {
    const t = modeParameterTable(0x03);
    expect(t).toHaveLength(64);
    expect([t[0], t[1], t[2], t[3] | (t[4] << 8)]).toEqual([80, 24, 16, 0x1000]);
    expect(t[9]).toBe(0x67); // misc output
    expect(t[10]).toBe(0x5f); // CR00
    expect(t[10 + 0x18]).toBe(0xff); // CR18
    expect(t[35 + 0x10]).toBe(0x0c); // AR10
    expect(t[55 + 8]).toBe(0xff); // GR8
    expect(() => vgaModeParameters(0x6a)).toThrow(/6a/);
    expect(STATIC_FUNCTIONALITY_TABLE).toHaveLength(16);
  });

  it('ships full 256-glyph fonts with blank 00h, 20h and FFh and a solid block at DBh', () => {
    for (const [font, h] of [[FONT_8X8, 8], [FONT_8X14, 14], [FONT_8X16, 16]] as const) {
      expect(font).toHaveLength(256 * h);
      for (const c of [0x00, 0x20, 0xff]) expect(Array.from(font.subarray(c * h, c * h + h)).every((b) => b === 0)).toBe(true);
      expect(Array.from(font.subarray(0xdb * h, 0xdb * h + h)).every((b) => b === 0xff)).toBe(true);
      const distinct = new Set<string>();
      for (let c = 0; c < 256; c++) distinct.add(Array.from(font.subarray(c * h, c * h + h)).join());
      expect(distinct.size).toBeGreaterThan(240);
    }
  });
});

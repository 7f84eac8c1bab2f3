import { describe, expect, it } from 'vitest';
import { FONT_8X16 } from './fonts/romFonts.js';
import { VgaRig } from './testRig.js';
import { Vga } from './vga.js';

describe('VGA registers', () => {
  it('reads back every sequencer, CRTC, graphics and attribute register and their indices', () => {
    const r = new VgaRig();
    r.out(0x3c2, 0x01); // colour addressing
    const srBits = [0x03, 0x3d, 0x0f, 0x3f, 0x0e];
    for (let i = 0; i < 5; i++) {
      r.seq(i, 0xff);
      expect(r.in(0x3c4)).toBe(i);
      expect(r.in(0x3c5)).toBe(srBits[i]);
    }
    r.crtc(0x11, 0x00); // unlock
    for (let i = 0; i < 0x19; i++) {
      r.crtc(i, (i * 37 + 5) & 0x7f);
      expect(r.in(0x3d4)).toBe(i);
      expect(r.in(0x3d5)).toBe((i * 37 + 5) & 0x7f);
    }
    const grBits = [0x0f, 0x0f, 0x0f, 0x1f, 0x03, 0x7b, 0x0f, 0x0f, 0xff];
    for (let i = 0; i < 9; i++) {
      r.gc(i, 0xff);
      expect(r.in(0x3ce)).toBe(i);
      expect(r.in(0x3cf)).toBe(grBits[i]);
    }
    for (let i = 0; i < 0x15; i++) {
      r.in(0x3da);
      r.out(0x3c0, i);
      r.out(0x3c0, 0x2a);
      expect(r.in(0x3c0)).toBe(i);
      expect(r.in(0x3c1)).toBe(i === 0x13 || i === 0x14 ? 0x0a : 0x2a);
    }
    r.out(0x3c2, 0xe3);
    expect(r.in(0x3cc)).toBe(0xe3);
    r.out(0x3da, 0x03);
    expect(r.in(0x3ca)).toBe(0x03);
  });

  it('moves the CRTC between 3Bxh and 3Dxh with Misc Output bit 0', () => {
    const r = new VgaRig();
    r.out(0x3c2, 0x00);
    r.out(0x3b4, 0x0c);
    r.out(0x3b5, 0x12);
    expect(r.in(0x3b5)).toBe(0x12);
    expect(r.in(0x3d5)).toBe(0xff);
    r.out(0x3d4, 0x0c);
    r.out(0x3d5, 0x34);
    r.out(0x3c2, 0x01);
    r.out(0x3d4, 0x0c);
    expect(r.in(0x3d5)).toBe(0x12);
    expect(r.in(0x3ba)).toBe(0xff);
  });

  it('write-protects CR00-CR07 with CR11 bit 7 except the line compare bit', () => {
    const r = new VgaRig();
    r.out(0x3c2, 0x01);
    r.crtc(0x01, 0x4f);
    r.crtc(0x07, 0x00);
    r.crtc(0x11, 0x80);
    r.crtc(0x01, 0x27);
    r.crtc(0x07, 0xff);
    r.out(0x3d4, 0x01);
    expect(r.in(0x3d5)).toBe(0x4f);
    r.out(0x3d4, 0x07);
    expect(r.in(0x3d5)).toBe(0x10);
  });

  it('toggles the attribute flip-flop on 3C0h writes and resets it on an input status 1 read', () => {
    const r = new VgaRig();
    r.out(0x3c2, 0x01);
    r.in(0x3da);
    r.out(0x3c0, 0x01); // index
    r.out(0x3c0, 0x15); // data
    r.out(0x3c0, 0x02); // index again
    r.in(0x3da); // reset: the next write is an index
    r.out(0x3c0, 0x03);
    r.out(0x3c0, 0x2f);
    r.out(0x3c0, 0x01);
    expect(r.in(0x3c1)).toBe(0x15);
    r.out(0x3c0, 0x00); // data for index 1 (flip-flop was at "data")
    r.in(0x3da);
    r.out(0x3c0, 0x03);
    expect(r.in(0x3c1)).toBe(0x2f);
    r.in(0x3da);
    r.out(0x3c0, 0x01);
    expect(r.in(0x3c1)).toBe(0x00);
  });

  it('commits a DAC entry only after the third component and reads entries back in sequence', () => {
    const r = new VgaRig();
    r.out(0x3c8, 0x10);
    expect(r.in(0x3c7)).toBe(0x03);
    r.out(0x3c9, 0x3f);
    r.out(0x3c9, 0x20);
    r.out(0x3c7, 0x10);
    expect(r.in(0x3c7)).toBe(0x00);
    expect([r.in(0x3c9), r.in(0x3c9), r.in(0x3c9)]).toEqual([0, 0, 0]);
    r.out(0x3c8, 0x10);
    for (const v of [0x3f, 0x20, 0x01, 0x41, 0x02, 0x03]) r.out(0x3c9, v); // 0x41: only 6 bits stick
    expect(r.in(0x3c8)).toBe(0x12);
    r.out(0x3c7, 0x10);
    expect(Array.from({ length: 6 }, () => r.in(0x3c9))).toEqual([0x3f, 0x20, 0x01, 0x01, 0x02, 0x03]);
    r.out(0x3c6, 0x0f);
    expect(r.in(0x3c6)).toBe(0x0f);
  });
});

/** Planar setup as mode 12h leaves it, with every plane enabled. */
function planar(): VgaRig {
  const r = new VgaRig();
  r.setMode(0x12);
  return r;
}

function planes(r: VgaRig, offset: number): number[] {
  return [0, 1, 2, 3].map((p) => r.vga.planeByte(p, offset));
}

describe('VGA host writes and reads', () => {
  it('write mode 0: map mask, set/reset, enable set/reset and bit mask', () => {
    const r = planar();
    r.seq(2, 0x05); // planes 0 and 2
    r.write(0xa0000, 0xa5);
    expect(planes(r, 0)).toEqual([0xa5, 0, 0xa5, 0]);
    r.seq(2, 0x0f);
    r.gc(0, 0x0c); // set/reset colour 1100
    r.gc(1, 0x0a); // only planes 1 and 3 take set/reset
    r.write(0xa0001, 0x3c);
    expect(planes(r, 1)).toEqual([0x3c, 0x00, 0x3c, 0xff]);
    // Bit mask keeps the latched bits where the mask is clear.
    r.gc(1, 0x00);
    r.read(0xa0001); // latch [3c,00,3c,ff]
    r.gc(8, 0x0f);
    r.write(0xa0001, 0x00);
    expect(planes(r, 1)).toEqual([0x30, 0x00, 0x30, 0xf0]);
  });

  it('write mode 0: data rotate and the logical functions against the latches', () => {
    const r = planar();
    r.write(0xa0010, 0xf0);
    r.gc(3, 0x02); // rotate right 2
    r.write(0xa0011, 0x81);
    expect(r.vga.planeByte(0, 0x11)).toBe(0x60);
    const cases: [number, number][] = [
      [0x08, 0xf0 & 0x3c], // AND
      [0x10, 0xf0 | 0x3c], // OR
      [0x18, 0xf0 ^ 0x3c], // XOR
    ];
    for (const [fn, want] of cases) {
      r.gc(3, fn);
      r.read(0xa0010);
      r.write(0xa0020, 0x3c);
      expect(r.vga.planeByte(0, 0x20)).toBe(want);
    }
  });

  it('write mode 1 copies the latches: a read then a write moves all four planes', () => {
    const r = planar();
    for (let p = 0; p < 4; p++) {
      r.seq(2, 1 << p);
      r.write(0xa0100, 0x11 * (p + 1));
    }
    r.seq(2, 0x0f);
    r.gc(5, 0x01);
    r.gc(8, 0x00); // write mode 1 ignores the bit mask
    expect(r.read(0xa0100)).toBe(0x11);
    r.write(0xa0200, 0x99); // the CPU data is ignored too
    expect(planes(r, 0x200)).toEqual([0x11, 0x22, 0x33, 0x44]);
    r.seq(2, 0x06);
    r.read(0xa0100);
    r.write(0xa0300, 0);
    expect(planes(r, 0x300)).toEqual([0, 0x22, 0x33, 0]);
  });

  it('write mode 2 spreads the colour to the planes under the bit mask', () => {
    const r = planar();
    r.gc(5, 0x02);
    r.gc(8, 0x18);
    r.write(0xa0040, 0x09); // colour 1001
    expect(planes(r, 0x40)).toEqual([0x18, 0x00, 0x00, 0x18]);
    r.gc(3, 0x18); // XOR with the latches
    r.read(0xa0040);
    r.gc(8, 0xff);
    r.write(0xa0040, 0x0f);
    expect(planes(r, 0x40)).toEqual([0xe7, 0xff, 0xff, 0xe7]);
  });

  it('write mode 3 uses the rotated CPU byte ANDed with the bit mask over the set/reset colour', () => {
    const r = planar();
    r.gc(5, 0x03);
    r.gc(0, 0x06);
    r.gc(8, 0xf0);
    r.write(0xa0050, 0xcc);
    expect(planes(r, 0x50)).toEqual([0x00, 0xc0, 0xc0, 0x00]);
    r.gc(3, 0x04); // rotate 4
    r.read(0xa0050);
    r.gc(8, 0xff);
    r.write(0xa0050, 0x0f);
    expect(planes(r, 0x50)).toEqual([0x00, 0xf0, 0xf0, 0x00]);
  });

  it('read mode 0 returns the plane chosen by GR4; read mode 1 compares colours with don\'t-care', () => {
    const r = planar();
    const data = [0b11110000, 0b11001100, 0b10101010, 0b11111111];
    for (let p = 0; p < 4; p++) {
      r.seq(2, 1 << p);
      r.write(0xa0060, data[p]);
    }
    r.seq(2, 0x0f);
    for (let p = 0; p < 4; p++) {
      r.gc(4, p);
      expect(r.read(0xa0060)).toBe(data[p]);
    }
    r.gc(5, 0x08);
    r.gc(2, 0x0f); // pixel colours, left to right: F, B, D, 9, E, A, C, 8
    expect(r.read(0xa0060)).toBe(0b10000000);
    r.gc(2, 0x08);
    expect(r.read(0xa0060)).toBe(0b00000001);
    r.gc(7, 0x08); // only plane 3 matters: every pixel has bit 3 set
    expect(r.read(0xa0060)).toBe(0xff);
    r.gc(7, 0x00); // nothing matters: all match
    r.gc(2, 0x00);
    expect(r.read(0xa0060)).toBe(0xff);
  });

  it('chain-4 picks the plane from the two low address bits (mode 13h)', () => {
    const r = new VgaRig();
    r.setMode(0x13);
    for (let i = 0; i < 8; i++) r.write(0xa0000 + i, 0x10 + i);
    expect(planes(r, 0)).toEqual([0x10, 0x11, 0x12, 0x13]);
    expect(planes(r, 4)).toEqual([0x14, 0x15, 0x16, 0x17]);
    expect(r.read(0xa0006)).toBe(0x16);
  });

  it('odd/even sends even addresses to planes 0/2 and odd ones to 1/3 (text mode)', () => {
    const r = new VgaRig();
    r.setMode(0x03);
    r.write(0xb8000, 0x41);
    r.write(0xb8001, 0x1f);
    r.write(0xb8002, 0x42);
    expect(planes(r, 0).slice(0, 2)).toEqual([0x41, 0x1f]);
    expect(r.vga.planeByte(0, 2)).toBe(0x42);
    expect(r.read(0xb8001)).toBe(0x1f);
    expect(r.read(0xa0000)).toBe(0xff); // outside the B8000h window
  });

  it('peek reads like the guest without touching the latches', () => {
    const r = planar();
    r.write(0xa0000, 0x5a);
    r.read(0xa0000);
    const latch = r.vga.mem.latch;
    r.write(0xa0001, 0x11);
    expect(r.memory.peek8(0xa0001)).toBe(0x11);
    expect(r.vga.mem.latch).toBe(latch);
  });
});

describe('VGA display', () => {
  it('draws a character from the plane 2 font with its attribute colours (mode 3, 9-dot cells)', () => {
    const r = new VgaRig();
    r.setMode(0x03);
    r.loadFont();
    r.crtc(0x0a, 0x20); // cursor off: it sits in this cell
    r.write(0xb8000, 0x41); // 'A'
    r.write(0xb8001, 0x1e); // yellow on blue
    const f = r.frame();
    expect([f.width, f.height]).toEqual([720, 400]);
    const px = (x: number, y: number): number[] => Array.from(f.rgba.subarray((y * f.width + x) * 4, (y * f.width + x) * 4 + 3));
    const yellow = [0xff, 0xff, 0x55];
    const blue = [0x00, 0x00, 0xaa];
    for (let y = 0; y < 16; y++) {
      for (let x = 0; x < 9; x++) {
        const on = x < 8 && (FONT_8X16[0x41 * 16 + y] & (0x80 >> x)) !== 0;
        expect(px(x, y), `pixel ${x},${y}`).toEqual(on ? yellow : blue);
      }
    }
  });

  it('reads the text screen through the CRTC start address and prints code page 437', () => {
    const r = new VgaRig();
    r.setMode(0x03);
    const put = (row: number, col: number, s: number[]): void => s.forEach((c, i) => r.write(0xb8000 + (row * 80 + col + i) * 2, c));
    put(0, 0, [0xc9, 0xcd, 0xbb]);
    put(1, 0, [0x48, 0x69, 0x20, 0x01]);
    r.crtc(0x0e, 0x00);
    r.crtc(0x0f, 83);
    const s = r.vga.textSnapshot();
    expect([s.cols, s.rows]).toEqual([80, 25]);
    expect(s.cursor).toEqual({ row: 1, col: 3, visible: true });
    expect(r.vga.screenText().slice(0, 3)).toEqual(['╔═╗', 'Hi ☺', '']);
    expect(r.vga.screenText({ trimEnd: false })[0]).toHaveLength(80);
    r.crtc(0x0d, 80); // start one row down
    expect(r.vga.screenText()[0]).toBe('Hi ☺');
  });

  it('reports display geometry per mode and nothing dirty when nothing changed', () => {
    const r = new VgaRig();
    r.setMode(0x13);
    const g = r.vga.frameGeometry();
    expect([g.width, g.height, g.displayWidth, g.displayHeight]).toEqual([320, 200, 640, 400]);
    const buf = new Uint8ClampedArray(320 * 200 * 4);
    const first = r.vga.renderFrame(buf);
    expect([first.dirtyTop, first.dirtyBottom]).toEqual([0, 200]);
    const second = r.vga.renderFrame(buf);
    expect(second.dirtyBottom - second.dirtyTop).toBe(0);
    r.write(0xa0000 + 320 * 150 + 7, 0xaa);
    const third = r.vga.renderFrame(buf);
    expect(third.dirtyTop).toBeLessThanOrEqual(150);
    expect(third.dirtyBottom).toBeGreaterThan(150);
    expect(third.dirtyBottom - third.dirtyTop).toBeLessThan(8);
    const o = (150 * 320 + 7) * 4;
    expect(Array.from(buf.subarray(o, o + 3))).toEqual([0xaa, 0xaa, 0xaa]); // DAC AAh holds grey 2Ah -> AAh
  });

  it('sets vertical retrace and display-disable bits from virtual time at the programmed rate', () => {
    for (const [mode, hz] of [
      [0x03, 70.09],
      [0x12, 59.94],
    ]) {
      const r = new VgaRig();
      r.setMode(mode);
      const step = 100; // ticks (4 us at 25 MHz)
      let edges = 0;
      let inRetrace = 0;
      let disabled = 0;
      let prev = 0;
      const samples = r.scheduler.hz / 10 / step; // 100 ms of virtual time
      for (let i = 0; i < samples; i++) {
        const s = r.in(0x3da);
        if (s & 8 && !(prev & 8)) edges++;
        if (s & 8) inRetrace++;
        if (s & 1) disabled++;
        prev = s;
        r.scheduler.advance(step);
      }
      expect(Math.abs(edges - hz / 10)).toBeLessThanOrEqual(1);
      // Retrace is 2 lines of 449 (mode 3) or 525 (mode 12h); blanking is a few percent.
      expect(inRetrace / samples).toBeGreaterThan(0.002);
      expect(inRetrace / samples).toBeLessThan(0.01);
      expect(disabled / samples).toBeGreaterThan(0.15);
      expect(disabled / samples).toBeLessThan(0.35);
      expect(r.scheduler.hz / r.vga.frameTicks).toBeCloseTo(hz, 1);
    }
  });

  it('blinks text attributes with bit 7 in virtual time (32-frame period)', () => {
    const r = new VgaRig();
    r.setMode(0x03);
    r.loadFont();
    r.write(0xb8000, 0xdb); // full block
    r.write(0xb8001, 0x8f); // blinking white on black
    const lit = (): boolean => r.frame().rgba[4 * (2 * 720 + 2)] === 0xff;
    const seen = new Set<boolean>();
    for (let f = 0; f < 32; f++) {
      seen.add(lit());
      r.scheduler.advance(Math.ceil(r.vga.frameTicks));
    }
    expect(seen).toEqual(new Set([true, false]));
  });
});

describe('VGA state', () => {
  it('saves and restores mid-drawing: both copies continue to the same planes and picture', () => {
    const a = new VgaRig();
    a.setMode(0x12);
    const draw = (r: VgaRig, from: number, to: number): void => {
      for (let i = from; i < to; i++) {
        r.gc(5, i % 4);
        r.gc(0, i & 15);
        r.gc(1, (i >> 2) & 15);
        r.gc(3, (i * 3) & 0x1f);
        r.gc(8, (i * 37) & 0xff);
        r.read(0xa0000 + ((i * 7) % 38400));
        r.write(0xa0000 + ((i * 13) % 38400), i & 0xff);
      }
    };
    draw(a, 0, 3000);
    a.in(0x3da);
    a.out(0x3c0, 0x05); // leave the attribute flip-flop at "data"
    a.out(0x3c8, 7);
    a.out(0x3c9, 0x11); // and a DAC write half done
    const saved = a.vga.saveState();
    const b = new VgaRig();
    b.vga.loadState(structuredClone(saved));
    for (const r of [a, b]) {
      r.out(0x3c0, 0x3f);
      r.out(0x3c9, 0x22);
      r.out(0x3c9, 0x33);
      r.out(0x3c0, 0x20);
      draw(r, 3000, 6000);
    }
    const same = (x: Uint8Array | Uint8ClampedArray, y: Uint8Array | Uint8ClampedArray): boolean => Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));
    expect(same(b.vga.mem.bytes, a.vga.mem.bytes)).toBe(true);
    const { planes: pa, ...fa } = a.vga.saveState().fields;
    const { planes: pb, ...fb } = b.vga.saveState().fields;
    expect(fb).toEqual(fa);
    expect(same(pb as Uint8Array, pa as Uint8Array)).toBe(true);
    expect(same(b.frame().rgba, a.frame().rgba)).toBe(true);
  });

  it('refuses a state from another device or version', () => {
    const r = new VgaRig();
    const s = r.vga.saveState();
    expect(() => new Vga(r.scheduler).loadState({ ...s, version: 99 })).toThrow(/version/);
    expect(() => new Vga(r.scheduler).loadState({ ...s, device: 'pic' })).toThrow(/pic/);
  });
});

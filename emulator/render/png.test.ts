import { describe, expect, it } from 'vitest';
import { decodePng, encodePng } from './png.js';
import { decodePpm, encodePpm } from './ppm.js';

function pattern(w: number, h: number): Uint8Array {
  const rgba = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) rgba.set([(i * 7) & 0xff, (i * 13) & 0xff, (i >> 3) & 0xff, 0xff], i * 4);
  return rgba;
}

// Decoding PNGs written by another encoder (QEMU's `screendump -f png`) is checked in
// test/vga/qemuScreen.test.ts.
describe('PNG and PPM', () => {
  it('round-trips RGB and RGBA PNGs', () => {
    const rgba = pattern(37, 11);
    const rgb = decodePng(encodePng(rgba, 37, 11));
    expect([rgb.width, rgb.height]).toEqual([37, 11]);
    expect(Buffer.from(rgb.rgba).equals(Buffer.from(rgba))).toBe(true);
    rgba[3] = 0x40;
    const withAlpha = decodePng(encodePng(rgba, 37, 11, { alpha: true }));
    expect(withAlpha.rgba[3]).toBe(0x40);
  });

  it('round-trips PPM', () => {
    const rgba = pattern(5, 3);
    const back = decodePpm(encodePpm(rgba, 5, 3));
    expect(Buffer.from(back.rgba).equals(Buffer.from(rgba))).toBe(true);
  });

  it('rejects damaged files with one-line errors', () => {
    const png = encodePng(pattern(4, 4), 4, 4);
    png[40] ^= 0xff;
    expect(() => decodePng(png)).toThrow(/CRC|PNG/);
    expect(() => decodePng(new Uint8Array(10))).toThrow('not a PNG file');
    expect(() => decodePpm(new TextEncoder().encode('P3 1 1 255 0 0 0'))).toThrow(/P6/);
  });
});

/**
 * Binary PPM (P6, maxval 255) reader and writer: QEMU's monitor `screendump` writes this format by
 * default, which makes it the format the screen oracle tests read.
 */
import type { Image } from './png.js';

export function decodePpm(file: Uint8Array): Image {
  let p = 0;
  const token = (): string => {
    for (;;) {
      while (p < file.length && /\s/.test(String.fromCharCode(file[p]))) p++;
      if (file[p] === 0x23) {
        while (p < file.length && file[p] !== 0x0a) p++;
      } else break;
    }
    let s = '';
    while (p < file.length && !/\s/.test(String.fromCharCode(file[p]))) s += String.fromCharCode(file[p++]);
    return s;
  };
  if (token() !== 'P6') throw new Error('not a binary PPM (P6) file');
  const width = Number(token());
  const height = Number(token());
  const max = Number(token());
  p++; // the single whitespace byte before the raster
  if (!(width > 0 && height > 0) || max !== 255) throw new Error(`unsupported PPM header ${width}x${height} maxval ${max}`);
  if (file.length - p < width * height * 3) throw new Error('PPM raster is short');
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    rgba[i * 4] = file[p + i * 3];
    rgba[i * 4 + 1] = file[p + i * 3 + 1];
    rgba[i * 4 + 2] = file[p + i * 3 + 2];
    rgba[i * 4 + 3] = 255;
  }
  return { width, height, rgba };
}

export function encodePpm(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): Uint8Array {
  const header = new TextEncoder().encode(`P6\n${width} ${height}\n255\n`);
  const out = new Uint8Array(header.length + width * height * 3);
  out.set(header);
  for (let i = 0, o = header.length; i < width * height; i++, o += 3) {
    out[o] = rgba[i * 4];
    out[o + 1] = rgba[i * 4 + 1];
    out[o + 2] = rgba[i * 4 + 2];
  }
  return out;
}

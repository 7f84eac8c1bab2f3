/**
 * PNG writer and reader (RFC 2083 / ISO 15948) for frames: 8-bit RGB or RGBA, no interlace.
 * Deflate comes from node:zlib, so this runs in Node (the CLI and the machine worker), not in the
 * webview. The reader handles what the writer and QEMU's `screendump -f png` produce: 8-bit
 * greyscale, RGB, RGBA and palette images with any filter type.
 */
import { deflateSync, inflateSync } from 'node:zlib';

export interface Image {
  readonly width: number;
  readonly height: number;
  /** Tightly packed RGBA bytes, row-major. */
  readonly rgba: Uint8Array;
}

const SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  CRC_TABLE[n] = c >>> 0;
}

function crc32(bytes: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

export interface PngOptions {
  /** Write RGB (drop alpha, default) or RGBA. */
  readonly alpha?: boolean;
}

/** Encodes RGBA pixels (width*height*4 bytes) as a PNG file. */
export function encodePng(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number, options: PngOptions = {}): Uint8Array {
  if (!(width > 0 && height > 0) || rgba.length < width * height * 4) throw new RangeError(`bad image ${width}x${height}`);
  const channels = options.alpha ? 4 : 3;
  const stride = width * channels;
  // Filter type 0 (None) on every row: frames are mostly flat colour and deflate does well on them.
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0, o = 0; y < height; y++) {
    raw[o++] = 0;
    let i = y * width * 4;
    for (let x = 0; x < width; x++, i += 4) {
      raw[o++] = rgba[i];
      raw[o++] = rgba[i + 1];
      raw[o++] = rgba[i + 2];
      if (channels === 4) raw[o++] = rgba[i + 3];
    }
  }
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr[8] = 8;
  ihdr[9] = channels === 4 ? 6 : 2;
  const parts = [SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Decodes an 8-bit, non-interlaced PNG into RGBA. Throws a one-line error on anything else. */
export function decodePng(file: Uint8Array): Image {
  for (let i = 0; i < 8; i++) if (file[i] !== SIGNATURE[i]) throw new Error('not a PNG file');
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let width = 0;
  let height = 0;
  let colorType = -1;
  let palette: Uint8Array | null = null;
  let transparency: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  for (let p = 8; p + 12 <= file.length; ) {
    const len = dv.getUint32(p);
    const type = String.fromCharCode(file[p + 4], file[p + 5], file[p + 6], file[p + 7]);
    if (p + 12 + len > file.length) throw new Error('truncated PNG chunk');
    const data = file.subarray(p + 8, p + 8 + len);
    if (crc32(file, p + 4, p + 8 + len) !== dv.getUint32(p + 8 + len)) throw new Error(`PNG chunk ${type} has a bad CRC`);
    if (type === 'IHDR') {
      width = dv.getUint32(p + 8);
      height = dv.getUint32(p + 12);
      if (data[8] !== 8) throw new Error(`PNG bit depth ${data[8]} is not supported (8 only)`);
      colorType = data[9];
      if (data[12] !== 0) throw new Error('interlaced PNG is not supported');
    } else if (type === 'PLTE') palette = data;
    else if (type === 'tRNS') transparency = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    p += 12 + len;
  }
  const channels = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[colorType];
  if (channels === undefined || width === 0 || height === 0) throw new Error('PNG lacks a usable IHDR');
  const total = idat.reduce((n, d) => n + d.length, 0);
  const joined = new Uint8Array(total);
  let o = 0;
  for (const d of idat) {
    joined.set(d, o);
    o += d.length;
  }
  const raw = inflateSync(joined);
  const stride = width * channels;
  if (raw.length < (stride + 1) * height) throw new Error('PNG image data is short');
  const pix = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const dst = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pix[dst + x - channels] : 0;
      const b = y > 0 ? pix[dst - stride + x] : 0;
      const c = x >= channels && y > 0 ? pix[dst - stride + x - channels] : 0;
      const v = raw[src + x];
      let r: number;
      if (f === 0) r = v;
      else if (f === 1) r = v + a;
      else if (f === 2) r = v + b;
      else if (f === 3) r = v + ((a + b) >> 1);
      else if (f === 4) r = v + paeth(a, b, c);
      else throw new Error(`bad PNG filter type ${f}`);
      pix[dst + x] = r & 0xff;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const s = i * channels;
    let r: number, g: number, b: number, al: number;
    if (colorType === 3) {
      if (!palette) throw new Error('palette PNG without PLTE');
      const e = pix[s];
      r = palette[e * 3];
      g = palette[e * 3 + 1];
      b = palette[e * 3 + 2];
      al = transparency && e < transparency.length ? transparency[e] : 255;
    } else if (channels <= 2) {
      r = g = b = pix[s];
      al = channels === 2 ? pix[s + 1] : 255;
    } else {
      r = pix[s];
      g = pix[s + 1];
      b = pix[s + 2];
      al = channels === 4 ? pix[s + 3] : 255;
    }
    rgba.set([r, g, b, al], i * 4);
  }
  return { width, height, rgba };
}

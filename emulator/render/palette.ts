/**
 * Colour helpers shared by the VGA renderer and the image writers. Frames are RGBA bytes; the
 * renderer writes them as 32-bit words through a Uint32Array view, which on the little-endian hosts
 * Node and browsers run on puts R in the lowest byte.
 */

/**
 * Expands a 6-bit DAC component to 8 bits by replicating its top bits into the low ones, so 0
 * stays 0 and 63 becomes 255 (IBM's DAC drives the full analogue range at 63).
 */
export function dac6to8(v: number): number {
  v &= 0x3f;
  return (v << 2) | (v >> 4);
}

/** An opaque RGBA pixel as the 32-bit word a little-endian Uint32Array view stores. */
export function rgbaWord(r: number, g: number, b: number): number {
  return ((0xff << 24) | ((b & 0xff) << 16) | ((g & 0xff) << 8) | (r & 0xff)) >>> 0;
}

/** Converts RGBA to tightly packed RGB (drops alpha). */
export function rgbaToRgb(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height * 3);
  for (let i = 0, o = 0; i < width * height * 4; i += 4, o += 3) {
    out[o] = rgba[i];
    out[o + 1] = rgba[i + 1];
    out[o + 2] = rgba[i + 2];
  }
  return out;
}

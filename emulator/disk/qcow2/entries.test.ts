// 64-bit table entries handled as two 32-bit halves: offsets past 4 GiB survive the round trip and
// flags never leak into offsets.
import { describe, expect, it } from 'vitest';
import { COMPRESSED, COPIED, CompressedLayout, TWO32, entryOffset, readU64, writeU64 } from './entries.js';

describe('table entries', () => {
  it('u64 round trip up to 2^53', () => {
    const view = new DataView(new ArrayBuffer(8));
    for (const v of [0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 512, 5 * 2 ** 40 + 65536, 2 ** 53 - 1]) {
      writeU64(view, 0, v);
      expect(readU64(view, 0)).toBe(v);
    }
  });

  it('the offset of an L2 entry ignores COPIED, the zero flag and low bits', () => {
    const off = 7 * TWO32 + 0x30000;
    expect(entryOffset((COPIED | 7) >>> 0, 0x30000 | 1)).toBe(off);
    expect(entryOffset(COMPRESSED | 0x00ffffff, 0xffffffff)).toBe(0xffffff * TWO32 + 0xfffffe00);
  });

  it('compressed descriptors: offset and sector count split at x = 62 - (cluster_bits - 8)', () => {
    for (const bits of [9, 12, 16, 21]) {
      const layout = new CompressedLayout(bits);
      const x = 62 - (bits - 8);
      const offset = 3 * TWO32 + 1234567;
      const sectors = 2 ** (bits - 8) - 1;
      // Compose hi/lo of (sectors << x) | offset with bit 62 set.
      const value = BigInt(sectors) * 2n ** BigInt(x) + BigInt(offset) + (1n << 62n);
      const hi = Number(value >> 32n);
      const lo = Number(value & 0xffffffffn);
      expect(layout.offset(hi, lo)).toBe(offset);
      expect(layout.length(hi, lo)).toBe((sectors + 1) * 512 - (offset % 512));
    }
  });
});

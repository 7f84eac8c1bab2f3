// Refcount entry packing for every width: each entry keeps its own value and leaves its
// neighbours alone (qemu's reading of the same packing is checked in test/disk/, 1 to 64 bits).
import { describe, expect, it } from 'vitest';
import { getRefcount, putRefcount } from './refcounts.js';

describe('refcount block entries', () => {
  for (let order = 0; order <= 6; order++) {
    it(`${1 << order}-bit entries`, () => {
      const bytes = new Uint8Array(512);
      const view = new DataView(bytes.buffer);
      const entries = (512 * 8) >> order;
      const max = order === 6 ? 2 ** 40 + 7 : 2 ** (1 << order) - 1;
      const expected: number[] = [];
      let x = 99;
      for (let i = 0; i < entries; i++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        const v = order === 6 ? (x % 3 === 0 ? max : x) : x % (max + 1);
        expected.push(v);
        putRefcount(bytes, view, order, i, v);
      }
      for (let i = 0; i < entries; i++) expect(getRefcount(bytes, view, order, i)).toBe(expected[i]);
      putRefcount(bytes, view, order, 5, 0);
      expect(getRefcount(bytes, view, order, 4)).toBe(expected[4]);
      expect(getRefcount(bytes, view, order, 6)).toBe(expected[6]);
    });
  }
});

// Compressed-cluster decoding, with Node's own deflate as the encoder (qemu writes raw deflate
// with a 4 KiB window) and the qemu-written zstd images covered by test/disk/.
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BrokenStreamError, decompressCluster } from './compression.js';

function cluster(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = i % 7 === 0 ? x >>> 24 : 0x41 + (i % 13);
  }
  return out;
}

describe('zlib clusters', () => {
  it('decodes a cluster and ignores the next cluster\'s bytes after the stream', () => {
    for (const size of [512, 4096, 65536, 2 * 1024 * 1024]) {
      const data = cluster(size, size);
      const packed = deflateRawSync(data, { windowBits: 12 });
      const input = new Uint8Array(packed.length + 700);
      input.set(packed);
      input.fill(0x5a, packed.length);
      expect(Buffer.from(decompressCluster('zlib', input, size)).equals(Buffer.from(data))).toBe(true);
    }
  });

  it('refuses streams that are cut short, too long or not deflate at all', () => {
    const data = cluster(65536, 1);
    const packed = deflateRawSync(data);
    expect(() => decompressCluster('zlib', packed.subarray(0, packed.length >> 1), 65536)).toThrow(BrokenStreamError);
    expect(() => decompressCluster('zlib', deflateRawSync(cluster(65537, 1)), 65536)).toThrow(/more than one cluster/);
    expect(() => decompressCluster('zlib', new Uint8Array([0xff, 0xff, 0xff, 0xff]), 65536)).toThrow(/broken deflate stream/);
    expect(() => decompressCluster('zlib', deflateRawSync(cluster(100, 1)), 65536)).toThrow(/ends after 100 of 65536 bytes/);
  });
});

describe('zstd clusters', () => {
  it('refuses data that is not a zstd frame or is cut short', () => {
    expect(() => decompressCluster('zstd', new Uint8Array(64), 65536)).toThrow(/not a zstd frame/);
    expect(() => decompressCluster('zstd', new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x60, 0x00, 0xff]), 65536)).toThrow(BrokenStreamError);
    expect(() => decompressCluster('zstd', new Uint8Array(4), 65536)).toThrow(/ends after 0 of 65536 bytes/);
  });
});

/**
 * Compressed clusters (QEMU docs/interop/qcow2.txt, "Compressed Clusters Descriptor"): one guest
 * cluster stored as a raw deflate stream (zlib type, window bits -12 in qemu) or as zstd frames. The
 * descriptor only says which 512-byte sectors hold the data, so the input usually carries the
 * start of the next compressed cluster after the stream; decompression stops once a cluster is
 * produced. Output is bounded to one cluster whatever the stream claims.
 */
import { constants, inflateRawSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import type { CompressionType } from './header.js';

/** Thrown for a stream that does not decode to exactly one cluster; the caller names the image. */
export class BrokenStreamError extends Error {
  override readonly name = 'BrokenStreamError';
}

export function decompressCluster(type: CompressionType, input: Uint8Array, clusterSize: number): Uint8Array {
  return type === 'zlib' ? inflateCluster(input, clusterSize) : zstdCluster(input, clusterSize);
}

function inflateCluster(input: Uint8Array, clusterSize: number): Uint8Array {
  let out: Buffer;
  try {
    // One output chunk of a cluster's size avoids zlib's chunk-by-chunk concatenation.
    out = inflateRawSync(input, { finishFlush: constants.Z_SYNC_FLUSH, chunkSize: clusterSize, maxOutputLength: clusterSize });
  } catch (e) {
    const code = e instanceof Error ? (e as NodeJS.ErrnoException).code : undefined;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new BrokenStreamError('deflate stream decodes to more than one cluster');
    throw new BrokenStreamError(`broken deflate stream (${e instanceof Error ? e.message : String(e)})`);
  }
  if (out.length !== clusterSize) {
    throw new BrokenStreamError(`deflate stream ends after ${out.length} of ${clusterSize} bytes`);
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

function le32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

const ZSTD_MAGIC = 0xfd2fb528;

/**
 * Finds the end of the zstd frame at `pos` (RFC 8878 section 3.1.1) without decoding it, and checks
 * that the frame will not ask for more memory than a cluster needs.
 */
function zstdFrameEnd(b: Uint8Array, pos: number, clusterSize: number): number {
  const need = (n: number): void => {
    if (n > b.length) throw new BrokenStreamError('zstd frame is cut short');
  };
  need(pos + 5);
  const fhd = b[pos + 4];
  if (fhd & 0x08) throw new BrokenStreamError('zstd frame header has its reserved bit set');
  const singleSegment = (fhd >> 5) & 1;
  const dictFlag = fhd & 3;
  const fcsFlag = fhd >> 6;
  let p = pos + 5;
  let window = 0;
  if (!singleSegment) {
    need(p + 1);
    const wd = b[p++];
    const base = 2 ** (10 + (wd >> 3));
    window = base + (base / 8) * (wd & 7);
  }
  p += dictFlag === 3 ? 4 : dictFlag;
  const fcsBytes = fcsFlag === 0 ? singleSegment : 1 << fcsFlag;
  need(p + fcsBytes);
  let contentSize = -1;
  if (fcsBytes > 0) {
    contentSize = 0;
    for (let i = fcsBytes - 1; i >= 0; i--) contentSize = contentSize * 256 + b[p + i];
    if (fcsBytes === 2) contentSize += 256;
  }
  p += fcsBytes;
  if (contentSize > clusterSize) throw new BrokenStreamError(`zstd frame claims ${contentSize} bytes, more than a cluster`);
  if (contentSize < 0 && window > Math.max(clusterSize * 2, 1 << 20)) {
    throw new BrokenStreamError(`zstd frame asks for a ${window}-byte window`);
  }
  for (;;) {
    need(p + 3);
    const bh = b[p] | (b[p + 1] << 8) | (b[p + 2] << 16);
    const last = bh & 1;
    const type = (bh >> 1) & 3;
    const size = bh >> 3;
    if (type === 3) throw new BrokenStreamError('zstd block of reserved type');
    p += 3 + (type === 1 ? 1 : size);
    need(p);
    if (last) break;
  }
  if (fhd & 0x04) p += 4;
  need(p);
  return p;
}

function zstdCluster(input: Uint8Array, clusterSize: number): Uint8Array {
  const out = new Uint8Array(clusterSize);
  let produced = 0;
  let pos = 0;
  while (produced < clusterSize) {
    if (pos + 8 > input.length) throw new BrokenStreamError(`zstd data ends after ${produced} of ${clusterSize} bytes`);
    const magic = le32(input, pos);
    if (magic >>> 4 === 0x184d2a5) {
      pos += 8 + le32(input, pos + 4); // skippable frame
      continue;
    }
    if (magic !== ZSTD_MAGIC) throw new BrokenStreamError('not a zstd frame');
    const end = zstdFrameEnd(input, pos, clusterSize);
    let part: Uint8Array;
    try {
      part = zstdDecompress(input.subarray(pos, end));
    } catch (e) {
      throw new BrokenStreamError(`broken zstd frame (${e instanceof Error ? e.message : String(e)})`);
    }
    if (produced + part.length > clusterSize) throw new BrokenStreamError('zstd data decodes to more than one cluster');
    out.set(part, produced);
    produced += part.length;
    pos = end;
  }
  return out;
}

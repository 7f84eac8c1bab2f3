/**
 * Bit layouts of the qcow2 tables (QEMU docs/interop/qcow2.txt, "Cluster mapping" and "Host cluster
 * management"). All table entries are big-endian 64-bit words. JavaScript's bitwise operators work
 * on 32 bits, so every entry is handled as two 32-bit halves (`hi`, `lo`) and offsets are rebuilt
 * with multiplication, exact up to 2^53.
 */

export const TWO32 = 4294967296;

/** Reads a big-endian u64 as a Number (exact below 2^53, which every check here stays under). */
export function readU64(view: DataView, at: number): number {
  return view.getUint32(at) * TWO32 + view.getUint32(at + 4);
}

/** Writes a non-negative integer below 2^53 as a big-endian u64. */
export function writeU64(view: DataView, at: number, value: number): void {
  view.setUint32(at, Math.floor(value / TWO32));
  view.setUint32(at + 4, value >>> 0);
}

// High-word flags.
/** Bit 63: refcount is exactly one, so the cluster may be written in place. */
export const COPIED = 0x80000000;
/** Bit 62 of an L2 entry: a compressed cluster descriptor. */
export const COMPRESSED = 0x40000000;

/** Bits 9-55 of an L1/L2 entry: the host cluster offset. */
export function entryOffset(hi: number, lo: number): number {
  return (hi & 0x00ffffff) * TWO32 + ((lo & 0xfffffe00) >>> 0);
}

/** True when an L1 entry has reserved bits set (0-8 and 56-62). */
export function l1Reserved(hi: number, lo: number): boolean {
  return (hi & 0x7f000000) !== 0 || (lo & 0x1ff) !== 0;
}

/** True when a standard L2 entry has reserved bits set (1-8 and 56-61; bit 0 is the zero flag). */
export function l2StandardReserved(hi: number, lo: number): boolean {
  return (hi & 0x3f000000) !== 0 || (lo & 0x1fe) !== 0;
}

/** Guest cluster kinds, as they decide reads and writes. */
export const enum ClusterKind {
  /** No data here: read the backing file (or zeros). */
  Unallocated = 0,
  /** Reads as zeros; no host cluster. */
  ZeroPlain = 1,
  /** Reads as zeros; a host cluster is preallocated (its content is not meaningful). */
  ZeroAlloc = 2,
  Normal = 3,
  Compressed = 4,
}

/** Geometry of compressed cluster descriptors, which depends on cluster_bits. */
export class CompressedLayout {
  /** x = 62 - (cluster_bits - 8): the first bit of the sector count. */
  readonly x: number;
  private readonly offsetHiMask: number;
  private readonly sectorMask: number;

  constructor(clusterBits: number) {
    this.x = 62 - (clusterBits - 8);
    this.offsetHiMask = 2 ** (this.x - 32) - 1;
    this.sectorMask = 2 ** (clusterBits - 8) - 1;
  }

  /** Host byte offset of the compressed data (not aligned). */
  offset(hi: number, lo: number): number {
    return (hi & this.offsetHiMask) * TWO32 + (lo >>> 0);
  }

  /** Bytes the descriptor covers: from the offset to the end of its last 512-byte sector. */
  length(hi: number, lo: number): number {
    const sectors = ((hi & 0x3fffffff) >>> (this.x - 32)) & this.sectorMask;
    const offset = this.offset(hi, lo);
    return (sectors + 1) * 512 - (offset % 512);
  }
}

/** Refcount table entries: bits 9-63 are the block offset, bits 0-8 reserved. */
export function reftableOffset(hi: number, lo: number): number {
  return hi * TWO32 + ((lo & 0xfffffe00) >>> 0);
}

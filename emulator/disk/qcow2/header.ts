/**
 * The qcow2 header and its extensions (QEMU docs/interop/qcow2.txt, "Header" and "Header
 * extensions"), parsed and checked before anything else of the image is trusted. Every check that
 * fails names the file and the problem in one line; nothing is read past what the header claims and
 * the file holds, so a hostile header cannot make the reader hang or allocate without bound.
 */
import { DiskError } from '../blockDevice.js';
import { hex, type HostFile } from '../hostFile.js';
import { readU64 } from './entries.js';

export const QCOW2_MAGIC = 0x514649fb;

export const INCOMPAT_DIRTY = 1n << 0n;
export const INCOMPAT_CORRUPT = 1n << 1n;
export const INCOMPAT_DATA_FILE = 1n << 2n;
export const INCOMPAT_COMPRESSION = 1n << 3n;
export const INCOMPAT_EXTL2 = 1n << 4n;
const INCOMPAT_KNOWN = (1n << 5n) - 1n;
export const COMPAT_LAZY_REFCOUNTS = 1n << 0n;
export const AUTOCLEAR_BITMAPS = 1n << 0n;
export const AUTOCLEAR_DATA_FILE_RAW = 1n << 1n;

export const EXT_END = 0x00000000;
export const EXT_BACKING_FORMAT = 0xe2792aca;
export const EXT_FEATURE_TABLE = 0x6803f857;
export const EXT_BITMAPS = 0x23852875;
export const EXT_CRYPTO = 0x0537be77;
export const EXT_DATA_FILE = 0x44415441;

/** Field offsets inside the header, for the few fields this layer rewrites in place. */
export const HDR_SIZE = 24;
export const HDR_L1 = 36; // l1_size (4) then l1_table_offset (8): one 12-byte write switches both
export const HDR_REFTABLE = 48; // refcount_table_offset (8) then refcount_table_clusters (4)
export const HDR_SNAPSHOTS = 60; // nb_snapshots (4) then snapshots_offset (8)
export const HDR_INCOMPAT = 72;
export const HDR_AUTOCLEAR = 88;

/** qemu's implementation limits, which keep memory bounded for hostile headers too. */
export const MAX_L1_BYTES = 32 * 1024 * 1024;
export const MAX_REFTABLE_BYTES = 8 * 1024 * 1024;
export const MAX_SNAPSHOTS = 65536;
export const MIN_CLUSTER_BITS = 9;
export const MAX_CLUSTER_BITS = 21;

export type FeatureKind = 'incompatible' | 'compatible' | 'autoclear';

export interface FeatureName {
  readonly kind: FeatureKind;
  readonly bit: number;
  readonly name: string;
}

export type CompressionType = 'zlib' | 'zstd';

export interface Qcow2Header {
  readonly version: 2 | 3;
  readonly backingFileOffset: number;
  readonly backingFileSize: number;
  readonly clusterBits: number;
  readonly size: number;
  readonly cryptMethod: number;
  readonly l1Size: number;
  readonly l1TableOffset: number;
  readonly refcountTableOffset: number;
  readonly refcountTableClusters: number;
  readonly nbSnapshots: number;
  readonly snapshotsOffset: number;
  readonly incompatible: bigint;
  readonly compatible: bigint;
  readonly autoclear: bigint;
  readonly refcountOrder: number;
  readonly headerLength: number;
  readonly compressionType: CompressionType;
  readonly backingFile: string | null;
  readonly backingFormat: string | null;
  readonly dataFile: string | null;
  readonly featureNames: readonly FeatureName[];
  readonly hasBitmaps: boolean;
}

/** Names of the bits this implementation knows, as qemu's feature-name table spells them. */
const KNOWN_NAMES: Record<FeatureKind, readonly string[]> = {
  incompatible: ['dirty bit', 'corrupt bit', 'external data file', 'compression type', 'extended L2 entries'],
  compatible: ['lazy refcounts'],
  autoclear: ['bitmaps', 'raw external data'],
};

/** The name of a feature bit: the image's own feature-name table first, then the known names. */
export function featureName(table: readonly FeatureName[], kind: FeatureKind, bit: number): string {
  const own = table.find((f) => f.kind === kind && f.bit === bit);
  if (own && own.name.length > 0) return own.name;
  return KNOWN_NAMES[kind][bit] ?? `unknown ${kind} feature bit ${bit}`;
}

/** Every set bit of a feature bitmap, by name. */
export function featureList(table: readonly FeatureName[], kind: FeatureKind, bits: bigint): string[] {
  const out: string[] = [];
  for (let b = 0; b < 64; b++) if ((bits >> BigInt(b)) & 1n) out.push(featureName(table, kind, b));
  return out;
}

function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

function u64big(bytes: Uint8Array, at: number): bigint {
  return (BigInt(u32(bytes, at)) << 32n) | BigInt(u32(bytes, at + 4));
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * Reads and validates the header of the qcow2 image in `file`. Throws a DiskError for anything this
 * implementation cannot handle safely.
 */
export function readHeader(file: HostFile): Qcow2Header {
  const path = file.path;
  const fail = (problem: string): never => {
    throw new DiskError(`${path}: ${problem}`);
  };
  if (file.size < 72) fail(`file is too short for a qcow2 header (${file.size} bytes; truncated?)`);
  const head = new Uint8Array(Math.min(file.size, 1 << MAX_CLUSTER_BITS));
  file.readExact(0, head, 0, Math.min(head.length, 4096), 'header');
  const view = new DataView(head.buffer);
  if (view.getUint32(0) !== QCOW2_MAGIC) fail('not a qcow2 image (bad magic)');
  const version = view.getUint32(4);
  if (version === 1) fail('qcow version 1 images are not supported (convert with qemu-img convert -O qcow2)');
  if (version !== 2 && version !== 3) fail(`unsupported qcow2 version ${version}`);
  const clusterBits = view.getUint32(20);
  if (clusterBits < MIN_CLUSTER_BITS || clusterBits > MAX_CLUSTER_BITS) {
    fail(`cluster_bits ${clusterBits} is out of range (${MIN_CLUSTER_BITS} to ${MAX_CLUSTER_BITS})`);
  }
  const clusterSize = 2 ** clusterBits;
  const firstCluster = Math.min(file.size, clusterSize);
  if (firstCluster > 4096) file.readExact(4096, head, 4096, firstCluster - 4096, 'header cluster');

  let incompatible = 0n;
  let compatible = 0n;
  let autoclear = 0n;
  let refcountOrder = 4;
  let headerLength = 72;
  let compressionType: CompressionType = 'zlib';
  if (version === 3) {
    if (firstCluster < 104) fail(`file is too short for a version 3 header (${file.size} bytes; truncated?)`);
    incompatible = u64big(head, 72);
    compatible = u64big(head, 80);
    autoclear = u64big(head, 88);
    refcountOrder = view.getUint32(96);
    headerLength = view.getUint32(100);
    if (headerLength < 104 || headerLength % 8 !== 0 || headerLength > firstCluster) {
      fail(`invalid header_length ${headerLength}`);
    }
    if (headerLength > 104) {
      const t = head[104];
      if (t === 1) compressionType = 'zstd';
      else if (t !== 0) fail(`unknown compression type ${t}`);
    }
  }

  // Header extensions sit between the header and the backing file name (or the cluster end).
  const backingFileOffset = readU64(view, 8);
  const backingFileSize = view.getUint32(16);
  const extEnd = backingFileOffset !== 0 ? Math.min(backingFileOffset, firstCluster) : firstCluster;
  let backingFormat: string | null = null;
  let dataFile: string | null = null;
  let hasBitmaps = false;
  const featureNames: FeatureName[] = [];
  const seen = new Set<number>();
  for (let pos = headerLength; pos + 8 <= extEnd; ) {
    const type = u32(head, pos);
    const len = u32(head, pos + 4);
    if (type === EXT_END) break;
    if (pos + 8 + len > extEnd) fail(`header extension ${hex(type)} is longer than the space for it`);
    const data = head.subarray(pos + 8, pos + 8 + len);
    const known = type === EXT_BACKING_FORMAT || type === EXT_FEATURE_TABLE || type === EXT_BITMAPS || type === EXT_DATA_FILE;
    if (known && seen.has(type)) fail(`header extension ${hex(type)} appears twice`);
    seen.add(type);
    if (type === EXT_BACKING_FORMAT) {
      backingFormat = utf8.decode(data);
    } else if (type === EXT_FEATURE_TABLE) {
      for (let e = 0; e + 48 <= len; e += 48) {
        const kindCode = data[e];
        const kind: FeatureKind | null = kindCode === 0 ? 'incompatible' : kindCode === 1 ? 'compatible' : kindCode === 2 ? 'autoclear' : null;
        if (kind === null) continue;
        const raw = data.subarray(e + 2, e + 48);
        const nul = raw.indexOf(0);
        featureNames.push({ kind, bit: data[e + 1], name: utf8.decode(nul < 0 ? raw : raw.subarray(0, nul)) });
      }
    } else if (type === EXT_BITMAPS) {
      hasBitmaps = true;
    } else if (type === EXT_DATA_FILE) {
      dataFile = utf8.decode(data);
    }
    // EXT_CRYPTO goes with crypt_method, checked below; unknown extensions are skipped (spec).
    pos += 8 + Math.ceil(len / 8) * 8;
  }

  const cryptMethod = view.getUint32(32);
  if (cryptMethod === 1) fail('image is encrypted (AES), which is not supported');
  if (cryptMethod === 2) fail('image is encrypted (LUKS), which is not supported');
  if (cryptMethod !== 0) fail(`image uses unknown encryption method ${cryptMethod}`);
  if (seen.has(EXT_CRYPTO)) fail('image has an encryption header, which is not supported');

  const unknown = incompatible & ~INCOMPAT_KNOWN;
  if (unknown !== 0n) {
    const names = [];
    for (let b = 0; b < 64; b++) {
      if ((unknown >> BigInt(b)) & 1n) names.push(`"${featureName(featureNames, 'incompatible', b)}" (bit ${b})`);
    }
    fail(`uses unsupported incompatible feature${names.length > 1 ? 's' : ''} ${names.join(', ')}`);
  }
  if (compressionType !== 'zlib' && !(incompatible & INCOMPAT_COMPRESSION)) {
    fail('compression_type is set but the compression type feature bit is not');
  }
  if (incompatible & INCOMPAT_COMPRESSION && compressionType === 'zlib') {
    fail('the compression type feature bit is set but compression_type is zlib');
  }
  if (incompatible & INCOMPAT_EXTL2 && clusterBits < 14) {
    fail(`extended L2 entries need clusters of at least 16 KiB (cluster_bits is ${clusterBits})`);
  }
  if (incompatible & INCOMPAT_DATA_FILE && dataFile === null) {
    fail('uses an external data file but does not name it');
  }
  if (refcountOrder > 6) fail(`refcount_order ${refcountOrder} is out of range (0 to 6)`);

  const size = readU64(view, 24);
  const l2Entries = clusterSize / (incompatible & INCOMPAT_EXTL2 ? 16 : 8);
  const l1Needed = Math.ceil(size / clusterSize / l2Entries);
  if (size > 2 ** 53 || l1Needed * 8 > MAX_L1_BYTES) fail(`virtual size ${size} is too large for ${clusterSize}-byte clusters`);
  const l1Size = view.getUint32(36);
  const l1TableOffset = readU64(view, 40);
  if (l1Size * 8 > MAX_L1_BYTES) fail(`L1 table of ${l1Size} entries is larger than ${MAX_L1_BYTES} bytes`);
  if (l1Size < l1Needed) fail(`L1 table of ${l1Size} entries is too small for the virtual size ${size}`);
  if (l1Size > 0) checkTable(file, 'L1 table', l1TableOffset, l1Size * 8, clusterSize);

  const refcountTableOffset = readU64(view, 48);
  const refcountTableClusters = view.getUint32(56);
  if (refcountTableClusters === 0) fail('refcount table is empty');
  if (refcountTableClusters * clusterSize > MAX_REFTABLE_BYTES) {
    fail(`refcount table of ${refcountTableClusters} clusters is larger than ${MAX_REFTABLE_BYTES} bytes`);
  }
  checkTable(file, 'refcount table', refcountTableOffset, refcountTableClusters * clusterSize, clusterSize);

  const nbSnapshots = view.getUint32(60);
  const snapshotsOffset = readU64(view, 64);
  if (nbSnapshots > MAX_SNAPSHOTS) fail(`snapshot count ${nbSnapshots} is larger than ${MAX_SNAPSHOTS}`);
  if (nbSnapshots > 0) checkTable(file, 'snapshot table', snapshotsOffset, nbSnapshots * 40, clusterSize);

  let backingFile: string | null = null;
  if (backingFileOffset !== 0) {
    if (backingFileSize > 1023) fail(`backing file name of ${backingFileSize} bytes is longer than 1023`);
    if (backingFileOffset + backingFileSize > clusterSize) fail('backing file name does not fit in the first cluster');
    if (backingFileOffset + backingFileSize > firstCluster) fail('backing file name lies past the end of the file (truncated?)');
    backingFile = utf8.decode(head.subarray(backingFileOffset, backingFileOffset + backingFileSize));
    if (backingFile.length === 0) backingFile = null;
  }

  return {
    version: version === 2 ? 2 : 3,
    backingFileOffset,
    backingFileSize,
    clusterBits,
    size,
    cryptMethod,
    l1Size,
    l1TableOffset,
    refcountTableOffset,
    refcountTableClusters,
    nbSnapshots,
    snapshotsOffset,
    incompatible,
    compatible,
    autoclear,
    refcountOrder,
    headerLength,
    compressionType,
    backingFile,
    backingFormat,
    dataFile,
    featureNames,
    hasBitmaps,
  };
}

/** A metadata table must be cluster aligned, must not overlap the header and must lie in the file. */
export function checkTable(file: HostFile, what: string, offset: number, bytes: number, clusterSize: number): void {
  if (offset % clusterSize !== 0) throw new DiskError(`${file.path}: ${what} offset ${hex(offset)} is not cluster aligned`);
  if (offset < clusterSize) throw new DiskError(`${file.path}: ${what} at ${hex(offset)} overlaps the header`);
  if (offset + bytes > file.size) {
    throw new DiskError(`${file.path}: ${what} at ${hex(offset)} lies past the end of the file (${file.size} bytes; truncated?)`);
  }
}

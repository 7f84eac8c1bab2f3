/**
 * Writes a new, empty qcow2 version 3 image (used for overlays): header with the backing file name
 * and format and a feature-name table, one refcount table cluster, one refcount block and the L1
 * table, all counted. The file is built under a temporary name and linked into place, so a crash
 * never leaves a half-written image under the real name and an existing file is never replaced
 * (unless `replace` is set, which renames over it atomically).
 */
import { closeSync, fsyncSync, linkSync, openSync, renameSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DiskError } from '../blockDevice.js';
import type { ImageFormat } from '../diskLayer.js';
import { HostFile } from '../hostFile.js';
import { writeU64 } from './entries.js';
import { EXT_BACKING_FORMAT, EXT_FEATURE_TABLE, MAX_L1_BYTES } from './header.js';

export interface CreateQcow2Options {
  /** Virtual size in bytes. */
  readonly size: number;
  /** log2 of the cluster size (default 16: 64 KiB, qemu's default). */
  readonly clusterBits?: number;
  /** The backing file name exactly as it is to be stored (relative names resolve next to the image). */
  readonly backingFile?: string | null;
  readonly backingFormat?: ImageFormat | null;
  /** Atomically replace an existing file at `path` instead of refusing. */
  readonly replace?: boolean;
}

const FEATURES: [kind: number, bit: number, name: string][] = [
  [0, 0, 'dirty bit'],
  [0, 1, 'corrupt bit'],
  [0, 2, 'external data file'],
  [0, 3, 'compression type'],
  [0, 4, 'extended L2 entries'],
  [1, 0, 'lazy refcounts'],
  [2, 0, 'bitmaps'],
  [2, 1, 'raw external data'],
];

const utf8 = new TextEncoder();

/** The bytes of a new image's metadata (header cluster, refcount table and block, L1 table). */
export function buildQcow2(opts: CreateQcow2Options): Uint8Array {
  const bits = opts.clusterBits ?? 16;
  if (bits < 9 || bits > 21) throw new DiskError(`cluster size 2^${bits} is out of range (512 bytes to 2 MiB)`);
  const cs = 2 ** bits;
  if (!Number.isSafeInteger(opts.size) || opts.size < 0) throw new DiskError(`invalid virtual size ${opts.size}`);
  const l1Entries = Math.ceil(opts.size / cs / (cs / 8));
  if (l1Entries * 8 > MAX_L1_BYTES) throw new DiskError(`virtual size ${opts.size} is too large for ${cs}-byte clusters`);
  const l1Clusters = Math.max(1, Math.ceil((l1Entries * 8) / cs));
  const clusters = 3 + l1Clusters;
  if (clusters > cs / 2) throw new DiskError(`virtual size ${opts.size} is too large for ${cs}-byte clusters`);

  const backing = opts.backingFile ? utf8.encode(opts.backingFile) : null;
  if (backing !== null && backing.length > 1023) throw new DiskError('backing file name is longer than 1023 bytes');
  const format = backing !== null && opts.backingFormat ? utf8.encode(opts.backingFormat) : null;

  const out = new Uint8Array(clusters * cs);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x514649fb);
  v.setUint32(4, 3);
  v.setUint32(20, bits);
  writeU64(v, 24, opts.size);
  v.setUint32(36, l1Entries);
  writeU64(v, 40, 3 * cs);
  writeU64(v, 48, cs);
  v.setUint32(56, 1);
  v.setUint32(96, 4); // refcount_order: 16-bit refcounts
  v.setUint32(100, 112); // header_length, including the compression_type byte (0: zlib) and padding
  let pos = 112;
  const ext = (type: number, data: Uint8Array): void => {
    v.setUint32(pos, type);
    v.setUint32(pos + 4, data.length);
    out.set(data, pos + 8);
    pos += 8 + Math.ceil(data.length / 8) * 8;
  };
  if (format !== null) ext(EXT_BACKING_FORMAT, format);
  const table = new Uint8Array(FEATURES.length * 48);
  FEATURES.forEach(([kind, bit, name], i) => {
    table[i * 48] = kind;
    table[i * 48 + 1] = bit;
    table.set(utf8.encode(name), i * 48 + 2);
  });
  // The feature table is optional; small clusters have no room for it next to a long backing name.
  if (pos + 8 + table.length + 8 + (backing?.length ?? 0) <= cs) ext(EXT_FEATURE_TABLE, table);
  pos += 8; // end-of-extensions marker (type 0, length 0)
  if (backing !== null) {
    if (pos + backing.length > cs) throw new DiskError('backing file name does not fit in the first cluster');
    writeU64(v, 8, pos);
    v.setUint32(16, backing.length);
    out.set(backing, pos);
  }
  writeU64(v, cs, 2 * cs); // refcount table entry 0 -> the refcount block at cluster 2
  for (let c = 0; c < clusters; c++) v.setUint16(2 * cs + c * 2, 1);
  return out;
}

export function createQcow2(path: string, opts: CreateQcow2Options): void {
  const bytes = buildQcow2(opts);
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const file = HostFile.create(temp);
  try {
    file.write(0, bytes, 0, bytes.length);
    file.sync();
    file.close();
    if (opts.replace) renameSync(temp, path);
    else linkSync(temp, path);
  } catch (e) {
    if (!file.closed) file.close();
    try {
      unlinkSync(temp);
    } catch {
      // The temporary file may not exist; the original error is what matters.
    }
    if (e instanceof DiskError) throw e;
    const code = e instanceof Error ? (e as NodeJS.ErrnoException).code : undefined;
    throw new DiskError(`${path}: cannot create (${code === 'EEXIST' ? 'file exists' : e instanceof Error ? e.message : String(e)})`);
  }
  if (!opts.replace) unlinkSync(temp);
  syncFolder(dirname(path));
}

/** Makes a new directory entry durable (best effort: not every platform can open a folder). */
function syncFolder(folder: string): void {
  try {
    const fd = openSync(folder, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not supported here (e.g. Windows); the image itself is already synced.
  }
}

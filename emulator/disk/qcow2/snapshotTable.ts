/**
 * The internal snapshot table (QEMU docs/interop/qcow2.txt, "Snapshots"): variable-length entries,
 * each padded to 8 bytes, holding the snapshot's L1 table location, its id and name, the host date,
 * the guest's virtual clock and the disk size. Entries are kept as raw bytes too, so rewriting the
 * table preserves extra data this implementation does not know.
 */
import { DiskError } from '../blockDevice.js';
import { hex, type HostFile } from '../hostFile.js';
import { TWO32, readU64, writeU64 } from './entries.js';
import { MAX_L1_BYTES } from './header.js';

/** qemu refuses larger snapshot tables and extra data; so do we (bounded memory). */
const MAX_TABLE_BYTES = 64 * 1024 * 1024;
const MAX_EXTRA = 1024;

export interface SnapshotEntry {
  readonly l1TableOffset: number;
  readonly l1Size: number;
  readonly id: string;
  readonly name: string;
  readonly dateSec: number;
  readonly dateNsec: number;
  readonly vmClockNs: number;
  readonly vmStateSize: number;
  /** Virtual disk size when the snapshot was taken (from the extra data; else the image size). */
  readonly diskSize: number;
  /** Instruction count recorded by qemu's record/replay, or null. */
  readonly icount: number | null;
  /** The whole entry as stored, padding included. */
  readonly raw: Uint8Array;
}

export interface SnapshotTableGeometry {
  readonly nbSnapshots: number;
  readonly snapshotsOffset: number;
  readonly clusterSize: number;
  readonly imageSize: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
const utf8enc = new TextEncoder();

export function readSnapshotTable(file: HostFile, g: SnapshotTableGeometry): { entries: SnapshotEntry[]; byteLength: number } {
  const entries: SnapshotEntry[] = [];
  const fail = (problem: string): never => {
    throw new DiskError(`${file.path}: ${problem}`);
  };
  let pos = g.snapshotsOffset;
  const headBuf = new Uint8Array(40);
  const head = new DataView(headBuf.buffer);
  for (let i = 0; i < g.nbSnapshots; i++) {
    if (pos - g.snapshotsOffset > MAX_TABLE_BYTES) fail(`snapshot table is larger than ${MAX_TABLE_BYTES} bytes`);
    file.readExact(pos, headBuf, 0, 40, `snapshot table entry ${i}`);
    const idLen = head.getUint16(12);
    const nameLen = head.getUint16(14);
    const extraLen = head.getUint32(36);
    if (extraLen > MAX_EXTRA) fail(`snapshot table entry ${i} has ${extraLen} bytes of extra data (at most ${MAX_EXTRA})`);
    const used = 40 + extraLen + idLen + nameLen;
    const total = Math.ceil(used / 8) * 8;
    if (pos + used > file.size) fail(`snapshot table entry ${i} lies past the end of the file (truncated?)`);
    const raw = new Uint8Array(total);
    file.readExact(pos, raw, 0, Math.min(total, file.size - pos), `snapshot table entry ${i}`);
    const v = new DataView(raw.buffer);
    const l1TableOffset = readU64(v, 0);
    const l1Size = v.getUint32(8);
    if (l1Size * 8 > MAX_L1_BYTES) fail(`snapshot ${i} has an L1 table of ${l1Size} entries, more than ${MAX_L1_BYTES} bytes`);
    if (l1Size > 0) {
      if (l1TableOffset % g.clusterSize !== 0) fail(`snapshot ${i} L1 table offset ${hex(l1TableOffset)} is not cluster aligned`);
      if (l1TableOffset < g.clusterSize) fail(`snapshot ${i} L1 table at ${hex(l1TableOffset)} overlaps the header`);
      if (l1TableOffset + l1Size * 8 > file.size) fail(`snapshot ${i} L1 table at ${hex(l1TableOffset)} lies past the end of the file (truncated?)`);
    }
    let vmStateSize = v.getUint32(32);
    let diskSize = g.imageSize;
    let icount: number | null = null;
    if (extraLen >= 8) vmStateSize = readU64(v, 40);
    if (extraLen >= 16) diskSize = readU64(v, 48);
    if (extraLen >= 24 && !(v.getUint32(56) === 0xffffffff && v.getUint32(60) === 0xffffffff)) icount = readU64(v, 56);
    const idAt = 40 + extraLen;
    entries.push({
      l1TableOffset,
      l1Size,
      id: utf8.decode(raw.subarray(idAt, idAt + idLen)),
      name: utf8.decode(raw.subarray(idAt + idLen, idAt + idLen + nameLen)),
      dateSec: v.getUint32(16),
      dateNsec: v.getUint32(20),
      vmClockNs: readU64(v, 24),
      vmStateSize,
      diskSize,
      icount,
      raw,
    });
    pos += total;
  }
  return { entries, byteLength: pos - g.snapshotsOffset };
}

export interface NewSnapshot {
  readonly l1TableOffset: number;
  readonly l1Size: number;
  readonly id: string;
  readonly name: string;
  readonly dateSec: number;
  readonly dateNsec: number;
  readonly vmClockNs: number;
  readonly diskSize: number;
}

/** Encodes an entry as qemu 7.2 writes it: 24 bytes of extra data (VM state size, disk size, icount). */
export function encodeSnapshotEntry(s: NewSnapshot): Uint8Array {
  const id = utf8enc.encode(s.id);
  const name = utf8enc.encode(s.name);
  if (id.length > 0xffff || name.length > 0xffff) throw new DiskError(`snapshot name is too long (${name.length} bytes)`);
  const extra = 24;
  const raw = new Uint8Array(Math.ceil((40 + extra + id.length + name.length) / 8) * 8);
  const v = new DataView(raw.buffer);
  writeU64(v, 0, s.l1TableOffset);
  v.setUint32(8, s.l1Size);
  v.setUint16(12, id.length);
  v.setUint16(14, name.length);
  v.setUint32(16, s.dateSec);
  v.setUint32(20, s.dateNsec);
  v.setUint32(24, Math.floor(s.vmClockNs / TWO32));
  v.setUint32(28, s.vmClockNs >>> 0);
  v.setUint32(32, 0);
  v.setUint32(36, extra);
  writeU64(v, 40, 0);
  writeU64(v, 48, s.diskSize);
  v.setUint32(56, 0xffffffff);
  v.setUint32(60, 0xffffffff);
  raw.set(id, 40 + extra);
  raw.set(name, 40 + extra + id.length);
  return raw;
}

export function concatEntries(entries: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const e of entries) total += e.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const e of entries) {
    out.set(e, at);
    at += e.length;
  }
  return out;
}

/** Finds a snapshot the way qemu does: by id first, then by name. */
export function findSnapshot(entries: readonly SnapshotEntry[], idOrName: string): number {
  const byId = entries.findIndex((e) => e.id === idOrName);
  return byId >= 0 ? byId : entries.findIndex((e) => e.name === idOrName);
}

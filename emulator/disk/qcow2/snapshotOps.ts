/**
 * Internal snapshots, compatible with `qemu-img snapshot`: create, apply (revert the disk to a
 * snapshot) and delete. A snapshot is a copy of the L1 table; every L2 table and data cluster it
 * reaches gets one more reference, which is what makes later guest writes copy instead of
 * overwriting (QEMU docs/interop/qcow2.txt, "Snapshots").
 *
 * Ordering: references are added before anything points at them and removed after nothing does;
 * each step ends with a barrier, and the header switch (a single sector write) is the moment the
 * new state becomes the image's. COPIED flags are cleared before refcounts rise and set after they
 * fall, so a crash in between can only leave a flag more cautious than needed (it costs one copy on
 * the next write; `qemu-img check -r all` tidies it), never one that allows writing a shared cluster.
 */
import { COPIED, TWO32, entryOffset, writeU64 } from './entries.js';
import { HDR_L1, HDR_SNAPSHOTS } from './header.js';
import type { Qcow2Image } from './qcow2Image.js';
import type { RefcountStore } from './refcounts.js';
import { forEachReference, recomputeCopied } from './references.js';
import { concatEntries, encodeSnapshotEntry, findSnapshot, type SnapshotEntry } from './snapshotTable.js';

export interface CreateSnapshotOptions {
  /** Guest virtual clock at the snapshot, in nanoseconds (0 for a disk-only snapshot). */
  readonly vmClockNs?: number;
  /** Host date recorded in the table (default: now). It is metadata, never shown to the guest. */
  readonly date?: Date;
}

function ready(img: Qcow2Image): RefcountStore {
  if (img.readOnly) img.fail('opened read-only');
  if (img.external) img.fail('internal snapshots are not supported with an external data file');
  img.prepareWrite();
  img.settle();
  return img.refcounts!;
}

/**
 * Adds one reference to everything an L1 table reaches. Checks first that no refcount would
 * overflow (narrow refcounts run out after a few snapshots), so a refusal changes nothing.
 */
function addReferences(img: Qcow2Image, rc: RefcountStore, l1: Uint8Array): void {
  const adds = new Map<number, number>();
  forEachReference(img, l1, (c) => adds.set(c, (adds.get(c) ?? 0) + 1));
  for (const [c, n] of adds) {
    if (rc.get(c) + n > rc.maxRefcount) {
      img.fail(`refcounts would overflow (${Math.log2(rc.maxRefcount + 1)}-bit refcounts allow ${rc.maxRefcount} references per cluster)`);
    }
  }
  for (const [c, n] of adds) for (let i = 0; i < n; i++) rc.increment(c);
}

function dropReferences(img: Qcow2Image, rc: RefcountStore, l1: Uint8Array): void {
  forEachReference(img, l1, (c) => {
    if (rc.decrement(c) === 0) img.l2Cache.drop(c * img.clusterSize);
  });
  img.forgetDecompressed();
}

function freeRange(img: Qcow2Image, rc: RefcountStore, offset: number, bytes: number): void {
  if (offset === 0 || bytes === 0) return;
  const cs = img.clusterSize;
  for (let c = offset / cs; c < Math.ceil((offset + bytes) / cs); c++) rc.decrement(c);
}

/** Writes bytes into newly allocated clusters (with their refcounts on disk first); returns the offset. */
function store(img: Qcow2Image, rc: RefcountStore, bytes: Uint8Array): number {
  if (bytes.length === 0) return 0;
  const offset = rc.allocate(Math.ceil(bytes.length / img.clusterSize));
  rc.writeDirty();
  img.file.sync();
  img.file.write(offset, bytes, 0, bytes.length);
  img.file.sync();
  return offset;
}

function switchSnapshotTable(img: Qcow2Image, rc: RefcountStore, entries: readonly Uint8Array[]): void {
  const table = concatEntries(entries);
  const offset = store(img, rc, table);
  const hdr = new Uint8Array(12);
  const v = new DataView(hdr.buffer);
  v.setUint32(0, entries.length);
  writeU64(v, 4, offset);
  img.file.write(HDR_SNAPSHOTS, hdr, 0, 12);
  img.file.sync();
  const oldOffset = img.snapshotsOffset;
  const oldBytes = img.snapshotBytes;
  img.nbSnapshots = entries.length;
  img.snapshotsOffset = offset;
  img.snapshotBytes = table.length;
  freeRange(img, rc, oldOffset, oldBytes);
}

/** Clears COPIED in an L1 table and in the L2 tables it reaches (they are about to be shared). */
function clearCopied(img: Qcow2Image, l1: Uint8Array): void {
  const view = new DataView(l1.buffer, l1.byteOffset, l1.byteLength);
  for (let i = 0; i < l1.byteLength / 8; i++) {
    const hi = view.getUint32(i * 8);
    const l2 = entryOffset(hi, view.getUint32(i * 8 + 4));
    if (l2 === 0) continue;
    if (hi & COPIED) {
      view.setUint32(i * 8, (hi & ~COPIED) >>> 0);
      if (l1 === img.l1Bytes) img.markL1Dirty(i);
    }
    const t = img.l2Cache.get(l2);
    for (let at = 0; at < t.bytes.length; at += img.entryBytes) {
      const ehi = t.view.getUint32(at);
      if (ehi & COPIED) {
        t.view.setUint32(at, (ehi & ~COPIED) >>> 0);
        t.markDirty(at, at + 4);
      }
    }
  }
}

function nextId(entries: readonly SnapshotEntry[]): string {
  let max = 0;
  for (const e of entries) {
    const n = /^\d+$/.test(e.id) ? Number(e.id) : 0;
    if (n > max) max = n;
  }
  return String(max + 1);
}

export function createSnapshot(img: Qcow2Image, name: string, opts: CreateSnapshotOptions = {}): SnapshotEntry {
  if (name.length === 0) img.fail('a snapshot needs a name');
  const rc = ready(img);
  const entries = img.snapshots();
  if (entries.some((e) => e.name === name)) img.fail(`a snapshot named '${name}' already exists`);
  if (entries.length >= 65536) img.fail('too many snapshots');

  clearCopied(img, img.l1Bytes);
  img.flush();
  addReferences(img, rc, img.l1Bytes);
  const l1Offset = store(img, rc, img.l1Bytes);
  const date = opts.date ?? new Date();
  const ms = date.getTime();
  const raw = encodeSnapshotEntry({
    l1TableOffset: l1Offset,
    l1Size: img.l1Size,
    id: nextId(entries),
    name,
    dateSec: Math.floor(ms / 1000),
    dateNsec: (ms % 1000) * 1e6,
    vmClockNs: opts.vmClockNs ?? 0,
    diskSize: img.size,
  });
  switchSnapshotTable(img, rc, [...entries.map((e) => e.raw), raw]);
  if (rc.writeDirty()) img.file.sync();
  const all = img.snapshots();
  return all[all.length - 1];
}

function find(img: Qcow2Image, idOrName: string): { entries: SnapshotEntry[]; index: number } {
  const entries = img.snapshots();
  const index = findSnapshot(entries, idOrName);
  if (index < 0) img.fail(`no snapshot with id or name '${idOrName}'`);
  return { entries, index };
}

export function deleteSnapshot(img: Qcow2Image, idOrName: string): void {
  const rc = ready(img);
  const { entries, index } = find(img, idOrName);
  const sn = entries[index];
  const l1 = img.loadL1(sn.l1TableOffset, sn.l1Size, `L1 table of snapshot '${sn.name}'`);
  switchSnapshotTable(
    img,
    rc,
    entries.filter((_, i) => i !== index).map((e) => e.raw),
  );
  dropReferences(img, rc, l1);
  freeRange(img, rc, sn.l1TableOffset, sn.l1Size * 8);
  rc.writeDirty();
  img.file.sync();
  recomputeCopied(img, rc);
  img.flush();
}

export function applySnapshot(img: Qcow2Image, idOrName: string): void {
  const rc = ready(img);
  const { entries, index } = find(img, idOrName);
  const sn = entries[index];
  if (sn.diskSize !== img.size) {
    img.fail(`snapshot '${sn.name}' has a different disk size (${sn.diskSize} bytes, the disk has ${img.size}); not supported`);
  }
  const l1 = img.loadL1(sn.l1TableOffset, sn.l1Size, `L1 table of snapshot '${sn.name}'`);
  addReferences(img, rc, l1);
  rc.writeDirty();
  img.file.sync();
  // Everything the snapshot reaches is now shared with it: no COPIED flag may remain.
  clearCopied(img, l1);
  for (const t of [...img.l2Cache.dirtyTables()]) img.l2Cache.writeBack(t);
  img.file.sync();
  const l1Offset = store(img, rc, l1);
  const hdr = new Uint8Array(12);
  const v = new DataView(hdr.buffer);
  v.setUint32(0, sn.l1Size);
  v.setUint32(4, Math.floor(l1Offset / TWO32));
  v.setUint32(8, l1Offset >>> 0);
  img.file.write(HDR_L1, hdr, 0, 12);
  img.file.sync();
  const oldL1 = img.l1Bytes;
  const oldOffset = img.l1TableOffset;
  const oldSize = img.l1Size;
  img.l1Bytes = l1;
  img.l1View = new DataView(l1.buffer);
  img.l1Size = sn.l1Size;
  img.l1TableOffset = l1Offset;
  img.l1DirtyLo = img.l1DirtyHi = 0;
  img.forgetL2Set();
  dropReferences(img, rc, oldL1);
  freeRange(img, rc, oldOffset, oldSize * 8);
  rc.writeDirty();
  img.file.sync();
}


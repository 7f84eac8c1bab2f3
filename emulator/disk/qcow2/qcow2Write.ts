/**
 * Guest writes into a qcow2 image. A cluster whose refcount is exactly one (COPIED flag) is written
 * in place; anything else (unallocated, zero, compressed, or shared with a snapshot) gets a new
 * cluster filled with the cluster's current content and the new bytes, and the L2 entry moves to
 * it. L2 tables shared with a snapshot are copied the same way before they change. With extended
 * L2 entries only the touched subclusters are filled, the rest keep reading from the backing file.
 *
 * Ordering (see Qcow2Image.flush): new clusters get their refcount in memory at once and their data
 * on disk at once, the L2/L1 entries that point to them reach the disk only after the refcounts do,
 * and clusters that lost a reference are released only after that loss is on disk.
 */
import { COPIED, ClusterKind, TWO32, entryOffset } from './entries.js';
import type { CachedTable } from './metadataCache.js';
import type { Qcow2Image } from './qcow2Image.js';

export function writeGuest(img: Qcow2Image, offset: number, src: Uint8Array, srcOff: number, length: number): void {
  const cs = img.clusterSize;
  while (length > 0) {
    const gc = Math.floor(offset / cs);
    const inC = offset - gc * cs;
    const n = Math.min(length, cs - inC);
    writeCluster(img, gc, inC, src, srcOff, n);
    offset += n;
    srcOff += n;
    length -= n;
  }
}

function scratch(img: Qcow2Image): Uint8Array {
  if (img.scratch === null) img.scratch = new Uint8Array(img.clusterSize);
  return img.scratch;
}

/** Fills buf with the guest cluster's current content (zeros past the end of the disk). */
function currentContent(img: Qcow2Image, gc: number, buf: Uint8Array): void {
  const start = gc * img.clusterSize;
  const len = Math.min(img.clusterSize, img.size - start);
  img.readInto(start, buf, 0, len);
  if (len < buf.length) buf.fill(0, len);
}

function allocData(img: Qcow2Image, gc: number): number {
  // External data files map every guest cluster to the same offset and keep no refcounts.
  return img.external ? gc * img.clusterSize : img.refcounts!.allocate(1);
}

function setEntry(t: CachedTable, at: number, host: number): void {
  t.view.setUint32(at, (COPIED | Math.floor(host / TWO32)) >>> 0);
  t.view.setUint32(at + 4, host >>> 0);
  t.markDirty(at, at + 8);
}

function setBitmap(t: CachedTable, at: number, alloc: number, zero: number): void {
  t.view.setUint32(at + 8, zero >>> 0);
  t.view.setUint32(at + 12, alloc >>> 0);
  t.markDirty(at + 8, at + 16);
}

/** Queues the release of the host clusters an entry used to reference (kind/host/hi/lo as classified). */
function release(img: Qcow2Image, kind: ClusterKind, host: number, hi: number, lo: number): void {
  if (img.external) return;
  const cs = img.clusterSize;
  if (kind === ClusterKind.Compressed) {
    const off = img.compressed.offset(hi, lo);
    const len = img.compressed.length(hi, lo);
    for (let c = Math.floor(off / cs); c <= Math.floor((off + len - 1) / cs); c++) img.pendingFree.push(c);
  } else if ((kind === ClusterKind.Normal || kind === ClusterKind.ZeroAlloc) && host !== 0) {
    img.pendingFree.push(host / cs);
  }
}

/** Bits first..last (inclusive) of a 32-bit mask. */
function bitRange(first: number, last: number): number {
  const upTo = last === 31 ? 0xffffffff : (1 << (last + 1)) - 1;
  return (upTo & ~((1 << first) - 1)) >>> 0;
}

/**
 * The L2 table for an L1 index, ready to be changed: created when missing, copied when shared with
 * a snapshot (the copy's COPIED flags recomputed from the refcounts).
 */
function l2ForWrite(img: Qcow2Image, l1i: number): CachedTable {
  const v = img.l1View;
  const hi = v.getUint32(l1i * 8);
  const lo = v.getUint32(l1i * 8 + 4);
  const old = entryOffset(hi, lo);
  if (old !== 0 && hi & COPIED) return img.l2Cache.get(old);
  const rc = img.refcounts!;
  const cs = img.clusterSize;
  let bytes: Uint8Array;
  if (old === 0) {
    bytes = new Uint8Array(cs);
  } else {
    bytes = img.l2Cache.get(old).bytes.slice();
    const view = new DataView(bytes.buffer);
    for (let at = 0; at < cs; at += img.entryBytes) {
      const ehi = view.getUint32(at);
      const host = entryOffset(ehi, view.getUint32(at + 4));
      const exclusive = (ehi & 0x40000000) === 0 && host !== 0 && rc.get(host / cs) === 1;
      view.setUint32(at, exclusive ? (ehi | COPIED) >>> 0 : (ehi & ~COPIED) >>> 0);
    }
  }
  const fresh = rc.allocate(1);
  const t = img.l2Cache.create(fresh, bytes);
  if (old !== 0) img.pendingFree.push(old / cs);
  img.noteL2Change(old, fresh);
  v.setUint32(l1i * 8, (COPIED | Math.floor(fresh / TWO32)) >>> 0);
  v.setUint32(l1i * 8 + 4, fresh >>> 0);
  img.markL1Dirty(l1i);
  return t;
}

function writeCluster(img: Qcow2Image, gc: number, inC: number, src: Uint8Array, srcOff: number, n: number): void {
  const l1i = Math.floor(gc / img.l2Entries);
  const t = l2ForWrite(img, l1i);
  const at = (gc - l1i * img.l2Entries) * img.entryBytes;
  img.classify(t.view, at, gc);
  if (img.extL2) {
    writeExtended(img, gc, inC, src, srcOff, n, t, at);
    return;
  }
  const kind = img.lkKind;
  const host = img.lkHost;
  const hi = img.lkHi;
  const lo = img.lkLo;
  const exclusive = img.external || (hi & COPIED) !== 0;
  const cs = img.clusterSize;
  if (kind === ClusterKind.Normal && exclusive) {
    img.checkDataTarget(host, gc);
    img.dataFile.write(host + inC, src, srcOff, n);
    return;
  }
  const buf = scratch(img);
  if (kind === ClusterKind.ZeroAlloc && exclusive) {
    img.checkDataTarget(host, gc);
    // The preallocated cluster holds stale bytes: write all of it before dropping the zero flag.
    buf.fill(0);
    buf.set(src.subarray(srcOff, srcOff + n), inC);
    img.dataFile.write(host, buf, 0, cs);
    setEntry(t, at, host);
    return;
  }
  if (n < cs) currentContent(img, gc, buf);
  buf.set(src.subarray(srcOff, srcOff + n), inC);
  const fresh = allocData(img, gc);
  img.dataFile.write(fresh, buf, 0, cs);
  setEntry(t, at, fresh);
  release(img, kind, host, hi, lo);
}

function writeExtended(img: Qcow2Image, gc: number, inC: number, src: Uint8Array, srcOff: number, n: number, t: CachedTable, at: number): void {
  const kind = img.lkKind;
  const host = img.lkHost;
  const hi = img.lkHi;
  const lo = img.lkLo;
  const alloc = img.lkAlloc;
  const zero = img.lkZero;
  const cs = img.clusterSize;
  const scs = img.subclusterSize;
  const first = Math.floor(inC / scs);
  const last = Math.floor((inC + n - 1) / scs);
  const touched = bitRange(first, last);
  const exclusive = img.external || (hi & COPIED) !== 0;

  if (kind === ClusterKind.Compressed || (kind === ClusterKind.Normal && !exclusive)) {
    // Compressed clusters have no subclusters; a shared cluster is copied whole.
    const buf = scratch(img);
    if (kind === ClusterKind.Compressed) buf.set(img.compressedData(gc));
    else currentContent(img, gc, buf);
    buf.set(src.subarray(srcOff, srcOff + n), inC);
    const fresh = allocData(img, gc);
    img.dataFile.write(fresh, buf, 0, cs);
    setEntry(t, at, fresh);
    if (kind === ClusterKind.Compressed) setBitmap(t, at, 0xffffffff, 0);
    else setBitmap(t, at, alloc | touched, zero & ~touched);
    release(img, kind, host, hi, lo);
    return;
  }

  if (kind === ClusterKind.Normal) img.checkDataTarget(host, gc);
  const target = kind === ClusterKind.Normal ? host : allocData(img, gc);
  const end = inC + n;
  for (let sc = first; sc <= last; sc++) {
    const scStart = sc * scs;
    const a = Math.max(inC, scStart);
    const b = Math.min(end, scStart + scs);
    const allocated = target === host && kind === ClusterKind.Normal && ((alloc >>> sc) & 1) === 1;
    if (allocated || (a === scStart && b === scStart + scs)) {
      img.dataFile.write(target + a, src, srcOff + (a - inC), b - a);
      continue;
    }
    // Part of a subcluster that reads from the backing file or as zeros: fill the rest first.
    const buf = scratch(img);
    const guest = gc * cs + scStart;
    const len = Math.min(scs, img.size - guest);
    img.readInto(guest, buf, 0, len);
    if (len < scs) buf.fill(0, len, scs);
    buf.set(src.subarray(srcOff + (a - inC), srcOff + (b - inC)), a - scStart);
    img.dataFile.write(target + scStart, buf, 0, scs);
  }
  const newAlloc = (alloc | touched) >>> 0;
  const newZero = (zero & ~touched) >>> 0;
  if (target !== host || kind !== ClusterKind.Normal) setEntry(t, at, target);
  if (newAlloc !== alloc >>> 0 || newZero !== zero >>> 0) setBitmap(t, at, newAlloc, newZero);
}

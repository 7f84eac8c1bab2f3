/**
 * Walks over what the metadata references: every host cluster an L1 table reaches (L2 tables, data
 * clusters, the clusters a compressed cluster's bytes span, counted the way qemu-img check counts
 * them), and the COPIED flags that must follow from the refcounts.
 */
import { COPIED, ClusterKind, entryOffset } from './entries.js';
import type { Qcow2Image } from './qcow2Image.js';
import type { RefcountStore } from './refcounts.js';

/** Calls `visit` for every host cluster an L1 table references: L2 tables, data, compressed spans. */
export function forEachReference(img: Qcow2Image, l1: Uint8Array, visit: (cluster: number) => void): void {
  const cs = img.clusterSize;
  const view = new DataView(l1.buffer, l1.byteOffset, l1.byteLength);
  for (let i = 0; i < l1.byteLength / 8; i++) {
    const l2 = entryOffset(view.getUint32(i * 8), view.getUint32(i * 8 + 4));
    if (l2 === 0) continue;
    const t = img.l2Cache.get(l2);
    const entries: number[] = [];
    for (let j = 0; j < img.l2Entries; j++) {
      img.classify(t.view, j * img.entryBytes, i * img.l2Entries + j);
      const k = img.lkKind;
      if (k === ClusterKind.Compressed) {
        const off = img.compressed.offset(img.lkHi, img.lkLo);
        const len = img.compressed.length(img.lkHi, img.lkLo);
        for (let c = Math.floor(off / cs); c <= Math.floor((off + len - 1) / cs); c++) entries.push(c);
      } else if ((k === ClusterKind.Normal || k === ClusterKind.ZeroAlloc) && !img.external) {
        // Clusters in an external data file are not refcounted.
        entries.push(img.lkHost / cs);
      }
    }
    for (const c of entries) visit(c);
    visit(l2 / cs);
  }
}

/** Sets or clears COPIED on every entry of the active tables from the current refcounts. */
export function recomputeCopied(img: Qcow2Image, rc: RefcountStore): void {
  const cs = img.clusterSize;
  const v = img.l1View;
  for (let i = 0; i < img.l1Size; i++) {
    const hi = v.getUint32(i * 8);
    const l2 = entryOffset(hi, v.getUint32(i * 8 + 4));
    if (l2 === 0) continue;
    const exclusive = rc.get(l2 / cs) === 1;
    const want = exclusive ? (hi | COPIED) >>> 0 : (hi & ~COPIED) >>> 0;
    if (want !== hi) {
      v.setUint32(i * 8, want);
      img.markL1Dirty(i);
    }
    if (!exclusive) continue;
    const t = img.l2Cache.get(l2);
    for (let j = 0; j < img.l2Entries; j++) {
      const at = j * img.entryBytes;
      img.classify(t.view, at, i * img.l2Entries + j);
      const k = img.lkKind;
      if (k !== ClusterKind.Normal && k !== ClusterKind.ZeroAlloc) continue;
      const ehi = img.lkHi;
      // External data clusters have an implicit refcount of one.
      const exclusiveData = img.external || rc.get(img.lkHost / cs) === 1;
      const e = exclusiveData ? (ehi | COPIED) >>> 0 : (ehi & ~COPIED) >>> 0;
      if (e !== ehi) {
        t.view.setUint32(at, e);
        t.markDirty(at, at + 4);
      }
    }
  }
}

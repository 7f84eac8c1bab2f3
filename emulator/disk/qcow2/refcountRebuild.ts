/**
 * Repairs the refcounts of an image whose dirty bit is set (qemu leaves it set when it dies while
 * using lazy refcounts, so the refcounts on disk may be too low). Every cluster the metadata
 * references is counted again, a complete new refcount table with its blocks is written past the
 * end of the file, and the header switches to it in one write; COPIED flags are then recomputed
 * and only at the very end is the dirty bit cleared. Until the switch the old refcounts and the
 * dirty bit stay in force, so a crash during the repair only means repairing again; the old
 * refcount structures end up unreferenced (free space).
 */
import { hex } from '../hostFile.js';
import { writeU64 } from './entries.js';
import { HDR_INCOMPAT, HDR_REFTABLE, INCOMPAT_DIRTY, MAX_REFTABLE_BYTES } from './header.js';
import type { Qcow2Image } from './qcow2Image.js';
import { putRefcount } from './refcounts.js';
import { forEachReference, recomputeCopied } from './references.js';

/** Counting needs 4 bytes per host cluster in memory; beyond this the repair is left to qemu-img. */
const MAX_CLUSTERS = 1 << 25;

export function rebuildRefcounts(img: Qcow2Image): void {
  const repair = "repair it with 'qemu-img check -r all' before writing";
  if (img.header.hasBitmaps) img.fail(`was not closed cleanly (dirty bit set) and has persistent bitmaps; ${repair}`);
  const cs = img.clusterSize;
  const order = img.header.refcountOrder;
  const fileClusters = Math.ceil(img.file.size / cs);
  if (fileClusters > MAX_CLUSTERS) img.fail(`was not closed cleanly (dirty bit set) and is too large to recount here; ${repair}`);

  const counts = new Uint32Array(fileClusters);
  const count = (c: number): void => {
    if (c >= fileClusters) img.fail(`metadata references ${hex(c * cs)}, past the end of the file`);
    counts[c]++;
  };
  const span = (offset: number, bytes: number): void => {
    if (bytes === 0) return;
    for (let c = Math.floor(offset / cs); c < Math.ceil((offset + bytes) / cs); c++) count(c);
  };
  count(0); // the header
  span(img.l1TableOffset, img.l1Size * 8);
  forEachReference(img, img.l1Bytes, count);
  const snapshots = img.snapshots();
  if (snapshots.length > 0) span(img.snapshotsOffset, img.snapshotTableBytes());
  for (const s of snapshots) {
    span(s.l1TableOffset, s.l1Size * 8);
    forEachReference(img, img.loadL1(s.l1TableOffset, s.l1Size, `L1 table of snapshot '${s.name}'`), count);
  }

  const perBlock = (cs * 8) >> order;
  const max = order === 6 ? Number.MAX_SAFE_INTEGER : 2 ** (1 << order) - 1;
  for (let c = 0; c < fileClusters; c++) {
    if (counts[c] > max) img.fail(`the cluster at ${hex(c * cs)} has ${counts[c]} references, more than ${1 << order}-bit refcounts hold`);
  }

  // New blocks cover every cluster up to the end of the new structure, which sits past the file.
  const start = fileClusters;
  let blocks = 0;
  let tableClusters = 1;
  for (;;) {
    const end = start + blocks + tableClusters;
    const needBlocks = Math.ceil(end / perBlock);
    const needTable = Math.max(1, Math.ceil((needBlocks * 8) / cs));
    if (needBlocks === blocks && needTable === tableClusters) break;
    blocks = needBlocks;
    tableClusters = needTable;
  }
  if (tableClusters * cs > MAX_REFTABLE_BYTES) img.fail(`would need a refcount table larger than ${MAX_REFTABLE_BYTES} bytes`);
  const end = start + blocks + tableClusters;
  const table = new Uint8Array(tableClusters * cs);
  const tableView = new DataView(table.buffer);
  const block = new Uint8Array(cs);
  const blockView = new DataView(block.buffer);
  for (let k = 0; k < blocks; k++) {
    block.fill(0);
    for (let i = 0; i < perBlock; i++) {
      const c = k * perBlock + i;
      const v = c < fileClusters ? counts[c] : c < end ? 1 : 0;
      if (v !== 0) putRefcount(block, blockView, order, i, v);
    }
    img.file.write((start + k) * cs, block, 0, cs);
    writeU64(tableView, k * 8, (start + k) * cs);
  }
  const tableOffset = (start + blocks) * cs;
  img.file.write(tableOffset, table, 0, table.length);
  img.file.sync();

  const hdr = new Uint8Array(12);
  const hv = new DataView(hdr.buffer);
  writeU64(hv, 0, tableOffset);
  hv.setUint32(8, tableClusters);
  img.file.write(HDR_REFTABLE, hdr, 0, 12);
  img.file.sync();

  const rc = img.openRefcounts({ offset: tableOffset, clusters: tableClusters });
  recomputeCopied(img, rc);
  img.flush();

  img.incompatible &= ~INCOMPAT_DIRTY;
  const inc = new Uint8Array(8);
  const iv = new DataView(inc.buffer);
  iv.setUint32(0, Number(img.incompatible >> 32n));
  iv.setUint32(4, Number(img.incompatible & 0xffffffffn));
  img.file.write(HDR_INCOMPAT, inc, 0, 8);
  img.file.sync();
}

/**
 * Host cluster reference counts (QEMU docs/interop/qcow2.txt, "Host cluster management"): a
 * contiguous refcount table of block offsets, and one-cluster refcount blocks of 1- to 64-bit
 * entries. Sub-byte entries are packed least significant bits first (entry i of a 1-bit block is
 * bit i % 8 of byte i / 8), as qemu writes them.
 *
 * Crash safety: a refcount is raised on disk before anything refers to the cluster, and lowered
 * only after the last reference left the disk, so a crash leaves at worst leaked clusters. New
 * refcount blocks and a grown refcount table are written completely before the pointer that makes
 * them live (a table entry, the header) is written.
 */
import { DiskError } from '../blockDevice.js';
import { hex, type HostFile } from '../hostFile.js';
import { readU64, reftableOffset, writeU64 } from './entries.js';
import { HDR_REFTABLE, MAX_REFTABLE_BYTES } from './header.js';
import { MetadataCache, type CachedTable } from './metadataCache.js';

export interface RefcountGeometry {
  readonly clusterBits: number;
  readonly refcountOrder: number;
  readonly tableOffset: number;
  readonly tableClusters: number;
}

export class RefcountStore {
  readonly clusterSize: number;
  /** Refcount entries per block. */
  readonly perBlock: number;
  readonly maxRefcount: number;
  tableOffset: number;
  tableClusters: number;
  /** Block offsets by table index (0: no block yet). */
  private table: Float64Array;
  /** The same offsets as a set, to tell quickly whether a cluster is a refcount block. */
  private readonly blocks = new Set<number>();
  private readonly cache: MetadataCache;
  private readonly order: number;
  /** No free cluster exists below this index. */
  private freeHint = 0;
  /** Clusters the allocator must never hand out although their refcount reads 0 (see guard). */
  private guard: ((cluster: number) => string | null) | null = null;

  constructor(
    private readonly file: HostFile,
    geometry: RefcountGeometry,
  ) {
    this.clusterSize = 2 ** geometry.clusterBits;
    this.order = geometry.refcountOrder;
    this.perBlock = (this.clusterSize * 8) >> this.order;
    this.maxRefcount = this.order === 6 ? Number.MAX_SAFE_INTEGER : 2 ** (1 << this.order) - 1;
    this.tableOffset = geometry.tableOffset;
    this.tableClusters = geometry.tableClusters;
    const capacity = Math.max(8, Math.floor((4 * 1024 * 1024) / this.clusterSize));
    this.cache = new MetadataCache(file, this.clusterSize, capacity, 'refcount block', (t) => this.cache.writeBack(t));
    this.table = this.loadTable();
    for (const off of this.table) if (off !== 0) this.blocks.add(off);
  }

  private loadTable(): Float64Array {
    const bytes = new Uint8Array(this.tableClusters * this.clusterSize);
    this.file.readExact(this.tableOffset, bytes, 0, bytes.length, 'refcount table');
    const view = new DataView(bytes.buffer);
    const table = new Float64Array(bytes.length / 8);
    for (let i = 0; i < table.length; i++) {
      const hi = view.getUint32(i * 8);
      const lo = view.getUint32(i * 8 + 4);
      if ((lo & 0x1ff) !== 0) throw new DiskError(`${this.file.path}: refcount table entry ${i} has reserved bits set`);
      if (hi >= 0x200000) throw new DiskError(`${this.file.path}: refcount table entry ${i} points beyond 2^53`);
      const off = reftableOffset(hi, lo);
      if (off !== 0) {
        if (off % this.clusterSize !== 0) throw new DiskError(`${this.file.path}: refcount block ${i} at ${hex(off)} is not cluster aligned`);
        if (off < this.clusterSize) throw new DiskError(`${this.file.path}: refcount block ${i} at ${hex(off)} overlaps the header`);
        if (off + this.clusterSize > this.file.size) {
          throw new DiskError(`${this.file.path}: refcount block ${i} at ${hex(off)} lies past the end of the file (truncated?)`);
        }
      }
      table[i] = off;
    }
    return table;
  }

  /**
   * Registers a check that names a cluster the allocator must not use (metadata whose refcount is
   * wrongly 0): allocating it would overwrite live data, so the write is refused instead.
   */
  setGuard(guard: (cluster: number) => string | null): void {
    this.guard = guard;
  }

  get tableEntries(): number {
    return this.table.length;
  }

  /** Offset of the refcount block for table index i (0 when absent). */
  blockOffset(i: number): number {
    return i < this.table.length ? this.table[i] : 0;
  }

  get(cluster: number): number {
    const ti = Math.floor(cluster / this.perBlock);
    if (ti >= this.table.length) return 0;
    const off = this.table[ti];
    if (off === 0) return 0;
    return this.readEntry(this.cache.get(off), cluster - ti * this.perBlock);
  }

  private readEntry(t: CachedTable, i: number): number {
    return getRefcount(t.bytes, t.view, this.order, i);
  }

  private writeEntry(t: CachedTable, i: number, v: number): void {
    const at = putRefcount(t.bytes, t.view, this.order, i, v);
    t.markDirty(at, at + Math.max(1, (1 << this.order) >> 3));
  }

  private set(cluster: number, v: number): void {
    const ti = Math.floor(cluster / this.perBlock);
    const off = ti < this.table.length ? this.table[ti] : 0;
    if (off === 0) throw new DiskError(`${this.file.path}: no refcount block covers cluster at ${hex(cluster * this.clusterSize)}`);
    this.writeEntry(this.cache.get(off), cluster - ti * this.perBlock, v);
  }

  /** Adds one reference to a cluster that is in use (snapshots share clusters this way). */
  increment(cluster: number): void {
    const v = this.get(cluster);
    if (v >= this.maxRefcount) {
      throw new DiskError(
        `${this.file.path}: refcount of the cluster at ${hex(cluster * this.clusterSize)} would overflow ${1 << this.order}-bit refcounts`,
      );
    }
    if (v === 0) throw new DiskError(`${this.file.path}: cluster at ${hex(cluster * this.clusterSize)} is referenced but has refcount 0`);
    this.set(cluster, v + 1);
  }

  /** Drops one reference; a cluster reaching 0 becomes free for the allocator. Returns the new count. */
  decrement(cluster: number): number {
    const v = this.get(cluster);
    if (v === 0) throw new DiskError(`${this.file.path}: refcount of the cluster at ${hex(cluster * this.clusterSize)} would drop below 0`);
    this.set(cluster, v - 1);
    if (v === 1 && cluster < this.freeHint) this.freeHint = cluster;
    return v - 1;
  }

  /** Allocates `count` contiguous free clusters (refcount set to 1) and returns the host offset. */
  allocate(count: number): number {
    for (;;) {
      let start = this.freeHint;
      let run = 0;
      for (let c = this.freeHint; run < count; c++) {
        if (c === 0 || this.get(c) !== 0) {
          run = 0;
          if (c === this.freeHint) this.freeHint = c + 1;
          continue;
        }
        if (run === 0) start = c;
        run++;
      }
      if (!this.ensureBlocks(start, count)) continue;
      for (let c = start; c < start + count; c++) {
        const why = this.guard?.(c) ?? null;
        if (why !== null) {
          throw new DiskError(
            `${this.file.path}: refcounts are inconsistent (${why} at ${hex(c * this.clusterSize)} has refcount 0); repair with 'qemu-img check -r all'`,
          );
        }
      }
      for (let c = start; c < start + count; c++) this.set(c, 1);
      if (start === this.freeHint) this.freeHint = start + count;
      return start * this.clusterSize;
    }
  }

  /** Makes sure refcount blocks cover [start, start + count); false when it had to add some. */
  private ensureBlocks(start: number, count: number): boolean {
    const first = Math.floor(start / this.perBlock);
    const last = Math.floor((start + count - 1) / this.perBlock);
    for (let ti = first; ti <= last; ti++) {
      if (ti >= this.table.length) {
        this.growTable(last + 1);
        return false;
      }
      if (this.table[ti] === 0) {
        this.createBlock(ti);
        return false;
      }
    }
    return true;
  }

  /**
   * Adds the refcount block for table index `ti`. None of the clusters it covers is in use (they
   * all count 0 without it), so the block goes into the first of them and counts itself.
   */
  private createBlock(ti: number): void {
    if (ti === 0) throw new DiskError(`${this.file.path}: the refcount table has no block for the header cluster`);
    const cluster = ti * this.perBlock;
    const offset = cluster * this.clusterSize;
    const bytes = new Uint8Array(this.clusterSize);
    const t = this.cache.adopt(offset, bytes);
    this.writeEntry(t, 0, 1);
    // The whole cluster: stale bytes from an earlier crashed run may lie there.
    t.markDirty(0, this.clusterSize);
    this.cache.writeBack(t);
    this.file.sync();
    this.table[ti] = offset;
    this.blocks.add(offset);
    const entry = new Uint8Array(8);
    writeU64(new DataView(entry.buffer), 0, offset);
    this.file.write(this.tableOffset + ti * 8, entry, 0, 8);
  }

  /**
   * Moves the refcount table to a bigger one at the end of the file, together with the new blocks
   * that count the new table and themselves. The header switches to it in one 12-byte write.
   */
  private growTable(minEntries: number): void {
    const cs = this.clusterSize;
    const oldEntries = this.table.length;
    const start = Math.max(oldEntries * this.perBlock, Math.ceil(this.file.size / cs));
    let entries = Math.max(minEntries, Math.ceil(oldEntries * 1.5));
    let blocks = 0;
    let tableClusters = 0;
    for (;;) {
      tableClusters = Math.ceil((entries * 8) / cs);
      const end = start + blocks + tableClusters;
      const firstIdx = Math.floor(start / this.perBlock);
      const lastIdx = Math.floor((end - 1) / this.perBlock);
      const needBlocks = lastIdx - firstIdx + 1;
      if (needBlocks === blocks && entries >= lastIdx + 1) break;
      blocks = needBlocks;
      entries = Math.max(entries, lastIdx + 1);
    }
    entries = (tableClusters * cs) / 8;
    if (tableClusters * cs > MAX_REFTABLE_BYTES) {
      throw new DiskError(`${this.file.path}: the image would need a refcount table larger than ${MAX_REFTABLE_BYTES} bytes`);
    }
    const end = start + blocks + tableClusters;
    const firstIdx = Math.floor(start / this.perBlock);
    const table = new Float64Array(entries);
    table.set(this.table);
    for (let k = 0; k < blocks; k++) {
      const ti = firstIdx + k;
      const offset = (start + k) * cs;
      const t = this.cache.adopt(offset, new Uint8Array(cs));
      const lo = Math.max(start, ti * this.perBlock);
      const hi = Math.min(end, (ti + 1) * this.perBlock);
      for (let c = lo; c < hi; c++) this.writeEntry(t, c - ti * this.perBlock, 1);
      t.dirtyLo = 0;
      t.dirtyHi = cs;
      this.cache.writeBack(t);
      table[ti] = offset;
      this.blocks.add(offset);
    }
    const tableOffset = (start + blocks) * cs;
    const bytes = new Uint8Array(tableClusters * cs);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < entries; i++) if (table[i] !== 0) writeU64(view, i * 8, table[i]);
    this.file.write(tableOffset, bytes, 0, bytes.length);
    this.file.sync();
    const hdr = new Uint8Array(12);
    const hv = new DataView(hdr.buffer);
    writeU64(hv, 0, tableOffset);
    hv.setUint32(8, tableClusters);
    this.file.write(HDR_REFTABLE, hdr, 0, 12);
    this.file.sync();
    const oldOffset = this.tableOffset;
    const oldClusters = this.tableClusters;
    this.table = table;
    this.tableOffset = tableOffset;
    this.tableClusters = tableClusters;
    // Nothing refers to the old table any more: its clusters can be released at once.
    for (let c = 0; c < oldClusters; c++) this.decrement(oldOffset / cs + c);
  }

  /** True when some refcount change is not on disk yet. */
  get dirty(): boolean {
    return this.cache.hasDirty;
  }

  /** Writes every changed refcount block. Returns whether anything was written. */
  writeDirty(): boolean {
    let any = false;
    for (const t of [...this.cache.dirtyTables()]) {
      this.cache.writeBack(t);
      any = true;
    }
    return any;
  }

  /** True when the cluster at `offset` is a refcount block or part of the refcount table. */
  isMetadata(offset: number): boolean {
    return this.blocks.has(offset) || (offset >= this.tableOffset && offset < this.tableOffset + this.tableClusters * this.clusterSize);
  }
}

/** Entry i of a refcount block with 2^order-bit entries. */
export function getRefcount(bytes: Uint8Array, view: DataView, order: number, i: number): number {
  switch (order) {
    case 0:
      return (bytes[i >> 3] >> (i & 7)) & 1;
    case 1:
      return (bytes[i >> 2] >> ((i & 3) << 1)) & 3;
    case 2:
      return (bytes[i >> 1] >> ((i & 1) << 2)) & 15;
    case 3:
      return bytes[i];
    case 4:
      return view.getUint16(i * 2);
    case 5:
      return view.getUint32(i * 4);
    default: {
      const hi = view.getUint32(i * 8);
      return hi >= 0x200000 ? Number.MAX_SAFE_INTEGER : readU64(view, i * 8);
    }
  }
}

/** Sets entry i of a refcount block; returns the byte offset that changed. */
export function putRefcount(bytes: Uint8Array, view: DataView, order: number, i: number, v: number): number {
  let at: number;
  switch (order) {
    case 0:
      at = i >> 3;
      bytes[at] = (bytes[at] & ~(1 << (i & 7))) | (v << (i & 7));
      break;
    case 1:
      at = i >> 2;
      bytes[at] = (bytes[at] & ~(3 << ((i & 3) << 1))) | (v << ((i & 3) << 1));
      break;
    case 2:
      at = i >> 1;
      bytes[at] = (bytes[at] & ~(15 << ((i & 1) << 2))) | (v << ((i & 1) << 2));
      break;
    case 3:
      at = i;
      bytes[at] = v;
      break;
    case 4:
      at = i * 2;
      view.setUint16(at, v);
      break;
    case 5:
      at = i * 4;
      view.setUint32(at, v);
      break;
    default:
      at = i * 8;
      writeU64(view, at, v);
  }
  return at;
}

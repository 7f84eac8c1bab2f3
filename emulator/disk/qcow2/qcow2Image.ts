/**
 * A qcow2 image (versions 2 and 3) as a block device: the L1/L2 mapping from guest clusters to host
 * clusters, zero and compressed clusters, extended L2 entries with 32 subclusters, a backing image
 * for whatever this image does not hold, and an external data file. Reads coalesce runs of
 * contiguous host clusters into one syscall and keep no per-call allocations on the plain-data path.
 *
 * Writing lives in qcow2Write.ts; this file owns the metadata state and the order in which changed
 * metadata reaches the disk (see flush()).
 */
import { DiskError } from '../blockDevice.js';
import { checkRange, readBacking, type DiskLayer } from '../diskLayer.js';
import { hex, type HostFile } from '../hostFile.js';
import { BrokenStreamError, decompressCluster } from './compression.js';
import {
  COMPRESSED,
  COPIED,
  ClusterKind,
  CompressedLayout,
  entryOffset,
  l1Reserved,
  l2StandardReserved,
  writeU64,
} from './entries.js';
import {
  AUTOCLEAR_DATA_FILE_RAW,
  HDR_AUTOCLEAR,
  INCOMPAT_CORRUPT,
  INCOMPAT_DATA_FILE,
  INCOMPAT_DIRTY,
  INCOMPAT_EXTL2,
  type Qcow2Header,
} from './header.js';
import { MetadataCache, type CachedTable } from './metadataCache.js';
import { RefcountStore } from './refcounts.js';
import { rebuildRefcounts } from './refcountRebuild.js';
import { readSnapshotTable, type SnapshotEntry } from './snapshotTable.js';
import { writeGuest } from './qcow2Write.js';

/** Bytes of L2 tables kept in memory per image. */
const L2_CACHE_BYTES = 16 * 1024 * 1024;
/** Bytes of decompressed clusters kept (guests read compressed clusters a sector at a time). */
const COMPRESSED_CACHE_BYTES = 4 * 1024 * 1024;

export interface Qcow2Parts {
  readonly file: HostFile;
  readonly header: Qcow2Header;
  readonly backing: DiskLayer | null;
  /** The external data file, when the image has one. */
  readonly dataFile: HostFile | null;
  readonly readOnly: boolean;
}

export class Qcow2Image implements DiskLayer {
  readonly format = 'qcow2' as const;
  readonly file: HostFile;
  readonly header: Qcow2Header;
  readonly backing: DiskLayer | null;
  /** Where guest data lives: the image file itself or the external data file. */
  readonly dataFile: HostFile;
  readonly external: boolean;
  readonly readOnly: boolean;
  size: number;

  readonly clusterBits: number;
  readonly clusterSize: number;
  readonly extL2: boolean;
  /** Bytes per L2 entry (8, or 16 with extended L2 entries). */
  readonly entryBytes: number;
  readonly l2Entries: number;
  readonly subclusterSize: number;
  readonly compressed: CompressedLayout;

  l1Size: number;
  l1TableOffset: number;
  l1Bytes: Uint8Array;
  l1View: DataView;
  l1DirtyLo = 0;
  l1DirtyHi = 0;
  readonly l2Cache: MetadataCache;
  refcounts: RefcountStore | null = null;
  /** Clusters whose last reference was removed in memory; freed once that removal is on disk. */
  pendingFree: number[] = [];
  incompatible: bigint;
  autoclear: bigint;
  nbSnapshots: number;
  snapshotsOffset: number;
  /** Length of the snapshot table in bytes (known once refcounts are open). */
  snapshotBytes = 0;
  /** Name of the snapshot this read-only view shows, or null for the active state. */
  snapshotView: string | null = null;
  private writeReady = false;
  private closed = false;
  /** Offsets of the active L2 tables, built on first need (see activeL2). */
  private l2Set: Set<number> | null = null;
  private readonly decompressed = new Map<number, Uint8Array>();
  private readonly decompressedMax: number;
  /** Reused for cluster-sized copy-on-write buffers. */
  scratch: Uint8Array | null = null;

  // Result of lookup()/classify(), kept in fields so the read path allocates nothing.
  lkKind: ClusterKind = ClusterKind.Unallocated;
  lkHost = 0;
  lkHi = 0;
  lkLo = 0;
  lkAlloc = 0;
  lkZero = 0;

  // Pending coalesced reads (host data and backing), flushed when a run breaks.
  private runHost = 0;
  private runBuf = 0;
  private runLen = 0;
  private bkOff = 0;
  private bkBuf = 0;
  private bkLen = 0;

  constructor(parts: Qcow2Parts) {
    const h = parts.header;
    this.file = parts.file;
    this.header = h;
    this.backing = parts.backing;
    this.dataFile = parts.dataFile ?? parts.file;
    this.external = (h.incompatible & INCOMPAT_DATA_FILE) !== 0n;
    this.readOnly = parts.readOnly;
    this.size = h.size;
    this.clusterBits = h.clusterBits;
    this.clusterSize = 2 ** h.clusterBits;
    this.extL2 = (h.incompatible & INCOMPAT_EXTL2) !== 0n;
    this.entryBytes = this.extL2 ? 16 : 8;
    this.l2Entries = this.clusterSize / this.entryBytes;
    this.subclusterSize = this.clusterSize / 32;
    this.compressed = new CompressedLayout(h.clusterBits);
    this.incompatible = h.incompatible;
    this.autoclear = h.autoclear;
    this.nbSnapshots = h.nbSnapshots;
    this.snapshotsOffset = h.snapshotsOffset;
    this.l1Size = h.l1Size;
    this.l1TableOffset = h.l1TableOffset;
    this.l1Bytes = this.loadL1(h.l1TableOffset, h.l1Size, 'L1 table');
    this.l1View = new DataView(this.l1Bytes.buffer);
    const l2Tables = Math.max(16, Math.floor(L2_CACHE_BYTES / this.clusterSize));
    this.l2Cache = new MetadataCache(this.file, this.clusterSize, l2Tables, 'L2 table', (t) => this.evictL2(t));
    this.decompressedMax = Math.max(4, Math.floor(COMPRESSED_CACHE_BYTES / this.clusterSize));
  }

  get path(): string {
    return this.file.path;
  }

  fail(problem: string): never {
    throw new DiskError(`${this.file.path}: ${problem}`);
  }

  /** Reads an L1 table and checks every entry (reserved bits, alignment, inside the file). */
  loadL1(offset: number, entries: number, what: string): Uint8Array {
    const bytes = new Uint8Array(entries * 8);
    if (entries === 0) return bytes;
    this.file.readExact(offset, bytes, 0, bytes.length, what);
    const view = new DataView(bytes.buffer);
    // Each L2 table may appear once: duplicates would let a small file demand unbounded work.
    const seen = new Map<number, number>();
    for (let i = 0; i < entries; i++) {
      const hi = view.getUint32(i * 8);
      const lo = view.getUint32(i * 8 + 4);
      if (l1Reserved(hi, lo)) this.fail(`${what} entry ${i} has reserved bits set (${hex(hi * 2 ** 32 + lo)})`);
      const l2 = entryOffset(hi, lo);
      if (l2 === 0) continue;
      const earlier = seen.get(l2);
      if (earlier !== undefined) this.fail(`${what} entries ${earlier} and ${i} point to the same L2 table at ${hex(l2)}`);
      seen.set(l2, i);
      if (l2 % this.clusterSize !== 0) this.fail(`${what} entry ${i} points to an unaligned L2 table at ${hex(l2)}`);
      if (l2 + this.clusterSize > this.file.size) {
        this.fail(`${what} entry ${i} points to an L2 table at ${hex(l2)}, past the end of the file (truncated?)`);
      }
    }
    return bytes;
  }

  /** The snapshots stored in this image. */
  snapshots(): SnapshotEntry[] {
    if (this.nbSnapshots === 0) return [];
    return readSnapshotTable(this.file, {
      nbSnapshots: this.nbSnapshots,
      snapshotsOffset: this.snapshotsOffset,
      clusterSize: this.clusterSize,
      imageSize: this.size,
    }).entries;
  }

  /** Turns this (read-only) image into a view of one of its snapshots. */
  showSnapshot(s: SnapshotEntry): void {
    if (!this.readOnly) this.fail('a snapshot can only be shown read-only');
    this.l1Bytes = this.loadL1(s.l1TableOffset, s.l1Size, `L1 table of snapshot '${s.name}'`);
    this.l1View = new DataView(this.l1Bytes.buffer);
    this.l1Size = s.l1Size;
    this.l1TableOffset = s.l1TableOffset;
    this.size = s.diskSize;
    this.snapshotView = s.name;
  }

  // ---- mapping ------------------------------------------------------------------------------

  /** L2 table offset for an L1 index (0: none). */
  l2OffsetAt(l1Index: number): number {
    if (l1Index >= this.l1Size) return 0;
    return entryOffset(this.l1View.getUint32(l1Index * 8), this.l1View.getUint32(l1Index * 8 + 4));
  }

  /** Finds how guest cluster `gc` is stored; the answer is left in the lk* fields. */
  lookup(gc: number): void {
    const l1i = Math.floor(gc / this.l2Entries);
    const l2 = this.l2OffsetAt(l1i);
    if (l2 === 0) {
      this.lkKind = ClusterKind.Unallocated;
      this.lkHost = 0;
      this.lkAlloc = 0;
      this.lkZero = 0;
      return;
    }
    this.classify(this.l2Cache.get(l2).view, (gc - l1i * this.l2Entries) * this.entryBytes, gc);
  }

  /** Decodes and checks the L2 entry at byte `at` of a table, for guest cluster `gc`. */
  classify(view: DataView, at: number, gc: number): void {
    const hi = view.getUint32(at);
    const lo = view.getUint32(at + 4);
    this.lkHi = hi;
    this.lkLo = lo;
    this.lkAlloc = 0;
    this.lkZero = 0;
    if (hi & COMPRESSED) {
      if (this.external) this.badEntry(gc, 'is compressed, which external data files do not allow');
      if (this.extL2 && (view.getUint32(at + 8) | view.getUint32(at + 12)) !== 0) {
        this.badEntry(gc, 'is compressed but has a subcluster bitmap (reserved bits set)');
      }
      const off = this.compressed.offset(hi, lo);
      if (off >= 2 ** 56) this.badEntry(gc, 'has reserved bits set in its compressed offset');
      if (off < this.clusterSize) this.badEntry(gc, `points into the header (${hex(off)})`);
      if (off >= this.file.size) this.badEntry(gc, `points to compressed data at ${hex(off)}, past the end of the file (truncated?)`);
      this.lkKind = ClusterKind.Compressed;
      this.lkHost = off;
      return;
    }
    if (l2StandardReserved(hi, lo)) this.badEntry(gc, `has reserved bits set (${hex(hi * 2 ** 32 + lo)})`);
    const host = entryOffset(hi, lo);
    if (host % this.clusterSize !== 0) this.badEntry(gc, `points to an unaligned host cluster at ${hex(host)}`);
    const present = host !== 0 || (this.external && (hi & COPIED) !== 0);
    let kind: ClusterKind;
    if (this.extL2) {
      const zero = view.getUint32(at + 8);
      const alloc = view.getUint32(at + 12);
      if (zero & alloc) this.badEntry(gc, 'has subclusters marked both allocated and zero');
      if (!present && alloc !== 0) this.badEntry(gc, 'has allocated subclusters but no host cluster');
      this.lkAlloc = alloc;
      this.lkZero = zero;
      kind = present ? ClusterKind.Normal : ClusterKind.Unallocated;
    } else if (lo & 1) {
      kind = present ? ClusterKind.ZeroAlloc : ClusterKind.ZeroPlain;
    } else {
      kind = present ? ClusterKind.Normal : ClusterKind.Unallocated;
    }
    if (present) {
      if (this.external) {
        if (host !== gc * this.clusterSize) this.badEntry(gc, `maps to ${hex(host)} in the external data file, not to its own offset`);
      } else {
        if (host < this.clusterSize) this.badEntry(gc, 'points into the header');
        if (kind === ClusterKind.Normal && host >= this.file.size) {
          this.badEntry(gc, `points to ${hex(host)}, past the end of the file (truncated?)`);
        }
      }
    }
    this.lkKind = kind;
    this.lkHost = host;
  }

  private badEntry(gc: number, problem: string): never {
    return this.fail(`L2 entry for guest offset ${hex(gc * this.clusterSize)} ${problem}`);
  }

  /** The decompressed content of the compressed cluster just looked up (lk* fields). */
  compressedData(gc: number): Uint8Array {
    const off = this.lkHost;
    const cached = this.decompressed.get(off);
    if (cached !== undefined) return cached;
    const len = Math.min(this.compressed.length(this.lkHi, this.lkLo), this.file.size - off);
    const input = new Uint8Array(len);
    this.file.read(off, input, 0, len);
    let out: Uint8Array;
    try {
      out = decompressCluster(this.header.compressionType, input, this.clusterSize);
    } catch (e) {
      if (e instanceof BrokenStreamError) {
        this.fail(`compressed cluster for guest offset ${hex(gc * this.clusterSize)} (at ${hex(off)}): ${e.message}`);
      }
      throw e;
    }
    if (this.decompressed.size >= this.decompressedMax) {
      this.decompressed.delete(this.decompressed.keys().next().value as number);
    }
    this.decompressed.set(off, out);
    return out;
  }

  forgetDecompressed(): void {
    this.decompressed.clear();
  }

  // ---- reading ------------------------------------------------------------------------------

  read(offset: number, buffer: Uint8Array): void {
    if (this.closed) this.fail('image is closed');
    checkRange(this.file.path, this.size, offset, buffer.length);
    this.readInto(offset, buffer, 0, buffer.length);
  }

  readInto(offset: number, buf: Uint8Array, bufOffset: number, length: number): void {
    const cs = this.clusterSize;
    while (length > 0) {
      const gc = Math.floor(offset / cs);
      const inC = offset - gc * cs;
      const n = Math.min(length, cs - inC);
      this.lookup(gc);
      switch (this.lkKind) {
        case ClusterKind.Normal:
          if (this.extL2) this.readSubclusters(offset, inC, n, buf, bufOffset);
          else this.dataRun(this.lkHost + inC, buf, bufOffset, n);
          break;
        case ClusterKind.Unallocated:
          if (this.extL2 && this.lkZero !== 0) this.readSubclusters(offset, inC, n, buf, bufOffset);
          else this.backingRun(offset, buf, bufOffset, n);
          break;
        case ClusterKind.Compressed:
          buf.set(this.compressedData(gc).subarray(inC, inC + n), bufOffset);
          break;
        default:
          buf.fill(0, bufOffset, bufOffset + n);
      }
      offset += n;
      bufOffset += n;
      length -= n;
    }
    this.endRuns(buf);
  }

  /** Reads part of a cluster with extended L2 entries, subcluster by subcluster (lk* state). */
  private readSubclusters(offset: number, inC: number, n: number, buf: Uint8Array, bufOffset: number): void {
    const scs = this.subclusterSize;
    const alloc = this.lkAlloc;
    const zero = this.lkZero;
    const host = this.lkHost;
    const end = inC + n;
    let pos = inC;
    while (pos < end) {
      const sc = Math.floor(pos / scs);
      const bit = 1 << sc;
      // Extend over following subclusters in the same state.
      let stop = (sc + 1) * scs;
      const state = alloc & bit ? 1 : zero & bit ? 2 : 0;
      for (let s = sc + 1; s < 32 && stop < end; s++) {
        const b = 1 << s;
        const st = alloc & b ? 1 : zero & b ? 2 : 0;
        if (st !== state) break;
        stop += scs;
      }
      if (stop > end) stop = end;
      const len = stop - pos;
      const at = bufOffset + (pos - inC);
      if (state === 1) this.dataRun(host + pos, buf, at, len);
      else if (state === 2) buf.fill(0, at, at + len);
      else this.backingRun(offset + (pos - inC), buf, at, len);
      pos = stop;
    }
  }

  private dataRun(host: number, buf: Uint8Array, at: number, len: number): void {
    if (this.runLen > 0 && this.runHost + this.runLen === host && this.runBuf + this.runLen === at) {
      this.runLen += len;
      return;
    }
    if (this.runLen > 0) this.dataFile.readPadded(this.runHost, buf, this.runBuf, this.runLen);
    this.runHost = host;
    this.runBuf = at;
    this.runLen = len;
  }

  private backingRun(guest: number, buf: Uint8Array, at: number, len: number): void {
    if (this.bkLen > 0 && this.bkOff + this.bkLen === guest && this.bkBuf + this.bkLen === at) {
      this.bkLen += len;
      return;
    }
    if (this.bkLen > 0) readBacking(this.backing, this.bkOff, buf, this.bkBuf, this.bkLen);
    this.bkOff = guest;
    this.bkBuf = at;
    this.bkLen = len;
  }

  private endRuns(buf: Uint8Array): void {
    if (this.runLen > 0) {
      this.dataFile.readPadded(this.runHost, buf, this.runBuf, this.runLen);
      this.runLen = 0;
    }
    if (this.bkLen > 0) {
      const off = this.bkOff;
      const at = this.bkBuf;
      const len = this.bkLen;
      this.bkLen = 0;
      readBacking(this.backing, off, buf, at, len);
    }
  }

  // ---- writing ------------------------------------------------------------------------------

  write(offset: number, data: Uint8Array): void {
    if (this.closed) this.fail('image is closed');
    if (this.readOnly) this.fail(this.snapshotView !== null ? 'a snapshot view is read-only' : 'opened read-only');
    checkRange(this.file.path, this.size, offset, data.length);
    if (data.length === 0) return;
    this.prepareWrite();
    writeGuest(this, offset, data, 0, data.length);
  }

  /**
   * Checks once that the image may be written and clears the auto-clear feature bits this
   * implementation does not maintain (the spec requires that before the first write).
   */
  prepareWrite(): void {
    if (this.writeReady) return;
    if (this.incompatible & INCOMPAT_CORRUPT) {
      this.fail("is marked corrupt; refusing to write (repair it with 'qemu-img check -r all')");
    }
    if (this.incompatible & INCOMPAT_DIRTY) {
      // Refcounts may be stale (qemu's lazy refcounts): count everything again before writing.
      rebuildRefcounts(this);
    }
    this.openRefcounts();
    const keep = this.external ? AUTOCLEAR_DATA_FILE_RAW : 0n;
    if (this.header.version === 3 && (this.autoclear & ~keep) !== 0n) {
      this.autoclear &= keep;
      const b = new Uint8Array(8);
      writeU64(new DataView(b.buffer), 0, Number(this.autoclear));
      this.file.write(HDR_AUTOCLEAR, b, 0, 8);
      this.file.sync();
    }
    this.writeReady = true;
  }

  /** The refcount store, opened on first use (or on a new table after a rebuild). */
  openRefcounts(table?: { offset: number; clusters: number }): RefcountStore {
    if (this.refcounts !== null && table === undefined) return this.refcounts;
    const h = this.header;
    const store = new RefcountStore(this.file, {
      clusterBits: h.clusterBits,
      refcountOrder: h.refcountOrder,
      tableOffset: table?.offset ?? h.refcountTableOffset,
      tableClusters: table?.clusters ?? h.refcountTableClusters,
    });
    this.snapshotBytes = this.nbSnapshots > 0 ? this.snapshotTableBytes() : 0;
    store.setGuard((c) => this.metadataAt(c * this.clusterSize));
    this.refcounts = store;
    return store;
  }

  /**
   * Names the metadata structure at a host cluster offset, or returns null: the header, the active
   * L1 table, the refcount table and blocks, the snapshot table, the active L2 tables. Checked
   * before the allocator hands out a cluster and before guest data is written in place, so a
   * damaged table cannot make a guest write land on metadata.
   */
  metadataAt(offset: number): string | null {
    const cs = this.clusterSize;
    if (offset < cs) return 'the header';
    if (offset + cs > this.l1TableOffset && offset < this.l1TableOffset + this.l1Size * 8) return 'the L1 table';
    if (this.refcounts !== null && this.refcounts.isMetadata(offset)) return 'a refcount structure';
    if (offset + cs > this.snapshotsOffset && offset < this.snapshotsOffset + this.snapshotBytes) return 'the snapshot table';
    if (this.activeL2().has(offset)) return 'an L2 table';
    return null;
  }

  /** Offsets of the L2 tables the active L1 table points to (kept up to date by noteL2Change). */
  activeL2(): Set<number> {
    if (this.l2Set === null) {
      this.l2Set = new Set();
      for (let i = 0; i < this.l1Size; i++) {
        const off = this.l2OffsetAt(i);
        if (off !== 0) this.l2Set.add(off);
      }
    }
    return this.l2Set;
  }

  /** An active L1 entry moved from one L2 table to another; `null` forgets the set (L1 replaced). */
  noteL2Change(from: number, to: number): void {
    if (this.l2Set === null) return;
    if (from !== 0) this.l2Set.delete(from);
    if (to !== 0) this.l2Set.add(to);
  }

  forgetL2Set(): void {
    this.l2Set = null;
  }

  /** Refuses a guest write in place when the entry points at metadata (a damaged or hostile table). */
  checkDataTarget(host: number, gc: number): void {
    if (this.external) return;
    const what = this.metadataAt(host);
    if (what !== null) this.fail(`L2 entry for guest offset ${hex(gc * this.clusterSize)} points into ${what} (${hex(host)}); refusing to write there`);
  }

  snapshotTableBytes(): number {
    return readSnapshotTable(this.file, {
      nbSnapshots: this.nbSnapshots,
      snapshotsOffset: this.snapshotsOffset,
      clusterSize: this.clusterSize,
      imageSize: this.size,
    }).byteLength;
  }

  markL1Dirty(index: number): void {
    const lo = index * 8;
    if (this.l1DirtyLo >= this.l1DirtyHi) {
      this.l1DirtyLo = lo;
      this.l1DirtyHi = lo + 8;
    } else {
      this.l1DirtyLo = Math.min(this.l1DirtyLo, lo);
      this.l1DirtyHi = Math.max(this.l1DirtyHi, lo + 8);
    }
  }

  /** A dirty L2 table leaves the cache: the refcounts of what it points to must be on disk first. */
  private evictL2(t: CachedTable): void {
    this.writeRefcountsAndData();
    this.l2Cache.writeBack(t);
  }

  private writeRefcountsAndData(): void {
    if (this.refcounts !== null) this.refcounts.writeDirty();
    if (this.dataFile !== this.file) this.dataFile.sync();
    this.file.sync();
  }

  /**
   * Makes every write so far durable, in the order that keeps the image consistent if the process
   * or the machine dies at any point: (1) refcount increments and guest data, then a barrier;
   * (2) L2 tables, then the L1 table, then a barrier; (3) only now may clusters whose references
   * were just removed get their refcounts lowered (in memory; they reach the disk with the next
   * flush, a crash before that only leaks them).
   */
  flush(): void {
    if (this.closed || this.readOnly) return;
    this.writeRefcountsAndData();
    let wrote = false;
    for (const t of [...this.l2Cache.dirtyTables()]) {
      this.l2Cache.writeBack(t);
      wrote = true;
    }
    if (this.l1DirtyLo < this.l1DirtyHi) {
      this.file.write(this.l1TableOffset + this.l1DirtyLo, this.l1Bytes, this.l1DirtyLo, this.l1DirtyHi - this.l1DirtyLo);
      this.l1DirtyLo = this.l1DirtyHi = 0;
      wrote = true;
    }
    if (wrote) this.file.sync();
    this.releasePending();
  }

  /** Lowers the refcounts of clusters whose references are gone from the disk. */
  private releasePending(): void {
    if (this.pendingFree.length === 0 || this.refcounts === null) return;
    const pending = this.pendingFree;
    this.pendingFree = [];
    for (const c of pending) {
      if (this.refcounts.decrement(c) === 0) {
        this.l2Cache.drop(c * this.clusterSize);
        this.decompressed.clear();
      }
    }
  }

  /** Writes whatever is still pending, including lowered refcounts, so a clean close leaks nothing. */
  settle(): void {
    if (this.readOnly) return;
    this.flush();
    if (this.refcounts !== null && this.refcounts.writeDirty()) this.file.sync();
  }

  close(): void {
    if (this.closed) return;
    let error: unknown = null;
    try {
      this.settle();
    } catch (e) {
      error = e;
    }
    this.closed = true;
    this.file.close();
    if (this.dataFile !== this.file) this.dataFile.close();
    this.backing?.close();
    if (error !== null) throw error;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // ---- whole-image walks --------------------------------------------------------------------

  /**
   * Calls `visit` for every L2 entry reachable from an L1 table (the active one by default), with
   * the entry decoded in the lk* fields. Stops early when visit returns false.
   */
  forEachEntry(visit: (gc: number, table: CachedTable, at: number) => boolean | void, l1: Uint8Array = this.l1Bytes): void {
    const view = new DataView(l1.buffer, l1.byteOffset, l1.byteLength);
    const entries = l1.byteLength / 8;
    for (let i = 0; i < entries; i++) {
      const l2 = entryOffset(view.getUint32(i * 8), view.getUint32(i * 8 + 4));
      if (l2 === 0) continue;
      const t = this.l2Cache.get(l2);
      for (let j = 0; j < this.l2Entries; j++) {
        const gc = i * this.l2Entries + j;
        this.classify(t.view, j * this.entryBytes, gc);
        if (visit(gc, t, j * this.entryBytes) === false) return;
      }
    }
  }

  /** Clusters that hold data in this image (qemu-img check counts the same: data, zero-allocated, compressed). */
  allocatedClusters(): number {
    let n = 0;
    this.forEachEntry(() => {
      const k = this.lkKind;
      if (k === ClusterKind.Normal || k === ClusterKind.ZeroAlloc || k === ClusterKind.Compressed) n++;
    });
    return n;
  }

  /**
   * Guest ranges this image itself defines (not its backing chain), merged: 'data' (stored here)
   * or 'zero' (reads as zeros whatever the backing file holds).
   */
  extents(): { offset: number; length: number; kind: 'data' | 'zero' }[] {
    const out: { offset: number; length: number; kind: 'data' | 'zero' }[] = [];
    const add = (offset: number, length: number, kind: 'data' | 'zero'): void => {
      if (offset >= this.size) return;
      length = Math.min(length, this.size - offset);
      const last = out[out.length - 1];
      if (last !== undefined && last.kind === kind && last.offset + last.length === offset) last.length += length;
      else out.push({ offset, length, kind });
    };
    const cs = this.clusterSize;
    const scs = this.subclusterSize;
    this.forEachEntry((gc) => {
      const k = this.lkKind;
      if (k === ClusterKind.Compressed) add(gc * cs, cs, 'data');
      else if (k === ClusterKind.ZeroAlloc || k === ClusterKind.ZeroPlain) add(gc * cs, cs, 'zero');
      else if (this.extL2) {
        for (let s = 0; s < 32; s++) {
          if (this.lkAlloc & (1 << s)) add(gc * cs + s * scs, scs, 'data');
          else if (this.lkZero & (1 << s)) add(gc * cs + s * scs, scs, 'zero');
        }
      } else if (k === ClusterKind.Normal) add(gc * cs, cs, 'data');
    });
    return out;
  }
}

/**
 * A bounded cache of one-cluster metadata tables (L2 tables, refcount blocks), least recently used
 * first out. Tables are changed in place and remember the byte range that differs from the file;
 * whoever owns the cache decides when a dirty table may reach the disk (the write ordering that
 * keeps an image consistent lives with the owner, which gets a say before a dirty table is evicted).
 */
import { DiskError } from '../blockDevice.js';
import { hex, type HostFile } from '../hostFile.js';

export class CachedTable {
  readonly view: DataView;
  /** Dirty byte range [dirtyLo, dirtyHi); empty when dirtyLo >= dirtyHi. */
  dirtyLo = 0;
  dirtyHi = 0;

  constructor(
    readonly offset: number,
    readonly bytes: Uint8Array,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get dirty(): boolean {
    return this.dirtyLo < this.dirtyHi;
  }

  markDirty(lo: number, hi: number): void {
    if (this.dirtyLo >= this.dirtyHi) {
      this.dirtyLo = lo;
      this.dirtyHi = hi;
    } else {
      if (lo < this.dirtyLo) this.dirtyLo = lo;
      if (hi > this.dirtyHi) this.dirtyHi = hi;
    }
  }
}

export class MetadataCache {
  private readonly tables = new Map<number, CachedTable>();
  private last: CachedTable | null = null;

  /**
   * @param capacity most tables kept at once
   * @param what the table kind, for error messages
   * @param beforeEvict called for a dirty table about to leave the cache; it must write it back
   */
  constructor(
    private readonly file: HostFile,
    private readonly clusterSize: number,
    private readonly capacity: number,
    private readonly what: string,
    private readonly beforeEvict: (table: CachedTable) => void,
  ) {}

  /** The table at `offset`, read from the file when not cached. */
  get(offset: number): CachedTable {
    const last = this.last;
    if (last !== null && last.offset === offset) return last;
    let t = this.tables.get(offset);
    if (t !== undefined) {
      // Re-insert to mark as most recently used (Map iterates in insertion order).
      this.tables.delete(offset);
      this.tables.set(offset, t);
    } else {
      if (offset % this.clusterSize !== 0) {
        throw new DiskError(`${this.file.path}: ${this.what} offset ${hex(offset)} is not cluster aligned`);
      }
      if (offset < this.clusterSize) throw new DiskError(`${this.file.path}: ${this.what} at ${hex(offset)} overlaps the header`);
      const bytes = new Uint8Array(this.clusterSize);
      this.file.readExact(offset, bytes, 0, this.clusterSize, this.what);
      t = new CachedTable(offset, bytes);
      this.insert(t);
    }
    this.last = t;
    return t;
  }

  /** Adds a table that does not exist in the file yet (all of it dirty) or replaces a cached one. */
  create(offset: number, bytes: Uint8Array): CachedTable {
    this.drop(offset);
    const t = new CachedTable(offset, bytes);
    t.markDirty(0, bytes.length);
    this.insert(t);
    this.last = t;
    return t;
  }

  /** Adds a table just written to the file (clean). */
  adopt(offset: number, bytes: Uint8Array): CachedTable {
    this.drop(offset);
    const t = new CachedTable(offset, bytes);
    this.insert(t);
    return t;
  }

  /** Forgets a table (its cluster was freed), without writing it. */
  drop(offset: number): void {
    this.tables.delete(offset);
    if (this.last !== null && this.last.offset === offset) this.last = null;
  }

  /** Forgets everything, writing nothing. */
  clear(): void {
    this.tables.clear();
    this.last = null;
  }

  *dirtyTables(): IterableIterator<CachedTable> {
    for (const t of this.tables.values()) if (t.dirty) yield t;
  }

  get hasDirty(): boolean {
    for (const t of this.tables.values()) if (t.dirty) return true;
    return false;
  }

  /** Writes a table's dirty range (widened to whole 512-byte sectors) to the file. */
  writeBack(t: CachedTable): void {
    if (!t.dirty) return;
    const lo = Math.floor(t.dirtyLo / 512) * 512;
    const hi = Math.min(this.clusterSize, Math.ceil(t.dirtyHi / 512) * 512);
    this.file.write(t.offset + lo, t.bytes, lo, hi - lo);
    t.dirtyLo = t.dirtyHi = 0;
  }

  private insert(t: CachedTable): void {
    this.tables.set(t.offset, t);
    while (this.tables.size > this.capacity) {
      const oldest = this.tables.values().next().value as CachedTable;
      if (oldest === t) break;
      if (oldest.dirty) this.beforeEvict(oldest);
      this.tables.delete(oldest.offset);
      if (this.last === oldest) this.last = null;
    }
  }
}

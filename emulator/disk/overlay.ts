/**
 * Copy-on-write overlays: a session writes into a small qcow2 whose backing file is the pristine
 * image, which therefore never changes. An overlay can later be committed into its base (the base
 * then holds what the guest saw) or discarded (deleted).
 */
import { unlinkSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { DiskError } from './blockDevice.js';
import { resolveReference, type AllowBackingPath } from './backingPolicy.js';
import { HostFile } from './hostFile.js';
import { detectFormat, openDisk } from './openDisk.js';
import { createQcow2 } from './qcow2/createImage.js';
import { INCOMPAT_DATA_FILE, readHeader } from './qcow2/header.js';
import { Qcow2Image } from './qcow2/qcow2Image.js';

export interface CreateOverlayOptions {
  /**
   * How the overlay records its base: relative to the overlay's folder (default; the pair can move
   * together) or as an absolute path (for overlays kept in a separate storage folder).
   */
  readonly backingPathInOverlay?: 'relative' | 'absolute';
  /** Approves the base image's own backing files, if it has any outside its folder. */
  readonly allowBackingPath?: AllowBackingPath;
  /** log2 of the overlay's cluster size (default 16). */
  readonly clusterBits?: number;
}

/** Creates a new qcow2 overlay backed by `basePath` (qcow2 or raw; the format is recorded). */
export function createOverlay(basePath: string, overlayPath: string, opts: CreateOverlayOptions = {}): void {
  const base = resolve(basePath);
  const overlay = resolve(overlayPath);
  if (base === overlay) throw new DiskError(`${overlayPath}: an overlay cannot be its own base`);
  const disk = openDisk(base, { readOnly: true, allowBackingPath: opts.allowBackingPath });
  const size = disk.size;
  const format = disk.format;
  disk.close();
  const name = opts.backingPathInOverlay === 'absolute' ? base : relative(dirname(overlay), base);
  createQcow2(overlay, { size, clusterBits: opts.clusterBits ?? 16, backingFile: name, backingFormat: format });
}

export interface CommitOptions {
  /** Called as data is copied: bytes done and bytes in total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Approves the base (and its backing files) when outside the overlay's folder. */
  readonly allowBackingPath?: AllowBackingPath;
}

export interface CommitResult {
  /** Guest bytes written into the base. */
  readonly committedBytes: number;
  /** True when the overlay was emptied afterwards (it is kept as is if it has snapshots). */
  readonly emptied: boolean;
}

const CHUNK = 1024 * 1024;

/**
 * Writes everything the overlay holds into its backing image, then empties the overlay. The overlay
 * stays intact until the base is flushed, so an interrupted commit can simply be run again.
 */
export function commitOverlay(overlayPath: string, opts: CommitOptions = {}): CommitResult {
  const top = openDisk(overlayPath, { readOnly: true, allowBackingPath: opts.allowBackingPath });
  let base = null;
  try {
    if (!(top instanceof Qcow2Image) || top.header.backingFile === null) {
      throw new DiskError(`${overlayPath}: not an overlay (it has no backing file); nothing to commit`);
    }
    const h = top.header;
    const ref = resolveReference(overlayPath, h.backingFile!, opts.allowBackingPath, 'backing file');
    base = openDisk(ref.path, {
      allowBackingPath: opts.allowBackingPath,
      format: h.backingFormat === 'raw' || h.backingFormat === 'qcow2' ? h.backingFormat : undefined,
    });
    const extents = top.extents();
    let total = 0;
    for (const e of extents) {
      if (e.offset + e.length > base.size) {
        throw new DiskError(`${overlayPath}: holds data at ${e.offset}, past the end of its base ${ref.path} (${base.size} bytes)`);
      }
      total += e.length;
    }
    const buf = new Uint8Array(CHUNK);
    let done = 0;
    opts.onProgress?.(0, total);
    for (const e of extents) {
      for (let pos = e.offset; pos < e.offset + e.length; pos += CHUNK) {
        const n = Math.min(CHUNK, e.offset + e.length - pos);
        const chunk = n === CHUNK ? buf : buf.subarray(0, n);
        if (e.kind === 'data') top.readInto(pos, chunk, 0, n);
        else chunk.fill(0);
        base.write(pos, chunk);
        done += n;
        opts.onProgress?.(done, total);
      }
    }
    base.flush();
    base.close();
    base = null;
    const keep = top.nbSnapshots > 0 || (h.incompatible & INCOMPAT_DATA_FILE) !== 0n;
    const size = top.size;
    const clusterBits = top.clusterBits;
    top.close();
    if (!keep) {
      createQcow2(overlayPath, {
        size,
        clusterBits,
        backingFile: h.backingFile,
        backingFormat: h.backingFormat === 'raw' || h.backingFormat === 'qcow2' ? h.backingFormat : null,
        replace: true,
      });
    }
    return { committedBytes: total, emptied: !keep };
  } finally {
    if (base !== null) base.close();
    top.close();
  }
}

/** Deletes an overlay. Refuses files that are not qcow2 images with a backing file (never a base). */
export function discardOverlay(overlayPath: string): void {
  const file = HostFile.open(overlayPath, true);
  try {
    if (detectFormat(file) !== 'qcow2' || readHeader(file).backingFile === null) {
      throw new DiskError(`${overlayPath}: not an overlay (no backing file); refusing to delete it`);
    }
  } finally {
    file.close();
  }
  try {
    unlinkSync(overlayPath);
  } catch (e) {
    throw new DiskError(`${overlayPath}: cannot delete (${e instanceof Error ? e.message : String(e)})`);
  }
}

/**
 * The internal face of every image in a chain (raw file, qcow2, a qcow2 snapshot view). It adds to
 * BlockDevice what the layers need from each other: a read into part of a caller's buffer (no
 * subarray views on the hot path) and the identity of the file for error messages.
 */
import { DiskError, type BlockDevice } from './blockDevice.js';
import { hex } from './hostFile.js';

export type ImageFormat = 'qcow2' | 'raw';

export interface DiskLayer extends BlockDevice {
  readonly path: string;
  readonly format: ImageFormat;
  /** Reads [offset, offset + length), which lies within [0, size), into buf[bufOffset...]. */
  readInto(offset: number, buf: Uint8Array, bufOffset: number, length: number): void;
}

/**
 * Reads from a backing image on behalf of an overlay. A backing image shorter than the overlay reads
 * as zeros past its end, and no backing image at all reads as zeros (qcow2 spec, "Cluster mapping").
 */
export function readBacking(backing: DiskLayer | null, offset: number, buf: Uint8Array, bufOffset: number, length: number): void {
  if (backing === null) {
    buf.fill(0, bufOffset, bufOffset + length);
    return;
  }
  const inside = Math.max(0, Math.min(length, backing.size - offset));
  if (inside > 0) backing.readInto(offset, buf, bufOffset, inside);
  if (inside < length) buf.fill(0, bufOffset + inside, bufOffset + length);
}

/** Checks a guest request against the device size; one line naming the image on failure. */
export function checkRange(path: string, size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset + length > size) {
    throw new DiskError(`${path}: access at ${hex(offset)}+${length} is outside the disk (${size} bytes)`);
  }
}

/**
 * A virtual disk as the guest sees it: a flat array of bytes. Raw image files, qcow2 images and
 * overlay chains all implement it. The interface is synchronous: the machine runs in a worker and a
 * disk transfer completes within the instruction that starts it, which keeps runs deterministic.
 * Offsets and sizes are plain numbers (exact up to 2^53 bytes): never apply 32-bit bitwise
 * operators to them.
 */
export interface BlockDevice {
  /** Guest-visible size in bytes. */
  readonly size: number;
  readonly readOnly: boolean;
  /** Fills `buffer` with the bytes at [offset, offset + buffer.length). Past the end is an error. */
  read(offset: number, buffer: Uint8Array): void;
  /** Writes `data` at `offset`. Durable only after flush(). */
  write(offset: number, data: Uint8Array): void;
  /** Makes every acknowledged write durable (metadata in a consistent order, then fsync). */
  flush(): void;
  close(): void;
}

/** A problem with an image: the message is one line naming the file and the problem. */
export class DiskError extends Error {
  override readonly name = 'DiskError';
}

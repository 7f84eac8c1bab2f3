/**
 * A copy-on-write layer in memory over a read-only disk: the guest may write, the image file never
 * changes. Written data is kept in 4 KiB blocks; reads take written blocks from memory and the
 * rest from the base. Used by `win31 run` so that a headless boot cannot modify the image it was
 * given.
 */
import type { BlockDevice } from '../disk/blockDevice.js';
import { DiskError } from '../disk/blockDevice.js';

const BLOCK = 4096;

export class CopyOnWriteDisk implements BlockDevice {
  readonly readOnly = false;
  private readonly blocks = new Map<number, Uint8Array>();

  constructor(private readonly base: BlockDevice) {}

  get size(): number {
    return this.base.size;
  }

  /** Bytes held in memory by the guest's writes. */
  get dirtyBytes(): number {
    return this.blocks.size * BLOCK;
  }

  private check(offset: number, length: number): void {
    if (offset < 0 || length < 0 || offset + length > this.size) {
      throw new DiskError(`access at ${offset}+${length} lies outside the ${this.size}-byte disk`);
    }
  }

  read(offset: number, buffer: Uint8Array): void {
    this.check(offset, buffer.length);
    if (this.blocks.size === 0) {
      this.base.read(offset, buffer);
      return;
    }
    let done = 0;
    while (done < buffer.length) {
      const pos = offset + done;
      const index = Math.floor(pos / BLOCK);
      const within = pos - index * BLOCK;
      const n = Math.min(BLOCK - within, buffer.length - done);
      const block = this.blocks.get(index);
      if (block) buffer.set(block.subarray(within, within + n), done);
      else this.base.read(pos, buffer.subarray(done, done + n));
      done += n;
    }
  }

  write(offset: number, data: Uint8Array): void {
    this.check(offset, data.length);
    let done = 0;
    while (done < data.length) {
      const pos = offset + done;
      const index = Math.floor(pos / BLOCK);
      const within = pos - index * BLOCK;
      const n = Math.min(BLOCK - within, data.length - done);
      let block = this.blocks.get(index);
      if (!block) {
        block = new Uint8Array(BLOCK);
        const start = index * BLOCK;
        this.base.read(start, block.subarray(0, Math.min(BLOCK, this.size - start)));
        this.blocks.set(index, block);
      }
      block.set(data.subarray(done, done + n), within);
      done += n;
    }
  }

  flush(): void {}

  close(): void {
    this.blocks.clear();
    this.base.close();
  }
}

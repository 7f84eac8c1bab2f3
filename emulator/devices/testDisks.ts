/**
 * BlockDevices for device tests: an in-memory disk that can be told to fail, and a raw image
 * file read and written with synchronous file I/O.
 */
import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { DiskError, type BlockDevice } from '../disk/blockDevice.js';

export class MemoryDisk implements BlockDevice {
  readonly bytes: Uint8Array;
  flushes = 0;
  /** Byte offsets at which read/write throw, to model a failing image. */
  readonly badOffsets = new Set<number>();

  constructor(
    size: number | Uint8Array,
    readonly readOnly = false,
  ) {
    this.bytes = typeof size === 'number' ? new Uint8Array(size) : size;
  }

  get size(): number {
    return this.bytes.length;
  }

  private check(offset: number, length: number): void {
    if (offset < 0 || offset + length > this.bytes.length) throw new DiskError(`access at ${offset}+${length} is past the end`);
    for (const bad of this.badOffsets) if (bad >= offset && bad < offset + length) throw new DiskError(`I/O error at ${bad}`);
  }

  read(offset: number, buffer: Uint8Array): void {
    this.check(offset, buffer.length);
    buffer.set(this.bytes.subarray(offset, offset + buffer.length));
  }

  write(offset: number, data: Uint8Array): void {
    if (this.readOnly) throw new DiskError('read-only');
    this.check(offset, data.length);
    this.bytes.set(data, offset);
  }

  flush(): void {
    this.flushes++;
  }

  close(): void {}
}

export class RawFileDisk implements BlockDevice {
  private readonly fd: number;
  readonly size: number;

  constructor(
    readonly path: string,
    readonly readOnly = false,
  ) {
    this.fd = openSync(path, readOnly ? 'r' : 'r+');
    this.size = fstatSync(this.fd).size;
  }

  read(offset: number, buffer: Uint8Array): void {
    if (offset + buffer.length > this.size) throw new DiskError(`${this.path}: read past the end`);
    readSync(this.fd, buffer, 0, buffer.length, offset);
  }

  write(offset: number, data: Uint8Array): void {
    if (this.readOnly) throw new DiskError(`${this.path}: read-only`);
    writeSync(this.fd, data, 0, data.length, offset);
  }

  flush(): void {
    fsyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }
}

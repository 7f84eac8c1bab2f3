/**
 * A raw image: the file is the disk, byte for byte. Its size is the file's length when opened; a
 * raw file never grows through guest writes.
 */
import { DiskError } from './blockDevice.js';
import { checkRange, type DiskLayer } from './diskLayer.js';
import { HostFile } from './hostFile.js';

export class RawImage implements DiskLayer {
  readonly format = 'raw' as const;
  readonly size: number;

  constructor(private readonly file: HostFile) {
    this.size = file.size;
  }

  static open(path: string, readOnly: boolean): RawImage {
    return new RawImage(HostFile.open(path, readOnly));
  }

  get path(): string {
    return this.file.path;
  }

  get readOnly(): boolean {
    return this.file.readOnly;
  }

  read(offset: number, buffer: Uint8Array): void {
    checkRange(this.file.path, this.size, offset, buffer.length);
    this.file.readPadded(offset, buffer, 0, buffer.length);
  }

  readInto(offset: number, buf: Uint8Array, bufOffset: number, length: number): void {
    this.file.readPadded(offset, buf, bufOffset, length);
  }

  write(offset: number, data: Uint8Array): void {
    if (this.file.readOnly) throw new DiskError(`${this.file.path}: opened read-only`);
    checkRange(this.file.path, this.size, offset, data.length);
    this.file.write(offset, data, 0, data.length);
  }

  flush(): void {
    this.file.sync();
  }

  close(): void {
    this.file.close();
  }
}

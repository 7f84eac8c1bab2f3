/**
 * A host file opened for synchronous positional I/O. Disk controllers call into the block layer from
 * inside an instruction (in the machine's worker), so every access here is a blocking syscall on a
 * file descriptor; nothing is buffered in between. Every failure becomes a one-line DiskError that
 * names the file.
 */
import { closeSync, fdatasyncSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { DiskError } from './blockDevice.js';

/** Formats a byte offset the way the error messages show it. */
export function hex(n: number): string {
  return '0x' + n.toString(16);
}

function reason(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'no such file';
    if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
    if (code === 'EISDIR') return 'is a directory';
    if (code === 'EROFS') return 'read-only file system';
    if (code === 'ENOSPC') return 'no space left on the device';
    return (code ? code + ': ' : '') + e.message.split('\n')[0];
  }
  return String(e);
}

export class HostFile {
  /** Current length in bytes; kept up to date by this object's own writes. */
  size: number;
  private fd: number;

  private constructor(
    readonly path: string,
    fd: number,
    readonly readOnly: boolean,
  ) {
    this.fd = fd;
    try {
      const st = fstatSync(fd);
      if (st.isDirectory()) throw new DiskError(`${path}: is a directory`);
      this.size = st.size;
    } catch (e) {
      closeSync(fd);
      if (e instanceof DiskError) throw e;
      throw new DiskError(`${path}: cannot read file status (${reason(e)})`);
    }
  }

  static open(path: string, readOnly: boolean): HostFile {
    let fd: number;
    try {
      fd = openSync(path, readOnly ? 'r' : 'r+');
    } catch (e) {
      throw new DiskError(`${path}: cannot open (${reason(e)})`);
    }
    return new HostFile(path, fd, readOnly);
  }

  /** Creates a new file; fails if one exists already (nothing is ever overwritten). */
  static create(path: string): HostFile {
    let fd: number;
    try {
      fd = openSync(path, 'wx+');
    } catch (e) {
      const code = e instanceof Error ? (e as NodeJS.ErrnoException).code : undefined;
      throw new DiskError(`${path}: cannot create (${code === 'EEXIST' ? 'file exists' : reason(e)})`);
    }
    return new HostFile(path, fd, false);
  }

  /** Reads up to `length` bytes; returns how many were read (less only at the end of the file). */
  read(position: number, buf: Uint8Array, bufOffset: number, length: number): number {
    let done = 0;
    try {
      while (done < length) {
        const n = readSync(this.fd, buf, bufOffset + done, length - done, position + done);
        if (n === 0) break;
        done += n;
      }
    } catch (e) {
      throw new DiskError(`${this.path}: read error at ${hex(position)} (${reason(e)})`);
    }
    return done;
  }

  /** Reads exactly `length` bytes of a structure named `what`; a short read means a truncated file. */
  readExact(position: number, buf: Uint8Array, bufOffset: number, length: number, what: string): void {
    if (position + length > this.size) {
      throw new DiskError(
        `${this.path}: ${what} at ${hex(position)} extends past the end of the file (${this.size} bytes; truncated?)`,
      );
    }
    const n = this.read(position, buf, bufOffset, length);
    if (n < length) throw new DiskError(`${this.path}: ${what} at ${hex(position)} is cut short (truncated file?)`);
  }

  /** Reads, filling whatever lies past the end of the file with zeros. */
  readPadded(position: number, buf: Uint8Array, bufOffset: number, length: number): void {
    const n = this.read(position, buf, bufOffset, length);
    if (n < length) buf.fill(0, bufOffset + n, bufOffset + length);
  }

  write(position: number, buf: Uint8Array, bufOffset: number, length: number): void {
    if (this.readOnly) throw new DiskError(`${this.path}: opened read-only`);
    let done = 0;
    try {
      while (done < length) {
        done += writeSync(this.fd, buf, bufOffset + done, length - done, position + done);
      }
    } catch (e) {
      throw new DiskError(`${this.path}: write error at ${hex(position + done)} (${reason(e)})`);
    }
    if (position + length > this.size) this.size = position + length;
  }

  /** Waits until everything written so far is on stable storage (a write barrier). */
  sync(): void {
    if (this.readOnly) return;
    try {
      fdatasyncSync(this.fd);
    } catch (e) {
      throw new DiskError(`${this.path}: cannot sync to disk (${reason(e)})`);
    }
  }

  /** Allocated bytes on the host (sparse files use less than their length). */
  diskUsage(): number {
    try {
      return fstatSync(this.fd).blocks * 512;
    } catch {
      return this.size;
    }
  }

  /** Identity of the underlying file (device and inode), for loop detection in backing chains. */
  identity(): string {
    const st = fstatSync(this.fd, { bigint: true });
    return `${st.dev}:${st.ino}`;
  }

  close(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    try {
      closeSync(fd);
    } catch (e) {
      throw new DiskError(`${this.path}: close failed (${reason(e)})`);
    }
  }

  get closed(): boolean {
    return this.fd < 0;
  }
}

/**
 * `win31 disk`: inspect and edit disk images (qcow2 and raw) with the emulator's own block layer.
 * Data goes to stdout (cat, read); everything else is quiet on success. Failures are one line on
 * stderr through the CLI's error path.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CliError, type CliCommand } from './cliError.js';
import {
  DiskError,
  applySnapshot,
  commitOverlay,
  createOverlay,
  createSnapshot,
  deleteSnapshot,
  discardOverlay,
  inspectImage,
  openDisk,
  type AllowBackingPath,
  type ImageInfo,
  type SnapshotInfo,
} from '../emulator/disk/index.js';
import { formatSize, formatVmClock } from './diskFormat.js';

const USAGE = `usage: win31 disk <subcommand> ...

  info <image> [--json]                 format, sizes, backing chain, snapshots, features
  cat <image> [--snapshot <name-or-id>] the guest-visible content to stdout
  read <image> <offset> <length>        those bytes to stdout
  write <image> <offset> <file>         write the file's bytes at that guest offset, in place
  snapshot <image> list | create <name> | apply <name> | delete <name>
  overlay <base> <new-overlay> [--absolute]
                                        new qcow2 overlay backed by <base> (relative path unless --absolute)
  commit <overlay>                      write the overlay's data into its base, then empty it
  discard <overlay>                     delete an overlay (refuses images without a backing file)

Offsets and lengths are bytes: decimal, 0x hex, or with a K/M/G suffix (powers of 1024).
--allow-backing follows backing files that are absolute or outside the image's folder.`;

interface Parsed {
  readonly positional: string[];
  readonly flags: Map<string, string | true>;
}

const VALUE_FLAGS = new Set(['--snapshot']);
const BOOL_FLAGS = new Set(['--json', '--allow-backing', '--absolute']);

function parse(args: string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (VALUE_FLAGS.has(a)) {
      const v = args[++i];
      if (v === undefined) throw new CliError(`${a} needs a value`, 2);
      flags.set(a, v);
    } else if (BOOL_FLAGS.has(a)) {
      flags.set(a, true);
    } else if (a.startsWith('--') && a.length > 2) {
      throw new CliError(`unknown option '${a}' (try 'win31 disk --help')`, 2);
    } else {
      positional.push(a);
    }
  }
  return { positional, flags };
}

function expect(p: Parsed, count: number, shape: string): string[] {
  if (p.positional.length !== count) throw new CliError(`usage: win31 disk ${shape}`, 2);
  return p.positional;
}

/** Parses a byte count: decimal, 0x hex, optional K/M/G/T suffix (powers of 1024). */
export function parseBytes(text: string, what: string): number {
  const m = /^(0x[0-9a-f]+|[0-9]+)([kmgt])?$/i.exec(text);
  if (m === null) throw new CliError(`${what} '${text}' is not a number of bytes`, 2);
  const scale = m[2] === undefined ? 1 : 1024 ** ('kmgt'.indexOf(m[2].toLowerCase()) + 1);
  const n = Number(m[1]) * scale;
  if (!Number.isSafeInteger(n)) throw new CliError(`${what} '${text}' is too large`, 2);
  return n;
}

function allowFrom(p: Parsed): AllowBackingPath | undefined {
  return p.flags.has('--allow-backing') ? () => true : undefined;
}

/** Writes to stdout and waits until the chunk is handed to the OS (so the buffer may be reused). */
function out(chunk: Uint8Array | string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(chunk, (err) => (err ? reject(err) : resolve()));
  });
}

class OutputClosed extends Error {}

async function streamRange(path: string, start: number, length: number, p: Parsed, snapshot?: string): Promise<void> {
  const disk = openDisk(path, { readOnly: true, snapshot, allowBackingPath: allowFrom(p) });
  // A reader that goes away (`| head`) surfaces as a failed write below, not as an uncaught event.
  const ignore = (): void => {};
  process.stdout.on('error', ignore);
  try {
    const end = length < 0 ? disk.size : start + length;
    if (start > disk.size || end > disk.size) {
      throw new DiskError(`${path}: range ${start}+${end - start} is outside the disk (${disk.size} bytes)`);
    }
    const chunkSize = 1 << 20;
    for (let pos = start; pos < end; pos += chunkSize) {
      const chunk = new Uint8Array(Math.min(chunkSize, end - pos));
      disk.read(pos, chunk);
      try {
        await out(chunk);
      } catch {
        throw new OutputClosed();
      }
    }
  } finally {
    process.stdout.off('error', ignore);
    disk.close();
  }
}

function writeFileInto(path: string, offset: number, source: string, p: Parsed): void {
  let fd: number;
  try {
    fd = openSync(source, 'r');
  } catch (e) {
    throw new CliError(`${source}: cannot open (${e instanceof Error ? e.message : String(e)})`);
  }
  try {
    const size = fstatSync(fd).size;
    const disk = openDisk(path, { allowBackingPath: allowFrom(p) });
    try {
      if (offset + size > disk.size) {
        throw new DiskError(`${path}: writing ${size} bytes at ${offset} would pass the end of the disk (${disk.size} bytes)`);
      }
      const buf = new Uint8Array(1 << 20);
      for (let done = 0; done < size; ) {
        const n = readSync(fd, buf, 0, Math.min(buf.length, size - done), done);
        if (n === 0) throw new CliError(`${source}: shrank while being read`);
        disk.write(offset + done, n === buf.length ? buf : buf.subarray(0, n));
        done += n;
      }
      disk.flush();
    } finally {
      disk.close();
    }
  } finally {
    closeSync(fd);
  }
}

function describe(info: ImageInfo): string {
  const yes = (b: boolean): string => (b ? 'yes' : 'no');
  const lines = [`image: ${info.path}`];
  lines.push(`format: ${info.format}${info.version !== null ? ` (version ${info.version})` : ''}`);
  lines.push(`virtual size: ${formatSize(info.virtualSize)} (${info.virtualSize} bytes)`);
  lines.push(`file size: ${formatSize(info.fileSize)} (${info.fileSize} bytes; ${formatSize(info.diskUsage)} on disk)`);
  lines.push(`allocated: ${formatSize(info.allocatedBytes)} (${info.allocatedBytes} bytes)`);
  if (info.format === 'qcow2') {
    lines.push(`cluster size: ${info.clusterSize}`);
    lines.push(`refcount bits: ${info.refcountBits}`);
    lines.push(`compression: ${info.compressionType}`);
    lines.push(`extended L2: ${yes(info.extendedL2)}`);
    if (info.dataFile !== null) lines.push(`data file: ${info.dataFile}`);
    const f = info.features;
    lines.push(`incompatible features: ${f.incompatible.join(', ') || 'none'}`);
    lines.push(`compatible features: ${f.compatible.join(', ') || 'none'}`);
    lines.push(`autoclear features: ${f.autoclear.join(', ') || 'none'}`);
    lines.push(`dirty: ${yes(info.dirty)}`);
    lines.push(`corrupt: ${yes(info.corrupt)}`);
    if (info.backingChain.length === 0) lines.push('backing chain: none');
    else lines.push('backing chain:');
    for (const b of info.backingChain) {
      const what = b.followed && b.problem === null ? `${b.format}, ${formatSize(b.virtualSize ?? 0)}` : `not usable: ${b.problem}`;
      lines.push(`  ${b.name} -> ${b.path} (${what})`);
    }
    lines.push(`snapshots: ${info.snapshots.length === 0 ? 'none' : ''}`.trimEnd());
    if (info.snapshots.length > 0) lines.push(...snapshotTable(info.snapshots).map((l) => '  ' + l));
  }
  return lines.join('\n');
}

function snapshotTable(list: readonly SnapshotInfo[]): string[] {
  const rows = [['ID', 'TAG', 'DATE', 'VM CLOCK', 'DISK SIZE']];
  for (const s of list) {
    const date = s.date.replace('T', ' ').replace(/\.\d+Z$/, '');
    rows.push([s.id, s.name, date, formatVmClock(s.vmClockNs), formatSize(s.diskSize)]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  '));
}

async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const p = parse(rest);
  try {
    switch (sub) {
      case 'info': {
        const [image] = expect(p, 1, 'info <image> [--json]');
        const info = inspectImage(image, { allowBackingPath: allowFrom(p) });
        await out((p.flags.has('--json') ? JSON.stringify(info, null, 2) : describe(info)) + '\n');
        return 0;
      }
      case 'cat': {
        const [image] = expect(p, 1, 'cat <image> [--snapshot <name-or-id>]');
        const snap = p.flags.get('--snapshot');
        await streamRange(image, 0, -1, p, typeof snap === 'string' ? snap : undefined);
        return 0;
      }
      case 'read': {
        const [image, offset, length] = expect(p, 3, 'read <image> <offset> <length>');
        await streamRange(image, parseBytes(offset, 'offset'), parseBytes(length, 'length'), p);
        return 0;
      }
      case 'write': {
        const [image, offset, file] = expect(p, 3, 'write <image> <offset> <file>');
        writeFileInto(image, parseBytes(offset, 'offset'), file, p);
        return 0;
      }
      case 'snapshot':
        return await snapshot(p);
      case 'overlay': {
        const [base, overlay] = expect(p, 2, 'overlay <base> <new-overlay> [--absolute]');
        createOverlay(base, overlay, {
          backingPathInOverlay: p.flags.has('--absolute') ? 'absolute' : 'relative',
          allowBackingPath: allowFrom(p),
        });
        return 0;
      }
      case 'commit': {
        const [overlay] = expect(p, 1, 'commit <overlay>');
        commitOverlay(overlay, { allowBackingPath: allowFrom(p) });
        return 0;
      }
      case 'discard': {
        const [overlay] = expect(p, 1, 'discard <overlay>');
        discardOverlay(overlay);
        return 0;
      }
      case undefined:
        throw new CliError(USAGE.split('\n')[0], 2);
      default:
        throw new CliError(`unknown disk subcommand '${sub}' (try 'win31 disk --help')`, 2);
    }
  } catch (e) {
    if (e instanceof OutputClosed) return 0;
    if (e instanceof DiskError && e.message.includes('not followed without permission')) {
      throw new DiskError(`${e.message} (--allow-backing follows it)`);
    }
    throw e;
  }
}

async function snapshot(p: Parsed): Promise<number> {
  const [image, action, name] = p.positional;
  const shape = 'snapshot <image> list | create <name> | apply <name> | delete <name>';
  const opts = { allowBackingPath: allowFrom(p) };
  if (action === 'list' && p.positional.length === 2) {
    const list = inspectImage(image).snapshots;
    if (list.length > 0) await out(snapshotTable(list).join('\n') + '\n');
    return 0;
  }
  if (p.positional.length !== 3) throw new CliError(`usage: win31 disk ${shape}`, 2);
  if (action === 'create') createSnapshot(image, name, opts);
  else if (action === 'apply') applySnapshot(image, name, opts);
  else if (action === 'delete') deleteSnapshot(image, name, opts);
  else throw new CliError(`usage: win31 disk ${shape}`, 2);
  return 0;
}

export const diskCommand: CliCommand = {
  name: 'disk',
  summary: 'inspect and edit disk images (qcow2, raw): info, cat, read, write, snapshot, overlay, commit',
  usage: USAGE,
  run,
};

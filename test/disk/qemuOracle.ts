/**
 * The external oracle for the disk tests: Debian's qemu-img and qemu-io build every fixture, and
 * their reading of an image (qemu-img convert -O raw, qemu-img check) is what ours must equal.
 * Each test file works in its own temporary folder, removed afterwards.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { BlockDevice } from '../../emulator/disk/blockDevice.js';
import { hasTool } from '../support/testdata.js';

export { pattern, rng } from './patterns.js';

/** True when qemu-img and qemu-io run here (under CI their absence fails the suite). */
export function haveQemu(): boolean {
  return hasTool('qemu-img') && hasTool('qemu-io');
}

export class Workspace {
  readonly dir: string;

  constructor(label: string) {
    this.dir = mkdtempSync(join(tmpdir(), `win31-disk-${label}-`));
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  /** qemu-img run inside the workspace, so relative names (data files, backing files) land here. */
  qemuImg(...args: string[]): string {
    return run('qemu-img', args, this.dir);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function run(cmd: string, args: string[], cwd?: string): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', cwd, timeout: 120_000, maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${(err.stderr || err.stdout || err.message).trim()}`);
  }
}

export function qemuImg(...args: string[]): string {
  return run('qemu-img', args);
}

/** Runs qemu-io commands (`write -P 0xab 0 64k`, ...) on an image, format given or qcow2. */
export function qemuIo(image: string, commands: string[], format = 'qcow2'): string {
  const args = ['-f', format];
  for (const c of commands) args.push('-c', c);
  args.push(image);
  // qemu opens external data files relative to its working directory: work next to the image.
  const out = run('qemu-io', args, dirname(image));
  if (/error|failed/i.test(out)) throw new Error(`qemu-io ${commands.join('; ')}: ${out.trim()}`);
  return out;
}

/** The guest-visible content as qemu reads it (qemu-img convert -O raw). */
export function qemuRaw(image: string, extra: string[] = []): Buffer {
  const out = image + `.oracle-${process.pid}.raw`;
  try {
    run('qemu-img', ['convert', ...extra, '-O', 'raw', image, out], dirname(image));
    return readFileSync(out);
  } finally {
    rmSync(out, { force: true });
  }
}

/** Part of the guest content as qemu reads it (a raw node with offset and size over the image). */
export function qemuRange(image: string, offset: number, length: number, format = 'qcow2'): Buffer {
  const out = image + `.oracle-${process.pid}.part`;
  try {
    const opts = `driver=raw,offset=${offset},size=${length},file.driver=${format},file.file.filename=${image}`;
    run('qemu-img', ['convert', '--image-opts', opts, '-O', 'raw', out], dirname(image));
    return readFileSync(out);
  } finally {
    rmSync(out, { force: true });
  }
}

export interface CheckResult {
  readonly corruptions: number;
  readonly leaks: number;
  readonly checkErrors: number;
  readonly allocatedClusters: number;
  readonly text: string;
}

/** qemu-img check, parsed. Exit status 2/3 (corruption/leaks) still yields a result. */
export function qemuCheck(image: string, format = 'qcow2'): CheckResult {
  const cwd = dirname(image);
  const r = spawnSync('qemu-img', ['check', '-f', format, '--output=json', image], { encoding: 'utf8', timeout: 120_000, cwd });
  if (r.status === 1 || r.stdout.trim() === '') throw new Error(`qemu-img check ${image} failed: ${r.stderr.trim()}`);
  const j = JSON.parse(r.stdout) as Record<string, unknown>;
  const num = (k: string): number => (typeof j[k] === 'number' ? (j[k] as number) : 0);
  const text = spawnSync('qemu-img', ['check', '-f', format, image], { encoding: 'utf8', cwd }).stdout;
  return {
    corruptions: num('corruptions'),
    leaks: num('leaks'),
    checkErrors: num('check-errors'),
    allocatedClusters: num('allocated-clusters'),
    text,
  };
}

export function qemuInfo(image: string, extra: string[] = []): Record<string, unknown> {
  return JSON.parse(run('qemu-img', ['info', '--output=json', ...extra, image], dirname(image))) as Record<string, unknown>;
}

/** Reads a whole block device into memory (test images are small). */
export function readAll(disk: BlockDevice): Buffer {
  const out = Buffer.alloc(disk.size);
  const chunk = 1 << 20;
  for (let pos = 0; pos < disk.size; pos += chunk) {
    disk.read(pos, out.subarray(pos, Math.min(disk.size, pos + chunk)));
  }
  return out;
}

/** Index of the first differing byte, or -1. Makes content mismatches readable in test output. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

// Disk benchmarks: sequential reading of a 32 MiB qcow2 image through our block layer against
// `qemu-img convert -O raw` of the same image (the target: ratio >= 1), the same for a
// zlib- and a zstd-compressed image, sector-at-a-time reads as a disk controller issues them, and
// sequential writes into a fresh image.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDisk } from '../emulator/disk/openDisk.js';

const MiB = 1024 * 1024;
const SIZE = 32 * MiB;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median wall time in ms of `runs` runs (after one warm-up). */
function measure(runs: number, body: () => void): number {
  body();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    body();
    times.push(performance.now() - t0);
  }
  return median(times);
}

function readAll(path: string, chunk: number): void {
  const disk = openDisk(path, { readOnly: true });
  const buf = new Uint8Array(chunk);
  for (let pos = 0; pos < disk.size; pos += chunk) disk.read(pos, buf);
  disk.close();
}

function line(label: string, ms: number, bytes = SIZE): void {
  console.log(`${label.padEnd(58)} ${ms.toFixed(1).padStart(8)} ms ${((bytes / MiB / ms) * 1000).toFixed(0).padStart(6)} MiB/s`);
}

if (spawnSync('qemu-img', ['--version']).status !== 0) {
  console.log('qemu-img is not installed: disk benchmarks skipped');
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'win31-disk-bench-'));
try {
  // Content like a used disk: runs of data, text-like repeats and empty stretches.
  const raw = new Uint8Array(SIZE);
  let x = 12345;
  for (let i = 0; i < SIZE; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const region = (i >> 18) % 4;
    raw[i] = region === 0 ? 0 : region === 1 ? x >>> 24 : region === 2 ? 0x20 + (i % 61) : (x >>> 28) * 3;
  }
  const src = join(dir, 'src.raw');
  writeFileSync(src, raw);
  const images: [string, string[]][] = [
    ['plain.qcow2', []],
    ['zlib.qcow2', ['-c']],
    ['zstd.qcow2', ['-c', '-o', 'compression_type=zstd']],
  ];
  for (const [name, opts] of images) execFileSync('qemu-img', ['convert', '-O', 'qcow2', ...opts, src, join(dir, name)]);

  console.log(`32 MiB image, 64 KiB clusters; median of 7 runs`);
  for (const [name] of images) {
    const image = join(dir, name);
    const out = join(dir, 'out.raw');
    const qemu = measure(7, () => {
      execFileSync('qemu-img', ['convert', '-O', 'raw', image, out]);
      rmSync(out);
    });
    const ours = measure(7, () => readAll(image, MiB));
    line(`qemu-img convert -O raw, ${name}`, qemu);
    line(`ours, sequential 1 MiB reads, ${name}`, ours);
    console.log(`${'ratio qemu-img time / our time (>= 1: ours is faster)'.padEnd(58)} ${(qemu / ours).toFixed(2).padStart(8)}`);
    const sectors = measure(3, () => readAll(image, 512));
    line(`ours, sequential 512-byte reads, ${name}`, sectors);
  }

  const target = join(dir, 'write.qcow2');
  const block = new Uint8Array(64 * 1024).map((_, i) => i & 0xff);
  const writes = measure(3, () => {
    rmSync(target, { force: true });
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', target, '32M']);
    const disk = openDisk(target);
    for (let pos = 0; pos < SIZE; pos += block.length) disk.write(pos, block);
    disk.flush();
    disk.close();
  });
  line('ours, sequential 64 KiB writes into a new image + flush', writes);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

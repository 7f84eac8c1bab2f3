// Crash consistency: a child process writes random patterns into an image and is killed with
// SIGKILL at random moments, over and over on the same image. After every kill qemu-img check must
// find no corruption (leaked clusters are allowed), every write that flush() acknowledged must be
// intact, and bytes written after the last acknowledgement may hold old or new data only.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDisk } from '../../emulator/disk/openDisk.js';
import { repoRoot } from '../support/testdata.js';
import { Workspace, firstDifference, haveQemu, pattern, qemuCheck, qemuIo, qemuRaw, readAll, rng } from './qemuOracle.js';

const ok = haveQemu();
let ws: Workspace;
let child: string;
let kills = 0;

beforeAll(async () => {
  if (!ok) return;
  ws = new Workspace('kill');
  child = ws.path('killWriter.mjs');
  await build({
    entryPoints: [join(repoRoot, 'test/disk/killWriter.ts')],
    outfile: child,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
});
afterAll(() => ws?.remove());

interface Write {
  readonly index: number;
  readonly offset: number;
  readonly length: number;
  readonly seed: number;
}

/** Runs the writer until `delayMs` after it is ready, kills it, and returns what it reported. */
function runAndKill(image: string, seed: number, delayMs: number, maxLength: number): Promise<{ lines: string[]; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, image, String(seed), String(maxLength)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let armed = false;
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!armed && out.startsWith('R\n')) {
        armed = true;
        setTimeout(() => p.kill('SIGKILL'), delayMs);
      }
    });
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer ended by itself (code ${code}): ${err.trim()}`));
      else resolve({ lines: out.split('\n').filter((l) => l.length > 0), signal });
    });
  });
}

/** Checks the image after a kill against the writer's report; returns the content for the next round. */
function verifyAfterKill(image: string, before: Buffer, lines: string[]): { content: Buffer; acked: number; pending: number } {
  const writes: Write[] = [];
  let acked = -1;
  for (const l of lines) {
    const f = l.split(' ');
    if (f[0] === 'W') writes.push({ index: Number(f[1]), offset: Number(f[2]), length: Number(f[3]), seed: Number(f[4]) });
    else if (f[0] === 'A') acked = Number(f[1]);
  }
  const check = qemuCheck(image);
  expect(check.corruptions, check.text).toBe(0);
  expect(check.checkErrors, check.text).toBe(0);

  const expected = Buffer.from(before);
  for (const w of writes) if (w.index <= acked) expected.set(pattern(w.seed, w.length), w.offset);
  const pending = writes.filter((w) => w.index > acked).map((w) => ({ ...w, data: pattern(w.seed, w.length) }));
  const actual = qemuRaw(image);
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] === expected[i]) continue;
    const explained = pending.some((w) => i >= w.offset && i < w.offset + w.length && w.data[i - w.offset] === actual[i]);
    if (!explained) throw new Error(`byte ${i} is ${actual[i]}, expected ${expected[i]} (acknowledged data lost or garbage)`);
  }
  const mine = openDisk(image, { readOnly: true });
  try {
    expect(firstDifference(readAll(mine), actual)).toBe(-1);
  } finally {
    mine.close();
  }
  return { content: actual, acked: writes.filter((w) => w.index <= acked).length, pending: pending.length };
}

async function rounds(image: string, count: number, seed: number, maxLength: number): Promise<number> {
  const r = rng(seed);
  let content = qemuRaw(image);
  let acknowledged = 0;
  for (let round = 0; round < count; round++) {
    const { lines } = await runAndKill(image, seed * 100 + round, 15 + Math.floor(r() * 250), maxLength);
    kills++;
    const v = verifyAfterKill(image, content, lines);
    content = v.content;
    acknowledged += v.acked;
  }
  return acknowledged;
}

describe.skipIf(!ok)('SIGKILL at random moments never corrupts the image', () => {
  it('overlay with a compressed backing file and an internal snapshot (64 KiB clusters)', async () => {
    const raw = ws.path('a-src.raw');
    writeFileSync(raw, pattern(1, 6 * 1024 * 1024).map((b, i) => (i & 0x400 ? b : 0x33)));
    ws.qemuImg('convert', '-c', '-O', 'qcow2', '-o', 'compression_type=zstd', raw, ws.path('a-base.qcow2'));
    const top = ws.path('a-top.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', '-b', 'a-base.qcow2', '-F', 'qcow2', top);
    qemuIo(top, ['write -P 0x44 0 2M', 'write -z 3M 128k']);
    ws.qemuImg('snapshot', '-c', 'keep', top);
    const kept = qemuRaw(top, ['-l', 'snapshot.name=keep']);
    expect(await rounds(top, 6, 11, 200_000)).toBeGreaterThan(0);
    expect(firstDifference(qemuRaw(top, ['-l', 'snapshot.name=keep']), kept)).toBe(-1);
  });

  it('512-byte clusters with 64-bit refcounts (new refcount blocks and tables all the time)', async () => {
    const img = ws.path('b.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', '-o', 'cluster_size=512,refcount_bits=64', img, '6M');
    expect(await rounds(img, 6, 22, 120_000)).toBeGreaterThan(0);
  });

  it('extended L2 entries over a raw backing file', async () => {
    const raw = ws.path('c-base.raw');
    writeFileSync(raw, pattern(3, 5 * 1024 * 1024));
    const img = ws.path('c.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', '-o', 'extended_l2=on,cluster_size=32768', '-b', 'c-base.raw', '-F', 'raw', img);
    expect(await rounds(img, 5, 33, 100_000)).toBeGreaterThan(0);
  });

  it('1-bit refcounts, 4 KiB clusters, over a shorter qcow2 backing file', async () => {
    const base = ws.path('d-base.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', base, '2M');
    qemuIo(base, ['write -P 0x5d 0 2M']);
    const img = ws.path('d.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', '-o', 'cluster_size=4096,refcount_bits=1', '-b', 'd-base.qcow2', '-F', 'qcow2', img, '4M');
    expect(await rounds(img, 5, 44, 60_000)).toBeGreaterThan(0);
  });

  it('killed at least 20 times in this run', () => {
    expect(kills).toBeGreaterThanOrEqual(20);
  });
});

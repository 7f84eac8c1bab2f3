// Writing: random writes through our layer into images qemu built (every cluster kind, snapshots,
// backing chains, subclusters, data files, refcount table growth, >4 GiB). Afterwards qemu-img check
// must find no corruption and no leak, and qemu must read exactly what a plain byte model says.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDisk } from '../../emulator/disk/openDisk.js';
import { Workspace, firstDifference, haveQemu, pattern, qemuCheck, qemuInfo, qemuIo, qemuRaw, readAll, rng } from './qemuOracle.js';

const MiB = 1024 * 1024;
const ok = haveQemu();
let ws: Workspace;

beforeAll(() => {
  if (ok) ws = new Workspace('write');
});
afterAll(() => ws?.remove());

interface Plan {
  readonly seed: number;
  readonly writes: number;
  /** Largest single write. */
  readonly maxLength: number;
  /** Flush every this many writes. */
  readonly flushEvery?: number;
}

/** Applies a seeded plan of writes through our layer and to a byte model; returns the model. */
function exercise(image: string, plan: Plan): Buffer {
  const model = qemuRaw(image);
  const disk = openDisk(image);
  const r = rng(plan.seed);
  try {
    for (let i = 0; i < plan.writes; i++) {
      const shape = r();
      let length: number;
      let offset: number;
      if (shape < 0.3) {
        // Sector-sized, sector-aligned: what a disk controller issues.
        length = 512 * (1 + Math.floor(r() * 8));
        offset = Math.floor((r() * (model.length - length)) / 512) * 512;
      } else {
        length = 1 + Math.floor(r() * plan.maxLength);
        offset = Math.floor(r() * (model.length - length));
      }
      const data = pattern(plan.seed * 100_000 + i, length);
      disk.write(offset, data);
      model.set(data, offset);
      if (plan.flushEvery && i % plan.flushEvery === plan.flushEvery - 1) disk.flush();
    }
    expect(firstDifference(readAll(disk), model)).toBe(-1);
  } finally {
    disk.close();
  }
  return model;
}

/** qemu-img check is clean (no corruption, no leaks unless allowed) and qemu reads the model. */
function verify(image: string, model: Buffer, allowLeaks = false): void {
  const check = qemuCheck(image);
  expect(check.corruptions).toBe(0);
  expect(check.checkErrors).toBe(0);
  if (!allowLeaks) {
    expect(check.text).toContain('No errors were found');
    expect(check.leaks).toBe(0);
  }
  expect(firstDifference(qemuRaw(image), model)).toBe(-1);
  const disk = openDisk(image, { readOnly: true });
  try {
    expect(firstDifference(readAll(disk), model)).toBe(-1);
  } finally {
    disk.close();
  }
}

function create(name: string, opts: string, size: string, backing?: [string, string]): string {
  const img = ws.path(name);
  const args = ['create', '-q', '-f', 'qcow2', '-o', opts];
  if (backing) args.push('-b', backing[0], '-F', backing[1]);
  args.push(img);
  if (size) args.push(size);
  ws.qemuImg(...args);
  return img;
}

describe.skipIf(!ok)('writes keep the image consistent and read back as qemu reads them', () => {
  it('fresh image, 64 KiB clusters', () => {
    const img = create('fresh.qcow2', 'cluster_size=65536', '8M');
    verify(img, exercise(img, { seed: 1, writes: 300, maxLength: 200_000, flushEvery: 37 }));
  });

  it('512-byte clusters with 64-bit refcounts: the refcount table grows several times', () => {
    const img = create('grow.qcow2', 'cluster_size=512,refcount_bits=64', '12M');
    const before = Number((qemuInfo(img)['actual-size'] as number) ?? 0);
    verify(img, exercise(img, { seed: 2, writes: 200, maxLength: 150_000 }));
    const model = qemuRaw(img);
    // Fill the disk completely: thousands of allocations, many new refcount blocks and tables.
    const disk = openDisk(img);
    const all = pattern(22, disk.size);
    disk.write(0, all);
    disk.close();
    model.set(all, 0);
    verify(img, model);
    expect(Number(qemuInfo(img)['actual-size'])).toBeGreaterThan(before);
  });

  it('1-bit refcounts, 4 KiB clusters', () => {
    const img = create('rc1.qcow2', 'cluster_size=4096,refcount_bits=1', '6M');
    verify(img, exercise(img, { seed: 3, writes: 250, maxLength: 100_000, flushEvery: 10 }));
  });

  it('2 MiB clusters over a raw backing file', () => {
    const base = ws.path('big-cluster-base.raw');
    writeFileSync(base, pattern(4, 10 * MiB));
    const img = create('big-cluster.qcow2', 'cluster_size=2097152', '', ['big-cluster-base.raw', 'raw']);
    verify(img, exercise(img, { seed: 4, writes: 60, maxLength: 3 * MiB }));
    expect(firstDifference(readFileSync(base), pattern(4, 10 * MiB))).toBe(-1);
  });

  it('version 2 image over a qcow2 backing file', () => {
    const base = create('v2-base.qcow2', 'compat=0.10,cluster_size=4096', '5M');
    qemuIo(base, ['write -P 0x31 0 5M']);
    const img = create('v2-top.qcow2', 'compat=0.10,cluster_size=4096', '', ['v2-base.qcow2', 'qcow2']);
    verify(img, exercise(img, { seed: 5, writes: 200, maxLength: 70_000 }));
  });

  it('extended L2: subcluster copy-on-write from the backing file, zero subclusters', () => {
    const base = create('xl2-base.qcow2', 'cluster_size=65536', '6M');
    qemuIo(base, ['write -P 0x41 0 6M']);
    const img = create('xl2.qcow2', 'extended_l2=on,cluster_size=65536', '', ['xl2-base.qcow2', 'qcow2']);
    qemuIo(img, ['write -P 0x42 8k 4k', 'write -z 64k 64k', 'write -z 200k 6k', 'write -P 0x43 1M 100k']);
    verify(img, exercise(img, { seed: 6, writes: 250, maxLength: 90_000, flushEvery: 13 }));
  });

  it('extended L2 without a backing file, 32 KiB clusters', () => {
    const img = create('xl2-solo.qcow2', 'extended_l2=on,cluster_size=32768', '4M');
    verify(img, exercise(img, { seed: 7, writes: 200, maxLength: 50_000 }));
  });

  it('clusters shared with internal snapshots are copied, the snapshots keep their content', () => {
    const img = create('snap.qcow2', 'cluster_size=16384', '6M');
    qemuIo(img, ['write -P 0x51 0 6M']);
    ws.qemuImg('snapshot', '-c', 'one', img);
    qemuIo(img, ['write -P 0x52 1M 1M', 'write -z 3M 64k']);
    ws.qemuImg('snapshot', '-c', 'two', img);
    const one = qemuRaw(img, ['-l', 'snapshot.name=one']);
    const two = qemuRaw(img, ['-l', 'snapshot.name=two']);
    verify(img, exercise(img, { seed: 8, writes: 250, maxLength: 120_000, flushEvery: 20 }));
    expect(firstDifference(qemuRaw(img, ['-l', 'snapshot.name=one']), one)).toBe(-1);
    expect(firstDifference(qemuRaw(img, ['-l', 'snapshot.name=two']), two)).toBe(-1);
  });

  for (const type of ['zlib', 'zstd']) {
    it(`writes into ${type}-compressed clusters`, () => {
      const raw = ws.path(`comp-src-${type}.raw`);
      const content = pattern(9, 5 * MiB).map((b, i) => (i % 3 === 0 ? b : 0x20));
      writeFileSync(raw, content);
      const img = ws.path(`comp-${type}.qcow2`);
      ws.qemuImg('convert', '-c', '-O', 'qcow2', '-o', `compression_type=${type},cluster_size=8192`, raw, img);
      verify(img, exercise(img, { seed: 10, writes: 200, maxLength: 40_000 }));
    });
  }

  it('preallocated zero clusters are written in place, plain zero clusters get new clusters', () => {
    const base = create('zero-base.qcow2', 'cluster_size=65536', '4M');
    qemuIo(base, ['write -P 0x61 0 4M']);
    const img = create('zeros.qcow2', 'cluster_size=65536', '', ['zero-base.qcow2', 'qcow2']);
    qemuIo(img, ['write -P 0x62 0 2M', 'write -z 0 1M', 'write -z -u 2M 1M']);
    verify(img, exercise(img, { seed: 11, writes: 150, maxLength: 80_000 }));
  });

  it('metadata-preallocated image', () => {
    const img = create('prealloc.qcow2', 'cluster_size=65536,preallocation=metadata', '3M');
    verify(img, exercise(img, { seed: 12, writes: 150, maxLength: 80_000 }));
  });

  it('external data files (raw and not raw)', () => {
    for (const rawFlag of ['on', 'off']) {
      const img = create(`ext-${rawFlag}.qcow2`, `data_file=ext-${rawFlag}.data,data_file_raw=${rawFlag}`, '3M');
      qemuIo(img, ['write -P 0x71 64k 200k']);
      verify(img, exercise(img, { seed: 13, writes: 150, maxLength: 80_000 }));
      if (rawFlag === 'on') {
        // The data file alone is the disk, as the raw external data bit promises.
        expect(firstDifference(readFileSync(ws.path('ext-on.data')).subarray(0, 3 * MiB), qemuRaw(img))).toBe(-1);
      }
    }
  });

  it('an overlay larger than its backing file', () => {
    const base = ws.path('short.raw');
    writeFileSync(base, pattern(14, 700_000));
    const img = create('long.qcow2', 'cluster_size=65536', '3M', ['short.raw', 'raw']);
    verify(img, exercise(img, { seed: 14, writes: 150, maxLength: 100_000 }));
  });

  it('writes past 4 GiB land where qemu reads them', () => {
    const img = create('huge.qcow2', 'cluster_size=65536', '9G');
    const disk = openDisk(img);
    const spots = [4 * 1024 * MiB - 1000, 6 * 1024 * MiB + 12345, 9 * 1024 * MiB - 70_000];
    try {
      for (const [i, at] of spots.entries()) disk.write(at, new Uint8Array(70_000).fill(0xa0 + i));
    } finally {
      disk.close();
    }
    const check = qemuCheck(img);
    expect(check.corruptions + check.leaks + check.checkErrors).toBe(0);
    const out = qemuIo(img, spots.map((at, i) => `read -P 0x${(0xa0 + i).toString(16)} ${at} 70000`));
    expect(out).not.toMatch(/mismatch|fail/i);
    expect(qemuIo(img, [`read -P 0 ${spots[0] - 512} 512`, `read -P 0 ${spots[1] + 70_000} 512`])).not.toMatch(/mismatch|fail/i);
  });

  it('a dirty image (qemu killed while using lazy refcounts) is recounted before the first write', () => {
    const img = create('dirty.qcow2', 'lazy_refcounts=on,cluster_size=4096', '4M');
    qemuIo(img, ['write -P 0x11 0 1M']);
    ws.qemuImg('snapshot', '-c', 'kept', img);
    const kept = qemuRaw(img, ['-l', 'snapshot.name=kept']);
    spawnSync('qemu-io', ['-c', 'write -P 0x66 100k 700k', '-c', 'write -P 0x67 2M 300k', '-c', 'abort', img], { stdio: 'ignore' });
    expect(readFileSync(img)[79] & 1).toBe(1);
    expect(qemuCheck(img).corruptions).toBeGreaterThan(0);
    const model = exercise(img, { seed: 16, writes: 100, maxLength: 60_000 });
    expect(readFileSync(img)[79] & 1).toBe(0);
    verify(img, model);
    expect(firstDifference(qemuRaw(img, ['-l', 'snapshot.name=kept']), kept)).toBe(-1);
  });

  it('clears unknown auto-clear bits and the bitmaps bit before the first write; keeps unknown compatible bits', () => {
    const img = create('autoclear.qcow2', 'cluster_size=65536', '2M');
    ws.qemuImg('bitmap', '--add', img, 'b0');
    const bytes = readFileSync(img);
    bytes[95] |= 0x20; // autoclear bit 5: unknown
    bytes[87] |= 0x10; // compatible bit 4: unknown
    writeFileSync(img, bytes);
    expect(readFileSync(img)[95] & 0x21).toBe(0x21);
    const model = exercise(img, { seed: 15, writes: 20, maxLength: 10_000 });
    const after = readFileSync(img);
    expect(after[95]).toBe(0);
    expect(after[87] & 0x10).toBe(0x10);
    // With the bitmaps bit cleared the bitmap's clusters are no longer accounted for: they leak,
    // which is the format's documented price for a writer that does not maintain bitmaps.
    verify(img, model, true);
    expect(qemuCheck(img).leaks).toBeGreaterThan(0);
  });
});

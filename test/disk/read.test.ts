// Reading: every image qemu-img/qemu-io build here must read byte for byte as `qemu-img convert -O
// raw` reads it (cluster sizes, refcount widths, versions, zero and compressed clusters, extended L2
// subclusters, backing chains, external data files, offsets past 4 GiB).
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDisk } from '../../emulator/disk/openDisk.js';
import { createOverlay } from '../../emulator/disk/overlay.js';
import { testdata } from '../support/testdata.js';
import { Workspace, firstDifference, haveQemu, pattern, qemuIo, qemuRange, qemuRaw, readAll } from './qemuOracle.js';

const MiB = 1024 * 1024;
const ok = haveQemu();
let ws: Workspace;
let source: string;

beforeAll(() => {
  if (!ok) return;
  ws = new Workspace('read');
  // A 6 MiB raw source: random data, a run of zeros, a repeating pattern and a random tail.
  const raw = new Uint8Array(6 * MiB);
  raw.set(pattern(1, 2 * MiB), 0);
  raw.set(pattern(2, 300_000).map((b) => b & 0x0f), 3 * MiB);
  raw.set(pattern(3, MiB + 12345), 4 * MiB + 777);
  source = ws.path('source.raw');
  writeFileSync(source, raw);
});

afterAll(() => ws?.remove());

function expectSame(image: string, extra: string[] = []): void {
  const disk = openDisk(image, { readOnly: true });
  try {
    const mine = readAll(disk);
    const theirs = qemuRaw(image, extra);
    expect(mine.length).toBe(theirs.length);
    expect(firstDifference(mine, theirs)).toBe(-1);
  } finally {
    disk.close();
  }
}

describe.skipIf(!ok)('qcow2 reads equal qemu-img convert -O raw', () => {
  const layouts: [string, string][] = [
    ['512-byte clusters, 1-bit refcounts', 'cluster_size=512,refcount_bits=1'],
    ['4 KiB clusters, 2-bit refcounts', 'cluster_size=4096,refcount_bits=2'],
    ['16 KiB clusters, 4-bit refcounts', 'cluster_size=16384,refcount_bits=4'],
    ['64 KiB clusters, 8-bit refcounts', 'cluster_size=65536,refcount_bits=8'],
    ['64 KiB clusters, 32-bit refcounts', 'cluster_size=65536,refcount_bits=32'],
    ['1 KiB clusters, 64-bit refcounts', 'cluster_size=1024,refcount_bits=64'],
    ['2 MiB clusters', 'cluster_size=2097152'],
    ['version 2', 'compat=0.10,cluster_size=8192'],
    ['extended L2, 32 KiB clusters', 'extended_l2=on,cluster_size=32768'],
  ];
  for (const [name, opts] of layouts) {
    it(`converted image: ${name}`, () => {
      const img = ws.path(`conv-${opts.replace(/[=,]/g, '_')}.qcow2`);
      ws.qemuImg('convert', '-O', 'qcow2', '-o', opts, source, img);
      expectSame(img);
    });
  }

  for (const type of ['zlib', 'zstd']) {
    for (const cs of [4096, 65536, 2097152]) {
      it(`compressed clusters (${type}, ${cs}-byte clusters)`, () => {
        const img = ws.path(`comp-${type}-${cs}.qcow2`);
        ws.qemuImg('convert', '-c', '-O', 'qcow2', '-o', `compression_type=${type},cluster_size=${cs}`, source, img);
        expectSame(img);
      });
    }
  }

  it('zero clusters, plain and preallocated, next to data', () => {
    const img = ws.path('zeros.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', img, '4M');
    qemuIo(img, ['write -P 0x11 0 1M', 'write -z 64k 64k', 'write -z -u 192k 128k', 'write -z 2M 512k', 'write -P 0x22 2200k 4k']);
    expectSame(img);
  });

  it('metadata preallocation reads as zeros', () => {
    const img = ws.path('prealloc.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', '-o', 'preallocation=metadata', img, '3M');
    qemuIo(img, ['write -P 0x5c 1M 100k']);
    expectSame(img);
  });

  it('extended L2: allocated, zero and unallocated subclusters over a backing file', () => {
    const base = ws.path('xl2-base.qcow2');
    ws.qemuImg('convert', '-O', 'qcow2', source, base);
    const img = ws.path('xl2-top.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', '-o', 'extended_l2=on,cluster_size=65536', '-b', 'xl2-base.qcow2', '-F', 'qcow2', img);
    qemuIo(img, ['write -P 0xa1 0 2k', 'write -P 0xa2 6k 5k', 'write -z 16k 4k', 'write -z 64k 64k', 'write -P 0xa3 200k 300', 'write -z -u 1M 8k']);
    expectSame(img);
  });

  it('backing chain of mixed formats, six levels deep, written at every level', () => {
    const raw = ws.path('chain0.raw');
    ws.qemuImg('create', '-q', '-f', 'raw', raw, '5M');
    qemuIo(raw, ['write -P 0x10 0 5M'], 'raw');
    let below = 'chain0.raw';
    let belowFmt = 'raw';
    for (let level = 1; level <= 6; level++) {
      const img = ws.path(`chain${level}.qcow2`);
      const cs = [512, 4096, 65536][level % 3];
      ws.qemuImg('create', '-q', '-f', 'qcow2', '-o', `cluster_size=${cs}`, '-b', below, '-F', belowFmt, img);
      qemuIo(img, [`write -P 0x${(0x20 + level).toString(16)} ${level * 700}k ${level * 33}k`, `write -z ${level * 300}k 9k`]);
      below = `chain${level}.qcow2`;
      belowFmt = 'qcow2';
    }
    expectSame(ws.path('chain6.qcow2'));
  });

  it('a chain 60 overlays deep (made by createOverlay, written by qemu-io)', () => {
    let below = ws.path('deep0.qcow2');
    ws.qemuImg('convert', '-O', 'qcow2', source, below);
    for (let level = 1; level <= 60; level++) {
      const img = ws.path(`deep${level}.qcow2`);
      createOverlay(below, img);
      if (level % 7 === 0) qemuIo(img, [`write -P ${level} ${level * 80}k ${level}k`]);
      below = img;
    }
    expectSame(below);
  });

  it('a backing file shorter than the overlay reads zeros past its end', () => {
    const base = ws.path('short.raw');
    ws.qemuImg('create', '-q', '-f', 'raw', base, '1000k');
    qemuIo(base, ['write -P 0x77 0 1000k'], 'raw');
    const img = ws.path('long.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', '-b', 'short.raw', '-F', 'raw', img, '3M');
    qemuIo(img, ['write -P 0x78 2M 4k']);
    expectSame(img);
  });

  it('no recorded backing format (probed by magic), an unknown header extension and unknown compatible bits', () => {
    const base = ws.path('noformat-base.qcow2');
    ws.qemuImg('convert', '-O', 'qcow2', source, base);
    const img = ws.path('noformat.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', '-b', 'noformat-base.qcow2', '-F', 'qcow2', img);
    qemuIo(img, ['write -P 0x61 3M 5k']);
    // Turn the backing-format extension into an unknown one (to be skipped), and set compatible bit 9.
    const bytes = readFileSync(img);
    const at = bytes.indexOf(Buffer.from([0xe2, 0x79, 0x2a, 0xca]), 104);
    expect(at).toBeGreaterThan(0);
    bytes.writeUInt32BE(0x0badcafe, at);
    bytes[87] |= 0x02;
    writeFileSync(img, bytes);
    expectSame(img);
  });

  it('external data files, raw and not raw', () => {
    for (const rawFlag of ['on', 'off']) {
      const img = ws.path(`ext-${rawFlag}.qcow2`);
      ws.qemuImg('create', '-q', '-f', 'qcow2', '-o', `data_file=ext-${rawFlag}.data,data_file_raw=${rawFlag}`, img, '2M');
      qemuIo(img, ['write -P 0x3c 4k 100k', 'write -P 0x3d 1M 64k']);
      expectSame(img);
    }
  });

  it('a snapshot reads as qemu reads it', () => {
    const img = ws.path('snapread.qcow2');
    ws.qemuImg('convert', '-O', 'qcow2', source, img);
    ws.qemuImg('snapshot', '-c', 'before', img);
    qemuIo(img, ['write -P 0xee 100k 1M']);
    const disk = openDisk(img, { snapshot: 'before' });
    try {
      expect(firstDifference(readAll(disk), qemuRaw(img, ['-l', 'snapshot.name=before']))).toBe(-1);
    } finally {
      disk.close();
    }
    expectSame(img);
  });

  it('small, unaligned reads (as a disk controller issues them) match', () => {
    const img = ws.path('small-reads.qcow2');
    ws.qemuImg('convert', '-c', '-O', 'qcow2', '-o', 'cluster_size=4096', source, img);
    const theirs = qemuRaw(img);
    const disk = openDisk(img, { readOnly: true });
    try {
      const buf = new Uint8Array(1000);
      for (let off = 0; off + buf.length <= disk.size; off += 99_991) {
        disk.read(off, buf);
        expect(firstDifference(buf, theirs.subarray(off, off + buf.length))).toBe(-1);
      }
    } finally {
      disk.close();
    }
  });

  it('offsets past 4 GiB', () => {
    const img = ws.path('big.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', img, '9G');
    qemuIo(img, ['write -P 0x4b 4294901760 131072', 'write -P 0x8c 8G 64k', 'write -P 0x9d 9663610880 4096']);
    const disk = openDisk(img, { readOnly: true });
    try {
      expect(disk.size).toBe(9 * 1024 * MiB);
      for (const [offset, length] of [
        [4294901760 - 65536, 262144],
        [8 * 1024 * MiB - 4096, 73728],
        [9663610880 - 8192, 12288],
      ]) {
        const mine = new Uint8Array(length);
        disk.read(offset, mine);
        const theirs = qemuRange(img, offset, length);
        expect(firstDifference(mine, theirs)).toBe(-1);
      }
    } finally {
      disk.close();
    }
  });

  it('a backing file reached through a symbolic link inside the folder is followed', () => {
    const base = ws.path('linked-target.qcow2');
    ws.qemuImg('convert', '-O', 'qcow2', source, base);
    symlinkSync('linked-target.qcow2', ws.path('linked.qcow2'));
    const img = ws.path('via-link.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', '-b', 'linked.qcow2', '-F', 'qcow2', img);
    expectSame(img);
  });
});

describe('shared guest images', () => {
  const plain = testdata('guests/freedos-hdd-32m.qcow2');
  const zlib = testdata('guests/freedos-hdd-32m-zlib.qcow2');
  it.skipIf(plain === null || zlib === null)('freedos-hdd-32m-zlib.qcow2 reads identical to freedos-hdd-32m.qcow2', () => {
    const a = openDisk(plain!, { readOnly: true });
    const b = openDisk(zlib!, { readOnly: true });
    try {
      expect(a.size).toBe(33546240);
      expect(b.size).toBe(a.size);
      const da = readAll(a);
      const db = readAll(b);
      expect(firstDifference(da, db)).toBe(-1);
      // The boot sector's signature: the image is not all zeros.
      expect([da[510], da[511]]).toEqual([0x55, 0xaa]);
      if (ok) expect(firstDifference(da, qemuRaw(plain!))).toBe(-1);
    } finally {
      a.close();
      b.close();
    }
  });
});

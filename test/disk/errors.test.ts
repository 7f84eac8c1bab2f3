// Refusals: every kind of image this layer must not use is refused with one line that names the
// file and the problem, quickly and without reading unbounded amounts. Images come from qemu-img,
// then are damaged in exactly one place.
import { mkdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskError } from '../../emulator/disk/blockDevice.js';
import { inspectImage } from '../../emulator/disk/inspect.js';
import { openDisk, type OpenDiskOptions } from '../../emulator/disk/openDisk.js';
import { Workspace, firstDifference, haveQemu, pattern, qemuIo, qemuRaw, readAll } from './qemuOracle.js';

const ok = haveQemu();
let ws: Workspace;
let n = 0;

beforeAll(() => {
  if (ok) ws = new Workspace('errors');
});
afterAll(() => ws?.remove());

/** A fresh qcow2 with data in its first clusters. */
function image(opts = 'cluster_size=65536', size = '2M'): string {
  const img = ws.path(`img${n++}.qcow2`);
  ws.qemuImg('create', '-q', '-f', 'qcow2', '-o', opts, img, size);
  qemuIo(img, ['write -P 0x5a 0 256k']);
  return img;
}

function patch(img: string, offset: number, bytes: number[]): void {
  const b = readFileSync(img);
  b.set(bytes, offset);
  writeFileSync(img, b);
}

function u32(v: number): number[] {
  return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
}

function u64(v: number): number[] {
  return [...u32(Math.floor(v / 2 ** 32)), ...u32(v >>> 0)];
}

function readU64(img: string, at: number): number {
  const b = readFileSync(img);
  return b.readUInt32BE(at) * 2 ** 32 + b.readUInt32BE(at + 4);
}

/** The host offset in bits 9-55 of the L1/L2 entry at `at` (flags stripped). */
function offsetAt(img: string, at: number): number {
  const b = readFileSync(img);
  return (b.readUInt32BE(at) & 0x00ffffff) * 2 ** 32 + ((b.readUInt32BE(at + 4) & 0xfffffe00) >>> 0);
}

/** Runs `action` and returns the DiskError it must throw; checks the one-line, names-the-file rule. */
function refusal(action: () => unknown, file: string): string {
  let error: unknown = null;
  try {
    action();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(DiskError);
  const message = (error as DiskError).message;
  expect(message).not.toContain('\n');
  expect(message).toContain(file);
  return message;
}

function open(img: string, opts: OpenDiskOptions = { readOnly: true }): () => void {
  return () => {
    const d = openDisk(img, opts);
    try {
      readAll(d);
    } finally {
      d.close();
    }
  };
}

describe.skipIf(!ok)('images that are refused', () => {
  it('AES and LUKS encryption', () => {
    for (const format of ['aes', 'luks']) {
      const img = ws.path(`enc-${format}.qcow2`);
      ws.qemuImg('create', '-q', '--object', 'secret,id=s0,data=password', '-f', 'qcow2', '-o', `encrypt.format=${format},encrypt.key-secret=s0${format === 'luks' ? ',encrypt.iter-time=10' : ''}`, img, '1M');
      expect(refusal(open(img), img)).toMatch(new RegExp(`encrypted \\(${format === 'aes' ? 'AES' : 'LUKS'}\\)`));
      expect(refusal(() => inspectImage(img), img)).toMatch(/encrypted/);
    }
  });

  it('unknown incompatible features, named through the feature-name table', () => {
    const img = image();
    const b = readFileSync(img);
    // Re-purpose the table's entry for incompatible bit 4 as a feature this layer cannot know.
    let entry = -1;
    for (let at = 0; at + 48 < 4096; at += 8) {
      if (b[at] === 0 && b[at + 1] === 4 && b.subarray(at + 2, at + 21).toString() === 'extended L2 entries') entry = at;
    }
    expect(entry).toBeGreaterThan(0);
    b[entry + 1] = 7;
    b.fill(0, entry + 2, entry + 48);
    b.write('frobnication', entry + 2);
    b[79] |= 0x80;
    writeFileSync(img, b);
    expect(refusal(open(img), img)).toContain('"frobnication" (bit 7)');
    patch(img, 72, u64(2 ** 40));
    expect(refusal(open(img), img)).toContain('unknown incompatible feature bit 40');
  });

  it('corrupt bit: reading works, writing is refused', () => {
    const img = image();
    const before = qemuRaw(img);
    patch(img, 79, [0x02]);
    const d = openDisk(img);
    try {
      expect(firstDifference(readAll(d), before)).toBe(-1);
      expect(refusal(() => d.write(0, new Uint8Array(512)), img)).toMatch(/marked corrupt/);
    } finally {
      d.close();
    }
    expect(readFileSync(img)[79]).toBe(0x02);
  });

  it('truncated files', () => {
    const img = image();
    truncateSync(img, 50);
    expect(refusal(open(img), img)).toMatch(/too short/);

    const img2 = image();
    const l1 = readU64(img2, 40);
    truncateSync(img2, l1 + 4);
    expect(refusal(open(img2), img2)).toMatch(/L1 table .*past the end of the file/);

    const img3 = image();
    const l2 = offsetAt(img3, readU64(img3, 40));
    truncateSync(img3, l2 + 100);
    expect(refusal(open(img3), img3)).toMatch(/L2 table .*past the end of the file/);

    const img4 = image();
    truncateSync(img4, readFileSync(img4).length - 3 * 65536);
    expect(refusal(open(img4), img4)).toMatch(/past the end of the file/);
  });

  it('tables past the end of the file or overlapping the header', () => {
    const a = image();
    patch(a, 40, u64(2 ** 40));
    expect(refusal(open(a), a)).toMatch(/L1 table at 0x10000000000 lies past the end of the file/);
    const b = image();
    patch(b, 40, u64(0));
    expect(refusal(open(b), b)).toMatch(/L1 table at 0x0 overlaps the header/);
    const c = image();
    patch(c, 48, u64(0));
    expect(refusal(open(c), c)).toMatch(/refcount table at 0x0 overlaps the header/);
    const d = image();
    patch(d, 48, u64(2 ** 45));
    expect(refusal(open(d), d)).toMatch(/refcount table .*past the end/);
    const e = image();
    patch(e, 40, u64(65536 + 512));
    expect(refusal(open(e), e)).toMatch(/not cluster aligned/);
  });

  it('cluster_bits out of range', () => {
    for (const bits of [8, 22, 63]) {
      const img = image();
      patch(img, 20, u32(bits));
      expect(refusal(open(img), img)).toContain(`cluster_bits ${bits} is out of range`);
    }
  });

  it('reserved bits in L1 and L2 entries', () => {
    const a = image();
    const l1 = readU64(a, 40);
    const b = readFileSync(a);
    b[l1 + 7] |= 0x01;
    writeFileSync(a, b);
    expect(refusal(open(a), a)).toMatch(/L1 table entry 0 has reserved bits set/);

    const c = image();
    const l2 = offsetAt(c, l1);
    const bytes = readFileSync(c);
    bytes[l2 + 8 + 7] |= 0x02; // second L2 entry, bit 1
    writeFileSync(c, bytes);
    expect(refusal(open(c), c)).toMatch(/L2 entry for guest offset 0x10000 has reserved bits set/);
  });

  it('L1 entries sharing one L2 table', () => {
    const img = ws.path('shared-l2.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', '-o', 'cluster_size=4096', img, '8M');
    qemuIo(img, ['write -P 1 0 4k']);
    const l1 = readU64(img, 40);
    const first = readFileSync(img).subarray(l1, l1 + 8);
    patch(img, l1 + 8, [...first]);
    expect(refusal(open(img), img)).toMatch(/L1 table entries 0 and 1 point to the same L2 table/);
  });

  it('absurd table sizes and virtual sizes, refused before any allocation', () => {
    const cases: [number, number[], RegExp][] = [
      [36, u32(0x7fffffff), /L1 table of 2147483647 entries is larger/],
      [24, u64(2 ** 52), /virtual size .* is too large/],
      [56, u32(0x7fffffff), /refcount table of 2147483647 clusters is larger/],
      [60, u32(0x7fffffff), /snapshot count 2147483647/],
      [36, u32(0), /L1 table of 0 entries is too small/],
    ];
    for (const [at, bytes, re] of cases) {
      const img = image();
      patch(img, at, bytes);
      const before = process.memoryUsage().rss;
      expect(refusal(open(img), img)).toMatch(re);
      expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
    }
  });

  it('backing loops, direct and through other images', () => {
    const a = ws.path('loop-a.qcow2');
    const b = ws.path('loop-b.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', '-u', '-b', 'loop-b.qcow2', '-F', 'qcow2', a, '1M');
    ws.qemuImg('create', '-q', '-f', 'qcow2', '-u', '-b', 'loop-a.qcow2', '-F', 'qcow2', b, '1M');
    expect(refusal(open(a), 'loop-')).toMatch(/backing loop/);
    const self = ws.path('loop-self.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', '-u', '-b', 'loop-self.qcow2', '-F', 'qcow2', self, '1M');
    expect(refusal(open(self), self)).toMatch(/backing loop/);
    const chain = inspectImage(a).backingChain;
    expect(chain[chain.length - 1].problem).toMatch(/backing loop/);
  });

  it('a missing backing file', () => {
    const img = ws.path('orphan.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', '-u', '-b', 'gone.qcow2', '-F', 'qcow2', img, '1M');
    expect(refusal(open(img), img)).toContain(`backing file ${ws.path('gone.qcow2')} is missing`);
  });

  it('an unsupported backing format', () => {
    const base = ws.path('fmt-base.raw');
    writeFileSync(base, pattern(1, 65536));
    const img = ws.path('fmt.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', '-b', 'fmt-base.raw', '-F', 'raw', img);
    const b = readFileSync(img);
    const at = b.indexOf(Buffer.from([0xe2, 0x79, 0x2a, 0xca]));
    b.write('bch', at + 8); // the 3-byte format name "raw" becomes "bch"
    writeFileSync(img, b);
    expect(refusal(open(img), img)).toContain("backing file format 'bch' is not supported");
  });

  it('broken compressed streams (zlib and zstd)', () => {
    for (const type of ['zlib', 'zstd']) {
      const raw = ws.path(`broken-${type}.raw`);
      writeFileSync(raw, new Uint8Array(256 * 1024).fill(0x41));
      const img = ws.path(`broken-${type}.qcow2`);
      ws.qemuImg('convert', '-c', '-O', 'qcow2', '-o', `compression_type=${type}`, raw, img);
      const l1 = readU64(img, 40);
      const l2 = offsetAt(img, l1);
      const b = readFileSync(img);
      // 64 KiB clusters: the compressed offset is bits 0-53 of the descriptor.
      const coff = (b.readUInt32BE(l2) & 0x3fffff) * 2 ** 32 + b.readUInt32BE(l2 + 4);
      b.fill(0xff, coff, coff + 16);
      writeFileSync(img, b);
      expect(refusal(open(img), img)).toMatch(/compressed cluster for guest offset 0x0 .*(broken|not a zstd|invalid|reserved)/);
    }
  });

  it('an external data file that is missing', () => {
    const img = ws.path('nodata.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', '-o', 'data_file=nodata.bin', img, '1M');
    rmSync(ws.path('nodata.bin'));
    expect(refusal(open(img), img)).toMatch(/external data file .*nodata.bin is missing/);
  });

  it('not qcow2 at all, and qcow version 1', () => {
    const junk = ws.path('junk.qcow2');
    writeFileSync(junk, pattern(3, 4096));
    expect(refusal(open(junk), junk)).toContain('not a qcow2 image');
    const v1 = ws.path('old.qcow');
    ws.qemuImg('create', '-q', '-f', 'qcow', v1, '1M');
    expect(refusal(open(v1), v1)).toContain('qcow version 1');
  });

  it('a qcow2 header in a file named as a raw image, and foreign formats', () => {
    const img = image();
    const disguised = ws.path('floppy.img');
    writeFileSync(disguised, readFileSync(img));
    expect(refusal(open(disguised), disguised)).toContain('has a qcow2 header but a raw image name');
    const d = openDisk(disguised, { readOnly: true, format: 'raw' });
    expect(d.size).toBe(readFileSync(img).length);
    d.close();
    const vmdk = ws.path('other.vmdk');
    ws.qemuImg('create', '-q', '-f', 'vmdk', vmdk, '1M');
    expect(refusal(open(vmdk), vmdk)).toContain('is a VMDK image, which is not supported');
  });

  it('an unknown compression type', () => {
    const img = image('compression_type=zstd');
    patch(img, 104, [5]);
    expect(refusal(open(img), img)).toContain('unknown compression type 5');
  });

  it('an L2 entry pointing at metadata: the write is refused, the metadata survives', () => {
    const img = image();
    const l2 = offsetAt(img, readU64(img, 40));
    const reftable = readU64(img, 48);
    patch(img, l2, u64(2 ** 63 + reftable)); // COPIED | refcount table offset
    const before = readFileSync(img);
    const d = openDisk(img);
    try {
      expect(refusal(() => d.write(100, new Uint8Array(10).fill(0xee)), img)).toMatch(/guest offset 0x0 points into a refcount structure/);
    } finally {
      d.close();
    }
    expect(firstDifference(readFileSync(img), before)).toBe(-1);
  });

  it('a refcount table entry with reserved bits (found when writing)', () => {
    const img = image();
    const rt = readU64(img, 48);
    const b = readFileSync(img);
    b[rt + 7] |= 0x10;
    writeFileSync(img, b);
    const d = openDisk(img);
    try {
      expect(refusal(() => d.write(300 * 1024, new Uint8Array(4096)), img)).toMatch(/refcount table entry 0 has reserved bits set/);
    } finally {
      d.close();
    }
  });
});

describe.skipIf(!ok)('backing files outside the image folder', () => {
  let base: string;
  let content: Buffer;
  beforeAll(() => {
    mkdirSync(ws.path('outside'));
    mkdirSync(ws.path('inside'));
    base = ws.path('outside/base.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', base, '1M');
    qemuIo(base, ['write -P 0x2b 0 1M']);
    content = qemuRaw(base);
  });

  it('an absolute name is refused unless the caller approves exactly that path', () => {
    const img = ws.path('inside/abs.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', '-b', base, '-F', 'qcow2', img);
    expect(refusal(open(img), img)).toContain(`backing file ${base} is an absolute path; not followed without permission`);
    const seen: string[] = [];
    const d = openDisk(img, { readOnly: true, allowBackingPath: (p) => (seen.push(p), p === base) });
    try {
      expect(firstDifference(readAll(d), content)).toBe(-1);
    } finally {
      d.close();
    }
    expect(seen).toEqual([base]);
    const chain = inspectImage(img).backingChain;
    expect(chain[0]).toMatchObject({ path: base, followed: false });
    expect(inspectImage(img, { allowBackingPath: (p) => p === base }).backingChain[0]).toMatchObject({ followed: true, format: 'qcow2' });
  });

  it('a relative name leading out of the folder is refused', () => {
    const img = ws.path('inside/rel.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', '-b', '../outside/base.qcow2', '-F', 'qcow2', img);
    expect(refusal(open(img), img)).toContain(`backing file ${base} lies outside the image's folder`);
  });

  it('a symbolic link inside the folder that leads outside is refused', () => {
    symlinkSync(base, ws.path('inside/link.qcow2'));
    const img = ws.path('inside/via-link.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', '-b', 'link.qcow2', '-F', 'qcow2', img);
    expect(refusal(open(img), img)).toMatch(/leads outside the image's folder through a symbolic link/);
  });

  it('the rule applies at every level of a chain', () => {
    const mid = ws.path('inside/mid.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', '-b', base, '-F', 'qcow2', mid);
    const top = ws.path('inside/top.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', '-b', 'mid.qcow2', '-F', 'qcow2', top);
    expect(refusal(open(top), mid)).toContain(base);
  });
});

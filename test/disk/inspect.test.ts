// inspectImage against qemu-img info and qemu-img check: format, sizes, cluster size, refcount
// width, compression, backing chain, snapshots, feature bits, allocated clusters, dirty/corrupt.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectImage } from '../../emulator/disk/inspect.js';
import { Workspace, haveQemu, pattern, qemuCheck, qemuInfo, qemuIo } from './qemuOracle.js';

const ok = haveQemu();
let ws: Workspace;

beforeAll(() => {
  if (ok) ws = new Workspace('inspect');
});
afterAll(() => ws?.remove());

interface QemuInfo {
  format: string;
  'virtual-size': number;
  'actual-size': number;
  'cluster-size'?: number;
  'backing-filename'?: string;
  'full-backing-filename'?: string;
  'backing-filename-format'?: string;
  'format-specific'?: { data: { compat: string; 'refcount-bits': number; 'compression-type': string; 'extended-l2': boolean; corrupt: boolean } };
  snapshots?: { id: string; name: string; 'date-sec': number; 'date-nsec': number; 'vm-clock-sec': number; 'vm-clock-nsec': number; 'vm-state-size': number }[];
  'dirty-flag'?: boolean;
}

function compare(img: string): void {
  const mine = inspectImage(img);
  const q = qemuInfo(img) as unknown as QemuInfo;
  expect(mine.format).toBe(q.format);
  expect(mine.virtualSize).toBe(q['virtual-size']);
  expect(mine.diskUsage).toBe(q['actual-size']);
  if (q.format !== 'qcow2') return;
  const spec = q['format-specific']!.data;
  expect(mine.clusterSize).toBe(q['cluster-size']);
  expect(mine.version).toBe(spec.compat === '0.10' ? 2 : 3);
  expect(mine.refcountBits).toBe(spec['refcount-bits']);
  expect(mine.compressionType).toBe(spec['compression-type']);
  expect(mine.extendedL2).toBe(spec['extended-l2'] === true);
  expect(mine.corrupt).toBe(spec.corrupt === true);
  expect(mine.dirty).toBe(q['dirty-flag'] === true);
  expect(mine.allocatedBytes).toBe(qemuCheck(img).allocatedClusters * q['cluster-size']!);
  const chain = mine.backingChain;
  if (q['backing-filename'] !== undefined) {
    expect(chain[0].name).toBe(q['backing-filename']);
    expect(chain[0].path).toBe(q['full-backing-filename']);
    expect(chain[0].followed).toBe(true);
    if (q['backing-filename-format'] !== undefined) expect(chain[0].format).toBe(q['backing-filename-format']);
  } else {
    expect(chain).toHaveLength(0);
  }
  expect(mine.snapshots.map((s) => [s.id, s.name, s.dateSec, s.dateNsec, s.vmClockNs, s.vmStateSize])).toEqual(
    (q.snapshots ?? []).map((s) => [s.id, s.name, s['date-sec'], s['date-nsec'], s['vm-clock-sec'] * 1e9 + s['vm-clock-nsec'], s['vm-state-size']]),
  );
}

describe.skipIf(!ok)('inspectImage agrees with qemu-img info and check', () => {
  it('plain, compressed, extended L2, version 2 and raw images', () => {
    const raw = ws.path('src.img');
    writeFileSync(raw, pattern(1, 3 * 1024 * 1024).map((b, i) => (i % 5 ? 0 : b)));
    compare(raw);
    const variants: [string, string[]][] = [
      ['plain.qcow2', ['-o', 'cluster_size=4096,refcount_bits=32']],
      ['zlib.qcow2', ['-c']],
      ['zstd.qcow2', ['-c', '-o', 'compression_type=zstd']],
      ['xl2.qcow2', ['-o', 'extended_l2=on']],
      ['v2.qcow2', ['-o', 'compat=0.10']],
    ];
    for (const [name, opts] of variants) {
      const img = ws.path(name);
      ws.qemuImg('convert', '-O', 'qcow2', ...opts, raw, img);
      qemuIo(img, ['write -z 64k 64k', 'write -P 1 3000k 4k']);
      compare(img);
    }
  });

  it('backing chain, snapshots, feature names', () => {
    const base = ws.path('base.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', base, '2M');
    const mid = ws.path('mid.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', '-o', 'lazy_refcounts=on', '-b', 'base.qcow2', '-F', 'qcow2', mid);
    const top = ws.path('top.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', '-b', 'mid.qcow2', '-F', 'qcow2', top);
    qemuIo(top, ['write -P 9 0 100k']);
    ws.qemuImg('snapshot', '-c', 'alpha', top);
    ws.qemuImg('snapshot', '-c', 'beta', top);
    compare(top);
    const info = inspectImage(top);
    expect(info.backingChain.map((b) => [b.name, b.format, b.followed])).toEqual([
      ['mid.qcow2', 'qcow2', true],
      ['base.qcow2', 'qcow2', true],
    ]);
    expect(inspectImage(mid).features.compatible).toEqual(['lazy refcounts']);
    ws.qemuImg('bitmap', '--add', top, 'b0');
    expect(inspectImage(top).features.autoclear).toEqual(['bitmaps']);
  });

  it('dirty and corrupt flags', () => {
    const img = ws.path('flags.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', img, '1M');
    const b = readFileSync(img);
    b[79] |= 0x02;
    writeFileSync(img, b);
    compare(img);
    expect(inspectImage(img).features.incompatible).toEqual(['corrupt bit']);
  });
});

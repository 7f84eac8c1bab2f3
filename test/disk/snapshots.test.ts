// Internal snapshots: what we create, apply and delete must look to qemu-img exactly like its own
// (same table fields, clean check, same content), and qemu's snapshots must work here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskError } from '../../emulator/disk/blockDevice.js';
import { openDisk } from '../../emulator/disk/openDisk.js';
import { applySnapshot, createSnapshot, deleteSnapshot, listSnapshots } from '../../emulator/disk/snapshots.js';
import { Workspace, firstDifference, haveQemu, pattern, qemuCheck, qemuInfo, qemuIo, qemuRaw, readAll } from './qemuOracle.js';

const ok = haveQemu();
let ws: Workspace;
let n = 0;

beforeAll(() => {
  if (ok) ws = new Workspace('snapshots');
});
afterAll(() => ws?.remove());

function image(opts: string, size = '4M'): string {
  const img = ws.path(`snap${n++}.qcow2`);
  ws.qemuImg('create', '-q', '-f', 'qcow2', '-o', opts, img, size);
  qemuIo(img, ['write -P 0x11 0 1M', 'write -P 0x12 2M 512k', 'write -z 1M 64k']);
  return img;
}

function write(img: string, offset: number, length: number, seed: number): void {
  const d = openDisk(img);
  try {
    d.write(offset, pattern(seed, length));
  } finally {
    d.close();
  }
}

function clean(img: string): void {
  const c = qemuCheck(img);
  expect(c.text).toContain('No errors were found');
  expect(c.corruptions + c.leaks + c.checkErrors).toBe(0);
}

interface QemuSnapshot {
  id: string;
  name: string;
  'date-sec': number;
  'date-nsec': number;
  'vm-clock-sec': number;
  'vm-clock-nsec': number;
  'vm-state-size': number;
}

function qemuSnapshots(img: string): QemuSnapshot[] {
  return (qemuInfo(img).snapshots as QemuSnapshot[] | undefined) ?? [];
}

describe.skipIf(!ok)('internal snapshots, compatible with qemu-img snapshot', () => {
  const layouts = ['cluster_size=65536', 'cluster_size=4096,refcount_bits=8', 'extended_l2=on,cluster_size=32768', 'compat=0.10,cluster_size=16384'];
  for (const opts of layouts) {
    it(`create, read, apply and delete (${opts})`, () => {
      const img = image(opts);
      const original = qemuRaw(img);
      const date = new Date(Date.UTC(2024, 4, 17, 12, 34, 56, 789));
      const info = createSnapshot(img, 'first boot', { vmClockNs: 3_723_456_000_000, date });
      clean(img);
      const q = qemuSnapshots(img);
      expect(q).toHaveLength(1);
      expect(q[0]).toMatchObject({ id: info.id, name: 'first boot', 'date-sec': info.dateSec, 'date-nsec': info.dateNsec, 'vm-state-size': 0 });
      expect(q[0]['vm-clock-sec'] * 1e9 + q[0]['vm-clock-nsec']).toBe(3_723_456_000_000);
      expect(info.date).toBe('2024-05-17T12:34:56.789Z');

      write(img, 100_000, 1_500_000, 1);
      write(img, 3_900_000, 150_000, 2);
      clean(img);
      const changed = qemuRaw(img);
      expect(firstDifference(qemuRaw(img, ['-l', 'snapshot.name=first boot']), original)).toBe(-1);
      const view = openDisk(img, { snapshot: 'first boot' });
      try {
        expect(firstDifference(readAll(view), original)).toBe(-1);
        expect(() => view.write(0, new Uint8Array(512))).toThrow(DiskError);
      } finally {
        view.close();
      }

      createSnapshot(img, 'second');
      write(img, 0, 4096, 3);
      applySnapshot(img, 'first boot');
      clean(img);
      expect(firstDifference(qemuRaw(img), original)).toBe(-1);
      applySnapshot(img, info.id === '1' ? '2' : 'second');
      clean(img);
      expect(firstDifference(qemuRaw(img), changed)).toBe(-1);

      deleteSnapshot(img, 'first boot');
      clean(img);
      expect(qemuSnapshots(img).map((s) => s.name)).toEqual(['second']);
      expect(firstDifference(qemuRaw(img), changed)).toBe(-1);
      deleteSnapshot(img, 'second');
      clean(img);
      expect(qemuSnapshots(img)).toHaveLength(0);
      // With every snapshot gone the clusters are exclusive again: writes go in place, no leaks.
      write(img, 0, 200_000, 4);
      clean(img);
    });
  }

  it('qemu applies our snapshots and we apply qemu snapshots', () => {
    const img = image('cluster_size=65536');
    const original = qemuRaw(img);
    createSnapshot(img, 'ours');
    qemuIo(img, ['write -P 0x99 0 3M']);
    ws.qemuImg('snapshot', '-c', 'theirs', img);
    const theirs = qemuRaw(img);
    ws.qemuImg('snapshot', '-a', 'ours', img);
    expect(firstDifference(qemuRaw(img), original)).toBe(-1);
    clean(img);
    applySnapshot(img, 'theirs');
    expect(firstDifference(qemuRaw(img), theirs)).toBe(-1);
    clean(img);
    expect(listSnapshots(img).map((s) => [s.id, s.name])).toEqual(
      qemuSnapshots(img).map((s) => [s.id, s.name]),
    );
    ws.qemuImg('snapshot', '-d', 'ours', img);
    deleteSnapshot(img, 'theirs');
    clean(img);
  });

  it('snapshots of compressed clusters', () => {
    const raw = ws.path('comp.raw');
    ws.qemuImg('create', '-q', '-f', 'raw', raw, '3M');
    qemuIo(raw, ['write -P 0x44 0 3M'], 'raw');
    const img = ws.path('comp.qcow2');
    ws.qemuImg('convert', '-c', '-O', 'qcow2', '-o', 'cluster_size=4096', raw, img);
    createSnapshot(img, 'packed');
    write(img, 5000, 100_000, 5);
    clean(img);
    applySnapshot(img, 'packed');
    clean(img);
    expect(firstDifference(qemuRaw(img), qemuRaw(raw, ['-f', 'raw']))).toBe(-1);
    deleteSnapshot(img, 'packed');
    clean(img);
  });

  it('refusals leave the image untouched: overflowing refcounts, duplicate names, unknown snapshots', () => {
    const img = image('cluster_size=65536,refcount_bits=2');
    createSnapshot(img, 'a');
    createSnapshot(img, 'b');
    const before = qemuRaw(img);
    expect(() => createSnapshot(img, 'c')).toThrow(/refcounts would overflow/);
    expect(() => createSnapshot(img, 'a')).toThrow(/a snapshot named 'a' already exists/);
    expect(() => applySnapshot(img, 'nope')).toThrow(/no snapshot with id or name 'nope'/);
    clean(img);
    expect(firstDifference(qemuRaw(img), before)).toBe(-1);
    expect(qemuSnapshots(img).map((s) => s.name)).toEqual(['a', 'b']);
  });
});

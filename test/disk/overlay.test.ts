// Overlays: the base never changes while a session writes; qemu sees our overlays as ordinary qcow2
// overlays; commit puts the overlay's view into the base; discard deletes only overlays. Also the
// extension's flow: overlay in its own storage folder, base approved by exact path.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskError } from '../../emulator/disk/blockDevice.js';
import { inspectImage } from '../../emulator/disk/inspect.js';
import { openDisk } from '../../emulator/disk/openDisk.js';
import { commitOverlay, createOverlay, discardOverlay } from '../../emulator/disk/overlay.js';
import { Workspace, firstDifference, haveQemu, pattern, qemuCheck, qemuInfo, qemuIo, qemuRaw, readAll, rng } from './qemuOracle.js';

const ok = haveQemu();
let ws: Workspace;

beforeAll(() => {
  if (ok) ws = new Workspace('overlay');
});
afterAll(() => ws?.remove());

function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function scribble(path: string, seed: number, opts: Parameters<typeof openDisk>[1] = {}): void {
  const d = openDisk(path, opts);
  const r = rng(seed);
  try {
    for (let i = 0; i < 80; i++) {
      const len = 1 + Math.floor(r() * 90_000);
      d.write(Math.floor(r() * (d.size - len)), pattern(seed * 1000 + i, len));
    }
    d.write(0, new Uint8Array(70_000));
  } finally {
    d.close();
  }
}

function clean(img: string): void {
  const c = qemuCheck(img);
  expect(c.corruptions + c.leaks + c.checkErrors).toBe(0);
}

describe.skipIf(!ok)('overlays', () => {
  for (const format of ['qcow2', 'raw'] as const) {
    it(`over a ${format} base: base unchanged, qemu agrees, commit, empty again`, () => {
      const base = ws.path(`base.${format === 'raw' ? 'img' : 'qcow2'}`);
      ws.qemuImg('create', '-q', '-f', format, base, '3M');
      qemuIo(base, ['write -P 0x3a 0 3M', 'write -z 1M 100k'], format);
      const baseHash = sha(base);
      const overlay = ws.path(`session-${format}.qcow2`);
      createOverlay(base, overlay);
      const info = qemuInfo(overlay);
      expect(info['backing-filename']).toBe(`base.${format === 'raw' ? 'img' : 'qcow2'}`);
      expect(info['backing-filename-format']).toBe(format);
      expect(info['virtual-size']).toBe(3 * 1024 * 1024);
      clean(overlay);
      expect(firstDifference(qemuRaw(overlay), qemuRaw(base, ['-f', format]))).toBe(-1);

      scribble(overlay, format === 'raw' ? 1 : 2);
      clean(overlay);
      expect(sha(base)).toBe(baseHash);
      const seen = qemuRaw(overlay);
      const d = openDisk(overlay, { readOnly: true });
      expect(firstDifference(readAll(d), seen)).toBe(-1);
      d.close();

      const progress: number[] = [];
      const result = commitOverlay(overlay, { onProgress: (done, total) => progress.push(done / total) });
      expect(result.emptied).toBe(true);
      expect(progress[progress.length - 1]).toBe(1);
      expect(firstDifference(qemuRaw(base, ['-f', format]), seen)).toBe(-1);
      if (format === 'qcow2') clean(base);
      expect(firstDifference(qemuRaw(overlay), seen)).toBe(-1);
      expect(inspectImage(overlay).allocatedBytes).toBe(0);
      clean(overlay);

      discardOverlay(overlay);
      expect(existsSync(overlay)).toBe(false);
      expect(() => discardOverlay(base)).toThrow(/not an overlay/);
      expect(existsSync(base)).toBe(true);
    });
  }

  it('overlays kept in another folder: absolute backing path, opened and committed with approval', () => {
    mkdirSync(ws.path('disks'));
    mkdirSync(ws.path('storage'));
    const base = ws.path('disks/win.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', base, '2M');
    qemuIo(base, ['write -P 0x7e 0 2M']);
    const overlay = ws.path('storage/session.qcow2');
    createOverlay(base, overlay, { backingPathInOverlay: 'absolute' });
    expect(qemuInfo(overlay)['backing-filename']).toBe(base);
    expect(() => openDisk(overlay)).toThrow(DiskError);
    expect(() => openDisk(overlay)).toThrow(`backing file ${base} is an absolute path; not followed without permission`);
    const allow = (p: string): boolean => p === base;
    scribble(overlay, 3, { allowBackingPath: allow });
    const seen = qemuRaw(overlay);
    expect(() => commitOverlay(overlay)).toThrow(/not followed without permission/);
    commitOverlay(overlay, { allowBackingPath: allow });
    expect(firstDifference(qemuRaw(base), seen)).toBe(-1);
    clean(base);
    discardOverlay(overlay);
    expect(existsSync(overlay)).toBe(false);
  });

  it('a relative overlay next to the base, and a chain of overlays committed one level at a time', () => {
    const base = ws.path('chain-base.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', base, '2M');
    const mid = ws.path('chain-mid.qcow2');
    const top = ws.path('chain-top.qcow2');
    createOverlay(base, mid);
    scribble(mid, 4);
    createOverlay(mid, top);
    scribble(top, 5);
    const view = qemuRaw(top);
    const baseView = qemuRaw(base);
    commitOverlay(top);
    expect(firstDifference(qemuRaw(mid), view)).toBe(-1);
    expect(firstDifference(qemuRaw(base), baseView)).toBe(-1);
    clean(mid);
    commitOverlay(mid);
    expect(firstDifference(qemuRaw(base), view)).toBe(-1);
    clean(base);
  });

  it('refuses to overwrite a file or to commit an image without a backing file', () => {
    const base = ws.path('solo.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', base, '1M');
    const existing = ws.path('existing.qcow2');
    writeFileSync(existing, 'keep me');
    expect(() => createOverlay(base, existing)).toThrow(/file exists/);
    expect(readFileSync(existing, 'utf8')).toBe('keep me');
    expect(() => createOverlay(base, base)).toThrow(/its own base/);
    expect(() => commitOverlay(base)).toThrow(/not an overlay/);
  });
});

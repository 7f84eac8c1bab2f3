/**
 * The image editor's metadata table against qemu-img's own description of the same files.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasTool, testdata } from '../test/support/testdata.js';
import { describeImage } from './imageInfo.js';

const hdd = testdata('guests/freedos-hdd-32m.qcow2');
const floppy = testdata('guests/freedos-minimal-1440k.img');

interface QemuInfo {
  'virtual-size': number;
  'cluster-size'?: number;
  'format-specific'?: { data: { compat: string; 'compression-type'?: string } };
}

const qemuInfo = (p: string): QemuInfo => JSON.parse(execFileSync('qemu-img', ['info', '--output=json', p]).toString()) as QemuInfo;
const row = (d: ReturnType<typeof describeImage>, label: string): string => d.rows.find((r) => r.label === label)?.value ?? '';

describe.skipIf(!hdd || !floppy || !hasTool('qemu-img'))('image metadata', () => {
  it('describes a qcow2 hard disk as qemu-img does', () => {
    const q = qemuInfo(hdd as string);
    const d = describeImage(hdd as string);
    expect(row(d, 'Format')).toBe(q['format-specific']?.data.compat === '1.1' ? 'qcow2 version 3' : 'qcow2 version 2');
    expect(row(d, 'Virtual size')).toMatch(new RegExp(`^${q['virtual-size'].toLocaleString('en-US')} bytes`));
    expect(row(d, 'Cluster size')).toMatch(new RegExp(`^${(q['cluster-size'] as number).toLocaleString('en-US')} bytes`));
    expect(row(d, 'Compression type')).toBe(q['format-specific']?.data['compression-type']);
    expect(row(d, 'Backing chain')).toMatch(/^none/);
    expect(d.kind).toBe('hardDisk');
    expect(d.bootable).toBe(true);
  });

  it('describes a raw floppy and boots it as drive A:', () => {
    const d = describeImage(floppy as string);
    expect(row(d, 'Format')).toBe('raw');
    expect(row(d, 'Virtual size')).toMatch(new RegExp(`^${qemuInfo(floppy as string)['virtual-size'].toLocaleString('en-US')} bytes`));
    expect(d.kind).toBe('floppy');
  });

  it('shows a backing chain, and asks before following a backing file outside the folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'win31-info-'));
    const base = join(dir, 'base.qcow2');
    copyFileSync(hdd as string, base);
    const inside = join(dir, 'inside.qcow2');
    execFileSync('qemu-img', ['create', '-f', 'qcow2', '-F', 'qcow2', '-b', 'base.qcow2', inside], { stdio: 'ignore' });
    const d = describeImage(inside);
    expect(row(d, 'Backing chain')).toBe(`${base} [qcow2]`);
    expect(d.needsConsent).toEqual([]);

    const other = mkdtempSync(join(tmpdir(), 'win31-info-'));
    const outside = join(other, 'outside.qcow2');
    execFileSync('qemu-img', ['create', '-f', 'qcow2', '-F', 'qcow2', '-b', base, outside], { stdio: 'ignore' });
    const refused = describeImage(outside);
    expect(refused.needsConsent).toEqual([base]);
    expect(refused.bootable).toBe(false);
    expect(refused.warnings.join()).toMatch(/without permission/);
    const approved = describeImage(outside, (p) => p === base);
    expect(approved.needsConsent).toEqual([]);
    expect(row(approved, 'Backing chain')).toBe(`${base} [qcow2]`);
  });
});

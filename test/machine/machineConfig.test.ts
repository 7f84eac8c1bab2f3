import { describe, expect, it } from 'vitest';
import type { BlockDevice } from '../../emulator/disk/blockDevice.js';
import { openDisk } from '../../emulator/disk/openDisk.js';
import { testdata } from '../support/testdata.js';
import { ConfigError, floppyGeometry, hardDiskGeometry, partitionGeometry, resolveConfig } from '../../emulator/machine/machineConfig.js';
import { CopyOnWriteDisk } from '../../emulator/machine/copyOnWriteDisk.js';

function memDisk(size: number): BlockDevice & { data: Uint8Array; writes: number } {
  const data = new Uint8Array(size);
  return {
    data,
    writes: 0,
    size,
    readOnly: true,
    read(offset: number, buffer: Uint8Array) {
      buffer.set(data.subarray(offset, offset + buffer.length));
    },
    write() {
      this.writes++;
    },
    flush() {},
    close() {},
  };
}

describe('machine configuration', () => {
  it('derives the geometry the FreeDOS HDD image was partitioned with', () => {
    // 65 x 16 x 63 sectors: the README of the guest images gives this geometry.
    expect(hardDiskGeometry(65 * 16 * 63 * 512)).toEqual({ cylinders: 65, heads: 16, sectors: 63, totalSectors: 65 * 16 * 63 });
  });

  it('recognises floppy formats by size and rejects others in one line', () => {
    expect(floppyGeometry(1_474_560)).toMatchObject({ cylinders: 80, heads: 2, sectors: 18, driveType: 4 });
    expect(floppyGeometry(737_280)).toMatchObject({ sectors: 9, driveType: 3 });
    expect(() => floppyGeometry(1000)).toThrow(ConfigError);
  });

  it('validates memory, cpu and disks with clear errors', () => {
    const floppy = { image: memDisk(1_474_560) };
    expect(() => resolveConfig({ floppy, memoryMiB: 0 })).toThrow(/memory must be .* 1 to 64/);
    expect(() => resolveConfig({ floppy, memoryMiB: 65 })).toThrow(ConfigError);
    expect(() => resolveConfig({ floppy, cpu: '286' as '386' })).toThrow(/cpu must be 386 or 486/);
    expect(() => resolveConfig({})).toThrow(/needs a hard disk or a floppy/);
    expect(() => resolveConfig({ hardDisk: { image: memDisk(1024) } })).toThrow(/too small/);
    const c = resolveConfig({ floppy, rtcStart: new Date(0) });
    expect(c.memoryBytes).toBe(16 * 0x100000);
    expect(c.cpu).toBe('486');
  });

  it('keeps the base disk unchanged under the copy-on-write layer', () => {
    const base = memDisk(8192 * 4);
    base.data.fill(7);
    const cow = new CopyOnWriteDisk(base);
    cow.write(4000, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
    const back = new Uint8Array(20);
    cow.read(3995, back);
    expect(Array.from(back)).toEqual([7, 7, 7, 7, 7, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 7, 7, 7, 7, 7]);
    expect(base.writes).toBe(0);
    expect(base.data.every((v) => v === 7)).toBe(true);
    expect(() => cow.read(8192 * 4 - 1, new Uint8Array(2))).toThrow(/outside/);
  });
});

describe('INT 13h geometry from the partition table', () => {
  it('reads 16 heads and 63 sectors from the FreeDOS disk (the README of the guest images says so)', () => {
    const path = testdata('guests/freedos-hdd-32m.qcow2');
    if (path === null) return;
    const disk = openDisk(path, { readOnly: true });
    try {
      const c = resolveConfig({ hardDisk: { image: disk } });
      expect(c.hardDisk?.biosGeometry).toEqual({ cylinders: 65, heads: 16, sectors: 63, totalSectors: 65 * 16 * 63 });
    } finally {
      disk.close();
    }
  });

  it('follows a 255-head partition table, and translates large disks without one', () => {
    const size = 2000 * 16 * 63 * 512;
    const blank = memDisk(size);
    // No MBR: LBA-assisted translation keeps the cylinder count within 1024.
    expect(resolveConfig({ hardDisk: { image: blank } }).hardDisk?.biosGeometry).toMatchObject({ heads: 32, sectors: 63, cylinders: 1000 });
    const mbr = memDisk(size);
    const e = 446;
    mbr.data.set([0x80, 1, 1, 0, 0x06, 254, 0xff, 0xff, 63, 0, 0, 0], e);
    mbr.data[510] = 0x55;
    mbr.data[511] = 0xaa;
    expect(partitionGeometry(mbr.data.subarray(0, 512))).toEqual({ heads: 255, sectors: 63 });
    expect(resolveConfig({ hardDisk: { image: mbr } }).hardDisk?.biosGeometry).toMatchObject({ heads: 255, sectors: 63 });
  });
});

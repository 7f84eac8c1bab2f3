// ATA behaviour from the ATA/ATAPI-4 standard (T13 1153D): register block, PIO data-in/data-out
// protocols (DRQ blocks and when INTRQ is asserted), IDENTIFY DEVICE word layout, CHS and LBA
// addressing with the INITIALIZE DEVICE PARAMETERS translation, READ/WRITE MULTIPLE with SET
// MULTIPLE MODE, error bits, nIEN, SRST and the device signature, EXECUTE DEVICE DIAGNOSTIC, and
// the "device 0 answers 00h for an absent device 1" rule. The FreeDOS disk test reads a real image
// converted to raw by qemu-img and checks the reported geometry against its partition table.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasTool, testdata } from '../../test/support/testdata.js';
import { IoBus } from '../io/ioBus.js';
import { AtaChannel, defaultGeometry, type AtaChannelOptions } from './ata.js';
import { MemoryDisk, RawFileDisk } from './testDisks.js';
import { RecordingIrqLine } from './testIrq.js';

const MiB = 1 << 20;

function patterned(size: number): MemoryDisk {
  const d = new MemoryDisk(size);
  for (let i = 0; i < size; i += 512) {
    const lba = i / 512;
    for (let j = 0; j < 512; j++) d.bytes[i + j] = (lba * 7 + j) & 0xff;
    d.bytes[i] = lba & 0xff;
    d.bytes[i + 1] = (lba >> 8) & 0xff;
  }
  return d;
}

function setup(options?: Partial<AtaChannelOptions>) {
  const io = new IoBus();
  const irq = new RecordingIrqLine();
  const disk = patterned(8 * MiB);
  const ata = new AtaChannel(io, irq, { master: { disk }, ...options });
  const status = () => io.in8(0x1f7);
  const readWords = (n: number) => Array.from({ length: n }, () => io.in16(0x1f0));
  const lbaCmd = (lba: number, count: number, cmd: number, dev = 0xe0) => {
    io.out8(0x1f6, dev | ((lba >> 24) & 0x0f));
    io.out8(0x1f2, count);
    io.out8(0x1f3, lba & 0xff);
    io.out8(0x1f4, (lba >> 8) & 0xff);
    io.out8(0x1f5, (lba >> 16) & 0xff);
    io.out8(0x1f7, cmd);
  };
  const chsCmd = (c: number, h: number, s: number, count: number, cmd: number) => {
    io.out8(0x1f6, 0xa0 | h);
    io.out8(0x1f2, count);
    io.out8(0x1f3, s);
    io.out8(0x1f4, c & 0xff);
    io.out8(0x1f5, c >> 8);
    io.out8(0x1f7, cmd);
  };
  const taskFile = () => [0x1f2, 0x1f3, 0x1f4, 0x1f5, 0x1f6].map((p) => io.in8(p));
  return { io, irq, disk, ata, status, readWords, lbaCmd, chsCmd, taskFile };
}

function identifyWords(x: ReturnType<typeof setup>): number[] {
  x.io.out8(0x1f6, 0xa0);
  x.io.out8(0x1f7, 0xec);
  return x.readWords(256);
}

function ataString(words: number[], first: number, count: number): string {
  let s = '';
  for (let i = first; i < first + count; i++) s += String.fromCharCode(words[i] >> 8, words[i] & 0xff);
  return s.trimEnd();
}

describe('ATA channel', () => {
  it('identifies the disk: geometry, capacity, strings, multiple and LBA support', () => {
    const x = setup();
    const w = identifyWords(x);
    const total = (8 * MiB) / 512;
    expect(w[0]).toBe(0x0040);
    expect([w[1], w[3], w[6]]).toEqual([16, 16, 63]); // 8 MiB: 16384 sectors / (16*63)
    expect(w[60] | (w[61] << 16)).toBe(total);
    expect(ataString(w, 27, 20)).toBe('WIN31-DEBUG HARDDISK');
    expect(ataString(w, 23, 4)).toBe('1.0');
    expect(w[47]).toBe(0x8010);
    expect(w[49] & 0x0200).toBe(0x0200);
    expect(w[53] & 1).toBe(1);
    expect([w[54], w[55], w[56], w[57] | (w[58] << 16)]).toEqual([16, 16, 63, 16 * 16 * 63]);
    expect(w[59]).toBe(0);
    expect(x.status() & 0x08).toBe(0); // DRQ dropped after 256 words
  });

  it('reads sectors by LBA with one interrupt per sector and leaves the next address in the task file', () => {
    const x = setup();
    x.lbaCmd(1000, 3, 0x20);
    for (let i = 0; i < 3; i++) {
      expect(x.irq.level).toBe(true);
      expect(x.status()).toBe(0x58); // DRDY DSC DRQ; reading status clears INTRQ
      expect(x.irq.level).toBe(false);
      const words = x.readWords(256);
      expect(words[0]).toBe(1000 + i);
      expect(words[100]).toBe((((1000 + i) * 7 + 200) & 0xff) | ((((1000 + i) * 7 + 201) & 0xff) << 8));
    }
    expect(x.irq.level).toBe(false);
    expect(x.status()).toBe(0x50);
    expect(x.taskFile()).toEqual([0, 1003 & 0xff, 1003 >> 8, 0, 0xe0]);
    expect(x.irq.rises().length).toBe(3);
  });

  it('reads by CHS through the current translation and with 32-bit and 8-bit data accesses', () => {
    const x = setup();
    x.chsCmd(2, 3, 4, 1, 0x20); // LBA (2*16+3)*63 + 3
    const lba = (2 * 16 + 3) * 63 + 3;
    const first = x.io.in32(0x1f0);
    expect(first & 0xffff).toBe(lba);
    const b0 = x.io.in8(0x1f0);
    expect(b0).toBe(((lba * 7 + 4) & 0xff));
    for (let i = 0; i < 507; i++) x.io.in8(0x1f0);
    expect(x.status()).toBe(0x50);
    expect(x.taskFile()).toEqual([0, 5, 2, 0, 0xa3]);
  });

  it('writes sectors: DRQ without interrupt for the first, an interrupt after each', () => {
    const x = setup();
    x.lbaCmd(5, 2, 0x30);
    expect(x.irq.level).toBe(false);
    expect(x.io.in8(0x3f6)).toBe(0x58);
    for (let i = 0; i < 256; i++) x.io.out16(0x1f0, 0x1111 * (i & 15));
    expect(x.irq.level).toBe(true);
    expect(x.status()).toBe(0x58);
    for (let i = 0; i < 128; i++) x.io.out32(0x1f0, 0xabcd1234);
    expect(x.irq.level).toBe(true);
    expect(x.status()).toBe(0x50);
    expect(Array.from(x.disk.bytes.subarray(5 * 512, 5 * 512 + 4))).toEqual([0, 0, 0x11, 0x11]);
    expect(Array.from(x.disk.bytes.subarray(6 * 512, 6 * 512 + 4))).toEqual([0x34, 0x12, 0xcd, 0xab]);
    expect(x.taskFile()).toEqual([0, 7, 0, 0, 0xe0]);
  });

  it('transfers READ/WRITE MULTIPLE in blocks of the SET MULTIPLE size, and aborts without it', () => {
    const x = setup();
    x.lbaCmd(0, 8, 0xc4);
    expect(x.status()).toBe(0x51);
    expect(x.io.in8(0x1f1)).toBe(0x04);
    x.io.out8(0x1f2, 3);
    x.io.out8(0x1f7, 0xc6);
    expect(x.status() & 1).toBe(1); // 3 is not a power of two
    x.io.out8(0x1f2, 4);
    x.io.out8(0x1f7, 0xc6);
    expect(x.status()).toBe(0x50);
    expect(identifyWords(x)[59]).toBe(0x0104);
    x.irq.clear();
    x.lbaCmd(100, 10, 0xc4); // blocks of 4, 4, 2
    const firsts: number[] = [];
    for (const n of [4, 4, 2]) {
      expect(x.status()).toBe(0x58);
      const w = x.readWords(256 * n);
      firsts.push(w[0], w[256 * (n - 1)]);
    }
    expect(firsts).toEqual([100, 103, 104, 107, 108, 109]);
    expect(x.irq.rises().length).toBe(3);
    x.irq.clear();
    x.lbaCmd(200, 5, 0xc5);
    for (let i = 0; i < 256 * 4; i++) x.io.out16(0x1f0, 0xeeee);
    expect(x.status()).toBe(0x58); // the interrupt handler reads status, then sends the next block
    for (let i = 0; i < 256; i++) x.io.out16(0x1f0, 0xeeee);
    expect(x.status()).toBe(0x50);
    expect(x.irq.rises().length).toBe(2);
    expect(x.disk.bytes[204 * 512 + 511]).toBe(0xee);
  });

  it('follows INITIALIZE DEVICE PARAMETERS for CHS and reports it in IDENTIFY', () => {
    const x = setup();
    x.io.out8(0x1f6, 0xa0 | 7); // 8 heads
    x.io.out8(0x1f2, 32); // 32 sectors per track
    x.io.out8(0x1f7, 0x91);
    expect(x.status()).toBe(0x50);
    const w = identifyWords(x);
    expect([w[54], w[55], w[56]]).toEqual([64, 8, 32]);
    expect([w[1], w[3], w[6]]).toEqual([16, 16, 63]); // defaults unchanged
    x.chsCmd(1, 7, 32, 1, 0x20);
    expect(x.readWords(1)[0]).toBe((1 * 8 + 7) * 32 + 31);
  });

  it('fails bad addresses with IDNF and disk errors with UNC or ABRT, never throwing', () => {
    const x = setup();
    x.chsCmd(0, 0, 0, 1, 0x20); // sector 0 does not exist in CHS
    expect([x.status(), x.io.in8(0x1f1)]).toEqual([0x51, 0x10]);
    x.lbaCmd((8 * MiB) / 512 - 1, 2, 0x20); // runs off the end
    expect([x.status(), x.io.in8(0x1f1)]).toEqual([0x51, 0x10]);
    x.disk.badOffsets.add(300 * 512 + 17);
    x.lbaCmd(299, 3, 0x20);
    expect(x.status()).toBe(0x58);
    x.readWords(256);
    expect([x.status(), x.io.in8(0x1f1)]).toEqual([0x51, 0x40]);
    expect(x.taskFile().slice(1, 3)).toEqual([300 & 0xff, 300 >> 8]); // address of the bad sector
    x.lbaCmd(300, 1, 0x30);
    for (let i = 0; i < 256; i++) x.io.out16(0x1f0, 0);
    expect([x.status(), x.io.in8(0x1f1)]).toEqual([0x51, 0x04]);
    x.lbaCmd(299, 2, 0x40); // read verify finds it too
    expect([x.status(), x.io.in8(0x1f1)]).toEqual([0x51, 0x40]);
  });

  it('verifies, seeks, recalibrates, flushes, and aborts what it does not implement', () => {
    const x = setup();
    x.lbaCmd(10, 4, 0x40);
    expect(x.status()).toBe(0x50);
    expect(x.taskFile()).toEqual([0, 14, 0, 0, 0xe0]);
    x.lbaCmd(4000, 1, 0x70);
    expect(x.status()).toBe(0x50);
    x.io.out8(0x1f7, 0x10);
    expect(x.status()).toBe(0x50);
    x.io.out8(0x1f7, 0xe7);
    expect(x.status()).toBe(0x50);
    expect(x.disk.flushes).toBe(1);
    x.io.out8(0x1f7, 0xa1); // IDENTIFY PACKET DEVICE: not an ATAPI device
    expect([x.status(), x.io.in8(0x1f1)]).toEqual([0x51, 0x04]);
    x.io.out8(0x1f7, 0xc8); // READ DMA: no bus master
    expect(x.status()).toBe(0x51);
    x.io.out8(0x1f7, 0xe5);
    expect([x.status(), x.io.in8(0x1f2)]).toEqual([0x50, 0xff]);
  });

  it('masks INTRQ with nIEN; the alternate status does not clear it', () => {
    const x = setup();
    x.io.out8(0x3f6, 0x02);
    x.lbaCmd(0, 1, 0x20);
    expect(x.irq.level).toBe(false);
    x.io.out8(0x3f6, 0x00);
    expect(x.irq.level).toBe(true);
    expect(x.io.in8(0x3f6)).toBe(0x58);
    expect(x.irq.level).toBe(true);
    x.status();
    expect(x.irq.level).toBe(false);
  });

  it('shows BSY during soft reset and the ATA signature after it, and after EXECUTE DIAGNOSTIC', () => {
    const x = setup();
    x.lbaCmd(77, 5, 0x20);
    x.io.out8(0x3f6, 0x04);
    expect(x.io.in8(0x3f6)).toBe(0x80);
    x.io.out8(0x3f6, 0x00);
    expect(x.status()).toBe(0x50);
    expect([x.io.in8(0x1f1), ...x.taskFile()]).toEqual([0x01, 1, 1, 0, 0, 0xa0]);
    expect(x.io.in16(0x1f0)).toBe(0xffff); // the interrupted transfer is gone
    x.lbaCmd(5, 1, 0x90, 0xf0); // diagnostic runs whatever device is selected
    expect(x.irq.level).toBe(true);
    expect([x.io.in8(0x1f1), ...x.taskFile()]).toEqual([0x01, 1, 1, 0, 0, 0xa0]);
  });

  it('answers 00h status for an absent slave, shows the written task file, and ignores commands to it', () => {
    const x = setup();
    x.io.out8(0x1f2, 0x12);
    x.io.out8(0x1f6, 0xb0);
    expect(x.status()).toBe(0x00);
    expect(x.io.in8(0x3f6)).toBe(0x00);
    expect(x.io.in8(0x1f2)).toBe(0x12);
    expect(x.io.in8(0x1f6)).toBe(0xb0);
    x.io.out8(0x1f7, 0xec);
    expect(x.irq.level).toBe(false);
    expect(x.status()).toBe(0x00);
    x.io.out8(0x1f6, 0xa0);
    expect(x.status()).toBe(0x50);
  });

  it('serves a slave next to the master, each with its own state', () => {
    const slaveDisk = patterned(MiB);
    const x = setup({ slave: { disk: slaveDisk, model: 'SECOND' } });
    x.lbaCmd(3, 1, 0x20, 0xf0);
    expect(x.readWords(1)[0]).toBe(3);
    x.io.out8(0x1f6, 0xb0);
    x.io.out8(0x1f7, 0xec);
    expect(ataString(x.readWords(256), 27, 20)).toBe('SECOND');
    expect(x.ata.drive(1)?.geometry).toEqual(defaultGeometry(2048));
  });

  it('refuses writes to a read-only disk and invalid configured geometries', () => {
    const x = setup({ master: { disk: patterned(MiB) } });
    const ro = setup({ master: { disk: new MemoryDisk(MiB, true) } });
    ro.lbaCmd(0, 1, 0x30);
    expect([ro.status(), ro.io.in8(0x1f1)]).toEqual([0x51, 0x04]);
    expect(x.status()).toBe(0x50);
    expect(() => new AtaChannel(new IoBus(), new RecordingIrqLine(), { master: { disk: new MemoryDisk(MiB), cylinders: 100, heads: 16, sectors: 63 } })).toThrow(
      /exceeds the disk/,
    );
    expect(() => new AtaChannel(new IoBus(), new RecordingIrqLine(), { master: { disk: new MemoryDisk(MiB), heads: 17 } })).toThrow(/not a valid CHS/);
  });

  it('continues identically after save and load in the middle of multi-sector transfers', () => {
    const a = setup();
    a.io.out8(0x1f2, 2);
    a.io.out8(0x1f7, 0xc6);
    a.lbaCmd(50, 6, 0xc4);
    a.readWords(300);
    const b = setup();
    b.ata.loadState(a.ata.saveState());
    expect(b.irq.level).toBe(a.irq.level);
    const run = (x: ReturnType<typeof setup>) => {
      const out = [...x.readWords(724), x.status(), ...x.taskFile()];
      x.lbaCmd(60, 3, 0x30);
      for (let i = 0; i < 300; i++) x.io.out16(0x1f0, i);
      return out;
    };
    expect(run(b)).toEqual(run(a));
    expect(b.ata.saveState()).toEqual(a.ata.saveState());
    expect(Buffer.from(b.disk.bytes).equals(Buffer.from(a.disk.bytes))).toBe(true);
  });
});

describe('ATA with the FreeDOS hard disk image', () => {
  const qcow = testdata('guests/freedos-hdd-32m.qcow2');
  const run = qcow !== null && hasTool('qemu-img') ? it : it.skip;
  run('reports 65/16/63, which matches the partition table, and reads the MBR and boot sector', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ata-'));
    try {
      const raw = join(dir, 'disk.img');
      execFileSync('qemu-img', ['convert', '-O', 'raw', qcow as string, raw], { timeout: 60_000 });
      const disk = new RawFileDisk(raw, true);
      const image = readFileSync(raw);
      const io = new IoBus();
      new AtaChannel(io, new RecordingIrqLine(), { master: { disk, cylinders: 65, heads: 16, sectors: 63 } });
      io.out8(0x1f6, 0xa0);
      io.out8(0x1f7, 0xec);
      const w = Array.from({ length: 256 }, () => io.in16(0x1f0));
      const [cyls, heads, spt] = [w[1], w[3], w[6]];
      expect([cyls, heads, spt]).toEqual([65, 16, 63]);
      expect(defaultGeometry(w[60] | (w[61] << 16))).toEqual({ cylinders: 65, heads: 16, sectors: 63 });
      // MBR via LBA 0
      io.out8(0x1f6, 0xe0);
      io.out8(0x1f2, 1);
      io.out8(0x1f3, 0);
      io.out8(0x1f4, 0);
      io.out8(0x1f5, 0);
      io.out8(0x1f7, 0x20);
      const mbr = new Uint8Array(512);
      for (let i = 0; i < 256; i++) {
        const v = io.in16(0x1f0);
        mbr[2 * i] = v & 0xff;
        mbr[2 * i + 1] = v >> 8;
      }
      expect(mbr).toEqual(new Uint8Array(image.subarray(0, 512)));
      // The partition's CHS fields, read with the drive's geometry, name the LBAs the entry gives.
      const e = mbr.subarray(0x1be, 0x1ce);
      const chsToLba = (h: number, sc: number, c: number) => ((((sc & 0xc0) << 2) | c) * heads + h) * spt + (sc & 0x3f) - 1;
      const start = e[8] | (e[9] << 8) | (e[10] << 16) | (e[11] << 24);
      const size = e[12] | (e[13] << 8) | (e[14] << 16) | (e[15] << 24);
      expect(chsToLba(e[1], e[2], e[3])).toBe(start);
      expect(chsToLba(e[5], e[6], e[7])).toBe(start + size - 1);
      // The boot sector through CHS 0/1/1.
      io.out8(0x1f6, 0xa1);
      io.out8(0x1f2, 1);
      io.out8(0x1f3, 1);
      io.out8(0x1f4, 0);
      io.out8(0x1f5, 0);
      io.out8(0x1f7, 0x20);
      const vbr = Array.from({ length: 256 }, () => io.in16(0x1f0));
      expect(vbr[255]).toBe(0xaa55);
      expect(vbr[1]).toBe(image[start * 512 + 2] | (image[start * 512 + 3] << 8));
      disk.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

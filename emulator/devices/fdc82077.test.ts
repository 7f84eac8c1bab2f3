// 82077AA behaviour from the Intel 82077AA data sheet: register set in PC-AT mode (DOR, MSR, DSR,
// FIFO, DIR, CCR), command phases, status registers ST0-ST3, the "ID information after command"
// table, reset with drive polling, CONFIGURE/LOCK/DUMPREG, non-DMA execution. The FreeDOS floppy
// test reads the real 1.44 MB image through DMA as a BIOS does and compares memory with the file.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { testdata } from '../../test/support/testdata.js';
import { IoBus } from '../io/ioBus.js';
import { PhysicalMemory } from '../memory/physicalMemory.js';
import { Dma8237 } from './dma8237.js';
import { Fdc82077, FLOPPY_FORMATS, floppyFormatForSize, type FloppyDriveConfig } from './fdc82077.js';
import { MemoryDisk } from './testDisks.js';
import { RecordingIrqLine } from './testIrq.js';

function patternedFloppy(bytes: number, readOnly = false): MemoryDisk {
  const d = new MemoryDisk(bytes, readOnly);
  for (let i = 0; i < bytes; i += 512) d.bytes.fill((i / 512) & 0xff, i, i + 512);
  return d;
}

function setup(drives: (FloppyDriveConfig | null)[] = [{ type: '1.44M', disk: patternedFloppy(1_474_560) }]) {
  const io = new IoBus();
  const mem = new PhysicalMemory(2 << 20);
  const dma = new Dma8237(io, mem);
  io.out8(0xd6, 0xc0); // channel 4 cascade, unmasked: the BIOS's DMA setup
  io.out8(0xd4, 0x00);
  const irq = new RecordingIrqLine();
  const fdc = new Fdc82077(io, irq, dma, { drives });
  const send = (...bytes: number[]) => bytes.forEach((b) => io.out8(0x3f5, b));
  const results = () => {
    const out: number[] = [];
    while ((io.in8(0x3f4) & 0xc0) === 0xc0) out.push(io.in8(0x3f5));
    return out;
  };
  const senseInt = () => (send(0x08), results());
  /** DMA channel 2 for `bytes` at `addr`, mode 46h (write to memory) or 4Ah (read from memory). */
  const dmaSetup = (addr: number, bytes: number, mode = 0x46) => {
    io.out8(0x0a, 0x06);
    io.out8(0x0c, 0);
    io.out8(0x0b, mode);
    io.out8(0x04, addr & 0xff);
    io.out8(0x04, (addr >> 8) & 0xff);
    io.out8(0x81, addr >> 16);
    io.out8(0x05, (bytes - 1) & 0xff);
    io.out8(0x05, (bytes - 1) >> 8);
    io.out8(0x0a, 0x02);
  };
  const start = (rate = 0) => {
    io.out8(0x3f2, 0x00);
    io.out8(0x3f2, 0x1c); // motor A, DMA/IRQ enabled, out of reset
    for (let i = 0; i < 4; i++) senseInt();
    io.out8(0x3f7, rate);
  };
  const seek = (cyl: number, head = 0, drive = 0) => {
    send(0x0f, (head << 2) | drive, cyl);
    return senseInt();
  };
  return { io, mem, dma, irq, fdc, send, results, senseInt, dmaSetup, start, seek };
}

describe('82077AA floppy controller', () => {
  it('recognises floppy formats by size', () => {
    expect(FLOPPY_FORMATS.map((f) => f.bytes / 512)).toEqual(FLOPPY_FORMATS.map((f) => f.tracks * f.heads * f.sectors));
    expect(floppyFormatForSize(1_474_560)?.name).toBe('1.44M');
    expect(floppyFormatForSize(1_228_800)?.sectors).toBe(15);
    expect(floppyFormatForSize(12345)).toBeNull();
    const x = setup();
    expect(() => x.fdc.insert(0, new MemoryDisk(1000))).toThrow(/no floppy format/);
    expect(() => x.fdc.insert(1, new MemoryDisk(737_280))).toThrow(/not installed/);
  });

  it('interrupts after leaving reset and reports drive polling in four SENSE INTERRUPTs', () => {
    const x = setup();
    x.io.out8(0x3f2, 0x00);
    expect(x.io.in8(0x3f4)).toBe(0x00);
    x.io.out8(0x3f2, 0x0c);
    expect(x.irq.level).toBe(true);
    expect(x.io.in8(0x3f4)).toBe(0x80);
    expect([0, 1, 2, 3].map(() => x.senseInt())).toEqual([
      [0xc0, 0],
      [0xc1, 0],
      [0xc2, 0],
      [0xc3, 0],
    ]);
    expect(x.irq.level).toBe(false);
    expect(x.senseInt()).toEqual([0x80]); // nothing pending: invalid
  });

  it('gates IRQ6 with DOR bit 3', () => {
    const x = setup();
    x.io.out8(0x3f2, 0x00);
    x.io.out8(0x3f2, 0x04);
    expect(x.irq.level).toBe(false);
    x.io.out8(0x3f2, 0x0c);
    expect(x.irq.level).toBe(true);
  });

  it('answers VERSION, invalid commands, SPECIFY, CONFIGURE, LOCK and DUMPREG', () => {
    const x = setup();
    x.start();
    x.send(0x10);
    expect(x.results()).toEqual([0x90]);
    x.send(0x1f);
    expect(x.results()).toEqual([0x80]);
    x.send(0x03, 0xaf, 0x02);
    expect(x.io.in8(0x3f4)).toBe(0x80);
    x.send(0x13, 0x00, 0x57, 0x09);
    x.send(0x94);
    expect(x.results()).toEqual([0x10]);
    x.send(0x0e);
    expect(x.results()).toEqual([0, 0, 0, 0, 0xaf, 0x02, 0, 0x80, 0x57, 0x09]);
    // A reset with LOCK set keeps EFIFO/FIFOTHR/PRETRK; EIS and POLL return to their defaults.
    x.io.out8(0x3f4, 0x80);
    for (let i = 0; i < 4; i++) x.senseInt();
    x.send(0x0e);
    expect(x.results().slice(7)).toEqual([0x80, 0x07, 0x09]);
    x.send(0x14);
    expect(x.results()).toEqual([0x00]);
  });

  it('seeks and recalibrates with an interrupt, and reports equipment check for a missing drive', () => {
    const x = setup();
    x.start();
    expect(x.io.in8(0x3f7) & 0x80).toBe(0x80); // disk change set since power-on
    expect(x.seek(40, 1)).toEqual([0x24, 40]);
    expect(x.io.in8(0x3f7) & 0x80).toBe(0); // a step with a disk in the drive clears it
    x.send(0x8f | 0x40, 0x00, 5); // relative seek 5 tracks inward
    expect(x.senseInt()).toEqual([0x20, 45]);
    x.send(0x8f, 0x00, 50); // and 50 outward, stopping at 0
    expect(x.senseInt()).toEqual([0x20, 0]);
    x.send(0x07, 0x00);
    expect(x.irq.level).toBe(true);
    expect(x.senseInt()).toEqual([0x20, 0]);
    x.send(0x07, 0x01);
    expect(x.senseInt()).toEqual([0x71, 0]);
  });

  it('reports drive status in ST3', () => {
    const x = setup([{ type: '1.44M', disk: patternedFloppy(1_474_560, true) }]);
    x.start();
    x.send(0x04, 0x04);
    expect(x.results()).toEqual([0x7c]); // write-protected, ready, track 0, two-sided, head 1
    x.seek(3);
    x.send(0x04, 0x00);
    expect(x.results()).toEqual([0x68]);
  });

  it('reads with DMA until terminal count and reports the next sector ID', () => {
    const x = setup();
    x.start();
    x.seek(2);
    x.dmaSetup(0x10000, 3 * 512);
    x.send(0xe6, 0x00, 2, 0, 5, 2, 18, 0x1b, 0xff); // MT MFM SK read, C2 H0 R5
    expect(x.irq.level).toBe(true);
    expect(x.results()).toEqual([0x00, 0x00, 0x00, 2, 0, 8, 2]);
    expect(x.irq.level).toBe(false);
    const lba = 2 * 36 + 4;
    expect([x.mem.ram[0x10000], x.mem.ram[0x10200], x.mem.ram[0x10400], x.mem.ram[0x105ff]]).toEqual([lba, lba + 1, lba + 2, lba + 2]);
    expect(x.mem.ram[0x10600]).toBe(0);
  });

  it('continues on side 1 with MT and ends with "end of cylinder" at EOT without TC', () => {
    const x = setup();
    x.start();
    x.dmaSetup(0x20000, 4 * 512);
    x.send(0xc6, 0x00, 0, 0, 17, 2, 18, 0x1b, 0xff); // MT: 0/0/17, 0/0/18, 0/1/1, 0/1/2
    expect(x.results()).toEqual([0x04, 0x00, 0x00, 0, 1, 3, 2]);
    expect([0, 1, 2, 3].map((i) => x.mem.ram[0x20000 + i * 512])).toEqual([16, 17, 18, 19]);
    x.dmaSetup(0x20000, 4 * 512);
    x.send(0x46, 0x00, 0, 0, 17, 2, 18, 0x1b, 0xff); // no MT: stops after sector 18 of side 0
    expect(x.results()).toEqual([0x40, 0x80, 0x00, 1, 0, 1, 2]);
  });

  it('fails with a missing address mark at the wrong data rate and probes 720K at 250 kb/s', () => {
    const x = setup([{ type: '1.44M', disk: patternedFloppy(737_280) }]);
    x.start(0);
    x.dmaSetup(0x1000, 512);
    x.send(0xe6, 0x00, 0, 0, 1, 2, 9, 0x1b, 0xff);
    expect(x.results().slice(0, 3)).toEqual([0x40, 0x01, 0x00]);
    x.io.out8(0x3f7, 0x02);
    x.dmaSetup(0x1000, 512);
    x.send(0xe6, 0x00, 0, 0, 1, 2, 9, 0x1b, 0xff);
    expect(x.results()).toEqual([0, 0, 0, 0, 0, 2, 2]);
    x.send(0x4a, 0x00); // READ ID
    expect(x.results()).toEqual([0, 0, 0, 0, 0, 1, 2]);
  });

  it('fails reads on a cylinder the head is not on, and without an unmasked DMA channel', () => {
    const x = setup();
    x.start();
    x.dmaSetup(0x1000, 512);
    x.send(0xe6, 0x00, 7, 0, 1, 2, 18, 0x1b, 0xff);
    expect(x.results().slice(0, 3)).toEqual([0x40, 0x04, 0x10]); // no data, wrong cylinder
    x.io.out8(0x0a, 0x06); // mask channel 2
    x.send(0xe6, 0x00, 0, 0, 1, 2, 18, 0x1b, 0xff);
    expect(x.results().slice(0, 2)).toEqual([0x40, 0x10]); // overrun
    x.dmaSetup(0x1000, 512);
    x.send(0xe6, 0x00, 0, 0, 19, 2, 19, 0x1b, 0xff);
    expect(x.results().slice(0, 2)).toEqual([0x40, 0x04]); // sector 19 does not exist
  });

  it('writes with DMA, and refuses a write-protected disk', () => {
    const disk = patternedFloppy(1_474_560);
    const x = setup([{ type: '1.44M', disk }, { type: '1.44M', disk: patternedFloppy(1_474_560, true) }]);
    x.start();
    x.mem.ram.fill(0xab, 0x3000, 0x3400);
    x.dmaSetup(0x3000, 1024, 0x4a);
    x.send(0xc5, 0x04, 0, 1, 18, 2, 18, 0x1b, 0xff); // 0/1/18 then, with MT, cylinder 1 side 0... TC first
    const res = x.results();
    expect(res).toEqual([0x44, 0x80, 0x00, 1, 0, 1, 2]); // EOT of side 1 before TC: end of cylinder
    expect(disk.bytes[(36 - 1) * 512]).toBe(0xab);
    x.dmaSetup(0x3000, 512, 0x4a);
    x.send(0x45, 0x00, 0, 0, 3, 2, 18, 0x1b, 0xff);
    expect(x.results()).toEqual([0, 0, 0, 0, 0, 4, 2]);
    expect(disk.bytes[2 * 512 + 100]).toBe(0xab);
    x.seek(0, 0, 1);
    x.dmaSetup(0x3000, 512, 0x4a);
    x.send(0x45, 0x01, 0, 0, 3, 2, 18, 0x1b, 0xff);
    expect(x.results().slice(0, 2)).toEqual([0x41, 0x02]);
  });

  it('formats a track with the IDs DMA supplies, filling each sector', () => {
    const disk = patternedFloppy(1_474_560);
    const x = setup([{ type: '1.44M', disk }]);
    x.start();
    x.seek(5);
    for (let r = 1; r <= 18; r++) x.mem.ram.set([5, 1, r, 2], 0x4000 + (r - 1) * 4);
    x.dmaSetup(0x4000, 18 * 4, 0x4a);
    x.send(0x4d, 0x04, 2, 18, 0x54, 0xf6);
    expect(x.results()).toEqual([0x04, 0, 0, 5, 1, 18, 2]);
    const track = (5 * 2 + 1) * 18 * 512;
    expect(disk.bytes.subarray(track, track + 18 * 512).every((b) => b === 0xf6)).toBe(true);
    expect(disk.bytes[track - 1]).toBe((5 * 36 + 17) & 0xff);
  });

  it('passes data through the FIFO in non-DMA mode', () => {
    const x = setup();
    x.start();
    x.send(0x03, 0xdf, 0x03); // ND = 1
    x.send(0x46, 0x00, 0, 0, 4, 2, 5, 0x1b, 0xff);
    expect(x.io.in8(0x3f4)).toBe(0xf0);
    const data: number[] = [];
    for (let i = 0; i < 1024; i++) data.push(x.io.in8(0x3f5));
    expect([data[0], data[511], data[512], data[1023]]).toEqual([3, 3, 4, 4]);
    expect(x.results()).toEqual([0x40, 0x80, 0x00, 1, 0, 1, 2]);
  });

  it('continues identically after save and load in the middle of a result phase', () => {
    const a = setup();
    a.start();
    a.seek(9, 1);
    a.dmaSetup(0x5000, 512);
    a.send(0xe6, 0x04, 9, 1, 7, 2, 18, 0x1b, 0xff);
    a.io.in8(0x3f5);
    a.io.in8(0x3f5);
    const b = setup();
    b.fdc.loadState(a.fdc.saveState());
    b.dma.loadState(a.dma.saveState());
    const run = (x: ReturnType<typeof setup>) => [...x.results(), x.io.in8(0x3f4), x.io.in8(0x3f7), ...x.seek(12), x.irq.level ? 1 : 0];
    expect(run(b)).toEqual(run(a));
    expect(b.fdc.saveState()).toEqual(a.fdc.saveState());
    const c = setup([{ type: '1.44M' }]);
    expect(() => c.fdc.loadState(a.fdc.saveState())).toThrow(/insert the same media/);
  });
});

describe('82077AA with the FreeDOS boot floppy', () => {
  const path = testdata('guests/freedos-minimal-1440k.img');
  const run = path !== null ? it : it.skip;
  run('reads the boot sector and a multi-track span into memory exactly as the image holds them', () => {
    const image = new Uint8Array(readFileSync(path as string));
    const x = setup([{ type: '1.44M', disk: new MemoryDisk(image.slice(), true) }]);
    x.start(0);
    x.send(0x07, 0x00);
    x.senseInt();
    x.dmaSetup(0x7c00, 512);
    x.send(0xe6, 0x00, 0, 0, 1, 2, 18, 0x1b, 0xff);
    expect(x.results()).toEqual([0, 0, 0, 0, 0, 2, 2]);
    const boot = x.mem.ram.subarray(0x7c00, 0x7e00);
    expect(boot).toEqual(image.subarray(0, 512));
    // The BPB on the disk describes the geometry the controller used: 512-byte sectors, 18 per
    // track, two heads, 2880 sectors.
    const word = (o: number) => boot[o] | (boot[o + 1] << 8);
    expect([word(11), word(24), word(26), word(19)]).toEqual([512, 18, 2, 2880]);
    // Cylinder 1, side 0 sector 10 through side 1 sector 4 (13 sectors, MT).
    x.seek(1);
    x.dmaSetup(0x20000, 13 * 512);
    x.send(0xe6, 0x00, 1, 0, 10, 2, 18, 0x1b, 0xff);
    expect(x.results()).toEqual([0x04, 0, 0, 1, 1, 5, 2]);
    const first = (1 * 2 + 0) * 18 + 9;
    expect(x.mem.ram.subarray(0x20000, 0x20000 + 13 * 512)).toEqual(image.subarray(first * 512, (first + 13) * 512));
  });
});

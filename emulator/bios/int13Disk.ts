/**
 * INT 13h: floppy (through the FDC and DMA routine fd_io) and ATA hard disks (through ata_io), with
 * the EDD extensions 41h-44h, 47h and 48h. The handlers validate, then hand the x86 routine a
 * parameter block; the routine's completion trap (FLOPPY_DONE / ATA_DONE) turns controller status
 * into INT 13h results. Transfers over 127 sectors continue chunk by chunk from the same trap, the
 * progress kept in the frame's scratch area.
 *
 * ATA scratch block: +0 total sectors, +2 sectors done, +4 LBA, +8 buffer segment, +10 buffer
 * offset, +12 ATA command, +13 drive index, +14 caller kind (0 CHS call, 1 EDD packet).
 */
import type { BiosContext, BiosFloppy, BiosHardDisk } from './biosContext.js';
import { FD_FLAG_RECAL, FD_FLAG_RESET, FD_FLAG_SEEK } from './romDiskSource.js';
import { BIOS_SEGMENT } from './systemRom.js';

const HD_STATUS = 0x74;
const FD_STATUS = 0x41;
const FD_RECAL = 0x3e;
const FD_MOTOR = 0x3f;
const FD_RESULTS = 0x42;

const ATA_READ = 0x20;
const ATA_WRITE = 0x30;
const ATA_VERIFY = 0x40;
const CHUNK = 127;

export function int13(b: BiosContext): void {
  const dl = b.dl;
  if (dl & 0x80) hardDisk(b, dl & 0x7f);
  else floppy(b, dl);
}

// ---------------------------------------------------------------- hard disks

function hdDone(b: BiosContext, code: number): void {
  b.setBda8(HD_STATUS, code);
  b.status(code);
}

function hardDisk(b: BiosContext, index: number): void {
  const ah = b.ah;
  const disk: BiosHardDisk | undefined = b.config.hardDisks[index];
  if (disk === undefined) {
    if (ah === 0x15) {
      b.ah = 0;
      b.carry = false;
      return;
    }
    return hdDone(b, 0x01);
  }
  const chsSectors = disk.cylinders * disk.heads * disk.sectors;
  switch (ah) {
    case 0x00:
    case 0x0c:
    case 0x0d:
    case 0x10:
    case 0x11:
    case 0x14:
    case 0x47:
      return hdDone(b, 0);
    case 0x01: {
      const last = b.bda8(HD_STATUS);
      b.ah = last;
      b.carry = last !== 0;
      return;
    }
    case 0x02:
    case 0x03:
    case 0x04: {
      const count = b.al;
      const cl = b.cl;
      const cyl = b.ch | ((cl & 0xc0) << 2);
      const sector = cl & 0x3f;
      const head = b.dh;
      // An address outside the geometry is a bad parameter (01h), as SeaBIOS answers too.
      if (count === 0 || count > 128) return hdDone(b, 0x01);
      if (sector === 0 || sector > disk.sectors || head >= disk.heads || cyl >= disk.cylinders) return hdDone(b, 0x01);
      const lba = (cyl * disk.heads + head) * disk.sectors + sector - 1;
      if (lba + count > disk.totalSectors) return hdDone(b, 0x04);
      const cmd = ah === 0x02 ? ATA_READ : ah === 0x03 ? ATA_WRITE : ATA_VERIFY;
      return startAta(b, index, lba, count, b.es, b.bx, cmd, 0);
    }
    case 0x08: {
      const maxCyl = Math.min(disk.cylinders, 1024) - 1;
      b.ax = 0;
      b.ch = maxCyl & 0xff;
      b.cl = (disk.sectors & 0x3f) | ((maxCyl >> 2) & 0xc0);
      b.dh = disk.heads - 1;
      b.dl = b.config.hardDisks.length;
      b.carry = false;
      b.setBda8(HD_STATUS, 0);
      return;
    }
    case 0x15:
      b.ah = 0x03;
      b.cx = chsSectors >>> 16;
      b.dx = chsSectors & 0xffff;
      b.carry = false;
      return;
    case 0x41:
      if (b.bx !== 0x55aa) return hdDone(b, 0x01);
      b.bx = 0xaa55;
      b.ah = 0x21;
      // Bit 0 only: 42h-44h, 47h and 48h. No removable-media (45h/46h/49h) or 4Eh functions.
      b.cx = 0x0001;
      b.carry = false;
      return;
    case 0x42:
    case 0x43:
    case 0x44: {
      const seg = b.ds;
      const off = b.si;
      const size = b.rd8(seg, off);
      const count = b.rd16(seg, off + 2);
      const bufOff = b.rd16(seg, off + 4);
      const bufSeg = b.rd16(seg, off + 6);
      const lbaLow = b.rd32(seg, off + 8);
      const lbaHigh = b.rd32(seg, off + 12);
      if (size < 0x10 || count === 0xffff || count > CHUNK) return hdDone(b, 0x01);
      if (count === 0) return hdDone(b, 0);
      const lba = lbaHigh * 0x100000000 + lbaLow;
      if (lba + count > disk.totalSectors || lba + count > 0x10000000) {
        b.wr16(seg, off + 2, 0);
        return hdDone(b, 0x04);
      }
      const cmd = ah === 0x42 ? ATA_READ : ah === 0x43 ? ATA_WRITE : ATA_VERIFY;
      return startAta(b, index, lba, count, bufSeg, bufOff, cmd, 1);
    }
    case 0x48: {
      const seg = b.ds;
      const off = b.si;
      const size = b.rd16(seg, off);
      if (size < 0x1a) return hdDone(b, 0x01);
      const n = size >= 0x1e ? 0x1e : 0x1a;
      b.touch(seg, off, n);
      b.wr16(seg, off, n);
      b.wr16(seg, off + 2, 0x0002);
      b.wr32(seg, off + 4, disk.cylinders);
      b.wr32(seg, off + 8, disk.heads);
      b.wr32(seg, off + 12, disk.sectors);
      b.wr32(seg, off + 16, disk.totalSectors);
      b.wr32(seg, off + 20, 0);
      b.wr16(seg, off + 24, 512);
      if (n === 0x1e) b.wr32(seg, off + 26, 0xffffffff);
      return hdDone(b, 0);
    }
    default:
      return hdDone(b, 0x01);
  }
}

function startAta(b: BiosContext, index: number, lba: number, count: number, seg: number, off: number, cmd: number, kind: number): void {
  b.setScratch16(0, count);
  b.setScratch16(2, 0);
  b.setScratch32(4, lba);
  b.setScratch16(8, seg);
  b.setScratch16(10, off);
  b.setScratch8(12, cmd);
  b.setScratch8(13, index);
  b.setScratch8(14, kind);
  ataChunk(b);
}

/** Starts the next chunk of the transfer described by the scratch block. */
function ataChunk(b: BiosContext): void {
  const total = b.scratch16(0);
  const done = b.scratch16(2);
  const n = Math.min(total - done, CHUNK);
  const cmd = b.scratch8(12);
  // Normalised so the chunk cannot wrap its segment: offset below 16.
  const byteOff = b.scratch16(10) + done * 512;
  const seg = (b.scratch16(8) + (byteOff >>> 4)) & 0xffff;
  const off = byteOff & 15;
  const cpu = b.cpu;
  cpu.setReg('eax', (b.scratch32(4) + done) >>> 0);
  cpu.setReg('cl', n);
  cpu.setReg('bl', 0xe0 | (b.scratch8(13) << 4));
  cpu.setReg('bh', cmd);
  if (cmd === ATA_WRITE) {
    cpu.setReg('ds', seg);
    cpu.setReg('si', off);
  } else {
    cpu.setReg('es', seg);
    cpu.setReg('di', off);
  }
  b.jump('ata_io');
}

/** ATA_DONE: AL = status register, AH = error register, CX = sectors of the chunk not done. */
export function ataDone(b: BiosContext): void {
  const cpu = b.cpu;
  const status = cpu.getReg('al');
  const error = cpu.getReg('ah');
  const left = cpu.getReg('cx');
  const total = b.scratch16(0);
  const done0 = b.scratch16(2);
  const n = Math.min(total - done0, CHUNK);
  const done = done0 + Math.max(0, n - left);
  const failed = status === 0xff || (status & 0x01) !== 0 || left !== 0;
  if (!failed && done < total) {
    b.setScratch16(2, done);
    return ataChunk(b);
  }
  let code = 0;
  if (status === 0xff) code = 0x80;
  else if (failed) code = error & 0x10 ? 0x04 : error & 0x40 ? 0x10 : error & 0x04 ? 0x01 : 0x20;
  if (b.scratch8(14) === 1) {
    if (failed) b.wr16(b.ds, b.si + 2, done);
  } else b.al = done;
  hdDone(b, code);
}

// ---------------------------------------------------------------- floppies

function fdDone(b: BiosContext, code: number): void {
  b.setBda8(FD_STATUS, code);
  b.status(code);
}

/** Data rate (3F7h value) for a medium in its drive. */
function dataRate(fd: BiosFloppy): number {
  const spt = fd.sectors;
  if (spt >= 36) return 3;
  if (spt >= 15) return 0;
  if (fd.driveType === 2 && fd.cylinders <= 40) return 1;
  return 2;
}

function floppy(b: BiosContext, drive: number): void {
  const ah = b.ah;
  const fd = drive < 2 ? b.config.floppies[drive] ?? null : null;
  if (fd === null) {
    if (ah === 0x15) {
      b.ah = 0;
      b.carry = false;
      return;
    }
    if (ah === 0x08) {
      b.ax = 0;
      b.bx = 0;
      b.cx = 0;
      b.dh = 0;
      b.dl = floppyCount(b);
      b.carry = false;
      return;
    }
    return fdDone(b, 0x80);
  }
  switch (ah) {
    case 0x00:
      b.setBda8(FD_RECAL, b.bda8(FD_RECAL) & 0x70);
      fdBlock(b, fd, drive, 0, 0, 1, 0, 0, 0, FD_FLAG_RESET);
      return b.jump('fd_io');
    case 0x01: {
      const last = b.bda8(FD_STATUS);
      b.ah = last;
      b.carry = last !== 0;
      return;
    }
    case 0x02:
    case 0x03:
    case 0x04: {
      const count = b.al;
      const cyl = b.ch;
      const sector = b.cl & 0x3f;
      const head = b.dh & 1;
      if (count === 0) return fdDone(b, 0x01);
      if (sector === 0 || sector > fd.sectors || b.dh > 1 || cyl >= fd.cylinders) return fdDone(b, 0x01);
      if (sector - 1 + count > fd.sectors * (fd.heads - head)) return fdDone(b, 0x01);
      const linear = b.es * 16 + b.bx;
      const bytes = count * 512;
      if ((linear & 0xffff) + bytes > 0x10000 || linear + bytes > 0x1000000) {
        b.al = 0;
        return fdDone(b, 0x09);
      }
      const write = ah === 0x03;
      const recal = (b.bda8(FD_RECAL) & (1 << drive)) === 0;
      b.setBda8(FD_RECAL, b.bda8(FD_RECAL) | (1 << drive));
      b.setBda8(FD_MOTOR, (b.bda8(FD_MOTOR) & 0x70) | (1 << drive) | (write ? 0x80 : 0));
      fdBlock(b, fd, drive, cyl, head, sector, count, linear, ah, (recal ? FD_FLAG_RECAL : 0) | FD_FLAG_SEEK);
      return b.jump('fd_io');
    }
    case 0x08: {
      const maxCyl = fd.cylinders - 1;
      b.ax = 0;
      b.bl = fd.driveType;
      b.bh = 0;
      b.ch = maxCyl & 0xff;
      b.cl = (fd.sectors & 0x3f) | ((maxCyl >> 2) & 0xc0);
      b.dh = fd.heads - 1;
      b.dl = floppyCount(b);
      b.es = BIOS_SEGMENT;
      b.di = b.rom.addr('diskette_params');
      b.carry = false;
      return;
    }
    case 0x15:
      // A drive without change-line support: disk changes are not reported (AH=16h says "no change").
      b.ah = 0x01;
      b.carry = false;
      return;
    case 0x16:
      return fdDone(b, 0);
    case 0x17:
      return fdDone(b, 0);
    case 0x18: {
      const tracks = b.ch | ((b.cl & 0xc0) << 2);
      if (b.cl % 64 !== fd.sectors || tracks !== fd.cylinders - 1) return fdDone(b, 0x0c);
      b.es = BIOS_SEGMENT;
      b.di = b.rom.addr('diskette_params');
      return fdDone(b, 0);
    }
    default:
      return fdDone(b, 0x01);
  }
}

function floppyCount(b: BiosContext): number {
  return b.config.floppies.filter((f) => f !== null).length;
}

/** Writes fd_io's parameter block (see romDiskSource.ts). */
function fdBlock(b: BiosContext, fd: BiosFloppy, drive: number, cyl: number, head: number, sector: number, count: number, linear: number, op: number, flags: number): void {
  b.setScratch8(0, 0x0c | drive | (0x10 << drive));
  b.setScratch8(1, dataRate(fd));
  b.setScratch8(2, op === 0x03 ? 0xc5 : 0xe6);
  b.setScratch8(3, (head << 2) | drive);
  b.setScratch8(4, cyl);
  b.setScratch8(5, head);
  b.setScratch8(6, sector);
  b.setScratch8(7, 2);
  b.setScratch8(8, fd.sectors);
  b.setScratch8(9, 0x1b);
  b.setScratch8(10, 0xff);
  b.setScratch8(11, op === 0x03 ? 0x4a : op === 0x04 ? 0x42 : 0x46);
  b.setScratch8(12, linear & 0xff);
  b.setScratch8(13, (linear >>> 8) & 0xff);
  b.setScratch8(14, (linear >>> 16) & 0xff);
  b.setScratch8(15, flags);
  b.setScratch16(16, Math.max(0, count * 512 - 1));
}

/** FLOPPY_DONE: AL = 0, or 80h when the controller timed out; results in 40:42h-48h. */
export function floppyDone(b: BiosContext): void {
  const ah = b.ah;
  const timeout = b.cpu.getReg('al') === 0x80;
  if (timeout) {
    b.setBda8(FD_RECAL, b.bda8(FD_RECAL) & 0x70);
    if (ah !== 0x00) b.al = 0;
    return fdDone(b, 0x80);
  }
  if (ah === 0x00) return fdDone(b, 0);
  const st0 = b.bda8(FD_RESULTS);
  const st1 = b.bda8(FD_RESULTS + 1);
  const st2 = b.bda8(FD_RESULTS + 2);
  const ic = st0 >> 6;
  // End of cylinder alone after the last requested sector is how a transfer to the end of a
  // track finishes when TC is not signalled: the data arrived.
  if (ic === 0 || (ic === 1 && st1 === 0x80 && st2 === 0)) return fdDone(b, 0);
  let code = 0x20;
  if (st1 & 0x02) code = 0x03;
  else if (st1 & 0x04) code = 0x04;
  else if (st1 & 0x01 || st2 & 0x01) code = 0x02;
  else if (st1 & 0x10) code = 0x08;
  else if (st1 & 0x20) code = 0x10;
  b.al = 0;
  fdDone(b, code);
}

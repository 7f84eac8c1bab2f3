/**
 * ATA/IDE channel with PIO hard disks: the primary channel at 1F0h-1F7h and 3F6h (IRQ14), or a
 * secondary one at 170h-177h/376h (IRQ15) as a second instance.
 *
 * Wiring:
 *   const ide0 = new AtaChannel(io, new WiredIrqLine(pic, 14), {
 *     master: { disk: qcow2, cylinders: 65, heads: 16, sectors: 63 },   // CHS optional
 *   });
 *   ide0.drive(0)?.geometry   // what the BIOS reports in INT 13h AH=08h and CMOS type 47
 *
 * Registers (ATA-3/ATA-4): data (16-bit; 8-bit and 32-bit accesses work), error/features, sector
 * count, sector number/LBA 0-7, cylinder low/LBA 8-15, cylinder high/LBA 16-23, device/head
 * (DEV, LBA, head/LBA 24-27), status/command; device control (nIEN, SRST) and alternate status.
 * Commands: IDENTIFY DEVICE (ECh), READ/WRITE SECTORS (20h/21h/30h/31h), READ/WRITE MULTIPLE
 * (C4h/C5h), SET MULTIPLE MODE (C6h, up to 16 sectors), INITIALIZE DEVICE PARAMETERS (91h, a
 * translated CHS), READ VERIFY (40h/41h), SEEK (7xh), RECALIBRATE (1xh), EXECUTE DEVICE
 * DIAGNOSTIC (90h), FLUSH CACHE (E7h), SET FEATURES (EFh), CHECK POWER MODE (E5h), the
 * idle/standby/sleep commands (accepted), IDENTIFY PACKET DEVICE (A1h, aborted: these are not
 * ATAPI devices); anything else is aborted (ERR, ABRT). CHS and LBA28 addressing; an address
 * outside the disk or the current translation fails with IDNF.
 *
 * Interrupts: INTRQ at the start of every DRQ block of a read, after every block of a write, and
 * at the end of non-data commands; reading the status register (not the alternate status) or
 * writing a command clears it; nIEN masks it; only the selected device drives the line. A disk
 * error from the BlockDevice becomes ERR with UNC (reads) or ABRT (writes, flush) and never
 * escapes. Commands complete at once (BSY is only seen while SRST is held). The task file
 * advances after every block, as the WD1003-style register file of AT drives does (and QEMU's
 * and Bochs's drives do): after a transfer it holds the sector after the last one transferred
 * and a zero count; after an error, the failing sector.
 *
 * An absent slave reads 00h in its status register (how BIOSes detect it) and the values last
 * written in its task-file registers; commands to it are ignored. Soft reset (SRST 1 then 0) loads the ATA signature (sector count 1,
 * sector 1, cylinder 0, error 01h) and selects device 0; multiple mode and the CHS translation
 * survive it. reset('hard') (the system RESET line, which reaches the drives as the interface's
 * RESET- signal) restores power-on defaults like reset('power'). A CPU-only reset never calls it.
 */
import type { BlockDevice } from '../disk/blockDevice.js';
import type { IoBus } from '../io/ioBus.js';
import type { IrqLine } from '../io/irq.js';
import {
  boolField,
  expectState,
  hex,
  StateError,
  type Device,
  type DeviceState,
  type InspectNode,
  type ResetKind,
} from '../machine/device.js';
import { fixedBytesField, intField, objListField, type StateFields } from './stateFields.js';

export interface ChsGeometry {
  readonly cylinders: number;
  readonly heads: number;
  readonly sectors: number;
}

export interface AtaDiskConfig {
  readonly disk: BlockDevice;
  /** Default CHS geometry reported by IDENTIFY; derived from the size when absent. */
  readonly cylinders?: number;
  readonly heads?: number;
  readonly sectors?: number;
  /** IDENTIFY strings (ASCII; longer values are cut). */
  readonly model?: string;
  readonly serial?: string;
  readonly firmware?: string;
}

export interface AtaChannelOptions {
  readonly master?: AtaDiskConfig | null;
  readonly slave?: AtaDiskConfig | null;
  /** Command block base (1F0h) and device control port (3F6h). */
  readonly base?: number;
  readonly control?: number;
  /** Device name ('ata0'). */
  readonly name?: string;
}

export const SECTOR_SIZE = 512;
/** Largest block SET MULTIPLE accepts (IDENTIFY word 47). */
export const MAX_MULTIPLE = 16;
const LBA28_LIMIT = 0x0fffffff;

const ST_ERR = 0x01;
const ST_DRQ = 0x08;
const ST_DSC = 0x10;
const ST_DRDY = 0x40;
const ST_BSY = 0x80;
const ER_ABRT = 0x04;
const ER_IDNF = 0x10;
const ER_UNC = 0x40;

/**
 * The geometry a drive of `totalSectors` reports when none is configured: 16 heads and 63
 * sectors per track (the largest ATA CHS, which BIOS translation schemes expect), capped at
 * 16383 cylinders; tiny disks get fewer heads.
 */
export function defaultGeometry(totalSectors: number): ChsGeometry {
  if (totalSectors < 1) throw new RangeError('ATA: a disk needs at least one sector');
  const spt = Math.min(63, totalSectors);
  const heads = Math.max(1, Math.min(16, Math.floor(totalSectors / spt)));
  const cylinders = Math.max(1, Math.min(16383, Math.floor(totalSectors / (heads * spt))));
  return { cylinders, heads, sectors: spt };
}

const enum Dir {
  None = 0,
  In = 1,
  Out = 2,
}

/** Puts an ATA string (two characters per word, first in the high byte) into IDENTIFY words. */
function putString(words: Uint16Array, first: number, count: number, text: string): void {
  const s = text.padEnd(count * 2, ' ');
  for (let i = 0; i < count; i++) words[first + i] = ((s.charCodeAt(2 * i) & 0x7f) << 8) | (s.charCodeAt(2 * i + 1) & 0x7f);
}

/** One device on the channel. */
export class AtaDrive {
  readonly totalSectors: number;
  /** LBA28-addressable sectors (IDENTIFY words 60-61). */
  readonly capacity: number;
  readonly geometry: ChsGeometry;
  readonly model: string;
  readonly serial: string;
  readonly firmware: string;
  // Task file as this device latched it.
  features = 0;
  sectorCount = 0;
  sector = 0;
  cylLow = 0;
  cylHigh = 0;
  devHead = 0;
  error = 0x01;
  status = ST_DRDY | ST_DSC;
  // Current CHS translation (INITIALIZE DEVICE PARAMETERS); spt 0 = none valid.
  xlatHeads: number;
  xlatSectors: number;
  multiple = 0;
  irqPending = false;
  // The data transfer in progress.
  readonly buffer = new Uint8Array(MAX_MULTIPLE * SECTOR_SIZE);
  bufPos = 0;
  bufLen = 0;
  dir: Dir = Dir.None;
  command = 0;
  /** Next LBA to transfer and sectors left in the command. */
  lba = 0;
  remaining = 0;
  blockSectors = 1;

  constructor(
    readonly config: AtaDiskConfig,
    index: number,
  ) {
    const disk = config.disk;
    this.totalSectors = Math.floor(disk.size / SECTOR_SIZE);
    this.capacity = Math.min(this.totalSectors, LBA28_LIMIT);
    if (this.totalSectors < 1) throw new RangeError(`ATA: disk of ${disk.size} bytes is smaller than one sector`);
    const g = defaultGeometry(this.capacity);
    const geometry = { cylinders: config.cylinders ?? g.cylinders, heads: config.heads ?? g.heads, sectors: config.sectors ?? g.sectors };
    const { cylinders: c, heads: h, sectors: s } = geometry;
    if (!(Number.isInteger(c) && c >= 1 && c <= 65535 && Number.isInteger(h) && h >= 1 && h <= 16 && Number.isInteger(s) && s >= 1 && s <= 63)) {
      throw new RangeError(`ATA: geometry ${c}/${h}/${s} is not a valid CHS (cylinders 1-65535, heads 1-16, sectors 1-63)`);
    }
    if (c * h * s > this.totalSectors) {
      throw new RangeError(`ATA: geometry ${c}/${h}/${s} (${c * h * s} sectors) exceeds the disk's ${this.totalSectors} sectors`);
    }
    this.geometry = geometry;
    this.xlatHeads = h;
    this.xlatSectors = s;
    this.model = (config.model ?? 'WIN31-DEBUG HARDDISK').slice(0, 40);
    this.serial = (config.serial ?? `WD${index}-${this.totalSectors.toString(16).toUpperCase()}`).slice(0, 20);
    this.firmware = (config.firmware ?? '1.0').slice(0, 8);
  }

  /** Cylinders of the current translation, capped as IDENTIFY word 54 is. */
  xlatCylinders(): number {
    if (this.xlatSectors === 0) return 0;
    return Math.min(65535, Math.floor(this.capacity / (this.xlatHeads * this.xlatSectors)));
  }

  identify(): Uint16Array {
    const w = new Uint16Array(256);
    const g = this.geometry;
    w[0] = 0x0040; // fixed disk
    w[1] = g.cylinders;
    w[3] = g.heads;
    w[4] = SECTOR_SIZE * g.sectors; // unformatted bytes per track (obsolete; old drivers read it)
    w[5] = SECTOR_SIZE; // unformatted bytes per sector (obsolete)
    w[6] = g.sectors;
    putString(w, 10, 10, this.serial);
    w[20] = 3; // dual-ported buffer with read cache
    w[21] = 512; // buffer size in sectors
    w[22] = 4; // ECC bytes on READ/WRITE LONG
    putString(w, 23, 4, this.firmware);
    putString(w, 27, 20, this.model);
    w[47] = 0x8000 | MAX_MULTIPLE;
    w[48] = 1; // doubleword I/O
    w[49] = 0x0a00; // LBA, IORDY supported
    w[50] = 0x4000;
    w[51] = 0x0200; // PIO timing mode 2
    w[53] = 0x0003; // words 54-58 and 64-70 valid
    const cyl = this.xlatCylinders();
    if (cyl > 0) {
      const cur = cyl * this.xlatHeads * this.xlatSectors;
      w[54] = cyl;
      w[55] = this.xlatHeads;
      w[56] = this.xlatSectors;
      w[57] = cur & 0xffff;
      w[58] = cur >>> 16;
    }
    w[59] = this.multiple > 0 ? 0x0100 | this.multiple : 0;
    w[60] = this.capacity & 0xffff;
    w[61] = this.capacity >>> 16;
    w[64] = 0x0003; // PIO modes 3 and 4
    w[67] = 120; // minimum PIO cycle time without flow control, ns
    w[68] = 120; // with IORDY
    w[80] = 0x001e; // ATA-1 to ATA-4
    w[82] = 0x0008; // power management command set
    w[83] = 0x5000; // FLUSH CACHE
    w[84] = 0x4000;
    w[85] = 0x0008;
    w[86] = 0x1000;
    w[87] = 0x4000;
    return w;
  }

  /** The LBA the task file addresses, or -1 when the CHS is outside the translation. */
  address(): number {
    if (this.devHead & 0x40) return ((this.devHead & 0x0f) << 24) | (this.cylHigh << 16) | (this.cylLow << 8) | this.sector;
    const heads = this.xlatHeads;
    const spt = this.xlatSectors;
    const head = this.devHead & 0x0f;
    if (spt === 0 || this.sector === 0 || this.sector > spt || head >= heads) return -1;
    const cyl = (this.cylHigh << 8) | this.cylLow;
    return (cyl * heads + head) * spt + this.sector - 1;
  }

  /** Writes `lba` back into the task file in the addressing mode of the command. */
  setAddress(lba: number): void {
    if (this.devHead & 0x40) {
      this.sector = lba & 0xff;
      this.cylLow = (lba >>> 8) & 0xff;
      this.cylHigh = (lba >>> 16) & 0xff;
      this.devHead = (this.devHead & 0xf0) | ((lba >>> 24) & 0x0f);
      return;
    }
    const spt = this.xlatSectors;
    const heads = this.xlatHeads;
    if (spt === 0) return;
    const cyl = Math.floor(lba / (heads * spt));
    const rem = lba - cyl * heads * spt;
    this.sector = (rem % spt) + 1;
    this.devHead = (this.devHead & 0xf0) | Math.floor(rem / spt);
    this.cylLow = cyl & 0xff;
    this.cylHigh = (cyl >>> 8) & 0xff;
  }

  /** The ATA signature after a reset or diagnostic (device/head with the ATA-1 fixed bits 7 and 5). */
  signature(): void {
    this.sectorCount = 1;
    this.sector = 1;
    this.cylLow = 0;
    this.cylHigh = 0;
    this.devHead = 0xa0;
    this.error = 0x01;
  }

  save(): StateFields {
    return {
      features: this.features,
      sectorCount: this.sectorCount,
      sector: this.sector,
      cylLow: this.cylLow,
      cylHigh: this.cylHigh,
      devHead: this.devHead,
      error: this.error,
      status: this.status,
      xlatHeads: this.xlatHeads,
      xlatSectors: this.xlatSectors,
      multiple: this.multiple,
      irqPending: this.irqPending,
      buffer: this.buffer.slice(),
      bufPos: this.bufPos,
      bufLen: this.bufLen,
      dir: this.dir,
      command: this.command,
      lba: this.lba,
      remaining: this.remaining,
      blockSectors: this.blockSectors,
    };
  }

  load(f: StateFields): void {
    this.features = intField(f, 'features', 0, 0xff);
    this.sectorCount = intField(f, 'sectorCount', 0, 0xff);
    this.sector = intField(f, 'sector', 0, 0xff);
    this.cylLow = intField(f, 'cylLow', 0, 0xff);
    this.cylHigh = intField(f, 'cylHigh', 0, 0xff);
    this.devHead = intField(f, 'devHead', 0, 0xff);
    this.error = intField(f, 'error', 0, 0xff);
    this.status = intField(f, 'status', 0, 0xff);
    this.xlatHeads = intField(f, 'xlatHeads', 1, 16);
    this.xlatSectors = intField(f, 'xlatSectors', 0, 0xff);
    this.multiple = intField(f, 'multiple', 0, MAX_MULTIPLE);
    this.irqPending = boolField(f, 'irqPending');
    this.buffer.set(fixedBytesField(f, 'buffer', this.buffer.length));
    this.bufLen = intField(f, 'bufLen', 0, this.buffer.length);
    this.bufPos = intField(f, 'bufPos', 0, this.bufLen);
    this.dir = intField(f, 'dir', 0, 2) as Dir;
    this.command = intField(f, 'command', 0, 0xff);
    this.lba = intField(f, 'lba', 0, LBA28_LIMIT + MAX_MULTIPLE);
    this.remaining = intField(f, 'remaining', 0, 256);
    this.blockSectors = intField(f, 'blockSectors', 1, MAX_MULTIPLE);
  }
}

const STATE_VERSION = 1;

export class AtaChannel implements Device {
  readonly name: string;
  private readonly drives: (AtaDrive | null)[];
  private readonly base: number;
  private selected = 0;
  /** Task-file bytes as last written (registers 1-6): what an absent device's registers read. */
  private readonly latched = new Uint8Array(8);
  private nIEN = false;
  private srst = false;
  private irqLevel = false;

  constructor(
    io: IoBus,
    private readonly irq: IrqLine,
    options: AtaChannelOptions,
  ) {
    this.name = options.name ?? 'ata0';
    this.base = options.base ?? 0x1f0;
    const control = options.control ?? 0x3f6;
    this.drives = [options.master ? new AtaDrive(options.master, 0) : null, options.slave ? new AtaDrive(options.slave, 1) : null];
    const base = this.base;
    io.register(
      base,
      base + 7,
      {
        read8: (p) => this.read8(p - base),
        write8: (p, v) => this.write8(p - base, v),
        read16: (p) => (p === base ? this.readData16() : this.read8(p - base) | (this.read8(p + 1 - base) << 8)),
        write16: (p, v) => {
          if (p === base) this.writeData16(v);
          else {
            this.write8(p - base, v & 0xff);
            this.write8(p + 1 - base, v >> 8);
          }
        },
        read32: (p) => (p === base ? (this.readData16() | (this.readData16() << 16)) >>> 0 : 0xffffffff),
        write32: (p, v) => {
          if (p !== base) return;
          this.writeData16(v & 0xffff);
          this.writeData16(v >>> 16);
        },
      },
      this.name,
      'ATA command block: data, error/features, count, LBA/CHS, device/head, status/command',
    );
    io.register(control, control, { read8: () => this.alternateStatus(), write8: (_p, v) => this.writeControl(v) }, this.name, 'ATA device control / alternate status');
    this.reset('power');
  }

  /** The drive at position 0 (master) or 1 (slave), or null. */
  drive(index: 0 | 1): AtaDrive | null {
    return this.drives[index];
  }

  private cur(): AtaDrive | null {
    return this.drives[this.selected];
  }

  private anyDrive(): boolean {
    return this.drives[0] !== null || this.drives[1] !== null;
  }

  private updateIrq(): void {
    const d = this.cur();
    const level = d !== null && d.irqPending && !this.nIEN;
    if (level === this.irqLevel) return;
    this.irqLevel = level;
    if (level) this.irq.raise();
    else this.irq.lower();
  }

  private raiseIrq(d: AtaDrive): void {
    d.irqPending = true;
    this.updateIrq();
  }

  private read8(reg: number): number {
    if (!this.anyDrive()) return 0xff;
    const d = this.cur();
    if (reg === 6) return (d ?? this.drives[this.selected ^ 1] ?? { devHead: 0 }).devHead;
    if (d === null) return reg === 0 ? 0xff : reg === 7 ? 0x00 : this.latched[reg];
    switch (reg) {
      case 0:
        return this.readDataByte(d);
      case 1:
        return d.error;
      case 2:
        return d.sectorCount;
      case 3:
        return d.sector;
      case 4:
        return d.cylLow;
      case 5:
        return d.cylHigh;
      default: {
        const v = d.status;
        d.irqPending = false;
        this.updateIrq();
        return v;
      }
    }
  }

  private write8(reg: number, v: number): void {
    if (reg === 0) {
      const d = this.cur();
      if (d !== null) this.writeDataByte(d, v);
      return;
    }
    if (reg === 7) {
      this.command(v);
      return;
    }
    // Both devices latch the command block registers; device/head also selects one of them.
    this.latched[reg] = v;
    for (const d of this.drives) {
      if (d === null) continue;
      switch (reg) {
        case 1:
          d.features = v;
          break;
        case 2:
          d.sectorCount = v;
          break;
        case 3:
          d.sector = v;
          break;
        case 4:
          d.cylLow = v;
          break;
        case 5:
          d.cylHigh = v;
          break;
        default:
          d.devHead = v;
      }
    }
    if (reg === 6) {
      this.selected = (v >> 4) & 1;
      this.updateIrq();
    }
  }

  private alternateStatus(): number {
    if (!this.anyDrive()) return 0xff;
    const d = this.cur();
    return d === null ? 0 : d.status;
  }

  private writeControl(v: number): void {
    const srst = (v & 0x04) !== 0;
    this.nIEN = (v & 0x02) !== 0;
    if (srst && !this.srst) {
      for (const d of this.drives) {
        if (d === null) continue;
        d.status = ST_BSY;
        d.dir = Dir.None;
        d.irqPending = false;
      }
    } else if (!srst && this.srst) {
      for (const d of this.drives) {
        if (d === null) continue;
        d.signature();
        d.status = ST_DRDY | ST_DSC;
      }
      this.selected = 0;
    }
    this.srst = srst;
    this.updateIrq();
  }

  // --- data port -----------------------------------------------------------------------------

  private readData16(): number {
    const d = this.cur();
    if (d === null || d.dir !== Dir.In) return 0xffff;
    const v = d.buffer[d.bufPos] | (d.buffer[d.bufPos + 1] << 8);
    d.bufPos += 2;
    if (d.bufPos >= d.bufLen) this.inBlockDone(d);
    return v;
  }

  private readDataByte(d: AtaDrive): number {
    if (d.dir !== Dir.In) return 0xff;
    const v = d.buffer[d.bufPos++];
    if (d.bufPos >= d.bufLen) this.inBlockDone(d);
    return v;
  }

  private writeData16(v: number): void {
    const d = this.cur();
    if (d === null || d.dir !== Dir.Out) return;
    d.buffer[d.bufPos] = v & 0xff;
    d.buffer[d.bufPos + 1] = v >> 8;
    d.bufPos += 2;
    if (d.bufPos >= d.bufLen) this.outBlockDone(d);
  }

  private writeDataByte(d: AtaDrive, v: number): void {
    if (d.dir !== Dir.Out) return;
    d.buffer[d.bufPos++] = v;
    if (d.bufPos >= d.bufLen) this.outBlockDone(d);
  }

  // --- command execution ---------------------------------------------------------------------

  private command(cmd: number): void {
    if (cmd === 0x90) {
      this.executeDiagnostic();
      return;
    }
    const d = this.cur();
    if (d === null || d.status & ST_BSY) return;
    // Writing the command register clears INTRQ; the command's own interrupt is a new edge.
    d.irqPending = false;
    this.updateIrq();
    d.command = cmd;
    d.dir = Dir.None;
    d.error = 0;
    d.status = ST_DRDY | ST_DSC;
    switch (cmd) {
      case 0x20:
      case 0x21:
        this.startTransfer(d, Dir.In, 1);
        break;
      case 0xc4:
        if (d.multiple === 0) this.abort(d);
        else this.startTransfer(d, Dir.In, d.multiple);
        break;
      case 0x30:
      case 0x31:
        this.startTransfer(d, Dir.Out, 1);
        break;
      case 0xc5:
        if (d.multiple === 0) this.abort(d);
        else this.startTransfer(d, Dir.Out, d.multiple);
        break;
      case 0x40:
      case 0x41:
        this.readVerify(d);
        break;
      case 0xc6: {
        const n = d.sectorCount;
        if (n === 0 || (n <= MAX_MULTIPLE && (n & (n - 1)) === 0)) {
          d.multiple = n;
          this.raiseIrq(d);
        } else this.abort(d);
        break;
      }
      case 0x91:
        if (d.sectorCount === 0) {
          d.xlatSectors = 0;
          this.abort(d);
        } else {
          d.xlatSectors = d.sectorCount;
          d.xlatHeads = (d.devHead & 0x0f) + 1;
          this.raiseIrq(d);
        }
        break;
      case 0xec:
        this.identify(d);
        break;
      case 0xe7:
      case 0xea:
        try {
          d.config.disk.flush();
          this.raiseIrq(d);
        } catch {
          this.abort(d);
        }
        break;
      case 0xef:
        // Transfer mode (03h), write cache (02h/82h), reverting to defaults (66h/CCh), read
        // look-ahead (AAh/55h): accepted; others abort.
        if ([0x02, 0x03, 0x55, 0x66, 0x82, 0xaa, 0xcc].includes(d.features)) this.raiseIrq(d);
        else this.abort(d);
        break;
      case 0xe5:
      case 0x98:
        d.sectorCount = 0xff; // active or idle
        this.raiseIrq(d);
        break;
      case 0xe0:
      case 0xe1:
      case 0xe2:
      case 0xe3:
      case 0xe6:
      case 0x94:
      case 0x95:
      case 0x96:
      case 0x97:
      case 0x99:
        this.raiseIrq(d);
        break;
      default:
        if ((cmd & 0xf0) === 0x70) this.seek(d);
        else if ((cmd & 0xf0) === 0x10) this.raiseIrq(d);
        else this.abort(d);
    }
  }

  private abort(d: AtaDrive): void {
    this.fail(d, ER_ABRT);
  }

  private fail(d: AtaDrive, error: number): void {
    d.error = error;
    d.status = ST_DRDY | ST_DSC | ST_ERR;
    d.dir = Dir.None;
    this.raiseIrq(d);
  }

  /** Validates the task-file range; returns the start LBA or -1 after failing the command. */
  private range(d: AtaDrive, count: number): number {
    const lba = d.address();
    if (lba < 0 || lba + count > d.capacity) {
      this.fail(d, ER_IDNF);
      return -1;
    }
    return lba;
  }

  private startTransfer(d: AtaDrive, dir: Dir, blockSectors: number): void {
    const count = d.sectorCount === 0 ? 256 : d.sectorCount;
    const lba = this.range(d, count);
    if (lba < 0) return;
    if (dir === Dir.Out && d.config.disk.readOnly) {
      this.abort(d);
      return;
    }
    d.lba = lba;
    d.remaining = count;
    d.blockSectors = blockSectors;
    if (dir === Dir.In) this.loadBlock(d);
    else this.openOutBlock(d);
  }

  /** Reads the next block from the disk and offers it with DRQ and an interrupt. */
  private loadBlock(d: AtaDrive): void {
    const n = Math.min(d.blockSectors, d.remaining);
    try {
      d.config.disk.read(d.lba * SECTOR_SIZE, d.buffer.subarray(0, n * SECTOR_SIZE));
    } catch {
      d.setAddress(d.lba);
      this.fail(d, ER_UNC);
      return;
    }
    d.dir = Dir.In;
    d.bufPos = 0;
    d.bufLen = n * SECTOR_SIZE;
    d.status = ST_DRDY | ST_DSC | ST_DRQ;
    this.raiseIrq(d);
  }

  private inBlockDone(d: AtaDrive): void {
    if (d.command === 0xec) {
      d.dir = Dir.None;
      d.status = ST_DRDY | ST_DSC;
      return;
    }
    const n = d.bufLen / SECTOR_SIZE;
    d.lba += n;
    d.remaining -= n;
    d.sectorCount = d.remaining & 0xff;
    d.setAddress(d.lba);
    if (d.remaining > 0) {
      this.loadBlock(d);
      return;
    }
    d.dir = Dir.None;
    d.status = ST_DRDY | ST_DSC;
  }

  private openOutBlock(d: AtaDrive): void {
    d.dir = Dir.Out;
    d.bufPos = 0;
    d.bufLen = Math.min(d.blockSectors, d.remaining) * SECTOR_SIZE;
    d.status = ST_DRDY | ST_DSC | ST_DRQ;
  }

  private outBlockDone(d: AtaDrive): void {
    const n = d.bufLen / SECTOR_SIZE;
    try {
      d.config.disk.write(d.lba * SECTOR_SIZE, d.buffer.subarray(0, d.bufLen));
    } catch {
      d.setAddress(d.lba);
      this.abort(d);
      return;
    }
    d.lba += n;
    d.remaining -= n;
    d.sectorCount = d.remaining & 0xff;
    d.setAddress(d.lba);
    if (d.remaining > 0) {
      this.openOutBlock(d);
    } else {
      d.dir = Dir.None;
      d.status = ST_DRDY | ST_DSC;
    }
    this.raiseIrq(d);
  }

  private readVerify(d: AtaDrive): void {
    const count = d.sectorCount === 0 ? 256 : d.sectorCount;
    const lba = this.range(d, count);
    if (lba < 0) return;
    // Reading the sectors is how a disk image reports a bad one.
    const scratch = d.buffer.subarray(0, SECTOR_SIZE);
    for (let i = 0; i < count; i++) {
      try {
        d.config.disk.read((lba + i) * SECTOR_SIZE, scratch);
      } catch {
        d.setAddress(lba + i);
        d.sectorCount = (count - i) & 0xff;
        this.fail(d, ER_UNC);
        return;
      }
    }
    d.sectorCount = 0;
    d.setAddress(lba + count);
    this.raiseIrq(d);
  }

  private seek(d: AtaDrive): void {
    if (this.range(d, 1) < 0) return;
    this.raiseIrq(d);
  }

  private identify(d: AtaDrive): void {
    const w = d.identify();
    for (let i = 0; i < 256; i++) {
      d.buffer[2 * i] = w[i] & 0xff;
      d.buffer[2 * i + 1] = w[i] >> 8;
    }
    d.dir = Dir.In;
    d.bufPos = 0;
    d.bufLen = SECTOR_SIZE;
    d.status = ST_DRDY | ST_DSC | ST_DRQ;
    this.raiseIrq(d);
  }

  private executeDiagnostic(): void {
    // Both devices run it whatever DEV says; device 0 reports 01h (device 1 passed or absent).
    for (const d of this.drives) {
      if (d === null) continue;
      d.signature();
      d.dir = Dir.None;
      d.status = ST_DRDY | ST_DSC;
      d.irqPending = false;
    }
    this.selected = 0;
    this.updateIrq();
    const d0 = this.drives[0];
    if (d0 !== null) this.raiseIrq(d0);
    else this.updateIrq();
  }

  reset(_kind: ResetKind): void {
    for (const d of this.drives) {
      if (d === null) continue;
      d.signature();
      d.features = 0;
      d.status = ST_DRDY | ST_DSC;
      d.xlatHeads = d.geometry.heads;
      d.xlatSectors = d.geometry.sectors;
      d.multiple = 0;
      d.irqPending = false;
      d.dir = Dir.None;
      d.bufPos = 0;
      d.bufLen = 0;
      d.command = 0;
      d.lba = 0;
      d.remaining = 0;
      d.blockSectors = 1;
    }
    this.selected = 0;
    this.latched.fill(0);
    this.nIEN = false;
    this.srst = false;
    this.irqLevel = false;
    this.irq.lower();
  }

  saveState(): DeviceState {
    return {
      device: this.name,
      version: STATE_VERSION,
      fields: {
        selected: this.selected,
        nIEN: this.nIEN,
        srst: this.srst,
        irq: this.irqLevel,
        latched: this.latched.slice(),
        drives: this.drives.map((d) => (d === null ? {} : d.save())),
      },
    };
  }

  loadState(state: DeviceState): void {
    const f = expectState(state, this.name, STATE_VERSION);
    const drives = objListField(f, 'drives', 2);
    drives.forEach((df, i) => {
      const d = this.drives[i];
      const had = Object.keys(df).length > 0;
      if (had !== (d !== null)) throw new StateError(`${this.name}: saved state has ${had ? 'a' : 'no'} drive ${i}, this machine ${d ? 'has one' : 'has none'}`);
      if (d !== null) d.load(df);
    });
    this.selected = intField(f, 'selected', 0, 1);
    this.nIEN = boolField(f, 'nIEN');
    this.srst = boolField(f, 'srst');
    this.latched.set(fixedBytesField(f, 'latched', 8));
    this.irqLevel = boolField(f, 'irq');
    if (this.irqLevel) this.irq.raise();
    else this.irq.lower();
  }

  inspect(): readonly InspectNode[] {
    const rows: InspectNode[] = [
      { name: 'selected', value: this.selected ? 'slave' : 'master' },
      { name: 'device control', value: `${this.nIEN ? 'nIEN ' : ''}${this.srst ? 'SRST' : ''}`.trim() || '-' },
    ];
    this.drives.forEach((d, i) => {
      if (d === null) {
        rows.push({ name: i ? 'slave' : 'master', value: 'absent' });
        return;
      }
      const g = d.geometry;
      rows.push({
        name: i ? 'slave' : 'master',
        value: `${d.model}, ${d.capacity} sectors`,
        children: [
          { name: 'status', value: hex(d.status, 2) },
          { name: 'error', value: hex(d.error, 2) },
          { name: 'task file', value: `count ${hex(d.sectorCount, 2)} sector ${hex(d.sector, 2)} cyl ${hex((d.cylHigh << 8) | d.cylLow, 4)} dev/head ${hex(d.devHead, 2)}` },
          { name: 'geometry', value: `${g.cylinders}/${g.heads}/${g.sectors}` },
          { name: 'translation', value: d.xlatSectors ? `${d.xlatCylinders()}/${d.xlatHeads}/${d.xlatSectors}` : 'none' },
          { name: 'multiple', value: d.multiple ? String(d.multiple) : 'off' },
          { name: 'transfer', value: d.dir === Dir.None ? 'idle' : `${d.dir === Dir.In ? 'in' : 'out'} ${d.bufPos}/${d.bufLen}, ${d.remaining} sectors left` },
          { name: 'IRQ pending', value: d.irqPending ? 'yes' : 'no' },
        ],
      });
    });
    return rows;
  }
}

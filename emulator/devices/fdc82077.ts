/**
 * Intel 82077AA floppy disk controller in PC-AT mode: DOR 3F2h, TDR 3F3h, MSR/DSR 3F4h, FIFO
 * 3F5h, DIR/CCR 3F7h (3F6h belongs to the hard disk controller), IRQ6, DMA channel 2.
 *
 * Wiring:
 *   const fdc = new Fdc82077(io, new WiredIrqLine(pic, 6), dma, {
 *     drives: [{ type: '1.44M', disk: floppyImage }, { type: '1.2M' }],   // CMOS uses the same types
 *   });
 *   fdc.insert(1, otherImage);   fdc.eject(0);
 *
 * Media are recognised by image size (floppyFormatForSize): 160K, 180K, 320K, 360K, 720K, 1.2M,
 * 1.44M, 1.68M (DMF) and 2.88M; a read-only BlockDevice is a write-protected disk. Each format
 * needs its data rate (CCR/DSR): 500 kb/s for 1.2M/1.44M/DMF, 250 for 720K, 250 for 5.25" double
 * density (300 in a 1.2M drive), 1 Mb/s for 2.88M; a mismatch fails with "missing address mark",
 * which BIOSes use to probe the media type.
 *
 * Commands (data sheet section 8): READ DATA, WRITE DATA (with MT multi-track and implied seek),
 * READ ID, FORMAT TRACK, SEEK and RELATIVE SEEK, RECALIBRATE, SENSE INTERRUPT STATUS, SENSE DRIVE
 * STATUS, SPECIFY, VERSION (90h), CONFIGURE, DUMPREG, LOCK/UNLOCK, PERPENDICULAR MODE (stored);
 * others answer "invalid command" (ST0 80h). Result bytes follow the data sheet's table of the ID
 * after a command (R+1, or the next track/side at EOT). Transfers go through the DMA controller and
 * end at its terminal count; reaching EOT without TC ends with "end of cylinder" (abnormal), as the
 * chip does. In non-DMA mode (SPECIFY ND) the data passes through the FIFO, and the interrupt is
 * raised once when the data is ready instead of per byte.
 *
 * Everything completes at once (no step, settle or rotation delays, and the DOR motor bits are
 * stored but a command runs whether or not its drive's motor is on): IRQ6 rises at the end of the
 * execution phase during the guest's OUT, and only while DOR bit 3 (DMA/IRQ enable) is set. Leaving reset (DOR bit 2 or DSR bit 7)
 * queues the four "drive polling" interrupts (ST0 C0h-C3h) unless polling was disabled by
 * CONFIGURE. The disk-change line (DIR bit 7) is set at power-on and on insert/eject and cleared
 * by a seek with a disk in the drive. reset('hard') (the system RESET line on the controller's
 * RESET pin) equals reset('power'); inserted media stay in their drives.
 */
import type { BlockDevice } from '../disk/blockDevice.js';
import type { IoBus } from '../io/ioBus.js';
import type { IrqLine } from '../io/irq.js';
import {
  boolField,
  bytesField,
  expectState,
  hex,
  StateError,
  type Device,
  type DeviceState,
  type InspectNode,
  type ResetKind,
} from '../machine/device.js';
import { ByteQueue } from './byteQueue.js';
import type { Dma8237 } from './dma8237.js';
import type { FloppyDriveType } from './rtc146818.js';
import { fixedBytesField, intField, objListField, type StateFields } from './stateFields.js';

export interface FloppyFormat {
  readonly name: string;
  readonly bytes: number;
  readonly tracks: number;
  readonly heads: number;
  readonly sectors: number;
  /** 5.25-inch double density (read at 300 kb/s in a high-density drive). */
  readonly dd525: boolean;
  /** CCR/DSR data rate code: 0 = 500, 1 = 300, 2 = 250 kb/s, 3 = 1 Mb/s. */
  readonly rate: number;
}

export const FLOPPY_FORMATS: readonly FloppyFormat[] = [
  { name: '160K', bytes: 163_840, tracks: 40, heads: 1, sectors: 8, dd525: true, rate: 2 },
  { name: '180K', bytes: 184_320, tracks: 40, heads: 1, sectors: 9, dd525: true, rate: 2 },
  { name: '320K', bytes: 327_680, tracks: 40, heads: 2, sectors: 8, dd525: true, rate: 2 },
  { name: '360K', bytes: 368_640, tracks: 40, heads: 2, sectors: 9, dd525: true, rate: 2 },
  { name: '720K', bytes: 737_280, tracks: 80, heads: 2, sectors: 9, dd525: false, rate: 2 },
  { name: '1.2M', bytes: 1_228_800, tracks: 80, heads: 2, sectors: 15, dd525: false, rate: 0 },
  { name: '1.44M', bytes: 1_474_560, tracks: 80, heads: 2, sectors: 18, dd525: false, rate: 0 },
  { name: '1.68M', bytes: 1_720_320, tracks: 80, heads: 2, sectors: 21, dd525: false, rate: 0 },
  { name: '2.88M', bytes: 2_949_120, tracks: 80, heads: 2, sectors: 36, dd525: false, rate: 3 },
];

export function floppyFormatForSize(bytes: number): FloppyFormat | null {
  return FLOPPY_FORMATS.find((f) => f.bytes === bytes) ?? null;
}

/** The drive type that suits a medium best (for configuring a drive from an image). */
export function driveTypeForFormat(f: FloppyFormat): FloppyDriveType {
  if (f.dd525) return '360K';
  if (f.name === '720K' || f.name === '1.44M' || f.name === '1.68M') return '1.44M';
  return f.name === '1.2M' ? '1.2M' : '2.88M';
}

export interface FloppyDriveConfig {
  readonly type: FloppyDriveType;
  readonly disk?: BlockDevice | null;
}

export interface FdcOptions {
  /** Drives 0-3 (A: and B: on a PC); null or absent = no drive. */
  readonly drives: readonly (FloppyDriveConfig | null)[];
  readonly dmaChannel?: number;
}

const SECTOR = 512;
const MAX_TRACK_BYTES = 2 * 36 * SECTOR;

const MSR_RQM = 0x80;
const MSR_DIO = 0x40;
const MSR_NDMA = 0x20;
const MSR_CB = 0x10;

const ST0_ABNORMAL = 0x40;
const ST0_INVALID = 0x80;
const ST0_SE = 0x20;
const ST0_EC = 0x10;
const ST1_EN = 0x80;
const ST1_DE = 0x20;
const ST1_OR = 0x10;
const ST1_ND = 0x04;
const ST1_NW = 0x02;
const ST1_MA = 0x01;
const ST2_DD = 0x20;
const ST2_WC = 0x10;
const ST2_BC = 0x02;

const enum Phase {
  Command = 0,
  ExecIn = 1,
  ExecOut = 2,
  Result = 3,
}

/** Command byte count by the low five bits of the first byte (0 = invalid). */
const COMMAND_LENGTH: readonly number[] = (() => {
  const t = new Array<number>(32).fill(0);
  t[0x03] = 3; // specify
  t[0x04] = 2; // sense drive status
  t[0x05] = 9; // write data
  t[0x06] = 9; // read data
  t[0x07] = 2; // recalibrate
  t[0x08] = 1; // sense interrupt status
  t[0x0a] = 2; // read ID
  t[0x0d] = 6; // format track
  t[0x0e] = 1; // dumpreg
  t[0x0f] = 3; // seek / relative seek
  t[0x10] = 1; // version
  t[0x12] = 2; // perpendicular mode
  t[0x13] = 4; // configure
  t[0x14] = 1; // lock / unlock
  return t;
})();

class FloppyDrive {
  cylinder = 0;
  diskChanged = true;
  disk: BlockDevice | null = null;
  format: FloppyFormat | null = null;

  constructor(readonly type: FloppyDriveType) {}

  /** The data rate code the inserted medium needs in this drive. */
  mediaRate(): number {
    const f = this.format;
    if (f === null) return -1;
    return f.dd525 && this.type === '1.2M' ? 1 : f.rate;
  }
}

const STATE_VERSION = 1;

export class Fdc82077 implements Device {
  readonly name = 'fdc';
  private readonly drives: (FloppyDrive | null)[];
  private readonly dmaChannel: number;
  private dor = 0;
  private tdr = 0;
  private rate = 2;
  private phase = Phase.Command;
  private readonly cmd = new Uint8Array(9);
  private cmdLen = 0;
  private cmdPos = 0;
  private readonly result = new Uint8Array(10);
  private resLen = 0;
  private resPos = 0;
  /** Non-DMA execution-phase data. */
  private readonly data = new Uint8Array(MAX_TRACK_BYTES);
  private dataLen = 0;
  private dataPos = 0;
  /** Pending SENSE INTERRUPT STATUS answers: pairs of (ST0, PCN). */
  private readonly sense = new ByteQueue(16);
  private irqPending = false;
  private irqLevel = false;
  // SPECIFY
  private srtHut = 0;
  private hltNd = 0;
  // CONFIGURE, LOCK, PERPENDICULAR MODE
  private config = 0x20;
  private pretrk = 0;
  private lock = false;
  private perpendicular = 0;
  private lastEot = 0;
  private readonly sector = new Uint8Array(SECTOR);
  /** Non-DMA mode: the sectors of the command (image offsets) and its result, held until the data has passed. */
  private readonly planOffsets = new Float64Array(MAX_TRACK_BYTES / SECTOR);
  private planCount = 0;
  private pendingResult: number[] = [];

  constructor(
    io: IoBus,
    private readonly irq: IrqLine,
    private readonly dma: Dma8237,
    options: FdcOptions,
  ) {
    this.dmaChannel = options.dmaChannel ?? 2;
    this.drives = [0, 1, 2, 3].map((i) => {
      const c = options.drives[i] ?? null;
      return c === null ? null : new FloppyDrive(c.type);
    });
    options.drives.forEach((c, i) => {
      if (c?.disk) this.insert(i, c.disk);
    });
    io.register(0x3f2, 0x3f5, { read8: (p) => this.read(p), write8: (p, v) => this.write(p, v) }, this.name, 'FDC (82077AA): DOR, TDR, MSR/DSR, FIFO');
    io.register(0x3f7, 0x3f7, { read8: (p) => this.read(p), write8: (p, v) => this.write(p, v) }, this.name, 'FDC (82077AA): DIR/CCR');
    this.reset('power');
  }

  /** Puts a disk image in a drive; throws a one-line error for a size that is no floppy format. */
  insert(drive: number, disk: BlockDevice): void {
    const d = this.drives[drive] ?? null;
    if (d === null) throw new RangeError(`floppy drive ${drive} is not installed`);
    const f = floppyFormatForSize(disk.size);
    if (f === null) {
      throw new RangeError(`a ${disk.size}-byte image is no floppy format (${FLOPPY_FORMATS.map((x) => x.name).join(', ')})`);
    }
    d.disk = disk;
    d.format = f;
    d.diskChanged = true;
  }

  eject(drive: number): void {
    const d = this.drives[drive] ?? null;
    if (d === null || d.disk === null) return;
    d.disk = null;
    d.format = null;
    d.diskChanged = true;
  }

  /** The format of the medium in `drive`, or null. */
  media(drive: number): FloppyFormat | null {
    return this.drives[drive]?.format ?? null;
  }

  private inReset(): boolean {
    return (this.dor & 0x04) === 0;
  }

  private nonDma(): boolean {
    return (this.hltNd & 1) !== 0;
  }

  private msr(): number {
    if (this.inReset()) return 0;
    switch (this.phase) {
      case Phase.Command:
        return MSR_RQM | (this.cmdPos > 0 ? MSR_CB : 0);
      case Phase.ExecIn:
        return MSR_RQM | MSR_DIO | MSR_NDMA | MSR_CB;
      case Phase.ExecOut:
        return MSR_RQM | MSR_NDMA | MSR_CB;
      default:
        return MSR_RQM | MSR_DIO | MSR_CB;
    }
  }

  private read(port: number): number {
    switch (port) {
      case 0x3f2:
        return this.dor;
      case 0x3f3:
        return this.tdr;
      case 0x3f4:
        return this.msr();
      case 0x3f5:
        return this.readFifo();
      default: {
        const d = this.drives[this.dor & 3];
        return d !== null && d !== undefined && d.diskChanged ? 0x80 : 0x00;
      }
    }
  }

  private write(port: number, v: number): void {
    switch (port) {
      case 0x3f2: {
        const wasReset = this.inReset();
        this.dor = v;
        if (!wasReset && this.inReset()) this.enterReset();
        else if (wasReset && !this.inReset()) this.leaveReset();
        this.updateIrq();
        return;
      }
      case 0x3f3:
        this.tdr = v & 3;
        return;
      case 0x3f4:
        this.rate = v & 3;
        if (v & 0x80) {
          // DSR software reset: self-clearing.
          this.enterReset();
          this.leaveReset();
          this.updateIrq();
        }
        return;
      case 0x3f5:
        this.writeFifo(v);
        return;
      default:
        if (!this.inReset()) this.rate = v & 3; // CCR
    }
  }

  private enterReset(): void {
    this.phase = Phase.Command;
    this.cmdPos = 0;
    this.resPos = this.resLen = 0;
    this.dataPos = this.dataLen = 0;
    this.sense.clear();
    this.irqPending = false;
    this.perpendicular &= 0x3c; // the drive-specific bits survive only a software reset
    if (!this.lock) {
      this.config = 0x20; // EIS off, FIFO disabled, polling on, threshold 1
      this.pretrk = 0;
    } else {
      this.config &= 0x2f; // LOCK keeps EFIFO, FIFOTHR and PRETRK; EIS and POLL return to defaults
    }
  }

  private leaveReset(): void {
    if ((this.config & 0x10) === 0) {
      // Drive polling: one "ready changed" interrupt status per drive.
      for (let d = 0; d < 4; d++) {
        this.sense.push(0xc0 | d);
        this.sense.push(this.drives[d]?.cylinder ?? 0);
      }
      this.irqPending = true;
    }
  }

  private updateIrq(): void {
    const level = this.irqPending && (this.dor & 0x08) !== 0;
    if (level === this.irqLevel) return;
    this.irqLevel = level;
    if (level) this.irq.raise();
    else this.irq.lower();
  }

  private setIrq(pending: boolean): void {
    this.irqPending = pending;
    this.updateIrq();
  }

  private readFifo(): number {
    if (this.inReset()) return 0;
    if (this.phase === Phase.Result) {
      const v = this.result[this.resPos++];
      if (this.irqPending) this.setIrq(false);
      if (this.resPos >= this.resLen) this.phase = Phase.Command;
      return v;
    }
    if (this.phase === Phase.ExecIn) {
      const v = this.data[this.dataPos++];
      if (this.dataPos >= this.dataLen) this.finishExecution();
      return v;
    }
    return 0;
  }

  private writeFifo(v: number): void {
    if (this.inReset()) return;
    if (this.phase === Phase.ExecOut) {
      this.data[this.dataPos++] = v;
      if (this.dataPos >= this.dataLen) this.finishExecution();
      return;
    }
    if (this.phase !== Phase.Command) return; // the host must read the result first
    if (this.cmdPos === 0) {
      const len = COMMAND_LENGTH[v & 0x1f];
      const valid = len > 0 && this.exactCommand(v);
      if (!valid) {
        this.finishResult([ST0_INVALID], false);
        return;
      }
      this.cmdLen = len;
    }
    this.cmd[this.cmdPos++] = v;
    if (this.cmdPos >= this.cmdLen) {
      this.cmdPos = 0;
      this.execute();
    }
  }

  /** Commands whose flag bits must be clear (only the data commands and seeks carry flags). */
  private exactCommand(v: number): boolean {
    const low = v & 0x1f;
    switch (low) {
      case 0x05:
        return (v & 0x20) === 0; // MT MFM 0
      case 0x06:
        return true; // MT MFM SK
      case 0x0a:
      case 0x0d:
        return (v & 0xbf) === low; // MFM only
      case 0x0f:
        return (v & 0x3f) === 0x0f && (v & 0xc0) !== 0x40; // seek, or relative seek with bit 7
      case 0x14:
        return (v & 0x7f) === 0x14; // lock bit 7
      default:
        return v === low;
    }
  }

  private finishResult(bytes: readonly number[], interrupt: boolean): void {
    this.result.set(bytes);
    this.resLen = bytes.length;
    this.resPos = 0;
    this.phase = Phase.Result;
    if (interrupt) this.setIrq(true);
  }

  private driveOf(b: number): FloppyDrive | null {
    return this.drives[b & 3] ?? null;
  }

  private execute(): void {
    const c = this.cmd;
    const op = c[0] & 0x1f;
    switch (op) {
      case 0x03:
        this.srtHut = c[1];
        this.hltNd = c[2];
        this.phase = Phase.Command;
        return;
      case 0x04: {
        const d = this.driveOf(c[1]);
        const st3 = 0x28 | (c[1] & 7) | (d !== null && d.cylinder === 0 ? 0x10 : 0) | (d?.disk?.readOnly ? 0x40 : 0);
        this.finishResult([st3], false);
        return;
      }
      case 0x07:
        this.seekTo(c[1] & 3, 0, true);
        return;
      case 0x08: {
        const st0 = this.sense.shift();
        if (st0 < 0) {
          this.finishResult([ST0_INVALID], false);
          return;
        }
        const pcn = this.sense.shift();
        this.finishResult([st0, pcn], false);
        this.setIrq(false);
        return;
      }
      case 0x0f: {
        const d = this.driveOf(c[1]);
        let target = c[2];
        if (c[0] & 0x80) {
          const cur = d?.cylinder ?? 0;
          target = c[0] & 0x40 ? Math.min(255, cur + c[2]) : Math.max(0, cur - c[2]);
        }
        this.seekTo(c[1] & 3, target, false, (c[1] >> 2) & 1);
        return;
      }
      case 0x10:
        this.finishResult([0x90], false);
        return;
      case 0x12:
        if (c[1] & 0x80) this.perpendicular = c[1] & 0x3f;
        this.phase = Phase.Command;
        return;
      case 0x13:
        this.config = c[2] & 0x7f;
        this.pretrk = c[3];
        this.phase = Phase.Command;
        return;
      case 0x0e:
        this.finishResult(
          [
            this.drives[0]?.cylinder ?? 0,
            this.drives[1]?.cylinder ?? 0,
            this.drives[2]?.cylinder ?? 0,
            this.drives[3]?.cylinder ?? 0,
            this.srtHut,
            this.hltNd,
            this.lastEot,
            (this.lock ? 0x80 : 0) | this.perpendicular,
            this.config,
            this.pretrk,
          ],
          false,
        );
        return;
      case 0x14:
        this.lock = (c[0] & 0x80) !== 0;
        this.finishResult([this.lock ? 0x10 : 0x00], false);
        return;
      case 0x0a:
        this.readId();
        return;
      case 0x0d:
        this.format();
        return;
      default:
        this.readWrite(op === 0x05);
    }
  }

  private seekTo(drive: number, cylinder: number, recalibrate: boolean, head = 0): void {
    const d = this.drives[drive] ?? null;
    this.phase = Phase.Command;
    if (d === null) {
      // No track 0 signal: equipment check.
      this.pushSense(ST0_ABNORMAL | ST0_SE | ST0_EC | drive, 0);
      return;
    }
    d.cylinder = recalibrate ? 0 : cylinder;
    if (d.disk !== null) d.diskChanged = false;
    this.pushSense(ST0_SE | (head << 2) | drive, d.cylinder);
  }

  private pushSense(st0: number, pcn: number): void {
    this.sense.push(st0);
    this.sense.push(pcn);
    this.setIrq(true);
  }

  /** Checks that a medium can be read at the current settings; returns ST0/ST1 error bits or 0. */
  private mediaError(d: FloppyDrive | null, mfm: boolean): number {
    if (d === null || d.format === null || !mfm || d.mediaRate() !== this.rate) return ST1_MA;
    return 0;
  }

  private readId(): void {
    const c = this.cmd;
    const d = this.driveOf(c[1]);
    const head = (c[1] >> 2) & 1;
    const st0 = (c[1] & 3) | (head << 2);
    const err = this.mediaError(d, (c[0] & 0x40) !== 0);
    if (err !== 0 || d === null) {
      this.finishResult([st0 | ST0_ABNORMAL, err, 0, 0, 0, 0, 0], true);
      return;
    }
    this.finishResult([st0, 0, 0, d.cylinder, head, 1, 2], true);
  }

  /** READ DATA / WRITE DATA: the sector loop of the execution phase. */
  private readWrite(write: boolean): void {
    const c = this.cmd;
    const mt = (c[0] & 0x80) !== 0;
    const d = this.driveOf(c[1]);
    let head = (c[1] >> 2) & 1;
    const st0Base = c[1] & 3;
    let idC = c[2];
    let idH = c[3];
    let r = c[4];
    const n = c[5];
    const eot = c[6];
    this.lastEot = eot;
    const fail = (st1: number, st2: number) => this.finishResult([st0Base | (head << 2) | ST0_ABNORMAL, st1, st2, idC, idH, r, n], true);
    const err = this.mediaError(d, (c[0] & 0x40) !== 0);
    if (err !== 0 || d === null || d.format === null || d.disk === null) {
      fail(err || ST1_MA, 0);
      return;
    }
    const f = d.format;
    const disk = d.disk;
    if (this.config & 0x40) d.cylinder = idC; // implied seek
    if (write && disk.readOnly) {
      fail(ST1_NW, 0);
      return;
    }
    if (idC !== d.cylinder) {
      fail(ST1_ND, idC === 0xff ? ST2_BC : ST2_WC);
      return;
    }
    if (n !== 2 || idH !== head || d.cylinder >= f.tracks || head >= f.heads) {
      fail(ST1_ND, 0);
      return;
    }
    const nonDma = this.nonDma();
    if (!nonDma && !this.dma.channelReady(this.dmaChannel)) {
      fail(ST1_OR, 0);
      return;
    }
    // Sector by sector until TC, or the end of the track (with MT, of side 1).
    let count = 0;
    for (;;) {
      if (r < 1 || r > f.sectors) {
        fail(ST1_ND, 0);
        return;
      }
      const offset = ((d.cylinder * f.heads + head) * f.sectors + r - 1) * SECTOR;
      let tc = false;
      if (nonDma) {
        this.planOffsets[count] = offset;
        if (!write) {
          try {
            disk.read(offset, this.data.subarray(count * SECTOR, (count + 1) * SECTOR));
          } catch {
            fail(ST1_DE, ST2_DD);
            return;
          }
        }
      } else if (write) {
        const got = this.dma.transferFromMemory(this.dmaChannel, this.sector);
        tc = this.dma.terminalCount(this.dmaChannel);
        if (got < SECTOR && !tc) {
          fail(ST1_OR, 0);
          return;
        }
        try {
          disk.write(offset, this.sector);
        } catch {
          fail(ST1_DE, 0);
          return;
        }
      } else {
        try {
          disk.read(offset, this.sector);
        } catch {
          fail(ST1_DE, ST2_DD);
          return;
        }
        const got = this.dma.transferToMemory(this.dmaChannel, this.sector);
        tc = this.dma.terminalCount(this.dmaChannel);
        if (got < SECTOR && !tc) {
          fail(ST1_OR, 0);
          return;
        }
      }
      count++;
      // The ID reported after the command (data sheet table): R+1, or at EOT the other side
      // (MT on side 0) or the next cylinder.
      const lastHead = head;
      let endOfCylinder = false;
      if (r === eot) {
        r = 1;
        if (mt && head === 0 && f.heads > 1) {
          head = 1;
          idH = 1;
        } else {
          idC++;
          endOfCylinder = true;
          if (mt) {
            head = 0;
            idH = 0;
          }
        }
      } else {
        r++;
      }
      if (tc || endOfCylinder) {
        // Reaching EOT without the TC signal ends the command with "end of cylinder".
        const res = [st0Base | (lastHead << 2) | (tc ? 0 : ST0_ABNORMAL), tc ? 0 : ST1_EN, 0, idC, idH, r, n];
        if (nonDma) this.openExecution(write, count, res);
        else this.finishResult(res, true);
        return;
      }
    }
  }

  private openExecution(write: boolean, sectors: number, result: number[]): void {
    this.dataLen = sectors * SECTOR;
    this.dataPos = 0;
    this.planCount = sectors;
    this.pendingResult = result;
    this.phase = write ? Phase.ExecOut : Phase.ExecIn;
    this.setIrq(true);
  }

  private finishExecution(): void {
    if (this.phase === Phase.ExecOut) {
      const c = this.cmd;
      if ((c[0] & 0x1f) === 0x0d) {
        this.formatWithIds(this.data.subarray(0, this.dataLen));
        return;
      }
      const disk = this.driveOf(c[1])?.disk;
      for (let i = 0; i < this.planCount && disk; i++) {
        try {
          disk.write(this.planOffsets[i], this.data.subarray(i * SECTOR, (i + 1) * SECTOR));
        } catch {
          this.pendingResult[0] |= ST0_ABNORMAL;
          this.pendingResult[1] |= ST1_DE;
          break;
        }
      }
    }
    this.finishResult(this.pendingResult, true);
  }

  private format(): void {
    const c = this.cmd;
    const d = this.driveOf(c[1]);
    const head = (c[1] >> 2) & 1;
    const st0 = (c[1] & 3) | (head << 2);
    const err = this.mediaError(d, (c[0] & 0x40) !== 0);
    if (err !== 0 || d === null || d.disk === null) {
      this.finishResult([st0 | ST0_ABNORMAL, err || ST1_MA, 0, 0, 0, 0, 0], true);
      return;
    }
    if (d.disk.readOnly) {
      this.finishResult([st0 | ST0_ABNORMAL, ST1_NW, 0, 0, 0, 0, 0], true);
      return;
    }
    const count = c[3];
    const ids = this.data.subarray(0, count * 4);
    if (this.nonDma()) {
      this.dataLen = count * 4;
      this.dataPos = 0;
      this.phase = Phase.ExecOut;
      this.setIrq(true);
      return;
    }
    if (this.dma.transferFromMemory(this.dmaChannel, ids) < ids.length) {
      this.finishResult([st0 | ST0_ABNORMAL, ST1_OR, 0, 0, 0, 0, 0], true);
      return;
    }
    this.formatWithIds(ids);
  }

  /** Writes the filler byte into every sector the ID list names on the current track. */
  private formatWithIds(ids: Uint8Array): void {
    const c = this.cmd;
    const d = this.driveOf(c[1]);
    const head = (c[1] >> 2) & 1;
    const st0 = (c[1] & 3) | (head << 2);
    this.sector.fill(c[5]);
    let last = [0, 0, 0, 0];
    let st1 = 0;
    const f = d?.format;
    for (let i = 0; i + 3 < ids.length; i += 4) {
      const [ic, ih, ir, inn] = [ids[i], ids[i + 1], ids[i + 2], ids[i + 3]];
      last = [ic, ih, ir, inn];
      if (!d?.disk || !f || inn !== 2 || ir < 1 || ir > f.sectors || d.cylinder >= f.tracks || head >= f.heads) continue;
      try {
        d.disk.write(((d.cylinder * f.heads + head) * f.sectors + ir - 1) * SECTOR, this.sector);
      } catch {
        st1 = ST1_DE;
      }
    }
    this.finishResult([st0 | (st1 ? ST0_ABNORMAL : 0), st1, 0, ...last], true);
  }

  reset(_kind: ResetKind): void {
    this.dor = 0;
    this.tdr = 0;
    this.rate = 2;
    this.lock = false;
    this.srtHut = 0;
    this.hltNd = 0;
    this.perpendicular = 0;
    this.lastEot = 0;
    this.enterReset();
    for (const d of this.drives) {
      if (d === null) continue;
      d.cylinder = 0;
      d.diskChanged = true;
    }
    this.irqLevel = false;
    this.irq.lower();
  }

  saveState(): DeviceState {
    return {
      device: this.name,
      version: STATE_VERSION,
      fields: {
        dor: this.dor,
        tdr: this.tdr,
        rate: this.rate,
        phase: this.phase,
        cmd: this.cmd.slice(),
        cmdLen: this.cmdLen,
        cmdPos: this.cmdPos,
        result: this.result.slice(),
        resLen: this.resLen,
        resPos: this.resPos,
        data: this.data.slice(0, this.dataLen),
        dataPos: this.dataPos,
        pendingResult: Uint8Array.from(this.pendingResult),
        planOffsets: this.planOffsets.slice(0, this.planCount),
        sense: this.sense.snapshot(),
        irqPending: this.irqPending,
        irq: this.irqLevel,
        srtHut: this.srtHut,
        hltNd: this.hltNd,
        config: this.config,
        pretrk: this.pretrk,
        lock: this.lock,
        perpendicular: this.perpendicular,
        lastEot: this.lastEot,
        drives: this.drives.map((d): StateFields => (d === null ? {} : { cylinder: d.cylinder, diskChanged: d.diskChanged, media: d.format?.name ?? '' })),
      },
    };
  }

  loadState(state: DeviceState): void {
    const f = expectState(state, this.name, STATE_VERSION);
    const drives = objListField(f, 'drives', 4);
    drives.forEach((df: StateFields, i) => {
      const d = this.drives[i];
      if (d === null) {
        if (Object.keys(df).length > 0) throw new StateError(`fdc: saved state has drive ${i}, this machine has none`);
        return;
      }
      const media = df.media;
      if (media !== (d.format?.name ?? '')) {
        throw new StateError(`fdc: drive ${i} held ${media ? `a ${String(media)} disk` : 'no disk'} when saved; insert the same media before loading`);
      }
      d.cylinder = intField(df, 'cylinder', 0, 255);
      d.diskChanged = boolField(df, 'diskChanged');
    });
    this.dor = intField(f, 'dor', 0, 0xff);
    this.tdr = intField(f, 'tdr', 0, 3);
    this.rate = intField(f, 'rate', 0, 3);
    this.phase = intField(f, 'phase', 0, 3) as Phase;
    this.cmd.set(fixedBytesField(f, 'cmd', 9));
    this.cmdLen = intField(f, 'cmdLen', 0, 9);
    this.cmdPos = intField(f, 'cmdPos', 0, 9);
    this.result.set(fixedBytesField(f, 'result', 10));
    this.resLen = intField(f, 'resLen', 0, 10);
    this.resPos = intField(f, 'resPos', 0, 10);
    const data = bytesField(f, 'data');
    if (data.length > this.data.length) throw new StateError('fdc: data buffer too large');
    this.data.set(data);
    this.dataLen = data.length;
    this.dataPos = intField(f, 'dataPos', 0, this.dataLen);
    this.pendingResult = Array.from(bytesField(f, 'pendingResult'));
    const plan = f.planOffsets;
    if (!(plan instanceof Float64Array) || plan.length > this.planOffsets.length) throw new StateError('fdc: planOffsets is not a list of offsets');
    this.planOffsets.set(plan);
    this.planCount = plan.length;
    this.sense.restore(bytesField(f, 'sense'));
    this.irqPending = boolField(f, 'irqPending');
    this.irqLevel = boolField(f, 'irq');
    this.srtHut = intField(f, 'srtHut', 0, 0xff);
    this.hltNd = intField(f, 'hltNd', 0, 0xff);
    this.config = intField(f, 'config', 0, 0x7f);
    this.pretrk = intField(f, 'pretrk', 0, 0xff);
    this.lock = boolField(f, 'lock');
    this.perpendicular = intField(f, 'perpendicular', 0, 0x3f);
    this.lastEot = intField(f, 'lastEot', 0, 0xff);
    if (this.irqLevel) this.irq.raise();
    else this.irq.lower();
  }

  inspect(): readonly InspectNode[] {
    const phase = ['command', 'execution (to host)', 'execution (from host)', 'result'][this.phase];
    const rateName = ['500 kb/s', '300 kb/s', '250 kb/s', '1 Mb/s'][this.rate];
    const rows: InspectNode[] = [
      { name: 'DOR', value: `${hex(this.dor, 2)}${this.inReset() ? ' (reset)' : ''}, drive ${this.dor & 3}, motors ${hex(this.dor >> 4, 1)}` },
      { name: 'MSR', value: hex(this.msr(), 2) },
      { name: 'phase', value: phase },
      { name: 'data rate', value: rateName },
      { name: 'SPECIFY', value: `${hex(this.srtHut, 2)} ${hex(this.hltNd, 2)}${this.nonDma() ? ' (non-DMA)' : ''}` },
      { name: 'CONFIGURE', value: `${hex(this.config, 2)} pretrk ${hex(this.pretrk, 2)}${this.lock ? ' locked' : ''}` },
      { name: 'pending interrupts', value: String(this.sense.length / 2) },
    ];
    this.drives.forEach((d, i) => {
      if (d === null) return;
      rows.push({
        name: `drive ${i} (${d.type})`,
        value: d.format ? `${d.format.name}${d.disk?.readOnly ? ' write-protected' : ''}` : 'empty',
        children: [
          { name: 'cylinder', value: String(d.cylinder) },
          { name: 'disk changed', value: d.diskChanged ? 'yes' : 'no' },
        ],
      });
    });
    return rows;
  }
}

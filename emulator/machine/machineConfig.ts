/**
 * What a machine is built from, and its validation: every problem is a ConfigError with one line
 * that names the setting. Disk geometry is derived from the image when not given: hard disks use
 * 16 heads and 63 sectors per track (the translation the guests' partition tables were written
 * with), floppies are recognised by their size.
 */
import type { BlockDevice } from '../disk/blockDevice.js';
import type { BootDevice, BiosFloppy, BiosHardDisk, DiskGeometry } from '../bios/biosContext.js';
import { DEFAULT_TICKS_PER_SECOND } from './scheduler.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export type MachineCpuModel = '386' | '486';

export interface MachineConfig {
  /** Installed RAM in MiB, 1-64. Default 16. */
  readonly memoryMiB?: number;
  /** Default '486'. */
  readonly cpu?: MachineCpuModel;
  /** The primary master ATA disk (BIOS drive 80h). */
  readonly hardDisk?: { readonly image: BlockDevice; readonly geometry?: DiskGeometry } | null;
  /** Drive A:. */
  readonly floppy?: { readonly image: BlockDevice } | null;
  /** Default: A: then C:. */
  readonly bootOrder?: readonly BootDevice[];
  /** Virtual ticks (instruction slots) per second. Default 25,000,000. */
  readonly ticksPerSecond?: number;
  /** The RTC's time at power-on. Default: the host's local time now. Fix it for reproducible runs. */
  readonly rtcStart?: Date;
  /** COM1 at 3F8h/IRQ4. Default true. */
  readonly serial?: boolean;
}

export interface ResolvedConfig {
  readonly memoryBytes: number;
  readonly cpu: MachineCpuModel;
  /**
   * `geometry` is the drive's own CHS (ATA IDENTIFY, at most 16 heads); `biosGeometry` what INT 13h
   * reports and translates CHS with (up to 255 heads), taken from the partition table when it has
   * one, so DOS finds its partitions where FDISK put them.
   */
  readonly hardDisk: { readonly image: BlockDevice; readonly geometry: BiosHardDisk; readonly biosGeometry: BiosHardDisk } | null;
  readonly floppy: { readonly image: BlockDevice; readonly geometry: BiosFloppy } | null;
  readonly bootOrder: readonly BootDevice[];
  readonly ticksPerSecond: number;
  readonly rtcStart: Date;
  readonly serial: boolean;
}

const FLOPPY_FORMATS: readonly [number, BiosFloppy][] = [
  [368_640, { cylinders: 40, heads: 2, sectors: 9, driveType: 1 }],
  [737_280, { cylinders: 80, heads: 2, sectors: 9, driveType: 3 }],
  [1_228_800, { cylinders: 80, heads: 2, sectors: 15, driveType: 2 }],
  [1_474_560, { cylinders: 80, heads: 2, sectors: 18, driveType: 4 }],
  [2_949_120, { cylinders: 80, heads: 2, sectors: 36, driveType: 5 }],
];

export function floppyGeometry(size: number): BiosFloppy {
  const f = FLOPPY_FORMATS.find(([bytes]) => bytes === size);
  if (!f) {
    throw new ConfigError(`floppy image is ${size} bytes; supported sizes are 360K, 720K, 1.2M, 1.44M and 2.88M`);
  }
  return f[1];
}

/** CHS for a hard disk image: 16 heads, 63 sectors, as many cylinders as fit (at most 16383). */
export function hardDiskGeometry(size: number, given?: DiskGeometry): BiosHardDisk {
  const totalSectors = Math.floor(size / 512);
  if (given !== undefined) {
    const { cylinders, heads, sectors } = given;
    if (!Number.isInteger(cylinders) || cylinders < 1 || cylinders > 16383) throw new ConfigError(`hard disk cylinders must be 1-16383, not ${cylinders}`);
    if (!Number.isInteger(heads) || heads < 1 || heads > 16) throw new ConfigError(`hard disk heads must be 1-16, not ${heads}`);
    if (!Number.isInteger(sectors) || sectors < 1 || sectors > 63) throw new ConfigError(`hard disk sectors per track must be 1-63, not ${sectors}`);
    if (cylinders * heads * sectors > totalSectors) {
      throw new ConfigError(`hard disk geometry ${cylinders}/${heads}/${sectors} needs ${cylinders * heads * sectors} sectors but the image has ${totalSectors}`);
    }
    return { cylinders, heads, sectors, totalSectors };
  }
  const cylinders = Math.min(16383, Math.floor(totalSectors / (16 * 63)));
  if (cylinders < 1) throw new ConfigError(`hard disk image is too small (${size} bytes; at least ${16 * 63 * 512} needed)`);
  return { cylinders, heads: 16, sectors: 63, totalSectors };
}

/**
 * The heads and sectors per track an MBR's partition entries were written with: every entry's end
 * CHS names the last head and sector of a cylinder boundary, and its start CHS (below cylinder
 * 1023) must agree with its start LBA under that geometry. Null when there is no MBR or it does
 * not say.
 */
export function partitionGeometry(mbr: Uint8Array): { heads: number; sectors: number } | null {
  if (mbr.length < 512 || mbr[510] !== 0x55 || mbr[511] !== 0xaa) return null;
  let found: { heads: number; sectors: number } | null = null;
  for (let i = 0; i < 4; i++) {
    const e = 446 + i * 16;
    const type = mbr[e + 4];
    if (type === 0 || (mbr[e] !== 0 && mbr[e] !== 0x80)) continue;
    const endHead = mbr[e + 5];
    const endSector = mbr[e + 6] & 0x3f;
    if (endSector === 0) return null;
    const g = { heads: endHead + 1, sectors: endSector };
    if (found !== null && (found.heads !== g.heads || found.sectors !== g.sectors)) return null;
    const startHead = mbr[e + 1];
    const startSector = mbr[e + 2] & 0x3f;
    const startCyl = mbr[e + 3] | ((mbr[e + 2] & 0xc0) << 2);
    const lba = mbr[e + 8] | (mbr[e + 9] << 8) | (mbr[e + 10] << 16) | (mbr[e + 11] * 0x1000000);
    if (startCyl < 1023 && (startCyl * g.heads + startHead) * g.sectors + startSector - 1 !== lba) return null;
    found = g;
  }
  return found;
}

/**
 * INT 13h geometry: the partition table's heads and sectors when it has them; otherwise 16 heads
 * and 63 sectors while that stays within 1024 cylinders, then LBA-assisted translation (32, 64,
 * 128 or 255 heads of 63 sectors).
 */
export function biosGeometry(image: BlockDevice, drive: BiosHardDisk): BiosHardDisk {
  const total = drive.totalSectors;
  const mbr = new Uint8Array(512);
  image.read(0, mbr);
  let g = partitionGeometry(mbr);
  if (g === null) {
    const heads = [16, 32, 64, 128, 255].find((h) => total / (h * 63) <= 1024) ?? 255;
    g = { heads, sectors: 63 };
  }
  const cylinders = Math.max(1, Math.min(1024, Math.floor(total / (g.heads * g.sectors))));
  return { cylinders, heads: g.heads, sectors: g.sectors, totalSectors: total };
}

export function resolveConfig(c: MachineConfig): ResolvedConfig {
  const mib = c.memoryMiB ?? 16;
  if (!Number.isInteger(mib) || mib < 1 || mib > 64) throw new ConfigError(`memory must be a whole number of MiB from 1 to 64, not ${mib}`);
  const cpu = c.cpu ?? '486';
  if (cpu !== '386' && cpu !== '486') throw new ConfigError(`cpu must be 386 or 486, not ${String(cpu)}`);
  const hz = c.ticksPerSecond ?? DEFAULT_TICKS_PER_SECOND;
  if (!(hz >= 1_000_000 && hz <= 1_000_000_000)) throw new ConfigError(`ticks per second must be between 1e6 and 1e9, not ${hz}`);
  const rtcStart = c.rtcStart ?? new Date(Date.now() - new Date().getTimezoneOffset() * 60_000);
  if (Number.isNaN(rtcStart.getTime())) throw new ConfigError('RTC start time is not a valid date');
  let hardDisk: ResolvedConfig['hardDisk'] = null;
  if (c.hardDisk) {
    const geometry = hardDiskGeometry(c.hardDisk.image.size, c.hardDisk.geometry);
    hardDisk = { image: c.hardDisk.image, geometry, biosGeometry: c.hardDisk.geometry ? geometry : biosGeometry(c.hardDisk.image, geometry) };
  }
  const floppy = c.floppy ? { image: c.floppy.image, geometry: floppyGeometry(c.floppy.image.size) } : null;
  const bootOrder = c.bootOrder ?? ['floppy', 'hard'];
  for (const d of bootOrder) if (d !== 'floppy' && d !== 'hard') throw new ConfigError(`boot device must be floppy or hard, not ${String(d)}`);
  if (!hardDisk && !floppy) throw new ConfigError('the machine needs a hard disk or a floppy image to boot from');
  return { memoryBytes: mib * 0x100000, cpu, hardDisk, floppy, bootOrder, ticksPerSecond: hz, rtcStart, serial: c.serial ?? true };
}

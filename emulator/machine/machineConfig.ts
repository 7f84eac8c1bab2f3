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
  readonly hardDisk: { readonly image: BlockDevice; readonly geometry: BiosHardDisk } | null;
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

export function resolveConfig(c: MachineConfig): ResolvedConfig {
  const mib = c.memoryMiB ?? 16;
  if (!Number.isInteger(mib) || mib < 1 || mib > 64) throw new ConfigError(`memory must be a whole number of MiB from 1 to 64, not ${mib}`);
  const cpu = c.cpu ?? '486';
  if (cpu !== '386' && cpu !== '486') throw new ConfigError(`cpu must be 386 or 486, not ${String(cpu)}`);
  const hz = c.ticksPerSecond ?? DEFAULT_TICKS_PER_SECOND;
  if (!(hz >= 1_000_000 && hz <= 1_000_000_000)) throw new ConfigError(`ticks per second must be between 1e6 and 1e9, not ${hz}`);
  const rtcStart = c.rtcStart ?? new Date(Date.now() - new Date().getTimezoneOffset() * 60_000);
  if (Number.isNaN(rtcStart.getTime())) throw new ConfigError('RTC start time is not a valid date');
  const hardDisk = c.hardDisk ? { image: c.hardDisk.image, geometry: hardDiskGeometry(c.hardDisk.image.size, c.hardDisk.geometry) } : null;
  const floppy = c.floppy ? { image: c.floppy.image, geometry: floppyGeometry(c.floppy.image.size) } : null;
  const bootOrder = c.bootOrder ?? ['floppy', 'hard'];
  for (const d of bootOrder) if (d !== 'floppy' && d !== 'hard') throw new ConfigError(`boot device must be floppy or hard, not ${String(d)}`);
  if (!hardDisk && !floppy) throw new ConfigError('the machine needs a hard disk or a floppy image to boot from');
  return { memoryBytes: mib * 0x100000, cpu, hardDisk, floppy, bootOrder, ticksPerSecond: hz, rtcStart, serial: c.serial ?? true };
}

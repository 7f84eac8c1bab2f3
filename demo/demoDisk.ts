/**
 * Builds the demo disks: the demo program assembled by the ROM assembler, padded to a 1.44 MB
 * floppy or to the smallest hard disk (one cylinder of 16 heads x 63 sectors). The program boots
 * from either: its boot sector reads the rest with INT 13h from the drive it was booted from. No
 * nasm needed at run time.
 */
import { assemble } from '../emulator/bios/romAssembler.js';
import { DEMO_SOURCE } from './demoSource.js';

export const DEMO_FLOPPY_BYTES = 1_474_560;
export const DEMO_HARD_DISK_BYTES = 16 * 63 * 512;

/** The demo program's bytes (boot sector first) and its labels. */
export function assembleDemo(): { bytes: Uint8Array; labels: ReadonlyMap<string, number> } {
  return assemble(DEMO_SOURCE);
}

function padded(size: number): Uint8Array {
  const { bytes } = assembleDemo();
  if (bytes.length > 18 * 512) throw new Error('the demo program outgrew the first track');
  const image = new Uint8Array(size);
  image.set(bytes);
  return image;
}

export function buildDemoFloppy(): Uint8Array {
  return padded(DEMO_FLOPPY_BYTES);
}

export function buildDemoHardDisk(): Uint8Array {
  return padded(DEMO_HARD_DISK_BYTES);
}

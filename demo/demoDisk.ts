/**
 * Builds the demo floppy: the demo program assembled by the ROM assembler, padded to a 1.44 MB
 * image. No nasm needed at run time.
 */
import { assemble } from '../emulator/bios/romAssembler.js';
import { DEMO_SOURCE } from './demoSource.js';

export const DEMO_FLOPPY_BYTES = 1_474_560;

/** The demo program's bytes (boot sector first) and its labels. */
export function assembleDemo(): { bytes: Uint8Array; labels: ReadonlyMap<string, number> } {
  return assemble(DEMO_SOURCE);
}

export function buildDemoFloppy(): Uint8Array {
  const { bytes } = assembleDemo();
  if (bytes.length > 18 * 512) throw new Error('the demo program outgrew the first track');
  const image = new Uint8Array(DEMO_FLOPPY_BYTES);
  image.set(bytes);
  return image;
}

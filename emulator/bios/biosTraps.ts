/**
 * Service numbers of the private BIOS trap (`0F 3F lo hi`, assembled as `biostrap N`). The ROM
 * sources use these names as `equ` constants, so the x86 side and the TypeScript dispatcher agree
 * on one table.
 *
 * A trap either starts a service (the vector entry stubs) or continues one after the x86 side did
 * the port I/O the TypeScript asked for (the `_DONE`/`_STEP` numbers).
 */
export const TRAP = {
  POST: 0x0001,
  POST_RESUME: 0x0002,
  POST_DONE: 0x0003,
  INT10: 0x0010,
  INT10_STEP: 0x0100,
  INT11: 0x0011,
  INT12: 0x0012,
  INT13: 0x0013,
  INT13_FLOPPY_DONE: 0x0130,
  INT13_ATA_DONE: 0x0131,
  INT14: 0x0014,
  INT14_DONE: 0x0140,
  INT15: 0x0015,
  INT15_STEP: 0x0150,
  INT16: 0x0016,
  INT17: 0x0017,
  BOOT_NEXT: 0x0019,
  INT1A: 0x001a,
  INT1A_DONE: 0x01a0,
  KEY_SCANCODE: 0x0009,
  RTC_IRQ: 0x0070,
  MOUSE_BYTE: 0x0074,
} as const;

/** The `equ` block the ROM sources start with. */
export function trapEquates(): string {
  return Object.entries(TRAP)
    .map(([name, id]) => `T_${name} equ 0x${id.toString(16)}`)
    .join('\n');
}

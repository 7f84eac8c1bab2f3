/**
 * Builds the 64 KiB system BIOS image for F0000h-FFFFFh from the x86 sources: the service entry
 * stubs, the core (POST, frame, hardware interrupts, bootstrap), the disk and service routines, and
 * the fixed tables (INT 15h C0h configuration table, INT 1Eh diskette parameters, INT 41h/46h fixed
 * disk parameter tables, the ARPL byte Windows uses as its V86 breakpoint), with the reset vector at
 * FFFF0h, the BIOS date at FFFF5h and the AT model byte FCh at FFFFEh.
 */
import { trapEquates } from './biosTraps.js';
import { assemble } from './romAssembler.js';
import { ROM_CORE_SOURCE, SCRATCH_SIZE } from './romCoreSource.js';
import { ROM_DISK_SOURCE } from './romDiskSource.js';
import { ROM_SERVICE_SOURCE } from './romServiceSource.js';

export const SYSTEM_ROM_BASE = 0xf0000;
export const BIOS_SEGMENT = 0xf000;
export const BIOS_DATE = '11/22/26';

/** Services whose entry stub traps straight into TypeScript: [label, trap name]. */
const SERVICE_STUBS: readonly [string, string][] = [
  ['int10', 'INT10'],
  ['int13', 'INT13'],
  ['int14', 'INT14'],
  ['int15', 'INT15'],
  ['int16', 'INT16'],
  ['int17', 'INT17'],
  ['int1a', 'INT1A'],
];

function stub(label: string, trap: string): string {
  return `${label}:
  sti
  push ds
  push es
  pushad
  sub sp, ${SCRATCH_SIZE}
.again:
  biostrap T_${trap}
  jmp ret_frame
`;
}

export function systemRomSource(): string {
  return `bits 16
org 0
${trapEquates()}
${SERVICE_STUBS.map(([l, t]) => stub(l, t)).join('')}
${ROM_CORE_SOURCE}
${ROM_DISK_SOURCE}
${ROM_SERVICE_SOURCE}
; ---------------------------------------------------------------- fixed tables
config_table:
  dw 8
  db 0xfc, 0x00, 0x01, 0x70, 0x40, 0x00, 0x00, 0x00
diskette_params:
  db 0xaf, 0x02, 0x25, 0x02, 18, 0x1b, 0xff, 0x6c, 0xf6, 0x0f, 0x08
fdpt0:
  times 16 db 0
fdpt1:
  times 16 db 0
v86_breakpoint:
  db 0x63
code_end:
  times 0xfff0-($-$$) db 0xff
reset_vector:
  jmp 0xf000:post
  db '${BIOS_DATE}'
  db 0
  db 0xfc
  db 0
`;
}

export interface SystemRom {
  readonly image: Uint8Array;
  /** Offset in segment F000h of a label of the ROM source. Throws for an unknown name. */
  addr(label: string): number;
  /** Every label (local ones as `global.local`) with its F000h offset, in address order. */
  labels(): readonly { readonly name: string; readonly offset: number }[];
}

let cached: { image: Uint8Array; labels: ReadonlyMap<string, number> } | null = null;

/** Assembles the ROM (once per process; the source does not depend on the machine). */
export function buildSystemRom(): SystemRom {
  if (cached === null) {
    const { bytes, labels } = assemble(systemRomSource());
    if (bytes.length !== 0x10000) throw new Error(`system ROM is ${bytes.length} bytes, not 64 KiB`);
    cached = { image: bytes, labels };
  }
  const { image, labels } = cached;
  return {
    image: image.slice(),
    addr: (label: string) => {
      const v = labels.get(label);
      if (v === undefined) throw new Error(`system ROM has no label '${label}'`);
      return v;
    },
    labels: () =>
      [...labels]
        .filter(([name]) => !name.startsWith('T_'))
        .map(([name, offset]) => ({ name, offset }))
        .sort((a, b) => a.offset - b.offset),
  };
}

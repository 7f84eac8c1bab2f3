/**
 * Register numbering as the instruction encoding uses it, and the names the debugger and the BIOS
 * use through Cpu.getReg/setReg.
 *
 * The general registers live in one 32-byte buffer viewed as Int32Array (EAX..EDI), Uint16Array
 * (index 2n = low word of register n) and Uint8Array. x86 and JavaScript typed arrays are both
 * little-endian, so AL..BH (encodings 0-7) sit at byte offsets 0, 4, 8, 12, 1, 5, 9, 13.
 */

export const EAX = 0;
export const ECX = 1;
export const EDX = 2;
export const EBX = 3;
export const ESP = 4;
export const EBP = 5;
export const ESI = 6;
export const EDI = 7;

/** Segment register encodings (the `reg` field of MOV Sreg). */
export const ES = 0;
export const CS = 1;
export const SS = 2;
export const DS = 3;
export const FS = 4;
export const GS = 5;
/** Pseudo-segments that share the descriptor-cache arrays: system table registers. */
export const SEG_LDTR = 6;
export const SEG_TR = 7;

/** Byte offset of 8-bit register encoding n (AL CL DL BL AH CH DH BH) in the register buffer. */
export const BYTE_REG: Uint8Array = Uint8Array.of(0, 4, 8, 12, 1, 5, 9, 13);

export const REG32_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;
export const REG16_NAMES = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'] as const;
export const REG8_NAMES = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'] as const;
export const SEG_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'] as const;

export type Reg32Name = (typeof REG32_NAMES)[number];
export type Reg16Name = (typeof REG16_NAMES)[number];
export type Reg8Name = (typeof REG8_NAMES)[number];
export type SegName = (typeof SEG_NAMES)[number];
export type ControlRegName = 'cr0' | 'cr2' | 'cr3' | 'cr4';
/** DR4 and DR5 are aliases of DR6 and DR7 on the 386/486. */
export type DebugRegName = 'dr0' | 'dr1' | 'dr2' | 'dr3' | 'dr4' | 'dr5' | 'dr6' | 'dr7';

export type RegName = Reg32Name | Reg16Name | Reg8Name | SegName | ControlRegName | DebugRegName | 'eip' | 'ip' | 'eflags' | 'flags';

export const ALL_REG_NAMES: readonly RegName[] = [
  ...REG32_NAMES,
  ...REG16_NAMES,
  ...REG8_NAMES,
  ...SEG_NAMES,
  'eip',
  'ip',
  'eflags',
  'flags',
  'cr0',
  'cr2',
  'cr3',
  'cr4',
  'dr0',
  'dr1',
  'dr2',
  'dr3',
  'dr4',
  'dr5',
  'dr6',
  'dr7',
];

/** Segment descriptor cache as the debugger sees it. */
export interface SegmentInfo {
  readonly selector: number;
  readonly base: number;
  readonly limit: number;
  /** Access-rights byte (P DPL S Type) in bits 0-7, and G/D/L/AVL in bits 12-15 (descriptor byte 6 high nibble). */
  readonly access: number;
  /** The D/B bit: 32-bit default operand size (CS) or 32-bit stack pointer (SS). */
  readonly big: boolean;
}

/** A system table register (GDTR/IDTR). */
export interface TableRegister {
  readonly base: number;
  readonly limit: number;
}

/**
 * The CPU models this core emulates and the documented behaviour differences between them. Every
 * model-dependent decision in the core reads one of these traits, so adding a model (or checking
 * which one a quirk belongs to) means reading this table, not grepping the interpreter.
 */

export type CpuModel = '8086' | '186' | '286' | '386' | '486';

/** Numeric generation, so "at least a 286" is `gen >= 286`. */
export type CpuGeneration = 86 | 186 | 286 | 386 | 486;

export interface ModelTraits {
  readonly model: CpuModel;
  readonly gen: CpuGeneration;
  /** Physical address bus width: 1 MB wrap (8086/186), 24-bit (286), 32-bit (386+). */
  readonly busBits: 20 | 24 | 32;
  /** PUSH SP stores the value SP has after the decrement (8086/186) instead of before (286+). */
  readonly pushSpNew: boolean;
  /** Shift and rotate counts are masked to 5 bits (186+); the 8086 shifts by the full CL. */
  readonly maskShiftCount: boolean;
  /** Undefined opcodes raise #UD (interrupt 6) from the 186 on; the 8086 executes an alias. */
  readonly hasInvalidOpcode: boolean;
  /** Divide errors push the address of the faulting instruction (186+) instead of the next one. */
  readonly divFaultPushesStart: boolean;
  /** Segment limits are enforced (286+): a word at offset FFFFh faults instead of wrapping. */
  readonly segmentLimits: boolean;
  /** Longest instruction, prefixes included, before the CPU faults; 0 means unlimited (8086/186). */
  readonly maxInstructionLength: number;
  /** FLAGS bits 12-15 read as 1 (8086/186), as 0 in real mode (286), or bits 12-14 are writable (386+). */
  readonly flagsHigh: 'ones' | 'zeros' | 'iopl-nt';
  /** EFLAGS bits that software can change (POPF/IRET in real mode, ring 0). */
  readonly writableFlags: number;
  /** The 0Fh byte is POP CS (8086) or the two-byte opcode escape (286+); #UD on the 186. */
  readonly opcode0F: 'pop-cs' | 'invalid' | 'escape';
  /** IDIV accepts the most negative quotient (-80h / -8000h) from the 286 on; the 8086 faults. */
  readonly idivMinQuotient: boolean;
  /** Reset value of CS:IP, the CS base after reset, and EDX (reset signature). */
  readonly resetCs: number;
  readonly resetIp: number;
  readonly resetCsBase: number;
  readonly resetEdx: number;
  readonly resetCr0: number;
}

// Flag bits (also exported by flags.ts; repeated here to keep this file dependency-free).
const F_LOW = 0x0fd5; // CF PF AF ZF SF TF IF DF OF
const F_IOPL_NT = 0x7000;
const F_AC = 0x40000;
const F_ID = 0x200000;

const TRAITS: Readonly<Record<CpuModel, ModelTraits>> = {
  '8086': {
    model: '8086',
    gen: 86,
    busBits: 20,
    pushSpNew: true,
    maskShiftCount: false,
    hasInvalidOpcode: false,
    divFaultPushesStart: false,
    segmentLimits: false,
    maxInstructionLength: 0,
    flagsHigh: 'ones',
    writableFlags: F_LOW,
    opcode0F: 'pop-cs',
    idivMinQuotient: false,
    resetCs: 0xffff,
    resetIp: 0,
    resetCsBase: 0xffff0,
    resetEdx: 0,
    resetCr0: 0,
  },
  '186': {
    model: '186',
    gen: 186,
    busBits: 20,
    pushSpNew: true,
    maskShiftCount: true,
    hasInvalidOpcode: true,
    divFaultPushesStart: true,
    segmentLimits: false,
    maxInstructionLength: 0,
    flagsHigh: 'ones',
    writableFlags: F_LOW,
    opcode0F: 'invalid',
    idivMinQuotient: true,
    resetCs: 0xffff,
    resetIp: 0,
    resetCsBase: 0xffff0,
    resetEdx: 0,
    resetCr0: 0,
  },
  '286': {
    model: '286',
    gen: 286,
    busBits: 24,
    pushSpNew: false,
    maskShiftCount: true,
    hasInvalidOpcode: true,
    divFaultPushesStart: true,
    segmentLimits: true,
    maxInstructionLength: 10,
    flagsHigh: 'zeros',
    writableFlags: F_LOW,
    opcode0F: 'escape',
    idivMinQuotient: true,
    resetCs: 0xf000,
    resetIp: 0xfff0,
    resetCsBase: 0xff0000,
    resetEdx: 0,
    // The MSW resets to FFF0h: bits 4-15 are reserved and read as ones on the 286.
    resetCr0: 0xfff0,
  },
  '386': {
    model: '386',
    gen: 386,
    busBits: 32,
    pushSpNew: false,
    maskShiftCount: true,
    hasInvalidOpcode: true,
    divFaultPushesStart: true,
    segmentLimits: true,
    maxInstructionLength: 15,
    flagsHigh: 'iopl-nt',
    writableFlags: F_LOW | F_IOPL_NT,
    opcode0F: 'escape',
    idivMinQuotient: true,
    resetCs: 0xf000,
    resetIp: 0xfff0,
    resetCsBase: 0xffff0000,
    // DH = 3 (the 386 family), DL = stepping (D1).
    resetEdx: 0x0308,
    resetCr0: 0,
  },
  '486': {
    model: '486',
    gen: 486,
    busBits: 32,
    pushSpNew: false,
    maskShiftCount: true,
    hasInvalidOpcode: true,
    divFaultPushesStart: true,
    segmentLimits: true,
    maxInstructionLength: 15,
    flagsHigh: 'iopl-nt',
    // AC (bit 18) exists from the 486 on, ID (bit 21) on the CPUID-capable 486 steppings.
    writableFlags: F_LOW | F_IOPL_NT | F_AC | F_ID,
    opcode0F: 'escape',
    idivMinQuotient: true,
    resetCs: 0xf000,
    resetIp: 0xfff0,
    resetCsBase: 0xffff0000,
    // Family 4, model 2 (486SX: this core has no FPU), stepping 3: the same value CPUID reports.
    resetEdx: 0x0423,
    // CD and NW set, ET set (the 486 manual's reset state).
    resetCr0: 0x60000010,
  },
};

export const CPU_MODELS: readonly CpuModel[] = ['8086', '186', '286', '386', '486'];

export function modelTraits(model: CpuModel): ModelTraits {
  const t = TRAITS[model];
  if (t === undefined) throw new RangeError(`unknown CPU model '${String(model)}' (expected ${CPU_MODELS.join(', ')})`);
  return t;
}

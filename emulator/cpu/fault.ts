/**
 * Guest exceptions. An instruction that faults throws the ONE preallocated CpuFault object; the run
 * loop catches it at the instruction boundary, restores EIP to the start of the instruction (faults
 * are restartable) and delivers the exception. Nothing is allocated on the fault path either.
 */

export const VEC_DE = 0; // divide error
export const VEC_DB = 1; // debug
export const VEC_NMI = 2;
export const VEC_BP = 3; // INT3
export const VEC_OF = 4; // INTO
export const VEC_BR = 5; // BOUND range exceeded
export const VEC_UD = 6; // invalid opcode
export const VEC_NM = 7; // device not available
export const VEC_DF = 8; // double fault
export const VEC_TS = 10;
export const VEC_NP = 11;
export const VEC_SS = 12;
export const VEC_GP = 13;
export const VEC_PF = 14;
export const VEC_MF = 16;
export const VEC_AC = 17;

export class CpuFault {
  vector = 0;
  /** Error code pushed in protected mode (-1: none). Real mode never pushes one. */
  errorCode = -1;
}

/** The single fault object. Compare caught values with `=== FAULT`. */
export const FAULT = new CpuFault();

/**
 * Raised (not a guest fault) when the guest reaches something this core does not implement yet,
 * such as interrupt delivery in protected mode. The run loop stops with stopReason 'unsupported'.
 */
export class UnsupportedError extends Error {
  override readonly name = 'UnsupportedError';
}

/**
 * What the adapter needs from an x86 disassembler: length, text, and the control-flow kind that
 * decides how step over treats the instruction. The CPU's own decoder (the one it executes with)
 * is adapted to this in cpuDecoder.ts, so the debugger shows exactly what the CPU runs.
 */

export type InstructionKind = 'call' | 'ret' | 'jump' | 'int' | 'iret' | 'rep' | 'loop' | 'other';

export interface DecodedInstruction {
  /** Bytes the instruction occupies (1-15). */
  readonly length: number;
  /** Intel syntax, e.g. `mov ax, 4C00h`. */
  readonly text: string;
  readonly kind: InstructionKind;
  /** False for bytes that do not form a valid instruction (shown as `db`). */
  readonly valid: boolean;
}

export interface InstructionDecoder {
  /**
   * Decodes the instruction at `bytes[offset]` in 16- or 32-bit code; `ip` is its offset in CS
   * (relative branch targets are shown as CS offsets). Never throws: invalid bytes decode as a
   * one-byte `db` with valid false. Bytes running out mid-instruction count as invalid.
   */
  decode(bytes: Uint8Array, offset: number, end: number, bits: 16 | 32, ip: number): DecodedInstruction;
}

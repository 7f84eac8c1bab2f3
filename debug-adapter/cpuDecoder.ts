/**
 * The debugger's disassembler is the CPU's own (emulator/cpu/disassembler.ts, driven by the opcode
 * table the CPU executes from), so the Disassembly view and step over see exactly the instruction
 * set the CPU runs. This adapter maps its result to the adapter's InstructionDecoder: the bytes
 * window, and the control-flow kind that step over needs.
 */
import { disassemble } from '../emulator/cpu/disassembler.js';
import type { DecodedInstruction, InstructionDecoder, InstructionKind } from './decoder.js';

export class CpuDecoder implements InstructionDecoder {
  decode(bytes: Uint8Array, offset: number, end: number, bits: 16 | 32, ip: number): DecodedInstruction {
    const limit = Math.min(end, bytes.length);
    const d = disassemble((i) => (offset + i < limit ? bytes[offset + i] : -1), ip, { bits });
    let kind: InstructionKind = 'other';
    if (!d.valid) kind = 'other';
    else if (d.isRep) kind = 'rep';
    else if (d.isLoop) kind = 'loop';
    else if (d.isCall) kind = 'call';
    else if (d.kind === 'iret') kind = 'iret';
    else if (d.isRet) kind = 'ret';
    else if (d.isInt) kind = 'int';
    else if (d.isJump) kind = 'jump';
    return { length: d.length, text: d.text, kind, valid: d.valid };
  }
}

export function createDecoder(): InstructionDecoder {
  return new CpuDecoder();
}

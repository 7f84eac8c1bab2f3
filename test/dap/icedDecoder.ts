/**
 * An InstructionDecoder over iced-x86, an independent disassembler: the tests use it as an oracle
 * for the adapter's disassembly logic while the CPU's own decoder stands behind the product.
 */
import { Decoder, DecoderOptions, FlowControl, Formatter, FormatterSyntax, Instruction } from 'iced-x86';
import type { DecodedInstruction, InstructionDecoder } from '../../debug-adapter/decoder.js';

export class IcedDecoder implements InstructionDecoder {
  private readonly formatter = new Formatter(FormatterSyntax.Intel);

  decode(bytes: Uint8Array, offset: number, end: number, bits: 16 | 32, ip: number): DecodedInstruction {
    const slice = bytes.slice(offset, Math.min(end, offset + 15));
    if (slice.length === 0) return { length: 1, text: '??', kind: 'other', valid: false };
    const d = new Decoder(bits, slice, DecoderOptions.None);
    d.ip = BigInt(ip);
    const ins = new Instruction();
    d.decodeOut(ins);
    try {
      if (ins.isInvalid) return { length: 1, text: `db ${slice[0].toString(16).padStart(2, '0')}h`, kind: 'other', valid: false };
      const text = this.formatter.format(ins);
      const fc = ins.flowControl;
      let kind: DecodedInstruction['kind'] = 'other';
      if (ins.hasRepPrefix || ins.hasRepePrefix || ins.hasRepnePrefix) kind = 'rep';
      else if (/^loop/.test(text)) kind = 'loop';
      else if (fc === FlowControl.Call || fc === FlowControl.IndirectCall) kind = 'call';
      else if (/^iret/.test(text)) kind = 'iret';
      else if (fc === FlowControl.Return) kind = 'ret';
      else if (fc === FlowControl.Interrupt) kind = 'int';
      else if (fc === FlowControl.UnconditionalBranch || fc === FlowControl.IndirectBranch || fc === FlowControl.ConditionalBranch) kind = 'jump';
      return { length: ins.length, text, kind, valid: true };
    } finally {
      ins.free();
      d.free();
    }
  }
}

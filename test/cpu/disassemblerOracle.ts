/**
 * Compares our disassembler with iced-x86 (the oracle) on pseudo-random byte streams: the stream
 * is decoded instruction by instruction; wherever iced decodes a valid instruction of the 486
 * instruction set, our length must equal iced's and our text must equal iced's NASM-syntax text
 * after normalisation; wherever iced finds no valid instruction, ours must not either.
 *
 * iced is configured to write what our formatter writes (`0FFh` hex, `, ` separators, no branch
 * size keywords). Normalisations, each for something a 486 does not have:
 * - `bnd`, `xacquire`, `xrelease`, `notrack` prefixes (MPX, TSX and CET hints) are dropped;
 * - `cs`/`ds` before a Jcc (P4 branch hints) are dropped;
 * - `rep`/`repe`/`repne` before a non-string instruction (`rep ret`) are dropped;
 * - our `nop` for 90h with an operand-size prefix is iced's `xchg eax, eax` / `xchg ax, ax`.
 * Skipped: instructions iced marks with a non-486 CPUID feature (MMX, CMOV, SSE, ...); x87
 * instructions are compared by length only (ours prints them as `esc`); 0F 3F is this product's
 * BIOS trap, which iced does not know.
 */
import { createRequire } from 'node:module';
import { disassemble } from '../../emulator/cpu/disassembler.js';

interface IcedInstruction {
  readonly length: number;
  readonly isInvalid: boolean;
  cpuidFeatures(): Int32Array | number[];
  free(): void;
}
interface IcedDecoder {
  position: number;
  ip: bigint;
  decode(): IcedInstruction;
  free(): void;
}
interface IcedFormatter {
  format(i: IcedInstruction): string;
  free(): void;
  spaceAfterOperandSeparator: boolean;
  hexSuffix: string;
  hexPrefix: string;
  uppercaseHex: boolean;
  showBranchSize: boolean;
  branchLeadingZeros: boolean;
}
interface IcedModule {
  Decoder: new (bitness: number, data: Uint8Array, options: number) => IcedDecoder;
  DecoderOptions: Record<string, number>;
  Formatter: new (syntax: number) => IcedFormatter;
  FormatterSyntax: Record<string, number>;
  CpuidFeature: Record<string, number>;
}

const iced = createRequire(import.meta.url)('iced-x86') as IcedModule;

export interface OracleReport {
  readonly compared: number;
  readonly skipped: number;
  readonly differences: readonly string[];
}

/** xorshift32: a reproducible byte stream for a seed. */
function randomBytes(count: number, seed: number, biased: boolean): Uint8Array {
  let s = seed >>> 0 || 1;
  const next = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  // The biased stream makes two-byte opcodes and prefixes common enough to be exercised.
  const favoured = [0x0f, 0x0f, 0x0f, 0x0f, 0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x26, 0x2e, 0x64];
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const r = next();
    out[i] = biased && (r & 0xff) < 40 ? favoured[(r >>> 8) % favoured.length] : (r >>> 16) & 0xff;
  }
  return out;
}

function normaliseIced(text: string): string {
  const words = text.split(' ');
  const mnemonicAt = words.findIndex((w) => !/^(bnd|xacquire|xrelease|notrack|cs|ds|es|ss|fs|gs|rep|repe|repne|lock|o16|o32|a16|a32)$/.test(w));
  const mnemonic = words[mnemonicAt] ?? '';
  const isString = /^(movs|cmps|stos|lods|scas|ins|outs)[bwd]$/.test(mnemonic);
  const prefixes = words.slice(0, mnemonicAt).filter((w) => {
    if (w === 'bnd' || w === 'xacquire' || w === 'xrelease' || w === 'notrack') return false;
    if ((w === 'cs' || w === 'ds') && mnemonic.startsWith('j')) return false;
    if (/^rep/.test(w) && !isString) return false;
    return true;
  });
  return [...prefixes, ...words.slice(mnemonicAt)].join(' ');
}

export function compareWithIced(bits: 16 | 32, instructions: number, seed: number, biased: boolean): OracleReport {
  const { CpuidFeature: F } = iced;
  const allowed = new Set([F.INTEL8086, F.INTEL186, F.INTEL286, F.INTEL386, F.INTEL486, F.CPUID, F.FPU, F.FPU287, F.FPU387]);
  const fpu = new Set([F.FPU, F.FPU287, F.FPU387]);
  const bytes = randomBytes(instructions * 4 + 32, seed, biased);
  const decoder = new iced.Decoder(bits, bytes, iced.DecoderOptions.MovTr | iced.DecoderOptions.NoPause);
  const formatter = new iced.Formatter(iced.FormatterSyntax.Nasm);
  formatter.spaceAfterOperandSeparator = true;
  formatter.hexSuffix = 'h';
  formatter.hexPrefix = '';
  formatter.uppercaseHex = true;
  formatter.showBranchSize = false;
  formatter.branchLeadingZeros = false;
  const differences: string[] = [];
  let compared = 0;
  let skipped = 0;
  const end = instructions * 4;
  const hexAt = (pos: number, len: number): string =>
    Array.from(bytes.subarray(pos, pos + len), (b) => b.toString(16).padStart(2, '0')).join(' ');
  try {
    for (let pos = 0; pos < end; ) {
      decoder.position = pos;
      decoder.ip = BigInt(0x100 + pos);
      const ins = decoder.decode();
      try {
        const ours = disassemble(bytes.subarray(pos), 0x100 + pos, { bits });
        if (ins.isInvalid) {
          if (ours.valid && ours.mnemonic !== 'esc' && ours.mnemonic !== 'bioscall') {
            differences.push(`${hexAt(pos, ours.length)}: iced finds no instruction, ours reads '${ours.text}'`);
          }
          pos += 1;
          continue;
        }
        const features = Array.from(ins.cpuidFeatures());
        if (!features.every((f) => allowed.has(f))) {
          skipped++;
          pos += ins.length;
          continue;
        }
        compared++;
        let expected = normaliseIced(formatter.format(ins));
        if (ours.mnemonic === 'nop' && (expected === 'xchg eax, eax' || expected === 'xchg ax, ax')) expected = 'nop';
        if (ours.length !== ins.length || !ours.valid) {
          differences.push(`${hexAt(pos, ins.length)}: length ${ours.length} ('${ours.text}'), iced ${ins.length} ('${expected}')`);
        } else if (!features.some((f) => fpu.has(f)) && ours.text !== expected) {
          differences.push(`${hexAt(pos, ins.length)}: '${ours.text}', iced '${expected}'`);
        }
        pos += ins.length;
      } finally {
        ins.free();
      }
    }
  } finally {
    decoder.free();
    formatter.free();
  }
  return { compared, skipped, differences };
}

/**
 * The debugger's disassembler, driven by the CPU's own declarative opcode table
 * (emulator/cpu/opcodeTable.ts), so the Disassembly view and step over see the instruction set
 * the CPU executes: the same mnemonics, operand forms, groups and control-flow kinds. This file
 * adds only what a listing needs on top of the table: prefixes, ModR/M and SIB addressing, and the
 * formatting of each operand form (Intel syntax, hex immediates with an `h` suffix).
 */
import { isGroup, ONE_BYTE, TWO_BYTE, type OpcodeEntry } from '../emulator/cpu/opcodeTable.js';
import type { DecodedInstruction, InstructionDecoder, InstructionKind } from './decoder.js';

const R8 = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'];
const R16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];
const R32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
const SREG = ['es', 'cs', 'ss', 'ds', 'fs', 'gs', '?', '?'];
const MEM16 = ['bx+si', 'bx+di', 'bp+si', 'bp+di', 'si', 'di', 'bp', 'bx'];
const SEG_PREFIX: { readonly [b: number]: string } = { 0x26: 'es', 0x2e: 'cs', 0x36: 'ss', 0x3e: 'ds', 0x64: 'fs', 0x65: 'gs' };

/** Operand forms that take a ModR/M byte. */
const MODRM_FORMS = /^(far )?(E[bwvd]|G[bwvd]|Sw|M[aps]?|Rd|Cd|Dd|Td)$/;

class OutOfBytes extends Error {}

export function hexImm(v: number): string {
  const s = (v >>> 0).toString(16).toUpperCase();
  return v >>> 0 < 10 ? s : /^[A-F]/.test(s) ? `0${s}h` : `${s}h`;
}

function signedDisp(v: number): string {
  return v < 0 ? `-${hexImm(-v)}` : `+${hexImm(v)}`;
}

class Reader {
  pos: number;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly start: number,
    private readonly end: number,
  ) {
    this.pos = start;
  }

  get length(): number {
    return this.pos - this.start;
  }

  u8(): number {
    if (this.pos >= this.end || this.pos - this.start >= 15) throw new OutOfBytes();
    return this.bytes[this.pos++];
  }

  s8(): number {
    return (this.u8() << 24) >> 24;
  }

  u16(): number {
    return this.u8() | (this.u8() << 8);
  }

  s16(): number {
    return (this.u16() << 16) >> 16;
  }

  u32(): number {
    return (this.u16() | (this.u16() << 16)) >>> 0;
  }
}

interface Ctx {
  readonly r: Reader;
  readonly o32: boolean;
  readonly a32: boolean;
  readonly seg: string | null;
  readonly ip: number;
  readonly bits: 16 | 32;
  modrm: number;
  /** Memory operand text (`[bx+si+4]`), decoded once the ModR/M byte is read. */
  mem: string | null;
}

function readModrm(c: Ctx): void {
  if (c.modrm >= 0) return;
  c.modrm = c.r.u8();
  const mod = c.modrm >>> 6;
  const rm = c.modrm & 7;
  if (mod === 3) return;
  let addr: string;
  if (!c.a32) {
    if (mod === 0 && rm === 6) addr = hexImm(c.r.u16());
    else {
      addr = MEM16[rm];
      if (mod === 1) addr += signedDisp(c.r.s8());
      else if (mod === 2) addr += signedDisp(c.r.s16());
    }
  } else {
    let base: string | null;
    let index = '';
    if (rm === 4) {
      const sib = c.r.u8();
      const b = sib & 7;
      const i = (sib >>> 3) & 7;
      const scale = 1 << (sib >>> 6);
      if (i !== 4) index = scale === 1 ? R32[i] : `${R32[i]}*${scale}`;
      base = b === 5 && mod === 0 ? null : R32[b];
      if (base === null) {
        const d = c.r.u32();
        addr = [index, hexImm(d)].filter((x) => x !== '').join('+');
        c.mem = `[${c.seg ? c.seg + ':' : ''}${addr}]`;
        return;
      }
    } else if (mod === 0 && rm === 5) {
      c.mem = `[${c.seg ? c.seg + ':' : ''}${hexImm(c.r.u32())}]`;
      return;
    } else base = R32[rm];
    addr = [base, index].filter((x) => x !== '').join('+');
    if (mod === 1) addr += signedDisp(c.r.s8());
    else if (mod === 2) addr += signedDisp(c.r.u32() | 0);
  }
  c.mem = `[${c.seg ? c.seg + ':' : ''}${addr}]`;
}

function sized(size: 1 | 2 | 4, mem: string): string {
  return `${size === 1 ? 'byte' : size === 2 ? 'word' : 'dword'} ${mem}`;
}

function reg(size: 1 | 2 | 4, n: number): string {
  return size === 1 ? R8[n] : size === 2 ? R16[n] : R32[n];
}

function sizeOf(letter: string, c: Ctx): 1 | 2 | 4 {
  return letter === 'b' ? 1 : letter === 'w' ? 2 : letter === 'd' ? 4 : c.o32 ? 4 : 2;
}

/** Formats one operand form; reads its bytes (ModR/M was read before any operand). */
function operand(form: string, c: Ctx, opcode: number): string {
  if (form.startsWith('far ')) return `far ${operand(form.slice(4), c, opcode)}`;
  const kind = form[0];
  const letter = form.slice(1);
  switch (form) {
    case 'AL': return 'al';
    case 'CL': return 'cl';
    case 'DX': return 'dx';
    case 'eAX': return c.o32 ? 'eax' : 'ax';
    case 'ES': case 'CS': case 'SS': case 'DS': case 'FS': case 'GS': return form.toLowerCase();
    case '1': return '1';
    case 'Sw': return SREG[(c.modrm >>> 3) & 7];
    case 'Cd': return `cr${(c.modrm >>> 3) & 7}`;
    case 'Dd': return `dr${(c.modrm >>> 3) & 7}`;
    case 'Td': return `tr${(c.modrm >>> 3) & 7}`;
    case 'Rd': return R32[c.modrm & 7];
    case 'M': case 'Ma': case 'Mp': case 'Ms':
      if (c.mem === null) throw new OutOfBytes(); // a register where memory is required: invalid
      return c.mem;
    case 'Ib': return hexImm(c.r.u8());
    case 'Iw': return hexImm(c.r.u16());
    case 'Iv': case 'Iz': return hexImm(c.o32 ? c.r.u32() : c.r.u16());
    case 'Ibs': {
      const v = c.r.s8();
      return hexImm(c.o32 ? v >>> 0 : v & 0xffff);
    }
    case 'Jb': case 'Jz': {
      const d = form === 'Jb' ? c.r.s8() : c.o32 ? c.r.u32() | 0 : c.r.s16();
      const next = c.ip + c.r.length;
      return hexImm(c.o32 || c.bits === 32 ? (next + d) >>> 0 : (next + d) & 0xffff);
    }
    case 'Ap': {
      const off = c.o32 ? c.r.u32() : c.r.u16();
      const sel = c.r.u16();
      return `${sel.toString(16).toUpperCase().padStart(4, '0')}:${off.toString(16).toUpperCase().padStart(c.o32 ? 8 : 4, '0')}`;
    }
    case 'Ob': case 'Ov': {
      const off = c.a32 ? c.r.u32() : c.r.u16();
      return sized(form === 'Ob' ? 1 : c.o32 ? 4 : 2, `[${c.seg ? c.seg + ':' : ''}${hexImm(off)}]`);
    }
  }
  if (kind === 'E') {
    const size = sizeOf(letter, c);
    return (c.modrm >>> 6) === 3 ? reg(size, c.modrm & 7) : sized(size, c.mem as string);
  }
  if (kind === 'G') return reg(sizeOf(letter, c), (c.modrm >>> 3) & 7);
  if (kind === 'Z') return reg(sizeOf(letter, c), opcode & 7);
  return form;
}

function kindOf(entry: OpcodeEntry, rep: boolean): InstructionKind {
  switch (entry.kind) {
    case 'call': return 'call';
    case 'ret': return 'ret';
    case 'iret': return 'iret';
    case 'int': return 'int';
    case 'loop': return 'loop';
    case 'jump': case 'jcc': return 'jump';
    case 'string': return rep ? 'rep' : 'other';
    default: return 'other';
  }
}

export class CpuTableDecoder implements InstructionDecoder {
  decode(bytes: Uint8Array, offset: number, end: number, bits: 16 | 32, ip: number): DecodedInstruction {
    const r = new Reader(bytes, offset, Math.min(end, bytes.length));
    try {
      return this.decodeOne(r, bits, ip);
    } catch (e) {
      if (!(e instanceof OutOfBytes)) throw e;
      const b = offset < Math.min(end, bytes.length) ? bytes[offset] : -1;
      return { length: 1, text: b < 0 ? '??' : `db ${hexImm(b)}`, kind: 'other', valid: false };
    }
  }

  private decodeOne(r: Reader, bits: 16 | 32, ip: number): DecodedInstruction {
    let o32 = bits === 32;
    let a32 = bits === 32;
    let seg: string | null = null;
    let rep: 'rep' | 'repne' | null = null;
    let lock = false;
    let b = r.u8();
    for (;;) {
      if (SEG_PREFIX[b] !== undefined) seg = SEG_PREFIX[b];
      else if (b === 0x66) o32 = bits !== 32;
      else if (b === 0x67) a32 = bits !== 32;
      else if (b === 0xf0) lock = true;
      else if (b === 0xf2) rep = 'repne';
      else if (b === 0xf3) rep = 'rep';
      else break;
      b = r.u8();
    }
    const twoByte = b === 0x0f;
    const opcode = twoByte ? r.u8() : b;
    let slot = (twoByte ? TWO_BYTE : ONE_BYTE)[opcode];
    const c: Ctx = { r, o32, a32, seg, ip, bits, modrm: -1, mem: null };
    if (slot !== null && isGroup(slot)) {
      readModrm(c);
      slot = slot.members[(c.modrm >>> 3) & 7];
    }
    if (slot === null || isGroup(slot)) throw new OutOfBytes();
    const entry = slot;
    if (entry.mnemonic === 'esc') {
      // x87 escape: the FPU's business; show the opcode group and the operand it addresses.
      readModrm(c);
      const operandText = (c.modrm >>> 6) === 3 ? `st(${c.modrm & 7})` : (c.mem as string);
      return { length: r.length, text: `fpu ${hexImm(opcode)}/${(c.modrm >>> 3) & 7} ${operandText}`, kind: 'other', valid: true };
    }
    if (entry.operands.some((f) => MODRM_FORMS.test(f))) readModrm(c);
    const ops = entry.operands.map((f) => operand(f, c, opcode));
    const names = entry.mnemonic.split('/');
    const wide = entry.byAddressSize ? a32 : o32;
    const mnemonic = names.length > 1 && wide ? names[1] : names[0];
    const prefix = (lock ? 'lock ' : '') + (rep && entry.kind === 'string' ? `${rep} ` : '');
    const text = `${prefix}${mnemonic}${ops.length > 0 ? ' ' + ops.join(', ') : ''}`;
    return { length: r.length, text, kind: kindOf(entry, rep !== null), valid: true };
  }
}

export function createDecoder(): InstructionDecoder {
  return new CpuTableDecoder();
}

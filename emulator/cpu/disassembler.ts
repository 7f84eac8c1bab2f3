/**
 * The disassembler: decodes one instruction with the same opcode table the CPU executes from
 * (opcodeTable.ts) and formats it in Intel syntax as NASM writes it: lower-case mnemonics,
 * `0FFh`-style hex, `[es:bx+si-2]` memory operands with the segment shown only when it is not the
 * default, a size keyword only where the operands leave the size open.
 *
 * Branch targets are offsets in the code segment (the debugger shows `segment:offset`); a direct
 * far transfer reports its segment too. Not shown as mnemonics: x87 instructions (this CPU has no
 * FPU) decode with their correct length as `esc`.
 */
import { modelTraits, type CpuModel } from './cpuModel.js';
import { ALIASES_8086, GROUP_ALIASES_8086, ONE_BYTE, TWO_BYTE, isGroup, type InstrKind, type OpcodeEntry } from './opcodeTable.js';
import { REG16_NAMES, REG32_NAMES, REG8_NAMES, SEG_NAMES } from './registers.js';

export interface DisassembleOptions {
  /** Code size: 16 (real mode, 16-bit segments) or 32. */
  readonly bits: 16 | 32;
  /** Decode as this CPU does (instruction set, 8086 aliases). Default 486. */
  readonly model?: CpuModel;
}

/** The instruction bytes: an array starting at the instruction, or a reader (offset -> byte, or -1 past the end). */
export type ByteSource = Uint8Array | ((offset: number) => number);

export interface DisassembledInstruction {
  /** Bytes the instruction occupies, prefixes included (1 for an invalid byte). */
  readonly length: number;
  /** Intel syntax, e.g. `mov ax, [bx+si+12h]`; `db 0C4h` when invalid. */
  readonly text: string;
  readonly mnemonic: string;
  readonly operands: readonly string[];
  /** Prefix words shown before the mnemonic (`lock`, `rep`, `es`, `a32`, `o32`). */
  readonly prefixes: readonly string[];
  readonly valid: boolean;
  readonly kind: InstrKind | 'invalid';
  readonly isCall: boolean;
  readonly isRet: boolean;
  readonly isJump: boolean;
  readonly isInt: boolean;
  readonly isRep: boolean;
  readonly isLoop: boolean;
  /** Static target offset of a relative branch (in the same code segment), else null. */
  readonly target: number | null;
  /** Segment and offset of a direct far CALL/JMP, else null. */
  readonly farTarget: { readonly segment: number; readonly offset: number } | null;
}

const MAX_LENGTH = 15;
/** Operand forms encoded in a ModR/M byte. */
const MODRM_OPERAND = /^(E[bwvd]|G[bwvd]|Sw|M|Mp|Ms|Ma|Rd|Cd|Dd|Td)$/;
const SEGMENT_OPERAND = /^(ES|CS|SS|DS|FS|GS)$/;
/** Store a selector or MSW: a register operand has the operand size, memory is always a word. */
const WORD_MEMORY = new Set(['sldt', 'str', 'smsw']);
/** Take a 16-bit operand whatever the operand size. */
const WORD_OPERAND = new Set(['lldt', 'ltr', 'verr', 'verw', 'lmsw']);
const MEM16 = ['bx+si', 'bx+di', 'bp+si', 'bp+di', 'si', 'di', 'bp', 'bx'];
/** ModR/M rm values whose 16-bit address defaults to SS. */
const SS_DEFAULT16 = [false, false, true, true, false, false, true, false];

class Truncated extends Error {}
const TRUNCATED = new Truncated('instruction runs past the available bytes');

/** Formats a number as NASM does: decimal below 10, else hex with an `h` suffix and a leading 0 before A-F. */
export function hexNumber(v: number): string {
  if (v >= 0 && v < 10) return String(v);
  const h = v.toString(16).toUpperCase();
  return (/^[A-F]/.test(h) ? '0' : '') + h + 'h';
}

function signedDisp(v: number): string {
  return v < 0 ? `-${hexNumber(-v)}` : `+${hexNumber(v)}`;
}

interface Decoded {
  operands: string[];
  /** Operand kinds that reveal the size of a memory operand (register of that size). */
  regSizes: Set<number>;
  memIndex: number;
  memSize: number;
  hasSreg: boolean;
  target: number | null;
  farTarget: { segment: number; offset: number } | null;
}

/** Decodes and formats one instruction. Never throws: undecodable bytes give `db`. */
export function disassemble(src: ByteSource, address: number, options: DisassembleOptions): DisassembledInstruction {
  const byteAt = typeof src === 'function' ? src : (i: number): number => (i < src.length ? src[i] : -1);
  try {
    return decode(byteAt, address, options);
  } catch (e) {
    if (!(e instanceof Truncated)) throw e;
    return invalidResult(byteAt(0));
  }
}

function invalidResult(first: number): DisassembledInstruction {
  const text = first < 0 ? '??' : `db ${hexNumber(first & 0xff)}`;
  return {
    length: 1,
    text,
    mnemonic: 'db',
    operands: first < 0 ? [] : [hexNumber(first & 0xff)],
    prefixes: [],
    valid: false,
    kind: 'invalid',
    isCall: false,
    isRet: false,
    isJump: false,
    isInt: false,
    isRep: false,
    isLoop: false,
    target: null,
    farTarget: null,
  };
}

function decode(byteAt: (i: number) => number, address: number, options: DisassembleOptions): DisassembledInstruction {
  const gen = modelTraits(options.model ?? '486').gen;
  const code32 = options.bits === 32;
  let pos = 0;
  const next = (): number => {
    if (pos >= MAX_LENGTH) throw TRUNCATED;
    const b = byteAt(pos);
    if (b < 0) throw TRUNCATED;
    pos++;
    return b & 0xff;
  };

  // ---- prefixes ----
  let seg = -1;
  let opsize32 = code32;
  let addr32 = code32;
  let opsizePrefix = false;
  let addrPrefix = false;
  let lock = false;
  let rep = 0;
  let op: number;
  for (;;) {
    op = next();
    if (op === 0x26 || op === 0x2e || op === 0x36 || op === 0x3e) seg = (op >> 3) & 3;
    else if (gen >= 386 && (op === 0x64 || op === 0x65)) seg = op - 0x60;
    else if (gen >= 386 && op === 0x66) {
      opsize32 = !code32;
      opsizePrefix = true;
    } else if (gen >= 386 && op === 0x67) {
      addr32 = !code32;
      addrPrefix = true;
    } else if (op === 0xf0 || (gen === 86 && op === 0xf1)) lock = true;
    else if (op === 0xf2 || op === 0xf3) rep = op;
    else break;
  }

  // ---- opcode and table entry ----
  let twoByte = false;
  if (op === 0x0f && gen >= 286) {
    twoByte = true;
    op = next();
  } else if (op === 0x0f) return invalidResult(byteAt(0));
  if (gen === 86 && !twoByte) op = ALIASES_8086.get(op) ?? op;
  const slot = (twoByte ? TWO_BYTE : ONE_BYTE)[op];
  if (slot === null || slot.cpu > gen) return invalidResult(byteAt(0));
  let modrm = -1;
  let entry: OpcodeEntry | null;
  if (isGroup(slot)) {
    modrm = next();
    const reg = (modrm >> 3) & 7;
    entry = slot.members[reg];
    const alias = gen === 86 && !twoByte ? GROUP_ALIASES_8086.find(([o, r]) => o === op && r === reg) : undefined;
    if (alias !== undefined) entry = slot.members[alias[2]];
  } else entry = slot;
  if (entry === null || entry.cpu > gen || entry.kind === 'prefix') return invalidResult(byteAt(0));
  if (entry.exec === 'esc') return escResult(next, () => pos, addr32, byteAt);
  const needsModrm = entry.operands.some((o) => MODRM_OPERAND.test(o));
  if (needsModrm && modrm < 0) modrm = next();

  const d = decodeOperands(entry, modrm, next, () => pos, { code32, opsize32, addr32, seg, gen, address, op });
  if (d === null) return invalidResult(byteAt(0));
  const length = pos;

  // ---- LOCK is only valid on a lockable instruction with a memory destination (386+: #UD) ----
  if (lock && gen >= 386 && (!entry.lock || modrm < 0 || modrm >= 0xc0)) return invalidResult(byteAt(0));

  // ---- mnemonic and operands ----
  const names = entry.mnemonic.split('/');
  let mnemonic = names.length > 1 ? names[(entry.byAddressSize ? addr32 : opsize32) ? 1 : 0] : names[0];
  if (mnemonic.endsWith('*')) mnemonic = mnemonic.slice(0, -1) + (opsize32 === code32 ? '' : opsize32 ? 'd' : 'w');
  let operands = d.operands;
  if ((entry.exec === 'aam' || entry.exec === 'aad') && operands[0] === '0Ah') operands = [];
  // IMUL reg, reg, imm with the same register twice is written with two operands.
  if (entry.exec === 'imul.GvEvIv' && operands.length === 3 && operands[0] === operands[1]) operands = [operands[0], operands[2]];
  // The memory operand gets a size keyword when nothing else fixes its size.
  if (d.memIndex >= 0 && d.memSize > 0 && needsSizeKeyword(entry, d)) {
    operands = operands.slice();
    operands[d.memIndex] = `${sizeName(d.memSize)} ${operands[d.memIndex]}`;
  }
  // Far transfers through memory: `far [bx]`, `dword far [bx]` with a 32-bit offset.
  if (entry.operands[0] === 'Mp' && (entry.kind === 'call' || entry.kind === 'jump')) {
    operands = [`${opsize32 === code32 ? '' : opsize32 ? 'dword ' : 'word '}far ${operands[0]}`];
  }
  // LOOPcc with an address-size prefix names the counter it uses.
  if (entry.kind === 'loop' && addrPrefix) operands = [...operands, addr32 ? 'ecx' : 'cx'];

  // ---- prefixes shown: a32/a16, the source segment, lock, rep, o32/o16 ----
  const prefixes: string[] = [];
  const isString = entry.kind === 'string' || entry.exec === 'xlat';
  if (isString && addrPrefix) prefixes.push(addr32 ? 'a32' : 'a16');
  // Only instructions that read DS:SI (or XLAT's DS:BX) can take a segment override.
  const usesSource = entry.exec === 'movs' || entry.exec === 'cmps' || entry.exec === 'lods' || entry.exec === 'outs' || entry.exec === 'xlat';
  if (usesSource && seg >= 0 && seg !== 3) prefixes.push(SEG_NAMES[seg]);
  if (lock) prefixes.push('lock');
  if (entry.kind === 'string' && rep !== 0) {
    const compares = entry.exec === 'cmps' || entry.exec === 'scas';
    prefixes.push(compares ? (rep === 0xf3 ? 'repe' : 'repne') : rep === 0xf3 ? 'rep' : 'repne');
  }
  if (opsizePrefix && (sizeHidden(entry, d.memIndex >= 0) || (d.hasSreg && d.memIndex >= 0))) prefixes.push(opsize32 ? 'o32' : 'o16');

  const text = [...prefixes, mnemonic].join(' ') + (operands.length ? ` ${operands.join(', ')}` : '');
  const kind = entry.kind;
  return {
    length,
    text,
    mnemonic,
    operands,
    prefixes,
    valid: true,
    kind,
    isCall: kind === 'call',
    isRet: kind === 'ret' || kind === 'iret',
    isJump: kind === 'jump' || kind === 'jcc',
    isInt: kind === 'int',
    isRep: entry.kind === 'string' && rep !== 0,
    isLoop: kind === 'loop',
    target: d.target,
    farTarget: d.farTarget,
  };
}

/**
 * Instructions whose operand size a 66h prefix changes without any operand showing it get an
 * `o32`/`o16` marker: segment register and sign-extended immediate pushes, ENTER/LEAVE, and short
 * branches (the target is computed at the operand size).
 */
function sizeHidden(entry: OpcodeEntry, memory: boolean): boolean {
  const ops = entry.operands;
  if (WORD_OPERAND.has(entry.mnemonic) || (memory && WORD_MEMORY.has(entry.mnemonic))) return true;
  if (entry.exec === 'enter' || entry.exec === 'leave') return true;
  if (entry.exec === 'sgdt' || entry.exec === 'sidt' || entry.exec === 'lgdt' || entry.exec === 'lidt') return true;
  if (ops.length === 1 && (ops[0] === 'Ibs' || SEGMENT_OPERAND.test(ops[0]))) return true;
  return ops[0] === 'Jb' && (entry.kind === 'jump' || entry.kind === 'jcc' || entry.kind === 'loop');
}

function sizeName(bytes: number): string {
  return bytes === 1 ? 'byte' : bytes === 2 ? 'word' : bytes === 4 ? 'dword' : bytes === 6 ? 'fword' : 'qword';
}

/** NASM needs a size keyword unless a register operand of that size (or a segment register) fixes it. */
function needsSizeKeyword(entry: OpcodeEntry, d: Decoded): boolean {
  if (entry.exec.startsWith('movzx') || entry.exec.startsWith('movsx')) return true;
  if (d.hasSreg || WORD_MEMORY.has(entry.mnemonic)) return false;
  const spec = entry.operands[d.memIndex];
  if (spec === 'Ew' || entry.exec === 'setcc.Eb') return false;
  return !d.regSizes.has(d.memSize);
}

interface Context {
  readonly code32: boolean;
  readonly opsize32: boolean;
  readonly addr32: boolean;
  readonly seg: number;
  readonly gen: number;
  readonly address: number;
  readonly op: number;
}

function regName(size: number, n: number): string {
  return size === 1 ? REG8_NAMES[n] : size === 2 ? REG16_NAMES[n] : REG32_NAMES[n];
}

/** Size in bytes of an operand spec's letter: b w d, v (operand size), z (immediate: 2 or 4). */
function specSize(letter: string, opsize32: boolean): number {
  switch (letter) {
    case 'b':
      return 1;
    case 'w':
      return 2;
    case 'd':
      return 4;
    default:
      return opsize32 ? 4 : 2;
  }
}

function decodeOperands(
  entry: OpcodeEntry,
  modrm: number,
  next: () => number,
  pos: () => number,
  ctx: Context,
): Decoded | null {
  const d: Decoded = { operands: [], regSizes: new Set(), memIndex: -1, memSize: 0, hasSreg: false, target: null, farTarget: null };
  const mod = modrm >> 6;
  const reg = (modrm >> 3) & 7;
  const rm = modrm & 7;
  let memText: string | null = null;
  // The memory operand's displacement comes right after ModR/M (and SIB), before any immediate.
  const memory = (): string => {
    if (memText === null) memText = formatMemory(mod, rm, next, ctx);
    return memText;
  };
  const readImm = (size: number): number => {
    let v = 0;
    for (let i = 0; i < size; i++) v |= next() << (8 * i);
    return size === 4 ? v >>> 0 : v;
  };
  const mask = (v: number, size: number): number => (size === 4 ? v >>> 0 : v & ((1 << (size * 8)) - 1));

  for (let i = 0; i < entry.operands.length; i++) {
    const spec = entry.operands[i];
    const kind = spec[0];
    const letter = spec.slice(1);
    if (SEGMENT_OPERAND.test(spec)) {
      d.operands.push(spec.toLowerCase());
    } else if (spec === 'AL' || spec === 'CL') {
      d.operands.push(spec.toLowerCase());
      d.regSizes.add(1);
    } else if (spec === 'DX') {
      d.operands.push('dx');
    } else if (spec === 'eAX') {
      d.operands.push(ctx.opsize32 ? 'eax' : 'ax');
      d.regSizes.add(ctx.opsize32 ? 4 : 2);
    } else if (kind === 'E') {
      const size = specSize(letter, ctx.opsize32);
      if (mod === 3) {
        d.operands.push(regName(size, rm));
        d.regSizes.add(size);
      } else {
        d.operands.push(memory());
        d.memIndex = i;
        d.memSize = size;
      }
    } else if (kind === 'M') {
      if (mod === 3) return null;
      // LEA computes an offset: no segment applies, so none is shown.
      d.operands.push(entry.exec === 'lea.GvM' ? memoryNoSegment(memory()) : memory());
    } else if (kind === 'G') {
      const size = specSize(letter, ctx.opsize32);
      d.operands.push(regName(size, reg));
      d.regSizes.add(size);
    } else if (kind === 'Z') {
      const size = specSize(letter, ctx.opsize32);
      d.operands.push(regName(size, ctx.op & 7));
      d.regSizes.add(size);
    } else if (spec === 'Sw') {
      // The 8086 decodes two bits of the segment register number (so MOV CS works there).
      const sr = ctx.gen === 86 ? reg & 3 : reg;
      if (sr > (ctx.gen >= 386 ? 5 : 3)) return null;
      if (entry.exec === 'mov.SwEw' && sr === 1 && ctx.gen >= 186) return null;
      d.operands.push(SEG_NAMES[sr]);
      d.hasSreg = true;
    } else if (spec === 'Cd') {
      if (reg === 1 || reg > 4) return null;
      d.operands.push(`cr${reg}`);
    } else if (spec === 'Dd') {
      d.operands.push(`dr${reg}`);
    } else if (spec === 'Td') {
      d.operands.push(`tr${reg}`);
    } else if (spec === 'Rd') {
      d.operands.push(REG32_NAMES[rm]);
    } else if (spec === 'Ib') {
      d.operands.push(hexNumber(readImm(1)));
    } else if (spec === 'Iw') {
      d.operands.push(hexNumber(readImm(2)));
    } else if (spec === 'Iz' || spec === 'Iv') {
      const size = spec === 'Iv' ? specSize('v', ctx.opsize32) : ctx.opsize32 ? 4 : 2;
      d.operands.push(hexNumber(readImm(size)));
    } else if (spec === 'Ibs') {
      const size = ctx.opsize32 ? 4 : 2;
      d.operands.push(hexNumber(mask((readImm(1) << 24) >> 24, size)));
    } else if (spec === 'Jb' || spec === 'Jz') {
      const size = spec === 'Jb' ? 1 : ctx.opsize32 ? 4 : 2;
      const raw = readImm(size);
      const rel = size === 1 ? (raw << 24) >> 24 : size === 2 ? (raw << 16) >> 16 : raw | 0;
      const t = ctx.address + pos() + rel;
      d.target = ctx.opsize32 ? t >>> 0 : t & 0xffff;
      d.operands.push(hexNumber(d.target));
    } else if (spec === 'Ap') {
      const offset = readImm(ctx.opsize32 ? 4 : 2);
      const segment = readImm(2);
      d.farTarget = { segment, offset };
      d.operands.push(`${hexNumber(segment)}:${hexNumber(offset)}`);
    } else if (spec === 'Ob' || spec === 'Ov') {
      const off = readImm(ctx.addr32 ? 4 : 2);
      const s = ctx.seg >= 0 && ctx.seg !== 3 ? `${SEG_NAMES[ctx.seg]}:` : '';
      // A moffs whose address size is not the code's default names it.
      const width = ctx.addr32 === ctx.code32 ? '' : ctx.addr32 ? 'dword ' : 'word ';
      d.operands.push(`[${width}${s}${hexNumber(off)}]`);
    } else if (spec === '1') {
      d.operands.push('1');
    } else {
      throw new Error(`opcode table operand '${spec}' has no decoder`);
    }
  }
  // The shift count operands (1, CL) do not fix the size of the shifted memory operand.
  if (entry.operands.length === 2 && (entry.operands[1] === '1' || entry.operands[1] === 'CL')) d.regSizes.delete(1);
  return d;
}

function formatMemory(mod: number, rm: number, next: () => number, ctx: Context): string {
  let base: string;
  let defaultSS: boolean;
  let disp = 0;
  let hasDisp = false;
  if (!ctx.addr32) {
    if (mod === 0 && rm === 6) {
      const v = next() | (next() << 8);
      return `[${segPrefix(ctx.seg, false)}${hexNumber(v)}]`;
    }
    base = MEM16[rm];
    defaultSS = SS_DEFAULT16[rm];
    if (mod === 1) {
      disp = (next() << 24) >> 24;
      hasDisp = true;
    } else if (mod === 2) {
      disp = ((next() | (next() << 8)) << 16) >> 16;
      hasDisp = true;
    }
  } else {
    let index = '';
    let baseReg = -1;
    let noBase = false;
    if (rm === 4) {
      const sib = next();
      const b = sib & 7;
      const idx = (sib >> 3) & 7;
      const scale = 1 << (sib >> 6);
      // A scaled index without a base keeps its `*1`, showing the SIB form.
      if (b === 5 && mod === 0) noBase = true;
      else baseReg = b;
      if (idx !== 4) index = scale === 1 && !noBase ? REG32_NAMES[idx] : `${REG32_NAMES[idx]}*${scale}`;
    } else if (rm === 5 && mod === 0) noBase = true;
    else baseReg = rm;
    if (noBase) {
      disp = (next() | (next() << 8) | (next() << 16) | (next() << 24)) | 0;
      hasDisp = true;
    } else if (mod === 1) {
      disp = (next() << 24) >> 24;
      hasDisp = true;
    } else if (mod === 2) {
      disp = next() | (next() << 8) | (next() << 16) | (next() << 24) | 0;
      hasDisp = true;
    }
    defaultSS = baseReg === 4 || baseReg === 5;
    const parts: string[] = [];
    if (baseReg >= 0) parts.push(REG32_NAMES[baseReg]);
    if (index) parts.push(index);
    base = parts.join('+');
    if (base === '') return `[${segPrefix(ctx.seg, false)}${hexNumber(disp >>> 0)}]`;
  }
  const dispText = hasDisp && disp !== 0 ? signedDisp(disp) : '';
  return `[${segPrefix(ctx.seg, defaultSS)}${base}${dispText}]`;
}

function memoryNoSegment(text: string): string {
  return text.replace(/^\[[a-z]s:/, '[');
}

/** `es:` when an override names a segment other than the operand's default. */
function segPrefix(seg: number, defaultSS: boolean): string {
  if (seg < 0 || seg === (defaultSS ? 2 : 3)) return '';
  return `${SEG_NAMES[seg]}:`;
}

/** D8-DF: the x87 escapes decode a ModR/M (and displacement) and are shown as `esc`. */
function escResult(next: () => number, pos: () => number, addr32: boolean, byteAt: (i: number) => number): DisassembledInstruction {
  const modrm = next();
  if (modrm < 0xc0) {
    const mod = modrm >> 6;
    const rm = modrm & 7;
    if (!addr32) {
      if ((mod === 0 && rm === 6) || mod === 2) {
        next();
        next();
      } else if (mod === 1) next();
    } else {
      let base = rm;
      if (rm === 4) base = next() & 7;
      if ((mod === 0 && base === 5) || mod === 2) for (let i = 0; i < 4; i++) next();
      else if (mod === 1) next();
    }
  }
  const length = pos();
  const bytes: string[] = [];
  for (let i = 0; i < length; i++) bytes.push(hexNumber(byteAt(i)));
  return {
    length,
    text: `esc ${bytes.join(', ')}`,
    mnemonic: 'esc',
    operands: bytes,
    prefixes: [],
    valid: true,
    kind: 'plain',
    isCall: false,
    isRet: false,
    isJump: false,
    isInt: false,
    isRep: false,
    isLoop: false,
    target: null,
    farTarget: null,
  };
}

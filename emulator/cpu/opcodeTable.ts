/**
 * The one declarative opcode table of the 8086 through the 486 (integer instructions that can run
 * in real mode, plus the system instructions a real-mode program may reach). It feeds the
 * dispatcher (dispatch.ts: which handler runs, on which models, with which 8086 aliases), the
 * LOCK check, and the disassembler (mnemonics, operand forms, instruction kinds).
 *
 * Operand notation (Intel opcode-map style):
 *   Eb Ew Ev Ed  ModR/M r/m (byte, word, operand size, dword)   Gb Gw Gv Gd  ModR/M reg field
 *   Sw  segment register in reg     Cd Dd Td  control/debug/test register in reg   Rd  r/m register
 *   M  memory only   Mp  far pointer m16:16/32   Ms  m16&32 pseudo-descriptor   Ma  BOUND pair
 *   Ib Iw Iz  immediate (Iz: 16 or 32 by operand size)   Ibs  byte sign-extended to operand size
 *   Jb Jz  relative branch target    Ap  far pointer immediate    Ob Ov  moffs (address-size offset)
 *   Zb Zv Zd  register in the low 3 opcode bits    AL CL DX eAX  fixed registers
 *   ES CS SS DS FS GS  segment registers    1  the constant 1
 * A mnemonic "a/b" names the 16-bit and 32-bit operand-size forms ("jcxz/jecxz": address size);
 * "name*" takes a size suffix only when the operand size is not the code's default (pushad in
 * 16-bit code, pushaw in 32-bit code).
 */
import type { CpuGeneration } from './cpuModel.js';

/** How an instruction transfers control, for the debugger's step-over and the disassembler. */
export type InstrKind = 'plain' | 'jump' | 'jcc' | 'call' | 'ret' | 'iret' | 'int' | 'loop' | 'string' | 'prefix' | 'halt';

export interface OpcodeEntry {
  readonly mnemonic: string;
  readonly operands: readonly string[];
  /** Earliest CPU generation with this instruction (86 186 286 386 486). */
  readonly cpu: CpuGeneration;
  /** Handler key (see dispatch.ts). */
  readonly exec: string;
  readonly kind: InstrKind;
  /** Accepts LOCK (with a memory destination) on the 386+. */
  readonly lock: boolean;
  /** The mnemonic switches with the address size rather than the operand size. */
  readonly byAddressSize: boolean;
}

export interface GroupEntry {
  /** Members by ModR/M reg field; null is undefined (#UD on the 186+). */
  readonly members: readonly (OpcodeEntry | null)[];
  /** One handler for the whole group that decodes the ModR/M byte itself (else per-member handlers). */
  readonly exec: string | null;
  readonly cpu: CpuGeneration;
}

export type TableSlot = OpcodeEntry | GroupEntry | null;

export function isGroup(slot: TableSlot): slot is GroupEntry {
  return slot !== null && 'members' in slot;
}

function e(spec: string, cpu: CpuGeneration, exec: string, kind: InstrKind = 'plain', flags = ''): OpcodeEntry {
  const sp = spec.indexOf(' ');
  const mnemonic = sp < 0 ? spec : spec.slice(0, sp);
  const operands = sp < 0 ? [] : spec.slice(sp + 1).split(',');
  return { mnemonic, operands, cpu, exec, kind, lock: flags.includes('lock'), byAddressSize: flags.includes('asize') };
}

function g(cpu: CpuGeneration, exec: string | null, members: (OpcodeEntry | null)[]): GroupEntry {
  return { members, exec, cpu };
}

const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
const CC = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];
const SHIFTS = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sal', 'sar'];

function grp1(ops: string): GroupEntry {
  const exec = ops.startsWith('Eb') ? 'grp1.Eb' : 'grp1.Ev';
  return g(
    86,
    exec,
    ALU.map((mn, i) => e(`${mn} ${ops}`, 86, exec, 'plain', i === 7 ? '' : 'lock')),
  );
}

function grp2(ops: string, cpu: CpuGeneration): GroupEntry {
  const exec = ops.startsWith('Eb') ? 'grp2.Eb' : 'grp2.Ev';
  return g(
    cpu,
    exec,
    SHIFTS.map((mn) => e(`${mn} ${ops}`, cpu, exec)),
  );
}

function grp3(size: 'b' | 'v'): GroupEntry {
  const E = `E${size}`;
  const imm = size === 'b' ? 'Ib' : 'Iz';
  return g(86, null, [
    e(`test ${E},${imm}`, 86, `test.${E}I${size === 'b' ? 'b' : 'v'}`),
    e(`test ${E},${imm}`, 86, `test.${E}I${size === 'b' ? 'b' : 'v'}`),
    e(`not ${E}`, 86, `not.${E}`, 'plain', 'lock'),
    e(`neg ${E}`, 86, `neg.${E}`, 'plain', 'lock'),
    e(`mul ${E}`, 86, `mul.${E}`),
    e(`imul ${E}`, 86, `imul.${E}`),
    e(`div ${E}`, 86, `div.${E}`),
    e(`idiv ${E}`, 86, `idiv.${E}`),
  ]);
}

function build(): TableSlot[] {
  const t: TableSlot[] = new Array<TableSlot>(256).fill(null);
  for (let k = 0; k < 8; k++) {
    const b = k * 8;
    const lock = k === 7 ? '' : 'lock';
    t[b] = e(`${ALU[k]} Eb,Gb`, 86, 'alu.EbGb', 'plain', lock);
    t[b + 1] = e(`${ALU[k]} Ev,Gv`, 86, 'alu.EvGv', 'plain', lock);
    t[b + 2] = e(`${ALU[k]} Gb,Eb`, 86, 'alu.GbEb');
    t[b + 3] = e(`${ALU[k]} Gv,Ev`, 86, 'alu.GvEv');
    t[b + 4] = e(`${ALU[k]} AL,Ib`, 86, 'alu.ALIb');
    t[b + 5] = e(`${ALU[k]} eAX,Iz`, 86, 'alu.eAXIv');
  }
  t[0x06] = e('push ES', 86, 'push.Sw');
  t[0x07] = e('pop ES', 86, 'pop.Sw');
  t[0x0e] = e('push CS', 86, 'push.Sw');
  t[0x16] = e('push SS', 86, 'push.Sw');
  t[0x17] = e('pop SS', 86, 'pop.Sw');
  t[0x1e] = e('push DS', 86, 'push.Sw');
  t[0x1f] = e('pop DS', 86, 'pop.Sw');
  t[0x26] = e('es', 86, 'prefix.seg', 'prefix');
  t[0x2e] = e('cs', 86, 'prefix.seg', 'prefix');
  t[0x36] = e('ss', 86, 'prefix.seg', 'prefix');
  t[0x3e] = e('ds', 86, 'prefix.seg', 'prefix');
  t[0x27] = e('daa', 86, 'daa');
  t[0x2f] = e('das', 86, 'das');
  t[0x37] = e('aaa', 86, 'aaa');
  t[0x3f] = e('aas', 86, 'aas');
  for (let r = 0; r < 8; r++) {
    t[0x40 + r] = e('inc Zv', 86, 'inc.Zv');
    t[0x48 + r] = e('dec Zv', 86, 'dec.Zv');
    t[0x50 + r] = e('push Zv', 86, 'push.Zv');
    t[0x58 + r] = e('pop Zv', 86, 'pop.Zv');
    t[0xb0 + r] = e('mov Zb,Ib', 86, 'mov.ZbIb');
    t[0xb8 + r] = e('mov Zv,Iv', 86, 'mov.ZvIv');
    if (r > 0) t[0x90 + r] = e('xchg Zv,eAX', 86, 'xchg.ZveAX');
  }
  t[0x60] = e('pusha*', 186, 'pusha');
  t[0x61] = e('popa*', 186, 'popa');
  t[0x62] = e('bound Gv,Ma', 186, 'bound');
  t[0x63] = e('arpl Ew,Gw', 286, 'arpl');
  t[0x64] = e('fs', 386, 'prefix.seg', 'prefix');
  t[0x65] = e('gs', 386, 'prefix.seg', 'prefix');
  t[0x66] = e('o32', 386, 'prefix.opsize', 'prefix');
  t[0x67] = e('a32', 386, 'prefix.addrsize', 'prefix');
  t[0x68] = e('push Iz', 186, 'push.Iv');
  t[0x69] = e('imul Gv,Ev,Iz', 186, 'imul.GvEvIv');
  t[0x6a] = e('push Ibs', 186, 'push.Iv');
  t[0x6b] = e('imul Gv,Ev,Ibs', 186, 'imul.GvEvIv');
  t[0x6c] = e('insb', 186, 'ins', 'string');
  t[0x6d] = e('insw/insd', 186, 'ins', 'string');
  t[0x6e] = e('outsb', 186, 'outs', 'string');
  t[0x6f] = e('outsw/outsd', 186, 'outs', 'string');
  for (let cc = 0; cc < 16; cc++) t[0x70 + cc] = e(`j${CC[cc]} Jb`, 86, 'jcc.Jb', 'jcc');
  t[0x72] = e('jb Jb', 86, 'jc.Jb', 'jcc');
  t[0x73] = e('jae Jb', 86, 'jnc.Jb', 'jcc');
  t[0x74] = e('je Jb', 86, 'jz.Jb', 'jcc');
  t[0x75] = e('jne Jb', 86, 'jnz.Jb', 'jcc');
  t[0x80] = grp1('Eb,Ib');
  t[0x81] = grp1('Ev,Iz');
  t[0x82] = grp1('Eb,Ib');
  t[0x83] = grp1('Ev,Ibs');
  t[0x84] = e('test Eb,Gb', 86, 'test.EbGb');
  t[0x85] = e('test Ev,Gv', 86, 'test.EvGv');
  // XCHG is symmetric; the reg operand is written first, as disassemblers do.
  t[0x86] = e('xchg Gb,Eb', 86, 'xchg.EbGb', 'plain', 'lock');
  t[0x87] = e('xchg Gv,Ev', 86, 'xchg.EvGv', 'plain', 'lock');
  t[0x88] = e('mov Eb,Gb', 86, 'mov.EbGb');
  t[0x89] = e('mov Ev,Gv', 86, 'mov.EvGv');
  t[0x8a] = e('mov Gb,Eb', 86, 'mov.GbEb');
  t[0x8b] = e('mov Gv,Ev', 86, 'mov.GvEv');
  t[0x8c] = e('mov Ev,Sw', 86, 'mov.EwSw');
  t[0x8d] = e('lea Gv,M', 86, 'lea.GvM');
  t[0x8e] = e('mov Sw,Ev', 86, 'mov.SwEw');
  t[0x8f] = g(86, null, [e('pop Ev', 86, 'pop.Ev'), null, null, null, null, null, null, null]);
  t[0x90] = e('nop', 86, 'nop');
  t[0x98] = e('cbw/cwde', 86, 'cbw.cwde');
  t[0x99] = e('cwd/cdq', 86, 'cwd.cdq');
  t[0x9a] = e('call Ap', 86, 'call.Ap', 'call');
  t[0x9b] = e('wait', 86, 'wait');
  t[0x9c] = e('pushf*', 86, 'pushf');
  t[0x9d] = e('popf*', 86, 'popf');
  t[0x9e] = e('sahf', 86, 'sahf');
  t[0x9f] = e('lahf', 86, 'lahf');
  t[0xa0] = e('mov AL,Ob', 86, 'mov.ALOb');
  t[0xa1] = e('mov eAX,Ov', 86, 'mov.eAXOv');
  t[0xa2] = e('mov Ob,AL', 86, 'mov.ObAL');
  t[0xa3] = e('mov Ov,eAX', 86, 'mov.OveAX');
  t[0xa4] = e('movsb', 86, 'movs', 'string');
  t[0xa5] = e('movsw/movsd', 86, 'movs', 'string');
  t[0xa6] = e('cmpsb', 86, 'cmps', 'string');
  t[0xa7] = e('cmpsw/cmpsd', 86, 'cmps', 'string');
  t[0xa8] = e('test AL,Ib', 86, 'test.ALIb');
  t[0xa9] = e('test eAX,Iz', 86, 'test.eAXIv');
  t[0xaa] = e('stosb', 86, 'stos', 'string');
  t[0xab] = e('stosw/stosd', 86, 'stos', 'string');
  t[0xac] = e('lodsb', 86, 'lods', 'string');
  t[0xad] = e('lodsw/lodsd', 86, 'lods', 'string');
  t[0xae] = e('scasb', 86, 'scas', 'string');
  t[0xaf] = e('scasw/scasd', 86, 'scas', 'string');
  t[0xc0] = grp2('Eb,Ib', 186);
  t[0xc1] = grp2('Ev,Ib', 186);
  t[0xc2] = e('ret* Iw', 86, 'ret', 'ret');
  t[0xc3] = e('ret*', 86, 'ret', 'ret');
  t[0xc4] = e('les Gv,Mp', 86, 'lxs.GvMp');
  t[0xc5] = e('lds Gv,Mp', 86, 'lxs.GvMp');
  t[0xc6] = g(86, null, [e('mov Eb,Ib', 86, 'mov.EbIb'), null, null, null, null, null, null, null]);
  t[0xc7] = g(86, null, [e('mov Ev,Iz', 86, 'mov.EvIv'), null, null, null, null, null, null, null]);
  t[0xc8] = e('enter Iw,Ib', 186, 'enter');
  t[0xc9] = e('leave', 186, 'leave');
  t[0xca] = e('retf* Iw', 86, 'retf', 'ret');
  t[0xcb] = e('retf*', 86, 'retf', 'ret');
  t[0xcc] = e('int3', 86, 'int3', 'int');
  t[0xcd] = e('int Ib', 86, 'int.Ib', 'int');
  t[0xce] = e('into', 86, 'into', 'int');
  t[0xcf] = e('iret*', 86, 'iret', 'iret');
  t[0xd0] = grp2('Eb,1', 86);
  t[0xd1] = grp2('Ev,1', 86);
  t[0xd2] = grp2('Eb,CL', 86);
  t[0xd3] = grp2('Ev,CL', 86);
  t[0xd4] = e('aam Ib', 86, 'aam');
  t[0xd5] = e('aad Ib', 86, 'aad');
  t[0xd6] = e('salc', 86, 'salc');
  t[0xd7] = e('xlatb', 86, 'xlat');
  for (let i = 0; i < 8; i++) t[0xd8 + i] = e('esc', 86, 'esc');
  t[0xe0] = e('loopne Jb', 86, 'loop', 'loop', 'asize');
  t[0xe1] = e('loope Jb', 86, 'loop', 'loop', 'asize');
  t[0xe2] = e('loop Jb', 86, 'loop', 'loop', 'asize');
  t[0xe3] = e('jcxz/jecxz Jb', 86, 'loop', 'jcc', 'asize');
  t[0xe4] = e('in AL,Ib', 86, 'in.ALIb');
  t[0xe5] = e('in eAX,Ib', 86, 'in.eAXIb');
  t[0xe6] = e('out Ib,AL', 86, 'out.IbAL');
  t[0xe7] = e('out Ib,eAX', 86, 'out.IbeAX');
  t[0xe8] = e('call Jz', 86, 'call.Jv', 'call');
  t[0xe9] = e('jmp Jz', 86, 'jmp.Jv', 'jump');
  t[0xea] = e('jmp Ap', 86, 'jmp.Ap', 'jump');
  t[0xeb] = e('jmp Jb', 86, 'jmp.Jb', 'jump');
  t[0xec] = e('in AL,DX', 86, 'in.ALDX');
  t[0xed] = e('in eAX,DX', 86, 'in.eAXDX');
  t[0xee] = e('out DX,AL', 86, 'out.DXAL');
  t[0xef] = e('out DX,eAX', 86, 'out.DXeAX');
  t[0xf0] = e('lock', 86, 'prefix.lock', 'prefix');
  t[0xf1] = e('int1', 386, 'int1', 'int');
  t[0xf2] = e('repne', 86, 'prefix.rep', 'prefix');
  t[0xf3] = e('rep', 86, 'prefix.rep', 'prefix');
  t[0xf4] = e('hlt', 86, 'hlt', 'halt');
  t[0xf5] = e('cmc', 86, 'cmc');
  t[0xf6] = grp3('b');
  t[0xf7] = grp3('v');
  t[0xf8] = e('clc', 86, 'clc');
  t[0xf9] = e('stc', 86, 'stc');
  t[0xfa] = e('cli', 86, 'cli');
  t[0xfb] = e('sti', 86, 'sti');
  t[0xfc] = e('cld', 86, 'cld');
  t[0xfd] = e('std', 86, 'std');
  t[0xfe] = g(86, null, [e('inc Eb', 86, 'incdec.Eb', 'plain', 'lock'), e('dec Eb', 86, 'incdec.Eb', 'plain', 'lock'), null, null, null, null, null, null]);
  t[0xff] = g(86, null, [
    e('inc Ev', 86, 'incdec.Ev', 'plain', 'lock'),
    e('dec Ev', 86, 'incdec.Ev', 'plain', 'lock'),
    e('call Ev', 86, 'call.Ev', 'call'),
    e('call Mp', 86, 'call.Mp', 'call'),
    e('jmp Ev', 86, 'jmp.Ev', 'jump'),
    e('jmp Mp', 86, 'jmp.Mp', 'jump'),
    e('push Ev', 86, 'push.Ev'),
    null,
  ]);
  return t;
}

function buildTwoByte(): TableSlot[] {
  const t: TableSlot[] = new Array<TableSlot>(256).fill(null);
  t[0x00] = g(286, null, [
    e('sldt Ev', 286, 'sldt'),
    e('str Ev', 286, 'str'),
    e('lldt Ew', 286, 'lldt'),
    e('ltr Ew', 286, 'ltr'),
    e('verr Ew', 286, 'verr'),
    e('verw Ew', 286, 'verw'),
    null,
    null,
  ]);
  t[0x01] = g(286, null, [
    e('sgdt Ms', 286, 'sgdt'),
    e('sidt Ms', 286, 'sidt'),
    e('lgdt Ms', 286, 'lgdt'),
    e('lidt Ms', 286, 'lidt'),
    e('smsw Ev', 286, 'smsw'),
    null,
    e('lmsw Ew', 286, 'lmsw'),
    e('invlpg M', 486, 'invlpg'),
  ]);
  t[0x02] = e('lar Gv,Ev', 286, 'lar');
  t[0x03] = e('lsl Gv,Ev', 286, 'lsl');
  t[0x06] = e('clts', 286, 'clts');
  // 0F 0B has been an invalid opcode since the 286 (later named UD2).
  t[0x0b] = e('ud2', 286, 'invalid');
  t[0x08] = e('invd', 486, 'cacheNop');
  t[0x09] = e('wbinvd', 486, 'cacheNop');
  t[0x20] = e('mov Rd,Cd', 386, 'mov.RdCd');
  t[0x21] = e('mov Rd,Dd', 386, 'mov.RdDd');
  t[0x22] = e('mov Cd,Rd', 386, 'mov.CdRd');
  t[0x23] = e('mov Dd,Rd', 386, 'mov.DdRd');
  t[0x24] = e('mov Rd,Td', 386, 'mov.RdTd');
  t[0x26] = e('mov Td,Rd', 386, 'mov.TdRd');
  // Private to this product: the BIOS trap, valid only inside the system BIOS ROM.
  t[0x3f] = e('bioscall Iw', 286, 'biosTrap', 'call');
  for (let cc = 0; cc < 16; cc++) {
    t[0x80 + cc] = e(`j${CC[cc]} Jz`, 386, 'jcc.Jv', 'jcc');
    t[0x90 + cc] = e(`set${CC[cc]} Eb`, 386, 'setcc.Eb');
  }
  t[0xa0] = e('push FS', 386, 'push.Sw');
  t[0xa1] = e('pop FS', 386, 'pop.Sw');
  t[0xa2] = e('cpuid', 486, 'cpuid');
  t[0xa3] = e('bt Ev,Gv', 386, 'bt.EvGv');
  t[0xa4] = e('shld Ev,Gv,Ib', 386, 'shld.EvGv');
  t[0xa5] = e('shld Ev,Gv,CL', 386, 'shld.EvGv');
  t[0xa8] = e('push GS', 386, 'push.Sw');
  t[0xa9] = e('pop GS', 386, 'pop.Sw');
  t[0xab] = e('bts Ev,Gv', 386, 'bt.EvGv', 'plain', 'lock');
  t[0xac] = e('shrd Ev,Gv,Ib', 386, 'shrd.EvGv');
  t[0xad] = e('shrd Ev,Gv,CL', 386, 'shrd.EvGv');
  t[0xaf] = e('imul Gv,Ev', 386, 'imul.GvEv');
  t[0xb0] = e('cmpxchg Eb,Gb', 486, 'cmpxchg.EbGb', 'plain', 'lock');
  t[0xb1] = e('cmpxchg Ev,Gv', 486, 'cmpxchg.EvGv', 'plain', 'lock');
  t[0xb2] = e('lss Gv,Mp', 386, 'lxs.GvMp');
  t[0xb3] = e('btr Ev,Gv', 386, 'bt.EvGv', 'plain', 'lock');
  t[0xb4] = e('lfs Gv,Mp', 386, 'lxs.GvMp');
  t[0xb5] = e('lgs Gv,Mp', 386, 'lxs.GvMp');
  t[0xb6] = e('movzx Gv,Eb', 386, 'movzx.GvEb');
  t[0xb7] = e('movzx Gv,Ew', 386, 'movzx.GvEw');
  t[0xba] = g(386, null, [
    null,
    null,
    null,
    null,
    e('bt Ev,Ib', 386, 'bt.EvIb'),
    e('bts Ev,Ib', 386, 'bt.EvIb', 'plain', 'lock'),
    e('btr Ev,Ib', 386, 'bt.EvIb', 'plain', 'lock'),
    e('btc Ev,Ib', 386, 'bt.EvIb', 'plain', 'lock'),
  ]);
  t[0xbb] = e('btc Ev,Gv', 386, 'bt.EvGv', 'plain', 'lock');
  // Reserved invalid opcodes that still take a ModR/M operand (later named UD1 and UD0).
  t[0xb9] = e('ud1 Gv,Ev', 286, 'invalid');
  t[0xff] = e('ud0 Gv,Ev', 286, 'invalid');
  t[0xbc] = e('bsf Gv,Ev', 386, 'bsf.GvEv');
  t[0xbd] = e('bsr Gv,Ev', 386, 'bsr.GvEv');
  t[0xbe] = e('movsx Gv,Eb', 386, 'movsx.GvEb');
  t[0xbf] = e('movsx Gv,Ew', 386, 'movsx.GvEw');
  t[0xc0] = e('xadd Eb,Gb', 486, 'xadd.EbGb', 'plain', 'lock');
  t[0xc1] = e('xadd Ev,Gv', 486, 'xadd.EvGv', 'plain', 'lock');
  for (let r = 0; r < 8; r++) t[0xc8 + r] = e('bswap Zv', 486, 'bswap.Zd');
  return t;
}

/** One-byte opcodes (index = opcode). */
export const ONE_BYTE: readonly TableSlot[] = build();
/** 0Fh-prefixed opcodes (index = second byte). */
export const TWO_BYTE: readonly TableSlot[] = buildTwoByte();

/**
 * The 8086 has no invalid-opcode exception: undefined encodings run another instruction. Opcode
 * aliases (60-6F are 70-7F, C0/C1 are C2/C3, C8/C9 are CA/CB, F1 is LOCK) and group-member aliases
 * (reg field forms that behave like another member).
 */
export const ALIASES_8086: ReadonlyMap<number, number> = new Map([
  ...Array.from({ length: 16 }, (_, i) => [0x60 + i, 0x70 + i] as [number, number]),
  [0xc0, 0xc2],
  [0xc1, 0xc3],
  [0xc8, 0xca],
  [0xc9, 0xcb],
  [0xf1, 0xf0],
]);

/** Group members on the 8086 that alias another member: [opcode, reg] -> reg. */
export const GROUP_ALIASES_8086: readonly (readonly [number, number, number])[] = [
  ...[1, 2, 3, 4, 5, 6, 7].map((r) => [0x8f, r, 0] as const),
  ...[1, 2, 3, 4, 5, 6, 7].map((r) => [0xc6, r, 0] as const),
  ...[1, 2, 3, 4, 5, 6, 7].map((r) => [0xc7, r, 0] as const),
  [0xff, 7, 6],
];

/**
 * Undefined group members that the 286 decodes in full (operands included) before raising #UD:
 * [opcode, handler key].
 */
export const FULL_DECODE_UD_286: ReadonlyMap<number, string> = new Map([
  [0xc6, 'mov.EbIb.invalid'],
  [0xc7, 'mov.EvIv.invalid'],
]);

/** 386+: may `op` (one-byte, or second byte after 0Fh) with ModR/M reg field `reg` take LOCK? */
export function isLockable(twoByte: boolean, op: number, reg: number): boolean {
  const slot = (twoByte ? TWO_BYTE : ONE_BYTE)[op];
  if (slot === null) return false;
  if (isGroup(slot)) return slot.members[reg]?.lock ?? false;
  return slot.lock;
}

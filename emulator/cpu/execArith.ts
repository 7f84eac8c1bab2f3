/**
 * Integer arithmetic handlers: the ALU forms 00h-3Dh, group 1 (80h-83h), INC/DEC, TEST, NOT, NEG,
 * and the 486 additions XADD and CMPXCHG.
 */
import { alu16, alu32, alu8, dec16, dec32, dec8, inc16, inc32, inc8, test16, test32, test8 } from './alu.js';
import type { CpuCore, Handler } from './cpuCore.js';
import { LZ_SUB16, LZ_SUB32, LZ_SUB8 } from './flags.js';
import { BYTE_REG } from './registers.js';

const CMP = 7;

// ---- ALU forms: op bits 3-5 select the operation, bits 0-2 the form ---------------------------

function aluEbGb(c: CpuCore, op: number): void {
  const m = c.fetch8();
  const k = (op >> 3) & 7;
  const r8 = c.r8;
  const src = r8[BYTE_REG[(m >> 3) & 7]];
  if (m >= 0xc0) {
    const d = BYTE_REG[m & 7];
    const res = alu8(c, k, r8[d], src);
    if (k !== CMP) r8[d] = res;
    return;
  }
  const off = c.ea(m);
  const seg = c.eaSeg;
  const res = alu8(c, k, c.rd8(seg, off), src);
  if (k !== CMP) c.wr8(seg, off, res);
}

function aluEwGw(c: CpuCore, op: number): void {
  const m = c.fetch8();
  const k = (op >> 3) & 7;
  const r16 = c.r16;
  const src = r16[(m >> 2) & 14];
  if (m >= 0xc0) {
    const d = (m & 7) << 1;
    const res = alu16(c, k, r16[d], src);
    if (k !== CMP) r16[d] = res;
    return;
  }
  const off = c.ea(m);
  const seg = c.eaSeg;
  const res = alu16(c, k, c.rd16(seg, off), src);
  if (k !== CMP) c.wr16(seg, off, res);
}

function aluEdGd(c: CpuCore, op: number): void {
  const m = c.fetch8();
  const k = (op >> 3) & 7;
  const r32 = c.r32;
  const src = r32[(m >> 3) & 7];
  if (m >= 0xc0) {
    const d = m & 7;
    const res = alu32(c, k, r32[d], src);
    if (k !== CMP) r32[d] = res;
    return;
  }
  const off = c.ea(m);
  const seg = c.eaSeg;
  const res = alu32(c, k, c.rd32(seg, off), src);
  if (k !== CMP) c.wr32(seg, off, res);
}

function aluGbEb(c: CpuCore, op: number): void {
  const m = c.fetch8();
  const k = (op >> 3) & 7;
  const r8 = c.r8;
  const src = c.readE8(m);
  const d = BYTE_REG[(m >> 3) & 7];
  const res = alu8(c, k, r8[d], src);
  if (k !== CMP) r8[d] = res;
}

function aluGwEw(c: CpuCore, op: number): void {
  const m = c.fetch8();
  const k = (op >> 3) & 7;
  const r16 = c.r16;
  let src: number;
  if (m >= 0xc0) src = r16[(m & 7) << 1];
  else {
    const off = c.ea(m);
    src = c.rd16(c.eaSeg, off);
  }
  const d = (m >> 2) & 14;
  const res = alu16(c, k, r16[d], src);
  if (k !== CMP) r16[d] = res;
}

function aluGdEd(c: CpuCore, op: number): void {
  const m = c.fetch8();
  const k = (op >> 3) & 7;
  const r32 = c.r32;
  let src: number;
  if (m >= 0xc0) src = r32[m & 7];
  else {
    const off = c.ea(m);
    src = c.rd32(c.eaSeg, off);
  }
  const d = (m >> 3) & 7;
  const res = alu32(c, k, r32[d], src);
  if (k !== CMP) r32[d] = res;
}

function aluALIb(c: CpuCore, op: number): void {
  const k = (op >> 3) & 7;
  const res = alu8(c, k, c.r8[0], c.fetch8());
  if (k !== CMP) c.r8[0] = res;
}

function aluAXIw(c: CpuCore, op: number): void {
  const k = (op >> 3) & 7;
  const res = alu16(c, k, c.r16[0], c.fetch16());
  if (k !== CMP) c.r16[0] = res;
}

function aluEAXId(c: CpuCore, op: number): void {
  const k = (op >> 3) & 7;
  const res = alu32(c, k, c.r32[0], c.fetch32());
  if (k !== CMP) c.r32[0] = res;
}

// ---- group 1: 80h Eb,Ib  81h Ev,Iv  82h Eb,Ib (alias of 80h)  83h Ev,Ib sign-extended ------------

function grp1Eb(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  const k = (m >> 3) & 7;
  if (m >= 0xc0) {
    const d = BYTE_REG[m & 7];
    const res = alu8(c, k, c.r8[d], c.fetch8());
    if (k !== CMP) c.r8[d] = res;
    return;
  }
  const off = c.ea(m);
  const seg = c.eaSeg;
  const imm = c.fetch8();
  const res = alu8(c, k, c.rd8(seg, off), imm);
  if (k !== CMP) c.wr8(seg, off, res);
}

function grp1Ew(c: CpuCore, op: number): void {
  const m = c.fetch8();
  const k = (m >> 3) & 7;
  if (m >= 0xc0) {
    const d = (m & 7) << 1;
    const imm = op === 0x83 ? c.fetchS8() & 0xffff : c.fetch16();
    const res = alu16(c, k, c.r16[d], imm);
    if (k !== CMP) c.r16[d] = res;
    return;
  }
  const off = c.ea(m);
  const seg = c.eaSeg;
  const imm = op === 0x83 ? c.fetchS8() & 0xffff : c.fetch16();
  const res = alu16(c, k, c.rd16(seg, off), imm);
  if (k !== CMP) c.wr16(seg, off, res);
}

function grp1Ed(c: CpuCore, op: number): void {
  const m = c.fetch8();
  const k = (m >> 3) & 7;
  if (m >= 0xc0) {
    const d = m & 7;
    const imm = op === 0x83 ? c.fetchS8() : c.fetch32();
    const res = alu32(c, k, c.r32[d], imm);
    if (k !== CMP) c.r32[d] = res;
    return;
  }
  const off = c.ea(m);
  const seg = c.eaSeg;
  const imm = op === 0x83 ? c.fetchS8() : c.fetch32();
  const res = alu32(c, k, c.rd32(seg, off), imm);
  if (k !== CMP) c.wr32(seg, off, res);
}

// ---- INC/DEC register (40h-4Fh) --------------------------------------------------------------

function incZw(c: CpuCore, op: number): void {
  const d = (op & 7) << 1;
  c.r16[d] = inc16(c, c.r16[d]);
}

function decZw(c: CpuCore, op: number): void {
  const d = (op & 7) << 1;
  c.r16[d] = dec16(c, c.r16[d]);
}

function incZd(c: CpuCore, op: number): void {
  const d = op & 7;
  c.r32[d] = inc32(c, c.r32[d]);
}

function decZd(c: CpuCore, op: number): void {
  const d = op & 7;
  c.r32[d] = dec32(c, c.r32[d]);
}

// ---- group 4/5 members INC/DEC r/m (the ModR/M byte is the argument) --------------------------

function incDecEb(c: CpuCore, m: number): void {
  const dec = (m & 0x08) !== 0;
  if (m >= 0xc0) {
    const d = BYTE_REG[m & 7];
    c.r8[d] = dec ? dec8(c, c.r8[d]) : inc8(c, c.r8[d]);
    return;
  }
  const off = c.ea(m);
  const seg = c.eaSeg;
  const v = c.rd8(seg, off);
  c.wr8(seg, off, dec ? dec8(c, v) : inc8(c, v));
}

function incDecEw(c: CpuCore, m: number): void {
  const dec = (m & 0x08) !== 0;
  if (m >= 0xc0) {
    const d = (m & 7) << 1;
    c.r16[d] = dec ? dec16(c, c.r16[d]) : inc16(c, c.r16[d]);
    return;
  }
  const off = c.ea(m);
  const seg = c.eaSeg;
  const v = c.rd16(seg, off);
  c.wr16(seg, off, dec ? dec16(c, v) : inc16(c, v));
}

function incDecEd(c: CpuCore, m: number): void {
  const dec = (m & 0x08) !== 0;
  if (m >= 0xc0) {
    const d = m & 7;
    c.r32[d] = dec ? dec32(c, c.r32[d]) : inc32(c, c.r32[d]);
    return;
  }
  const off = c.ea(m);
  const seg = c.eaSeg;
  const v = c.rd32(seg, off);
  c.wr32(seg, off, dec ? dec32(c, v) : inc32(c, v));
}

// ---- TEST ------------------------------------------------------------------------------------

function testEbGb(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  const v = c.readE8(m);
  test8(c, v, c.r8[BYTE_REG[(m >> 3) & 7]]);
}

function testEwGw(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  let v: number;
  if (m >= 0xc0) v = c.r16[(m & 7) << 1];
  else {
    const off = c.ea(m);
    v = c.rd16(c.eaSeg, off);
  }
  test16(c, v, c.r16[(m >> 2) & 14]);
}

function testEdGd(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  let v: number;
  if (m >= 0xc0) v = c.r32[m & 7];
  else {
    const off = c.ea(m);
    v = c.rd32(c.eaSeg, off);
  }
  test32(c, v, c.r32[(m >> 3) & 7]);
}

function testALIb(c: CpuCore, _op: number): void {
  test8(c, c.r8[0], c.fetch8());
}

function testAXIw(c: CpuCore, _op: number): void {
  test16(c, c.r16[0], c.fetch16());
}

function testEAXId(c: CpuCore, _op: number): void {
  test32(c, c.r32[0], c.fetch32());
}

// ---- group 3 members TEST imm, NOT, NEG (ModR/M argument) --------------------------------------

function testEbIb(c: CpuCore, m: number): void {
  const v = c.readE8(m);
  test8(c, v, c.fetch8());
}

function testEwIw(c: CpuCore, m: number): void {
  let v: number;
  if (m >= 0xc0) v = c.r16[(m & 7) << 1];
  else {
    const off = c.ea(m);
    v = c.rd16(c.eaSeg, off);
  }
  test16(c, v, c.fetch16());
}

function testEdId(c: CpuCore, m: number): void {
  let v: number;
  if (m >= 0xc0) v = c.r32[m & 7];
  else {
    const off = c.ea(m);
    v = c.rd32(c.eaSeg, off);
  }
  test32(c, v, c.fetch32());
}

function notEb(c: CpuCore, m: number): void {
  if (m >= 0xc0) {
    const d = BYTE_REG[m & 7];
    c.r8[d] = ~c.r8[d];
    return;
  }
  const off = c.ea(m);
  const seg = c.eaSeg;
  c.wr8(seg, off, ~c.rd8(seg, off) & 0xff);
}

function notEw(c: CpuCore, m: number): void {
  if (m >= 0xc0) {
    const d = (m & 7) << 1;
    c.r16[d] = ~c.r16[d];
    return;
  }
  const off = c.ea(m);
  const seg = c.eaSeg;
  c.wr16(seg, off, ~c.rd16(seg, off) & 0xffff);
}

function notEd(c: CpuCore, m: number): void {
  if (m >= 0xc0) {
    const d = m & 7;
    c.r32[d] = ~c.r32[d];
    return;
  }
  const off = c.ea(m);
  const seg = c.eaSeg;
  c.wr32(seg, off, ~c.rd32(seg, off));
}

function negEb(c: CpuCore, m: number): void {
  if (m >= 0xc0) {
    const d = BYTE_REG[m & 7];
    c.r8[d] = alu8(c, 5, 0, c.r8[d]);
    return;
  }
  const off = c.ea(m);
  const seg = c.eaSeg;
  c.wr8(seg, off, alu8(c, 5, 0, c.rd8(seg, off)));
}

function negEw(c: CpuCore, m: number): void {
  if (m >= 0xc0) {
    const d = (m & 7) << 1;
    c.r16[d] = alu16(c, 5, 0, c.r16[d]);
    return;
  }
  const off = c.ea(m);
  const seg = c.eaSeg;
  c.wr16(seg, off, alu16(c, 5, 0, c.rd16(seg, off)));
}

function negEd(c: CpuCore, m: number): void {
  if (m >= 0xc0) {
    const d = m & 7;
    c.r32[d] = alu32(c, 5, 0, c.r32[d]);
    return;
  }
  const off = c.ea(m);
  const seg = c.eaSeg;
  c.wr32(seg, off, alu32(c, 5, 0, c.rd32(seg, off)));
}

// ---- 486: XADD, CMPXCHG ----------------------------------------------------------------------

function xaddEbGb(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  const g = BYTE_REG[(m >> 3) & 7];
  if (m >= 0xc0) {
    const d = BYTE_REG[m & 7];
    const dst = c.r8[d];
    const sum = alu8(c, 0, dst, c.r8[g]);
    c.r8[g] = dst;
    c.r8[d] = sum;
    return;
  }
  const off = c.ea(m);
  const seg = c.eaSeg;
  const dst = c.rd8(seg, off);
  const sum = alu8(c, 0, dst, c.r8[g]);
  c.wr8(seg, off, sum);
  c.r8[g] = dst;
}

function xaddEwGw(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  const g = (m >> 2) & 14;
  if (m >= 0xc0) {
    const d = (m & 7) << 1;
    const dst = c.r16[d];
    const sum = alu16(c, 0, dst, c.r16[g]);
    c.r16[g] = dst;
    c.r16[d] = sum;
    return;
  }
  const off = c.ea(m);
  const seg = c.eaSeg;
  const dst = c.rd16(seg, off);
  const sum = alu16(c, 0, dst, c.r16[g]);
  c.wr16(seg, off, sum);
  c.r16[g] = dst;
}

function xaddEdGd(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  const g = (m >> 3) & 7;
  if (m >= 0xc0) {
    const d = m & 7;
    const dst = c.r32[d];
    const sum = alu32(c, 0, dst, c.r32[g]);
    c.r32[g] = dst;
    c.r32[d] = sum;
    return;
  }
  const off = c.ea(m);
  const seg = c.eaSeg;
  const dst = c.rd32(seg, off);
  const sum = alu32(c, 0, dst, c.r32[g]);
  c.wr32(seg, off, sum);
  c.r32[g] = dst;
}

/**
 * CMPXCHG compares the accumulator with the destination. Equal: ZF=1 and the destination gets the
 * source. Different: ZF=0 and the accumulator gets the destination; the 486 still writes the
 * destination back to itself (a locked read-modify-write cycle).
 */
function cmpxchgEbGb(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  const src = c.r8[BYTE_REG[(m >> 3) & 7]];
  let dst: number;
  let off = 0;
  let seg = 0;
  if (m >= 0xc0) dst = c.r8[BYTE_REG[m & 7]];
  else {
    off = c.ea(m);
    seg = c.eaSeg;
    dst = c.rd8(seg, off);
  }
  alu8(c, CMP, c.r8[0], dst);
  const equal = c.lzOp === LZ_SUB8 && c.lzR === 0;
  const out = equal ? src : dst;
  if (m >= 0xc0) c.r8[BYTE_REG[m & 7]] = out;
  else c.wr8(seg, off, out);
  if (!equal) c.r8[0] = dst;
}

function cmpxchgEwGw(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  const src = c.r16[(m >> 2) & 14];
  let dst: number;
  let off = 0;
  let seg = 0;
  if (m >= 0xc0) dst = c.r16[(m & 7) << 1];
  else {
    off = c.ea(m);
    seg = c.eaSeg;
    dst = c.rd16(seg, off);
  }
  alu16(c, CMP, c.r16[0], dst);
  const equal = c.lzOp === LZ_SUB16 && c.lzR === 0;
  const out = equal ? src : dst;
  if (m >= 0xc0) c.r16[(m & 7) << 1] = out;
  else c.wr16(seg, off, out);
  if (!equal) c.r16[0] = dst;
}

function cmpxchgEdGd(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  const src = c.r32[(m >> 3) & 7];
  let dst: number;
  let off = 0;
  let seg = 0;
  if (m >= 0xc0) dst = c.r32[m & 7];
  else {
    off = c.ea(m);
    seg = c.eaSeg;
    dst = c.rd32(seg, off);
  }
  alu32(c, CMP, c.r32[0], dst);
  const equal = c.lzOp === LZ_SUB32 && c.lzR === 0;
  const out = equal ? src : dst;
  if (m >= 0xc0) c.r32[m & 7] = out;
  else c.wr32(seg, off, out);
  if (!equal) c.r32[0] = dst;
}

/** Handlers by exec key: one function, or [16-bit, 32-bit] operand-size variants. */
export const arithHandlers: Record<string, Handler | readonly [Handler, Handler]> = {
  'alu.EbGb': aluEbGb,
  'alu.EvGv': [aluEwGw, aluEdGd],
  'alu.GbEb': aluGbEb,
  'alu.GvEv': [aluGwEw, aluGdEd],
  'alu.ALIb': aluALIb,
  'alu.eAXIv': [aluAXIw, aluEAXId],
  'grp1.Eb': grp1Eb,
  'grp1.Ev': [grp1Ew, grp1Ed],
  'inc.Zv': [incZw, incZd],
  'dec.Zv': [decZw, decZd],
  'incdec.Eb': incDecEb,
  'incdec.Ev': [incDecEw, incDecEd],
  'test.EbGb': testEbGb,
  'test.EvGv': [testEwGw, testEdGd],
  'test.ALIb': testALIb,
  'test.eAXIv': [testAXIw, testEAXId],
  'test.EbIb': testEbIb,
  'test.EvIv': [testEwIw, testEdId],
  'not.Eb': notEb,
  'not.Ev': [notEw, notEd],
  'neg.Eb': negEb,
  'neg.Ev': [negEw, negEd],
  'xadd.EbGb': xaddEbGb,
  'xadd.EvGv': [xaddEwGw, xaddEdGd],
  'cmpxchg.EbGb': cmpxchgEbGb,
  'cmpxchg.EvGv': [cmpxchgEwGw, cmpxchgEdGd],
};

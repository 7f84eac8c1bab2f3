/**
 * 386/486 bit instructions: BT/BTS/BTR/BTC (register and immediate bit offsets), BSF/BSR, SETcc,
 * BSWAP.
 *
 * BT* with a memory operand and a register bit offset addresses the bit string beyond the operand:
 * the signed offset selects the word/dword at ea + 2 * (offset >> 4) (or 4 * (offset >> 5)).
 * BT* set CF to the selected bit; ZF is unchanged; OF/SF/AF/PF are undefined and kept.
 * BSF/BSR set ZF when the source is zero and then leave the destination unchanged.
 */
import type { CpuCore, Handler } from './cpuCore.js';
import { CF, ZF } from './flags.js';
import { BYTE_REG } from './registers.js';

/** 0 BT, 1 BTS, 2 BTR, 3 BTC: returns the new value and sets CF from the old bit. */
function bitOp(c: CpuCore, kind: number, v: number, bit: number): number {
  const mask = 1 << bit;
  c.materializeFlags();
  c.flags = (v & mask) !== 0 ? c.flags | CF : c.flags & ~CF;
  switch (kind) {
    case 1:
      return v | mask;
    case 2:
      return v & ~mask;
    case 3:
      return v ^ mask;
    default:
      return v;
  }
}

/** Kind from the opcode: A3 BT, AB BTS, B3 BTR, BB BTC. */
function kindOf(op: number): number {
  return (op >> 3) & 3;
}

function btEwGw(c: CpuCore, op: number): void {
  const m = c.fetch8();
  const kind = kindOf(op);
  const offset = c.r16[(m >> 2) & 14];
  if (m >= 0xc0) {
    const d = (m & 7) << 1;
    c.r16[d] = bitOp(c, kind, c.r16[d], offset & 15);
    return;
  }
  const base = c.ea(m);
  const seg = c.eaSeg;
  const off = c.as32 ? (base + 2 * (((offset << 16) >> 16) >> 4)) >>> 0 : (base + 2 * (((offset << 16) >> 16) >> 4)) & 0xffff;
  const v = c.rd16(seg, off);
  const r = bitOp(c, kind, v, offset & 15);
  if (kind !== 0) c.wr16(seg, off, r);
}

function btEdGd(c: CpuCore, op: number): void {
  const m = c.fetch8();
  const kind = kindOf(op);
  const offset = c.r32[(m >> 3) & 7];
  if (m >= 0xc0) {
    const d = m & 7;
    c.r32[d] = bitOp(c, kind, c.r32[d], offset & 31);
    return;
  }
  const base = c.ea(m);
  const seg = c.eaSeg;
  const off = c.as32 ? (base + 4 * (offset >> 5)) >>> 0 : (base + 4 * (offset >> 5)) & 0xffff;
  const v = c.rd32(seg, off);
  const r = bitOp(c, kind, v, offset & 31);
  if (kind !== 0) c.wr32(seg, off, r);
}

/** Group 8 (0F BA): reg 4 BT, 5 BTS, 6 BTR, 7 BTC with an imm8 bit offset; the argument is ModR/M. */
function btEwIb(c: CpuCore, m: number): void {
  const kind = ((m >> 3) & 7) - 4;
  if (m >= 0xc0) {
    const d = (m & 7) << 1;
    c.r16[d] = bitOp(c, kind, c.r16[d], c.fetch8() & 15);
    return;
  }
  const off = c.ea(m);
  const seg = c.eaSeg;
  const bit = c.fetch8() & 15;
  const r = bitOp(c, kind, c.rd16(seg, off), bit);
  if (kind !== 0) c.wr16(seg, off, r);
}

function btEdIb(c: CpuCore, m: number): void {
  const kind = ((m >> 3) & 7) - 4;
  if (m >= 0xc0) {
    const d = m & 7;
    c.r32[d] = bitOp(c, kind, c.r32[d], c.fetch8() & 31);
    return;
  }
  const off = c.ea(m);
  const seg = c.eaSeg;
  const bit = c.fetch8() & 31;
  const r = bitOp(c, kind, c.rd32(seg, off), bit);
  if (kind !== 0) c.wr32(seg, off, r);
}

function setZF(c: CpuCore, on: boolean): void {
  c.materializeFlags();
  c.flags = on ? c.flags | ZF : c.flags & ~ZF;
}

function bsfW(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  const v = c.readE16(m);
  setZF(c, v === 0);
  if (v !== 0) c.r16[(m >> 2) & 14] = 31 - Math.clz32(v & -v);
}

function bsfD(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  const v = c.readE32(m);
  setZF(c, v === 0);
  if (v !== 0) c.r32[(m >> 3) & 7] = 31 - Math.clz32(v & -v);
}

function bsrW(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  const v = c.readE16(m);
  setZF(c, v === 0);
  if (v !== 0) c.r16[(m >> 2) & 14] = 31 - Math.clz32(v);
}

function bsrD(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  const v = c.readE32(m);
  setZF(c, v === 0);
  if (v !== 0) c.r32[(m >> 3) & 7] = 31 - Math.clz32(v);
}

function setccEb(c: CpuCore, op: number): void {
  const m = c.fetch8();
  if (m >= 0xc0) {
    c.r8[BYTE_REG[m & 7]] = c.testCC(op & 15) ? 1 : 0;
    return;
  }
  const off = c.ea(m);
  c.wr8(c.eaSeg, off, c.testCC(op & 15) ? 1 : 0);
}

/** BSWAP r32 (0F C8+r). With a 16-bit operand size the result is undefined; this core swaps 32 bits. */
function bswap(c: CpuCore, op: number): void {
  const d = op & 7;
  const v = c.r32[d];
  c.r32[d] = ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

export const bitHandlers: Record<string, Handler | readonly [Handler, Handler]> = {
  'bt.EvGv': [btEwGw, btEdGd],
  'bt.EvIb': [btEwIb, btEdIb],
  'bsf.GvEv': [bsfW, bsfD],
  'bsr.GvEv': [bsrW, bsrD],
  'setcc.Eb': setccEb,
  'bswap.Zd': bswap,
};

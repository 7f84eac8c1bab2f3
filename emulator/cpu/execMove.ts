/**
 * Data movement: MOV (all forms, segment registers included), XCHG, LEA, LDS/LES/LSS/LFS/LGS,
 * MOVZX/MOVSX, XLAT, CBW/CWDE, CWD/CDQ, LAHF/SAHF and the undocumented SALC.
 */
import { ATT_SHADOW, type CpuCore, type Handler } from './cpuCore.js';
import { AF, CF, PF, SF, ZF } from './flags.js';
import { VEC_UD } from './fault.js';
import { BYTE_REG, CS, EAX, EDX, SS } from './registers.js';

function movEbGb(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  const v = c.r8[BYTE_REG[(m >> 3) & 7]];
  if (m >= 0xc0) c.r8[BYTE_REG[m & 7]] = v;
  else {
    const off = c.ea(m);
    c.wr8(c.eaSeg, off, v);
  }
}

function movEwGw(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  const v = c.r16[(m >> 2) & 14];
  if (m >= 0xc0) c.r16[(m & 7) << 1] = v;
  else {
    const off = c.ea(m);
    c.wr16(c.eaSeg, off, v);
  }
}

function movEdGd(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  const v = c.r32[(m >> 3) & 7];
  if (m >= 0xc0) c.r32[m & 7] = v;
  else {
    const off = c.ea(m);
    c.wr32(c.eaSeg, off, v);
  }
}

function movGbEb(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  c.r8[BYTE_REG[(m >> 3) & 7]] = c.readE8(m);
}

function movGwEw(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  c.r16[(m >> 2) & 14] = c.readE16(m);
}

function movGdEd(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  c.r32[(m >> 3) & 7] = c.readE32(m);
}

/** B0h-B7h */
function movZbIb(c: CpuCore, op: number): void {
  c.r8[BYTE_REG[op & 7]] = c.fetch8();
}

/** B8h-BFh */
function movZwIw(c: CpuCore, op: number): void {
  c.r16[(op & 7) << 1] = c.fetch16();
}

function movZdId(c: CpuCore, op: number): void {
  c.r32[op & 7] = c.fetch32();
}

/** C6h/C7h reg 0 (the 8086 ignores reg; later models #UD on reg != 0, see the opcode table). */
function movEbIb(c: CpuCore, m: number): void {
  if (m >= 0xc0) c.r8[BYTE_REG[m & 7]] = c.fetch8();
  else {
    const off = c.ea(m);
    c.wr8(c.eaSeg, off, c.fetch8());
  }
}

function movEwIw(c: CpuCore, m: number): void {
  if (m >= 0xc0) c.r16[(m & 7) << 1] = c.fetch16();
  else {
    const off = c.ea(m);
    c.wr16(c.eaSeg, off, c.fetch16());
  }
}

function movEdId(c: CpuCore, m: number): void {
  if (m >= 0xc0) c.r32[m & 7] = c.fetch32();
  else {
    const off = c.ea(m);
    c.wr32(c.eaSeg, off, c.fetch32());
  }
}

/**
 * C6h/C7h with reg != 0 on the 286: the whole instruction (displacement and immediate) is fetched
 * before #UD, so an over-long one raises the length #GP instead (measured).
 */
function movEbIbInvalid(c: CpuCore, m: number): void {
  if (m < 0xc0) c.ea(m);
  c.fetch8();
  c.raise(VEC_UD);
}

function movEvIvInvalid(c: CpuCore, m: number): void {
  if (m < 0xc0) c.ea(m);
  if (c.opIdx === 0) c.fetch16();
  else c.fetch32();
  c.raise(VEC_UD);
}

/** A0h-A3h: the offset has the address size; the segment is DS or the override. */
function moffs(c: CpuCore): number {
  return c.as32 ? c.fetch32() >>> 0 : c.fetch16();
}

function movALOb(c: CpuCore, _op: number): void {
  c.r8[0] = c.rd8(c.dsSeg, moffs(c));
}
function movAXOw(c: CpuCore, _op: number): void {
  c.r16[0] = c.rd16(c.dsSeg, moffs(c));
}
function movEAXOd(c: CpuCore, _op: number): void {
  c.r32[0] = c.rd32(c.dsSeg, moffs(c));
}
function movObAL(c: CpuCore, _op: number): void {
  c.wr8(c.dsSeg, moffs(c), c.r8[0]);
}
function movOwAX(c: CpuCore, _op: number): void {
  c.wr16(c.dsSeg, moffs(c), c.r16[0]);
}
function movOdEAX(c: CpuCore, _op: number): void {
  c.wr32(c.dsSeg, moffs(c), c.r32[0]);
}

/**
 * Segment register number from the ModR/M reg field: the 8086 decodes only 2 bits; later models
 * have 4 (286) or 6 (386+) segment registers and raise #UD for the rest.
 */
function sreg(c: CpuCore, m: number): number {
  const r = (m >> 3) & 7;
  if (c.gen === 86) return r & 3;
  if (r >= (c.gen >= 386 ? 6 : 4)) c.raise(VEC_UD);
  return r;
}

/** 8Ch: MOV Ev,Sreg. A register destination with a 32-bit operand is zero-extended. */
function movEwSw(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  const v = c.segSel[sreg(c, m)];
  if (m >= 0xc0) {
    if (c.opIdx !== 0) c.r32[m & 7] = v;
    else c.r16[(m & 7) << 1] = v;
  } else {
    const off = c.ea(m);
    c.wr16(c.eaSeg, off, v);
  }
}

/** 8Eh: MOV Sreg,Ew. Loading SS holds off interrupts until after the next instruction. */
function movSwEw(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  const s = sreg(c, m);
  if (s === CS && c.gen !== 86) c.raise(VEC_UD);
  const v = c.readE16(m);
  c.loadSeg(s, v);
  if (s === SS) c.attention |= ATT_SHADOW;
}

function leaGw(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  if (m >= 0xc0) c.raise(VEC_UD);
  c.r16[(m >> 2) & 14] = c.ea(m);
}

function leaGd(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  if (m >= 0xc0) c.raise(VEC_UD);
  c.r32[(m >> 3) & 7] = c.ea(m);
}

/** LES/LDS/LSS/LFS/LGS: offset then selector from memory; the segment register is loaded first. */
function loadFar(c: CpuCore, seg: number, size32: boolean): void {
  const m = c.fetch8();
  if (m >= 0xc0) c.raise(VEC_UD);
  const off = c.ea(m);
  const s = c.eaSeg;
  const a32 = c.as32;
  const value = size32 ? c.rd32(s, off) : c.rd16(s, off);
  const selOff = a32 ? (off + (size32 ? 4 : 2)) >>> 0 : (off + (size32 ? 4 : 2)) & 0xffff;
  const sel = c.rd16(s, selOff);
  c.loadSeg(seg, sel);
  if (size32) c.r32[(m >> 3) & 7] = value;
  else c.r16[(m >> 2) & 14] = value;
  if (seg === SS) c.attention |= ATT_SHADOW;
}

/** One-byte C4h (LES) / C5h (LDS); 0F B2h (LSS), B4h (LFS), B5h (LGS). */
function segOfLoad(op: number): number {
  switch (op) {
    case 0xc4:
      return 0;
    case 0xc5:
      return 3;
    case 0xb2:
      return 2;
    case 0xb4:
      return 4;
    default:
      return 5;
  }
}

function lxsW(c: CpuCore, op: number): void {
  loadFar(c, segOfLoad(op), false);
}

function lxsD(c: CpuCore, op: number): void {
  loadFar(c, segOfLoad(op), true);
}

function xchgEbGb(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  const g = BYTE_REG[(m >> 3) & 7];
  if (m >= 0xc0) {
    const d = BYTE_REG[m & 7];
    const t = c.r8[d];
    c.r8[d] = c.r8[g];
    c.r8[g] = t;
    return;
  }
  const off = c.ea(m);
  const seg = c.eaSeg;
  const t = c.rd8(seg, off);
  c.wr8(seg, off, c.r8[g]);
  c.r8[g] = t;
}

function xchgEwGw(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  const g = (m >> 2) & 14;
  if (m >= 0xc0) {
    const d = (m & 7) << 1;
    const t = c.r16[d];
    c.r16[d] = c.r16[g];
    c.r16[g] = t;
    return;
  }
  const off = c.ea(m);
  const seg = c.eaSeg;
  const t = c.rd16(seg, off);
  c.wr16(seg, off, c.r16[g]);
  c.r16[g] = t;
}

function xchgEdGd(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  const g = (m >> 3) & 7;
  if (m >= 0xc0) {
    const d = m & 7;
    const t = c.r32[d];
    c.r32[d] = c.r32[g];
    c.r32[g] = t;
    return;
  }
  const off = c.ea(m);
  const seg = c.eaSeg;
  const t = c.rd32(seg, off);
  c.wr32(seg, off, c.r32[g]);
  c.r32[g] = t;
}

/** 90h-97h: XCHG eAX, reg (90h itself is NOP). */
function xchgZwAX(c: CpuCore, op: number): void {
  const d = (op & 7) << 1;
  const t = c.r16[d];
  c.r16[d] = c.r16[0];
  c.r16[0] = t;
}

function xchgZdEAX(c: CpuCore, op: number): void {
  const d = op & 7;
  const t = c.r32[d];
  c.r32[d] = c.r32[0];
  c.r32[0] = t;
}

function nop(_c: CpuCore, _op: number): void {}

function movzxGwEb(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  c.r16[(m >> 2) & 14] = c.readE8(m);
}
function movzxGdEb(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  c.r32[(m >> 3) & 7] = c.readE8(m);
}
function movzxGwEw(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  c.r16[(m >> 2) & 14] = c.readE16(m);
}
function movzxGdEw(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  c.r32[(m >> 3) & 7] = c.readE16(m);
}
function movsxGwEb(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  c.r16[(m >> 2) & 14] = (c.readE8(m) << 24) >> 24;
}
function movsxGdEb(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  c.r32[(m >> 3) & 7] = (c.readE8(m) << 24) >> 24;
}
function movsxGwEw(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  c.r16[(m >> 2) & 14] = c.readE16(m);
}
function movsxGdEw(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  c.r32[(m >> 3) & 7] = (c.readE16(m) << 16) >> 16;
}

function xlat(c: CpuCore, _op: number): void {
  const off = c.as32 ? (c.r32[3] + c.r8[0]) >>> 0 : (c.r16[6] + c.r8[0]) & 0xffff;
  c.r8[0] = c.rd8(c.dsSeg, off);
}

function cbw(c: CpuCore, _op: number): void {
  c.r16[0] = (c.r8[0] << 24) >> 24;
}
function cwde(c: CpuCore, _op: number): void {
  c.r32[EAX] = (c.r16[0] << 16) >> 16;
}
function cwd(c: CpuCore, _op: number): void {
  c.r16[EDX << 1] = c.r16[0] & 0x8000 ? 0xffff : 0;
}
function cdq(c: CpuCore, _op: number): void {
  c.r32[EDX] = c.r32[EAX] >> 31;
}

const AH_FLAGS = SF | ZF | AF | PF | CF;

function sahf(c: CpuCore, _op: number): void {
  c.setFlagBits(c.r8[1], AH_FLAGS);
}

function lahf(c: CpuCore, _op: number): void {
  c.r8[1] = (c.getFlags() & AH_FLAGS) | 2;
}

function salc(c: CpuCore, _op: number): void {
  c.r8[0] = c.getCF() ? 0xff : 0;
}

export const moveHandlers: Record<string, Handler | readonly [Handler, Handler]> = {
  'mov.EbGb': movEbGb,
  'mov.EvGv': [movEwGw, movEdGd],
  'mov.GbEb': movGbEb,
  'mov.GvEv': [movGwEw, movGdEd],
  'mov.ZbIb': movZbIb,
  'mov.ZvIv': [movZwIw, movZdId],
  'mov.EbIb': movEbIb,
  'mov.EvIv': [movEwIw, movEdId],
  'mov.EbIb.invalid': movEbIbInvalid,
  'mov.EvIv.invalid': movEvIvInvalid,
  'mov.ALOb': movALOb,
  'mov.eAXOv': [movAXOw, movEAXOd],
  'mov.ObAL': movObAL,
  'mov.OveAX': [movOwAX, movOdEAX],
  'mov.EwSw': movEwSw,
  'mov.SwEw': movSwEw,
  'lea.GvM': [leaGw, leaGd],
  'lxs.GvMp': [lxsW, lxsD],
  'xchg.EbGb': xchgEbGb,
  'xchg.EvGv': [xchgEwGw, xchgEdGd],
  'xchg.ZveAX': [xchgZwAX, xchgZdEAX],
  nop,
  'movzx.GvEb': [movzxGwEb, movzxGdEb],
  'movzx.GvEw': [movzxGwEw, movzxGdEw],
  'movsx.GvEb': [movsxGwEb, movsxGdEb],
  'movsx.GvEw': [movsxGwEw, movsxGdEw],
  xlat,
  'cbw.cwde': [cbw, cwde],
  'cwd.cdq': [cwd, cdq],
  sahf,
  lahf,
  salc,
};

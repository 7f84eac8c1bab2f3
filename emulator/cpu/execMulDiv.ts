/**
 * MUL, IMUL (one-, two- and three-operand forms) and DIV, IDIV.
 *
 * Flags: MUL/IMUL define only CF = OF = "the upper half is significant"; the others are undefined
 * and this core derives SF/ZF/PF from the low half of the product, as the 386 does. DIV/IDIV leave
 * every flag undefined; this core leaves them unchanged.
 *
 * 64-bit products and dividends are computed exactly with 16-bit limbs in doubles, never BigInt.
 */
import type { CpuCore, Handler } from './cpuCore.js';
import { CF, LZ_ZSP16, LZ_ZSP32, LZ_ZSP8, OF } from './flags.js';
import { VEC_DE } from './fault.js';
import { EAX, EDX } from './registers.js';

/** Sets CF = OF = `wide` and SF/ZF/PF from `low` (the result at `lz` size). */
function mulFlags(c: CpuCore, wide: boolean, low: number, lz: number): void {
  c.materializeFlags();
  c.flags = wide ? c.flags | CF | OF : c.flags & ~(CF | OF);
  c.lzR = low;
  c.lzOp = lz;
}

function readEb(c: CpuCore, m: number): number {
  return c.readE8(m);
}

function readEw(c: CpuCore, m: number): number {
  if (m >= 0xc0) return c.r16[(m & 7) << 1];
  const off = c.ea(m);
  return c.rd16(c.eaSeg, off);
}

function readEd(c: CpuCore, m: number): number {
  if (m >= 0xc0) return c.r32[m & 7];
  const off = c.ea(m);
  return c.rd32(c.eaSeg, off);
}

/** On the 8086 a REP prefix flips the sign the microcode applies to IMUL/IDIV results. */
function repNegates(c: CpuCore): boolean {
  return c.gen === 86 && c.rep !== 0;
}

// Exact 32 x 32 -> 64 unsigned product; the high half goes to mulHi.
let mulHi = 0;
function mulU32(a: number, b: number): number {
  a >>>= 0;
  b >>>= 0;
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const ll = al * bl;
  const m1 = ah * bl;
  const m2 = al * bh;
  const s = (ll >>> 16) + (m1 & 0xffff) + (m2 & 0xffff);
  mulHi = (ah * bh + Math.floor(m1 / 65536) + Math.floor(m2 / 65536) + Math.floor(s / 65536)) >>> 0;
  return Math.imul(a, b);
}

// ---- one-operand forms (group 3 members; the argument is the ModR/M byte) ---------------------

function mulEb(c: CpuCore, m: number): void {
  const p = c.r8[0] * readEb(c, m);
  c.r16[0] = p;
  mulFlags(c, p > 0xff, p & 0xff, LZ_ZSP8);
}

function mulEw(c: CpuCore, m: number): void {
  const p = c.r16[0] * readEw(c, m);
  c.r16[0] = p;
  c.r16[EDX << 1] = p >>> 16;
  mulFlags(c, p > 0xffff, p & 0xffff, LZ_ZSP16);
}

function mulEd(c: CpuCore, m: number): void {
  const lo = mulU32(c.r32[EAX], readEd(c, m));
  c.r32[EAX] = lo;
  c.r32[EDX] = mulHi;
  mulFlags(c, mulHi !== 0, lo, LZ_ZSP32);
}

function imulEb(c: CpuCore, m: number): void {
  let p = ((c.r8[0] << 24) >> 24) * ((readEb(c, m) << 24) >> 24);
  if (repNegates(c)) p = -p;
  c.r16[0] = p;
  mulFlags(c, p !== (p << 24) >> 24, p & 0xff, LZ_ZSP8);
}

function imulEw(c: CpuCore, m: number): void {
  let p = ((c.r16[0] << 16) >> 16) * ((readEw(c, m) << 16) >> 16);
  if (repNegates(c)) p = -p;
  c.r16[0] = p;
  c.r16[EDX << 1] = p >> 16;
  mulFlags(c, p !== (p << 16) >> 16, p & 0xffff, LZ_ZSP16);
}

function imulEd(c: CpuCore, m: number): void {
  const a = c.r32[EAX];
  const b = readEd(c, m);
  let lo = mulU32(a, b);
  let hi = mulHi;
  // Signed correction of the unsigned product: subtract b << 32 if a < 0, a << 32 if b < 0.
  if (a < 0) hi = (hi - b) >>> 0;
  if (b < 0) hi = (hi - a) >>> 0;
  lo |= 0;
  c.r32[EAX] = lo;
  c.r32[EDX] = hi;
  mulFlags(c, (hi | 0) !== lo >> 31, lo, LZ_ZSP32);
}

function divEb(c: CpuCore, m: number): void {
  const d = readEb(c, m);
  if (d === 0) c.raise(VEC_DE);
  const n = c.r16[0];
  const q = Math.floor(n / d);
  if (q > 0xff) c.raise(VEC_DE);
  c.r8[0] = q;
  c.r8[1] = n - q * d;
}

function divEw(c: CpuCore, m: number): void {
  const d = readEw(c, m);
  if (d === 0) c.raise(VEC_DE);
  const n = (c.r16[EDX << 1] * 65536 + c.r16[0]) >>> 0;
  const q = Math.floor(n / d);
  if (q > 0xffff) c.raise(VEC_DE);
  c.r16[0] = q;
  c.r16[EDX << 1] = n - q * d;
}

// Exact (hi:lo) / d for hi < d (so the quotient fits in 32 bits); the remainder goes to divRem.
let divRem = 0;
function divU64(hi: number, lo: number, d: number): number {
  const r1 = hi * 65536 + (lo >>> 16);
  const q1 = Math.floor(r1 / d);
  const r2 = (r1 - q1 * d) * 65536 + (lo & 0xffff);
  const q2 = Math.floor(r2 / d);
  divRem = r2 - q2 * d;
  return q1 * 65536 + q2;
}

function divEd(c: CpuCore, m: number): void {
  const d = readEd(c, m) >>> 0;
  if (d === 0) c.raise(VEC_DE);
  const hi = c.r32[EDX] >>> 0;
  if (hi >= d) c.raise(VEC_DE);
  const q = divU64(hi, c.r32[EAX] >>> 0, d);
  c.r32[EAX] = q;
  c.r32[EDX] = divRem;
}

function idivEb(c: CpuCore, m: number): void {
  const d = (readEb(c, m) << 24) >> 24;
  if (d === 0) c.raise(VEC_DE);
  const n = (c.r16[0] << 16) >> 16;
  let q = Math.trunc(n / d);
  const r = n - q * d;
  if (repNegates(c)) q = -q;
  if (q > 127 || q < (c.traits.idivMinQuotient ? -128 : -127)) c.raise(VEC_DE);
  c.r8[0] = q;
  c.r8[1] = r;
}

function idivEw(c: CpuCore, m: number): void {
  const d = (readEw(c, m) << 16) >> 16;
  if (d === 0) c.raise(VEC_DE);
  const n = (c.r16[EDX << 1] << 16) | c.r16[0];
  let q = Math.trunc(n / d);
  const r = n - q * d;
  if (repNegates(c)) q = -q;
  if (q > 32767 || q < (c.traits.idivMinQuotient ? -32768 : -32767)) c.raise(VEC_DE);
  c.r16[0] = q;
  c.r16[EDX << 1] = r;
}

function idivEd(c: CpuCore, m: number): void {
  const d = readEd(c, m);
  if (d === 0) c.raise(VEC_DE);
  let hi = c.r32[EDX];
  let lo = c.r32[EAX];
  const negN = hi < 0;
  if (negN) {
    // 64-bit two's complement negation of hi:lo.
    lo = -lo | 0;
    hi = (~hi + (lo === 0 ? 1 : 0)) | 0;
  }
  const ad = Math.abs(d);
  const uh = hi >>> 0;
  if (uh >= ad) c.raise(VEC_DE);
  const uq = divU64(uh, lo >>> 0, ad);
  const q = negN !== d < 0 ? -uq : uq;
  const r = negN ? -divRem : divRem;
  if (q > 0x7fffffff || q < -0x80000000) c.raise(VEC_DE);
  c.r32[EAX] = q;
  c.r32[EDX] = r;
}

// ---- IMUL Gv,Ev,imm (69h, 6Bh) and IMUL Gv,Ev (0F AFh) -----------------------------------------

function imul16(c: CpuCore, g: number, a: number, b: number): void {
  const p = ((a << 16) >> 16) * ((b << 16) >> 16);
  c.r16[g << 1] = p;
  mulFlags(c, p !== (p << 16) >> 16, p & 0xffff, LZ_ZSP16);
}

function imul32(c: CpuCore, g: number, a: number, b: number): void {
  a |= 0;
  b |= 0;
  const lo = Math.imul(a, b);
  // The double product is exact whenever it fits in 53 bits, so it differs from the truncated
  // product exactly when the signed result overflows 32 bits.
  c.r32[g] = lo;
  mulFlags(c, a * b !== lo, lo, LZ_ZSP32);
}

function imulGwEwIw(c: CpuCore, op: number): void {
  const m = c.fetch8();
  const a = readEw(c, m);
  const b = op === 0x6b ? c.fetchS8() : c.fetch16();
  imul16(c, (m >> 3) & 7, a, b);
}

function imulGdEdId(c: CpuCore, op: number): void {
  const m = c.fetch8();
  const a = readEd(c, m);
  const b = op === 0x6b ? c.fetchS8() : c.fetch32();
  imul32(c, (m >> 3) & 7, a, b);
}

function imulGwEw(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  const g = (m >> 3) & 7;
  imul16(c, g, c.r16[g << 1], readEw(c, m));
}

function imulGdEd(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  const g = (m >> 3) & 7;
  imul32(c, g, c.r32[g], readEd(c, m));
}

export const mulDivHandlers: Record<string, Handler | readonly [Handler, Handler]> = {
  'mul.Eb': mulEb,
  'mul.Ev': [mulEw, mulEd],
  'imul.Eb': imulEb,
  'imul.Ev': [imulEw, imulEd],
  'div.Eb': divEb,
  'div.Ev': [divEw, divEd],
  'idiv.Eb': idivEb,
  'idiv.Ev': [idivEw, idivEd],
  'imul.GvEvIv': [imulGwEwIw, imulGdEdId],
  'imul.GvEv': [imulGwEw, imulGdEd],
};

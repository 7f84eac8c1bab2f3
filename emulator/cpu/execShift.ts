/**
 * Group 2 (ROL ROR RCL RCR SHL SHR SAL SAR by 1, CL or imm8) and SHLD/SHRD.
 *
 * Counts: the 186 and later mask the count to 5 bits; the 8086 shifts by the whole CL, so results
 * and CF are computed for counts beyond the operand width. A count of 0 changes nothing.
 * Flags: CF is the last bit shifted out; OF is defined for a count of 1 and computed by the same
 * formula otherwise; shifts set SF/ZF/PF from the result; rotates leave SF/ZF/PF/AF alone. AF after
 * a shift is undefined and left unchanged.
 * Reg /6 is an undocumented alias of SHL from the 186 on; on the 8086 it is SETMO (D0/D1: the
 * destination becomes all ones) or SETMOC (D2/D3: all ones when CL is non-zero).
 */
import type { CpuCore, Handler } from './cpuCore.js';
import { CF, LZ_ZSP16, LZ_ZSP32, LZ_ZSP8, OF } from './flags.js';
import { BYTE_REG } from './registers.js';

function setCO(c: CpuCore, cf: number, of: number): void {
  c.materializeFlags();
  c.flags = (c.flags & ~(CF | OF)) | cf | (of ? OF : 0);
}

const LZ_BY_WIDTH = (w: number): number => (w === 8 ? LZ_ZSP8 : w === 16 ? LZ_ZSP16 : LZ_ZSP32);

/**
 * Applies shift/rotate `k` (the ModR/M reg field) to `v` (zero-extended, width `w`) by `n` > 0.
 * Returns the result (int32 for 32-bit) and sets the flags.
 */
export function shiftOp(c: CpuCore, k: number, v: number, n: number, w: number): number {
  const mask = w === 32 ? -1 : (1 << w) - 1;
  const top = w - 1;
  let r: number;
  let cf: number;
  switch (k) {
    case 0: {
      const s = n % w;
      r = s !== 0 ? ((v << s) | (v >>> (w - s))) & mask : v;
      cf = r & 1;
      setCO(c, cf, ((r >>> top) ^ cf) & 1);
      return r;
    }
    case 1: {
      const s = n % w;
      r = s !== 0 ? ((v >>> s) | (v << (w - s))) & mask : v;
      cf = (r >>> top) & 1;
      setCO(c, cf, ((r >>> top) ^ (r >>> (top - 1))) & 1);
      return r;
    }
    case 2: {
      cf = c.getCF();
      r = v;
      for (let i = n % (w + 1); i > 0; i--) {
        const out = (r >>> top) & 1;
        r = ((r << 1) | cf) & mask;
        cf = out;
      }
      setCO(c, cf, ((r >>> top) ^ cf) & 1);
      return r;
    }
    case 3: {
      cf = c.getCF();
      r = v;
      for (let i = n % (w + 1); i > 0; i--) {
        const out = r & 1;
        r = ((r >>> 1) | (cf << top)) & mask;
        cf = out;
      }
      setCO(c, cf, ((r >>> top) ^ (r >>> (top - 1))) & 1);
      return r;
    }
    case 5:
      if (n > w) {
        r = 0;
        cf = 0;
      } else if (n === w) {
        r = 0;
        cf = (v >>> top) & 1;
      } else {
        r = (v >>> n) & mask;
        cf = (v >>> (n - 1)) & 1;
      }
      // OF is the original sign for a count of 1; the 286 clears it for larger counts (measured).
      setCO(c, cf, n === 1 ? (v >>> top) & 1 : 0);
      break;
    case 7: {
      const sv = (v << (32 - w)) >> (32 - w);
      if (n >= w) {
        r = sv < 0 ? mask : 0;
        cf = sv < 0 ? 1 : 0;
      } else {
        r = (sv >> n) & mask;
        cf = (sv >> (n - 1)) & 1;
      }
      setCO(c, cf, 0);
      break;
    }
    default:
      // 4 SHL, 6 SAL alias.
      if (n > w) {
        r = 0;
        cf = 0;
      } else if (n === w) {
        r = 0;
        cf = v & 1;
      } else {
        r = (v << n) & mask;
        cf = (v >>> (w - n)) & 1;
      }
      setCO(c, cf, ((r >>> top) ^ cf) & 1);
      break;
  }
  c.lzR = r;
  c.lzOp = LZ_BY_WIDTH(w);
  return r;
}

/** Count for group 2 opcode `op`: 1 (D0/D1), CL (D2/D3) or imm8 (C0/C1), masked per model. */
function shiftCount(c: CpuCore, op: number): number {
  const n = op >= 0xd2 ? c.r8[4] : op >= 0xd0 ? 1 : c.fetch8();
  return c.traits.maskShiftCount ? n & 31 : n;
}

/** The 8086's SETMO/SETMOC: true when reg /6 must write all ones instead of shifting. */
function setmo(c: CpuCore, k: number): boolean {
  return k === 6 && c.gen === 86;
}

function grp2Eb(c: CpuCore, op: number): void {
  const m = c.fetch8();
  const k = (m >> 3) & 7;
  if (m >= 0xc0) {
    const n = shiftCount(c, op);
    const d = BYTE_REG[m & 7];
    if (setmo(c, k)) {
      if (op < 0xd2 || n !== 0) c.r8[d] = 0xff;
    } else if (n !== 0) c.r8[d] = shiftOp(c, k, c.r8[d], n, 8);
    return;
  }
  const off = c.ea(m);
  const seg = c.eaSeg;
  const n = shiftCount(c, op);
  const v = c.rd8(seg, off);
  if (setmo(c, k)) {
    if (op < 0xd2 || n !== 0) c.wr8(seg, off, 0xff);
  } else if (n !== 0) c.wr8(seg, off, shiftOp(c, k, v, n, 8));
}

function grp2Ew(c: CpuCore, op: number): void {
  const m = c.fetch8();
  const k = (m >> 3) & 7;
  if (m >= 0xc0) {
    const n = shiftCount(c, op);
    const d = (m & 7) << 1;
    if (setmo(c, k)) {
      if (op < 0xd2 || n !== 0) c.r16[d] = 0xffff;
    } else if (n !== 0) c.r16[d] = shiftOp(c, k, c.r16[d], n, 16);
    return;
  }
  const off = c.ea(m);
  const seg = c.eaSeg;
  const n = shiftCount(c, op);
  const v = c.rd16(seg, off);
  if (setmo(c, k)) {
    if (op < 0xd2 || n !== 0) c.wr16(seg, off, 0xffff);
  } else if (n !== 0) c.wr16(seg, off, shiftOp(c, k, v, n, 16));
}

function grp2Ed(c: CpuCore, op: number): void {
  const m = c.fetch8();
  const k = (m >> 3) & 7;
  if (m >= 0xc0) {
    const n = shiftCount(c, op);
    const d = m & 7;
    if (n !== 0) c.r32[d] = shiftOp(c, k, c.r32[d], n, 32);
    return;
  }
  const off = c.ea(m);
  const seg = c.eaSeg;
  const n = shiftCount(c, op);
  const v = c.rd32(seg, off);
  if (n !== 0) c.wr32(seg, off, shiftOp(c, k, v, n, 32));
}

// ---- SHLD / SHRD (0F A4/A5/AC/AD) --------------------------------------------------------------

/**
 * Double-precision shift of `d` by `n` (1..31) filling from `s`, width 16 or 32. For 16-bit
 * operands a count above 16 is undefined on the chip; this core shifts the 48-bit value d:s:d, as
 * later processors document.
 */
function doubleShift(c: CpuCore, left: boolean, d: number, s: number, n: number, w: number): number {
  let r: number;
  let cf: number;
  if (w === 32) {
    if (left) {
      r = (d << n) | (s >>> (32 - n));
      cf = (d >>> (32 - n)) & 1;
    } else {
      r = (d >>> n) | (s << (32 - n));
      cf = (d >>> (n - 1)) & 1;
    }
  } else {
    // The 48-bit value d:s:d (exact in a double), shifted and cut back to 16 bits.
    const x = d * 4294967296 + s * 65536 + d;
    if (left) {
      r = Math.floor(x / 2 ** (32 - n)) % 65536;
      cf = Math.floor(x / 2 ** (48 - n)) % 2;
    } else {
      r = Math.floor(x / 2 ** n) % 65536;
      cf = Math.floor(x / 2 ** (n - 1)) % 2;
    }
  }
  const top = w - 1;
  setCO(c, cf, ((r >>> top) ^ (d >>> top)) & 1);
  c.lzR = w === 32 ? r | 0 : r;
  c.lzOp = w === 32 ? LZ_ZSP32 : LZ_ZSP16;
  return r;
}

function shldEwGw(c: CpuCore, op: number): void {
  shxdW(c, op, true);
}
function shrdEwGw(c: CpuCore, op: number): void {
  shxdW(c, op, false);
}
function shldEdGd(c: CpuCore, op: number): void {
  shxdD(c, op, true);
}
function shrdEdGd(c: CpuCore, op: number): void {
  shxdD(c, op, false);
}

/** op bit 0: count in CL (A5/AD) rather than imm8 (A4/AC). */
function shxdW(c: CpuCore, op: number, left: boolean): void {
  const m = c.fetch8();
  const s = c.r16[(m >> 2) & 14];
  if (m >= 0xc0) {
    const n = (op & 1 ? c.r8[4] : c.fetch8()) & 31;
    const d = (m & 7) << 1;
    if (n !== 0) c.r16[d] = doubleShift(c, left, c.r16[d], s, n, 16);
    return;
  }
  const off = c.ea(m);
  const seg = c.eaSeg;
  const n = (op & 1 ? c.r8[4] : c.fetch8()) & 31;
  const v = c.rd16(seg, off);
  if (n !== 0) c.wr16(seg, off, doubleShift(c, left, v, s, n, 16));
}

function shxdD(c: CpuCore, op: number, left: boolean): void {
  const m = c.fetch8();
  const s = c.r32[(m >> 3) & 7];
  if (m >= 0xc0) {
    const n = (op & 1 ? c.r8[4] : c.fetch8()) & 31;
    const d = m & 7;
    if (n !== 0) c.r32[d] = doubleShift(c, left, c.r32[d], s, n, 32);
    return;
  }
  const off = c.ea(m);
  const seg = c.eaSeg;
  const n = (op & 1 ? c.r8[4] : c.fetch8()) & 31;
  const v = c.rd32(seg, off);
  if (n !== 0) c.wr32(seg, off, doubleShift(c, left, v, s, n, 32));
}

export const shiftHandlers: Record<string, Handler | readonly [Handler, Handler]> = {
  'grp2.Eb': grp2Eb,
  'grp2.Ev': [grp2Ew, grp2Ed],
  'shld.EvGv': [shldEwGw, shldEdGd],
  'shrd.EvGv': [shrdEwGw, shrdEdGd],
};

/**
 * Decimal adjust instructions: DAA, DAS, AAA, AAS, AAM, AAD.
 *
 * Defined flags follow the Intel pseudo-code; flags the manuals leave undefined are set the way
 * the pseudo-code's arithmetic falls out (SF/ZF/PF from AL where the instruction computes it) and
 * the conformance tests mask them.
 */
import { alu8 } from './alu.js';
import type { CpuCore, Handler } from './cpuCore.js';
import { AF, CF, LZ_ZSP8, OF } from './flags.js';
import { VEC_DE } from './fault.js';

function setAC(c: CpuCore, af: boolean, cf: boolean, result: number): void {
  c.materializeFlags();
  let f = c.flags & ~(AF | CF);
  if (af) f |= AF;
  if (cf) f |= CF;
  c.flags = f;
  c.lzR = result & 0xff;
  c.lzOp = LZ_ZSP8;
}

function daa(c: CpuCore, _op: number): void {
  const old = c.r8[0];
  const oldCF = c.getCF() !== 0;
  const oldAF = c.getAF();
  let al = old;
  let cf = false;
  let af = false;
  if ((al & 0x0f) > 9 || oldAF) {
    al += 6;
    cf = oldCF || al > 0xff;
    al &= 0xff;
    af = true;
  }
  // With AF set the 8086 compares the original AL with 9Fh, not 99h (measured on the vectors).
  const limit = c.gen === 86 && oldAF ? 0x9f : 0x99;
  if (old > limit || oldCF) {
    al = (al + 0x60) & 0xff;
    cf = true;
  }
  c.r8[0] = al;
  setAC(c, af, cf, al);
  setOverflow(c, old, al);
}

function das(c: CpuCore, _op: number): void {
  const old = c.r8[0];
  const oldCF = c.getCF() !== 0;
  const oldAF = c.getAF();
  let al = old;
  let cf = false;
  let af = false;
  if ((al & 0x0f) > 9 || oldAF) {
    // The 8086 does not carry the borrow of this step into CF; the 286 and later do.
    cf = oldCF || (c.gen >= 286 && al < 6);
    al = (al - 6) & 0xff;
    af = true;
  }
  const limit = c.gen === 86 && oldAF ? 0x9f : 0x99;
  if (old > limit || oldCF) {
    al = (al - 0x60) & 0xff;
    cf = true;
  }
  c.r8[0] = al;
  setAC(c, af, cf, al);
  setOverflow(c, old, al);
}

/** OF is undefined after DAA/DAS; this core sets it as the sign change of AL, as the 386 does. */
function setOverflow(c: CpuCore, before: number, after: number): void {
  c.materializeFlags();
  c.flags = (~before & after & 0x80) !== 0 ? c.flags | OF : c.flags & ~OF;
}

/** AAA/AAS: the 8086 adjusts AL and AH separately; the 286+ add/subtract 106h to AX as a whole. */
function aaa(c: CpuCore, _op: number): void {
  const adjust = (c.r8[0] & 0x0f) > 9 || c.getAF();
  if (adjust) {
    if (c.gen >= 286) c.r16[0] = c.r16[0] + 0x106;
    else {
      c.r8[0] = c.r8[0] + 6;
      c.r8[1] = c.r8[1] + 1;
    }
  }
  c.r8[0] &= 0x0f;
  setAC(c, adjust, adjust, c.r8[0]);
}

function aas(c: CpuCore, _op: number): void {
  const adjust = (c.r8[0] & 0x0f) > 9 || c.getAF();
  if (adjust) {
    if (c.gen >= 286) c.r16[0] = c.r16[0] - 6;
    else c.r8[0] = c.r8[0] - 6;
    c.r8[1] = c.r8[1] - 1;
  }
  c.r8[0] &= 0x0f;
  setAC(c, adjust, adjust, c.r8[0]);
}

function aam(c: CpuCore, _op: number): void {
  const base = c.fetch8();
  if (base === 0) {
    // Before the divide error the 8086 sets SF/ZF/PF as for a zero result, the 286 from AL
    // (both measured).
    if (c.gen <= 286) {
      c.lzR = c.gen === 86 ? 0 : c.r8[0];
      c.lzOp = LZ_ZSP8;
    }
    c.raise(VEC_DE);
  }
  const al = c.r8[0];
  c.r8[1] = Math.floor(al / base);
  c.r8[0] = al % base;
  c.materializeFlags();
  c.flags &= ~(AF | CF | OF);
  c.lzR = c.r8[0];
  c.lzOp = LZ_ZSP8;
}

/** AAD: AL = AL + AH * base, AH = 0; the flags are those of the 8-bit addition. */
function aad(c: CpuCore, _op: number): void {
  const base = c.fetch8();
  const al = alu8(c, 0, c.r8[0], (c.r8[1] * base) & 0xff);
  c.r16[0] = al;
}

export const bcdHandlers: Record<string, Handler | readonly [Handler, Handler]> = {
  daa,
  das,
  aaa,
  aas,
  aam,
  aad,
};

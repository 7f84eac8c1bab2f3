/**
 * The protected-mode system instructions of group 6 (0F 00: SLDT, STR, LLDT, LTR, VERR, VERW),
 * LAR, LSL and ARPL (Intel 386 Programmer's Reference, instruction pages). All are #UD in real
 * and virtual-8086 mode: Windows relies on ARPL's #UD in V86 mode as its breakpoint in the BIOS.
 */
import type { CpuCore, Handler } from './cpuCore.js';
import { accessOf, baseOf, desc, dplOf, isCode, isSegment, limitOf, presentOf, readDescriptor, setBusy, systemType, T_LDT, T_TSS286, T_TSS386, tryReadDescriptor } from './descriptor.js';
import { VEC_GP, VEC_NP, VEC_UD } from './fault.js';
import { ZF } from './flags.js';
import { SEG_LDTR, SEG_TR } from './registers.js';

function protectedOnly(c: CpuCore): void {
  if (c.realAddressing) c.raise(VEC_UD);
}

/** Stores a selector register: to memory a word; to a register zero-extended with a 32-bit operand. */
function storeSelector(c: CpuCore, m: number, v: number): void {
  if (m >= 0xc0) {
    if (c.opIdx !== 0) c.r32[m & 7] = v;
    else c.r16[(m & 7) << 1] = v;
    return;
  }
  const off = c.ea(m);
  c.wr16(c.eaSeg, off, v);
}

function sldt(c: CpuCore, m: number): void {
  protectedOnly(c);
  storeSelector(c, m, c.segSel[SEG_LDTR]);
}

function str(c: CpuCore, m: number): void {
  protectedOnly(c);
  storeSelector(c, m, c.segSel[SEG_TR]);
}

function lldt(c: CpuCore, m: number): void {
  protectedOnly(c);
  const sel = c.readE16(m);
  if (c.cpl !== 0) c.raise(VEC_GP, 0);
  if ((sel & 0xfffc) === 0) {
    c.segSel[SEG_LDTR] = sel;
    c.setCache(SEG_LDTR, 0, 0, 0);
    return;
  }
  if (sel & 4) c.raise(VEC_GP, sel & 0xfffc);
  readDescriptor(c, sel);
  if (systemType(desc.hi) !== T_LDT) c.raise(VEC_GP, sel & 0xfffc);
  if (!presentOf(desc.hi)) c.raise(VEC_NP, sel & 0xfffc);
  c.segSel[SEG_LDTR] = sel;
  c.setCache(SEG_LDTR, baseOf(desc.lo, desc.hi), limitOf(desc.lo, desc.hi), accessOf(desc.hi));
}

function ltr(c: CpuCore, m: number): void {
  protectedOnly(c);
  const sel = c.readE16(m);
  if (c.cpl !== 0) c.raise(VEC_GP, 0);
  if ((sel & 0xfffc) === 0) c.raise(VEC_GP, 0);
  if (sel & 4) c.raise(VEC_GP, sel & 0xfffc);
  readDescriptor(c, sel);
  const type = systemType(desc.hi);
  if (type !== T_TSS286 && type !== T_TSS386) c.raise(VEC_GP, sel & 0xfffc);
  if (!presentOf(desc.hi)) c.raise(VEC_NP, sel & 0xfffc);
  const lo = desc.lo;
  const hi = desc.hi;
  setBusy(c, sel, true);
  c.segSel[SEG_TR] = sel;
  c.setCache(SEG_TR, baseOf(lo, hi), limitOf(lo, hi), accessOf(hi) | 2);
}

/** May the program at CPL with this RPL see the descriptor in `desc` (LAR, LSL, VERR, VERW)? */
function visible(c: CpuCore, sel: number): boolean {
  const hi = desc.hi;
  const dpl = dplOf(hi);
  if (isCode(hi) && (hi & 0x400) !== 0) return true;
  return dpl >= c.cpl && dpl >= (sel & 3);
}

function setZF(c: CpuCore, on: boolean): void {
  c.materializeFlags();
  c.flags = on ? c.flags | ZF : c.flags & ~ZF;
}

function verr(c: CpuCore, m: number): void {
  protectedOnly(c);
  const sel = c.readE16(m);
  let ok = tryReadDescriptor(c, sel) && isSegment(desc.hi);
  if (ok) {
    const hi = desc.hi;
    if (isCode(hi) && (hi & 0x200) === 0) ok = false;
    else ok = visible(c, sel);
  }
  setZF(c, ok);
}

function verw(c: CpuCore, m: number): void {
  protectedOnly(c);
  const sel = c.readE16(m);
  let ok = tryReadDescriptor(c, sel) && isSegment(desc.hi);
  if (ok) {
    const hi = desc.hi;
    ok = !isCode(hi) && (hi & 0x200) !== 0 && visible(c, sel);
  }
  setZF(c, ok);
}

/** System types LAR reports: TSSs (available and busy), LDT, call and task gates. */
const LAR_TYPES = 0b0001_1010_0011_1110;
/** System types LSL reports: TSSs and the LDT. */
const LSL_TYPES = 0b0000_1010_0000_1110;

function lar(c: CpuCore, _op: number): void {
  protectedOnly(c);
  const m = c.fetch8();
  const sel = c.readE16(m);
  let ok = tryReadDescriptor(c, sel);
  if (ok) {
    const t = systemType(desc.hi);
    ok = (t < 0 || ((LAR_TYPES >> t) & 1) !== 0) && visible(c, sel);
  }
  setZF(c, ok);
  if (!ok) return;
  const r = (m >> 3) & 7;
  if (c.opIdx !== 0) c.r32[r] = desc.hi & 0x00f0ff00;
  else c.r16[r << 1] = desc.hi & 0xff00;
}

function lsl(c: CpuCore, _op: number): void {
  protectedOnly(c);
  const m = c.fetch8();
  const sel = c.readE16(m);
  let ok = tryReadDescriptor(c, sel);
  if (ok) {
    const t = systemType(desc.hi);
    ok = (t < 0 || ((LSL_TYPES >> t) & 1) !== 0) && visible(c, sel);
  }
  setZF(c, ok);
  if (!ok) return;
  const limit = limitOf(desc.lo, desc.hi);
  const r = (m >> 3) & 7;
  if (c.opIdx !== 0) c.r32[r] = limit;
  else c.r16[r << 1] = limit;
}

/** ARPL Ew,Gw: raises the RPL of the destination selector to the source's; ZF tells whether it did. */
function arpl(c: CpuCore, _op: number): void {
  protectedOnly(c);
  const m = c.fetch8();
  const src = c.r16[((m >> 3) & 7) << 1];
  if (m >= 0xc0) {
    const i = (m & 7) << 1;
    const d = c.r16[i];
    const raise = (d & 3) < (src & 3);
    if (raise) c.r16[i] = (d & ~3) | (src & 3);
    setZF(c, raise);
    return;
  }
  const off = c.ea(m);
  const seg = c.eaSeg;
  const d = c.rd16(seg, off);
  const raise = (d & 3) < (src & 3);
  if (raise) c.wr16(seg, off, (d & ~3) | (src & 3));
  setZF(c, raise);
}

export const protectedHandlers: Record<string, Handler | readonly [Handler, Handler]> = {
  sldt,
  str,
  lldt,
  ltr,
  verr,
  verw,
  lar,
  lsl,
  arpl,
};

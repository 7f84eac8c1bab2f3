/**
 * Far JMP, CALL and RET in protected mode (Intel 386 Programmer's Reference 6.3.4, 7.3, and the
 * JMP/CALL/RET pseudo-code): direct transfers to code segments, call gates (286 and 386, with the
 * stack switch from the TSS and parameter copying), task gates and TSS descriptors, and returns
 * to outer rings that invalidate the data segment registers the outer ring may not use.
 *
 * Every check comes before the first register changes, so a fault leaves the instruction
 * restartable; only stack memory below the stack pointer may have been written.
 */
import type { CpuCore } from './cpuCore.js';
import {
  T_CALL286,
  T_CALL386,
  T_TASK_GATE,
  T_TSS286,
  T_TSS386,
  accessOf,
  baseOf,
  desc,
  dplOf,
  isCode,
  isSegment,
  limitOf,
  presentOf,
  readDescriptor,
  systemType,
} from './descriptor.js';
import { ACC_BIG } from './cpuState.js';
import { VEC_GP, VEC_NP, VEC_SS, VEC_TS } from './fault.js';
import { CS, DS, ES, FS, GS, SEG_TR, SS } from './registers.js';
import { SWITCH_CALL, SWITCH_JMP, switchThroughGate, taskSwitch } from './taskSwitch.js';

/** A stack being built before it becomes SS:ESP: base, limit, access, pointer. */
export const stk = { base: 0, limit: 0, access: 0, sp: 0, sel: 0, sys: false, faultSel: 0 };

export function stackFromCurrent(c: CpuCore): void {
  stk.base = c.segBase[SS];
  stk.limit = c.segLimit[SS];
  stk.access = c.segAccess[SS];
  stk.sp = c.getSP();
  stk.sel = c.segSel[SS];
  stk.sys = false;
  stk.faultSel = 0;
}

/** Pushes `size` (2 or 4) bytes on the staged stack, with its limit check (#SS). */
export function stkPush(c: CpuCore, v: number, size: number): void {
  const big = (stk.access & ACC_BIG) !== 0;
  const n = big ? (stk.sp - size) >>> 0 : (stk.sp - size) & 0xffff;
  if (!withinStack(n, size)) c.raise(VEC_SS, stk.faultSel);
  const lin = (stk.base + n) | 0;
  if (size === 4) {
    if (stk.sys) c.sysWrite32(lin, v);
    else c.writeL32(lin, v);
  } else if (stk.sys) c.sysWrite16(lin, v & 0xffff);
  else c.writeL16(lin, v & 0xffff);
  stk.sp = n;
}

function withinStack(off: number, size: number): boolean {
  const last = off + size - 1;
  if ((stk.access & 0x0c) === 0x04) {
    const upper = stk.access & ACC_BIG ? 0xffffffff : 0xffff;
    return off > stk.limit && last <= upper;
  }
  return last <= stk.limit;
}

/** Makes the staged stack SS:ESP (its SS cache was checked by the caller). */
export function commitStack(c: CpuCore, sel: number, descAddr: number, lo: number, hi: number): void {
  if ((hi & 0x100) === 0) c.sysWrite8((descAddr + 5) | 0, ((hi >>> 8) | 1) & 0xff);
  c.segSel[SS] = sel;
  c.setCache(SS, baseOf(lo, hi), limitOf(lo, hi), accessOf(hi) | 1);
  if (c.ss32) c.r32[4] = stk.sp;
  else c.r16[8] = stk.sp;
}

/** #GP(sel) unless `hi` is a code segment a JMP/CALL may reach directly from CPL with RPL. */
function checkDirectCode(c: CpuCore, sel: number, hi: number): void {
  if (!isCode(hi)) c.raise(VEC_GP, sel & 0xfffc);
  const dpl = dplOf(hi);
  if (hi & 0x400 ? dpl > c.cpl : (sel & 3) > c.cpl || dpl !== c.cpl) c.raise(VEC_GP, sel & 0xfffc);
  if (!presentOf(hi)) c.raise(VEC_NP, sel & 0xfffc);
}

/**
 * Loads CS from the descriptor (lo, hi) at `addr` with privilege `cpl` and jumps to `off`; #GP(0)
 * when the offset lies beyond the limit. Marks the descriptor accessed.
 */
export function enterCode(c: CpuCore, sel: number, addr: number, lo: number, hi: number, cpl: number, off: number): void {
  const limit = limitOf(lo, hi);
  if (off > limit) c.raise(VEC_GP, 0);
  if ((hi & 0x100) === 0) c.sysWrite8((addr + 5) | 0, ((hi >>> 8) | 1) & 0xff);
  const newSel = (sel & 0xfffc) | cpl;
  if (cpl !== c.cpl) c.setCpl(cpl);
  const base = baseOf(lo, hi) | 0;
  const access = accessOf(hi) | 1;
  // Back to the same code segment (an interrupt handler's IRET, a call within a ring): the
  // cache and the fetch window stay valid.
  if (c.segSel[CS] !== newSel || c.segBase[CS] !== base || c.segLimit[CS] !== limit || c.segAccess[CS] !== access) {
    c.segSel[CS] = newSel;
    c.setCache(CS, base, limit, access);
  }
  c.eip = off;
}

/** Offset field of a call, interrupt or trap gate (the high word only in 386 gates). */
export function gateOffset(lo: number, hi: number, gate32: boolean): number {
  return gate32 ? ((hi & 0xffff0000) | (lo & 0xffff)) >>> 0 : lo & 0xffff;
}

/** JMP far in protected mode: code segment, call gate, task gate or TSS. */
export function jumpFarProtected(c: CpuCore, sel: number, off: number): void {
  if ((sel & 0xfffc) === 0) c.raise(VEC_GP, 0);
  readDescriptor(c, sel);
  const lo = desc.lo;
  const hi = desc.hi;
  const addr = desc.addr;
  if (isSegment(hi)) {
    checkDirectCode(c, sel, hi);
    enterCode(c, sel, addr, lo, hi, c.cpl, off);
    return;
  }
  const type = systemType(hi);
  const dpl = dplOf(hi);
  const rpl = sel & 3;
  if (type === T_TSS286 || type === T_TSS386 || type === T_TASK_GATE) {
    if (dpl < c.cpl || dpl < rpl) c.raise(VEC_GP, sel & 0xfffc);
    if (!presentOf(hi)) c.raise(VEC_NP, sel & 0xfffc);
    if (type === T_TASK_GATE) switchThroughGate(c, lo >>> 16, SWITCH_JMP, c.eip, -1);
    else taskSwitch(c, sel, addr, lo, hi, SWITCH_JMP, c.eip, -1);
    return;
  }
  if (type !== T_CALL286 && type !== T_CALL386) c.raise(VEC_GP, sel & 0xfffc);
  if (dpl < c.cpl || dpl < rpl) c.raise(VEC_GP, sel & 0xfffc);
  if (!presentOf(hi)) c.raise(VEC_NP, sel & 0xfffc);
  const target = lo >>> 16;
  const toff = gateOffset(lo, hi, type === T_CALL386);
  if ((target & 0xfffc) === 0) c.raise(VEC_GP, 0);
  readDescriptor(c, target);
  const thi = desc.hi;
  if (!isCode(thi)) c.raise(VEC_GP, target & 0xfffc);
  const tdpl = dplOf(thi);
  if (thi & 0x400 ? tdpl > c.cpl : tdpl !== c.cpl) c.raise(VEC_GP, target & 0xfffc);
  if (!presentOf(thi)) c.raise(VEC_NP, target & 0xfffc);
  enterCode(c, target, desc.addr, desc.lo, thi, c.cpl, toff);
}

/** CALL far in protected mode. `size32`: the operand size of the CALL (frame of a direct call). */
export function callFarProtected(c: CpuCore, sel: number, off: number, size32: boolean): void {
  if ((sel & 0xfffc) === 0) c.raise(VEC_GP, 0);
  readDescriptor(c, sel);
  const lo = desc.lo;
  const hi = desc.hi;
  const addr = desc.addr;
  const ret = c.eip;
  if (isSegment(hi)) {
    checkDirectCode(c, sel, hi);
    stackFromCurrent(c);
    const w = size32 ? 4 : 2;
    stkPush(c, c.segSel[CS], w);
    stkPush(c, ret, w);
    enterCode(c, sel, addr, lo, hi, c.cpl, off);
    c.setSP(stk.sp);
    return;
  }
  const type = systemType(hi);
  const dpl = dplOf(hi);
  const rpl = sel & 3;
  if (type === T_TSS286 || type === T_TSS386 || type === T_TASK_GATE) {
    if (dpl < c.cpl || dpl < rpl) c.raise(VEC_GP, sel & 0xfffc);
    if (!presentOf(hi)) c.raise(VEC_NP, sel & 0xfffc);
    if (type === T_TASK_GATE) switchThroughGate(c, lo >>> 16, SWITCH_CALL, ret, -1);
    else taskSwitch(c, sel, addr, lo, hi, SWITCH_CALL, ret, -1);
    return;
  }
  if (type !== T_CALL286 && type !== T_CALL386) c.raise(VEC_GP, sel & 0xfffc);
  if (dpl < c.cpl || dpl < rpl) c.raise(VEC_GP, sel & 0xfffc);
  if (!presentOf(hi)) c.raise(VEC_NP, sel & 0xfffc);
  const gate32 = type === T_CALL386;
  const w = gate32 ? 4 : 2;
  const target = lo >>> 16;
  const toff = gateOffset(lo, hi, gate32);
  const count = hi & 0x1f;
  if ((target & 0xfffc) === 0) c.raise(VEC_GP, 0);
  readDescriptor(c, target);
  const tlo = desc.lo;
  const thi = desc.hi;
  const taddr = desc.addr;
  if (!isCode(thi)) c.raise(VEC_GP, target & 0xfffc);
  const tdpl = dplOf(thi);
  if (tdpl > c.cpl) c.raise(VEC_GP, target & 0xfffc);
  if (!presentOf(thi)) c.raise(VEC_NP, target & 0xfffc);
  if ((thi & 0x400) === 0 && tdpl < c.cpl) {
    // More privileged: the stack of ring tdpl from the TSS, the caller's SS:ESP and parameters on it.
    innerStack(c, tdpl);
    const ssSel = innerSs;
    const ssLo = desc.lo;
    const ssHi = desc.hi;
    const ssAddr = desc.addr;
    const oldSs = c.segSel[SS];
    const oldSp = c.getSP();
    stkPush(c, oldSs, w);
    stkPush(c, oldSp, w);
    for (let i = count - 1; i >= 0; i--) {
      const o = c.ss32 ? (oldSp + i * w) >>> 0 : (oldSp + i * w) & 0xffff;
      stkPush(c, w === 4 ? c.rd32(SS, o) : c.rd16(SS, o), w);
    }
    stkPush(c, c.segSel[CS], w);
    stkPush(c, ret, w);
    if (toff > limitOf(tlo, thi)) c.raise(VEC_GP, 0);
    commitStack(c, ssSel, ssAddr, ssLo, ssHi);
    enterCode(c, target, taddr, tlo, thi, tdpl, toff);
    return;
  }
  stackFromCurrent(c);
  stkPush(c, c.segSel[CS], w);
  stkPush(c, ret, w);
  enterCode(c, target, taddr, tlo, thi, c.cpl, toff);
  c.setSP(stk.sp);
}

/** Selector of the stack innerStack() found (its descriptor is in `desc`). */
export let innerSs = 0;

/**
 * Stages the ring-`dpl` stack named by the current TSS (SS:ESP at 4 + 8n in a 386 TSS, SS:SP at
 * 2 + 4n in a 286 TSS) and checks its descriptor: #TS for a bad selector or type, #SS when absent.
 */
export function innerStack(c: CpuCore, dpl: number): void {
  const type = c.segAccess[SEG_TR] & 0xf;
  const tss32 = (type & 8) !== 0;
  const at = tss32 ? 4 + 8 * dpl : 2 + 4 * dpl;
  const trSel = c.segSel[SEG_TR] & 0xfffc;
  if (at + (tss32 ? 7 : 3) > c.segLimit[SEG_TR]) c.raise(VEC_TS, trSel | c.extBit);
  const base = c.segBase[SEG_TR];
  let sp: number;
  let ss: number;
  if (tss32) {
    sp = c.sysRead32((base + at) | 0) >>> 0;
    ss = c.sysRead16((base + at + 4) | 0);
  } else {
    sp = c.sysRead16((base + at) | 0);
    ss = c.sysRead16((base + at + 2) | 0);
  }
  const err = (ss & 0xfffc) | c.extBit;
  if ((ss & 0xfffc) === 0) c.raise(VEC_TS, c.extBit);
  if ((ss & 3) !== dpl) c.raise(VEC_TS, err);
  readDescriptor(c, ss, VEC_TS);
  const hi = desc.hi;
  if (!isSegment(hi) || isCode(hi) || (hi & 0x200) === 0 || dplOf(hi) !== dpl) c.raise(VEC_TS, err);
  if (!presentOf(hi)) c.raise(VEC_SS, err);
  innerSs = ss;
  stk.base = baseOf(desc.lo, hi);
  stk.limit = limitOf(desc.lo, hi);
  stk.access = accessOf(hi);
  stk.sp = hi & 0x400000 ? sp : sp & 0xffff;
  stk.sel = ss;
  stk.sys = true;
  stk.faultSel = err;
}

/**
 * Checks the code segment `sel` a RET or IRET returns to (RPL >= CPL, type, privilege, present);
 * leaves its descriptor in `desc`.
 */
export function checkReturnCode(c: CpuCore, sel: number): void {
  if ((sel & 0xfffc) === 0) c.raise(VEC_GP, 0);
  readDescriptor(c, sel);
  const hi = desc.hi;
  const rpl = sel & 3;
  if (!isCode(hi) || rpl < c.cpl) c.raise(VEC_GP, sel & 0xfffc);
  const dpl = dplOf(hi);
  if (hi & 0x400 ? dpl > rpl : dpl !== rpl) c.raise(VEC_GP, sel & 0xfffc);
  if (!presentOf(hi)) c.raise(VEC_NP, sel & 0xfffc);
}

/** Checks the SS a return to ring `rpl` loads; leaves its descriptor in `desc`. */
export function checkReturnStack(c: CpuCore, ss: number, rpl: number): void {
  if ((ss & 0xfffc) === 0) c.raise(VEC_GP, 0);
  readDescriptor(c, ss);
  const hi = desc.hi;
  if ((ss & 3) !== rpl || !isSegment(hi) || isCode(hi) || (hi & 0x200) === 0 || dplOf(hi) !== rpl) c.raise(VEC_GP, ss & 0xfffc);
  if (!presentOf(hi)) c.raise(VEC_SS, ss & 0xfffc);
}

/**
 * After a return to an outer ring: DS, ES, FS and GS holding data or non-conforming code segments
 * more privileged than the new CPL become null (386 manual 6.3.4.4).
 */
export function invalidateDataSegments(c: CpuCore): void {
  const segs = [ES, DS, FS, GS];
  for (const s of segs) {
    const acc = c.segAccess[s];
    const dpl = (acc >> 5) & 3;
    const confCode = (acc & 0x0c) === 0x0c && (acc & 0x10) !== 0;
    if (!confCode && dpl < c.cpl) c.loadNull(s, 0);
  }
}

/** RETF (imm16 = `extra`) in protected mode: same level, or to an outer ring with its stack. */
export function retFarProtected(c: CpuCore, size32: boolean, extra: number): void {
  const w = size32 ? 4 : 2;
  const off = size32 ? c.peekStack32(0) >>> 0 : c.peekStack16(0);
  const sel = (size32 ? c.peekStack32(4) : c.peekStack16(2)) & 0xffff;
  checkReturnCode(c, sel);
  const lo = desc.lo;
  const hi = desc.hi;
  const addr = desc.addr;
  const rpl = sel & 3;
  if (rpl === c.cpl) {
    enterCode(c, sel, addr, lo, hi, rpl, off);
    c.adjustSP(2 * w + extra);
    return;
  }
  const espAt = 2 * w + extra;
  const newEsp = size32 ? c.peekStack32(espAt) >>> 0 : c.peekStack16(espAt);
  const newSs = (size32 ? c.peekStack32(espAt + 4) : c.peekStack16(espAt + 2)) & 0xffff;
  checkReturnStack(c, newSs, rpl);
  if (off > limitOf(lo, hi)) c.raise(VEC_GP, 0);
  const ssLo = desc.lo;
  const ssHi = desc.hi;
  const ssAddr = desc.addr;
  enterCode(c, sel, addr, lo, hi, rpl, off);
  stk.sp = ssHi & 0x400000 ? (newEsp + extra) >>> 0 : (newEsp + extra) & 0xffff;
  if ((ssHi & 0x400000) === 0) stk.sp = (c.r32[4] & 0xffff0000) | stk.sp;
  commitStack(c, newSs, ssAddr, ssLo, ssHi);
  invalidateDataSegments(c);
}

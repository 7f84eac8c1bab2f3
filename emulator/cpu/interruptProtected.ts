/**
 * Interrupts and exceptions in protected and virtual-8086 mode, and IRET (Intel 386 Programmer's
 * Reference 9.6, 15.3, and the INT/IRET pseudo-code): the IDT gate (interrupt, trap or task gate;
 * the frame width comes from the gate), the stack switch to an inner ring from the TSS, the V86
 * frame with ES, DS, FS and GS, and IRET to the same ring, an outer ring, V86 mode or the previous
 * task (NT).
 */
import type { CpuCore } from './cpuCore.js';
import { ATT_DEBUG, ATT_TRAP } from './cpuCore.js';
import { ACC_REAL_CODE, ACC_REAL_DATA } from './cpuState.js';
import { T_INT286, T_INT386, T_TASK_GATE, T_TRAP286, T_TRAP386, desc, dplOf, isCode, limitOf, presentOf, readDescriptor } from './descriptor.js';
import { VEC_GP, VEC_NP, VEC_TS } from './fault.js';
import {
  checkReturnCode,
  checkReturnStack,
  commitStack,
  enterCode,
  gateOffset,
  innerSs,
  innerStack,
  invalidateDataSegments,
  stackFromCurrent,
  stk,
  stkPush,
} from './farTransfer.js';
import { IF, NT, RF, TF, VM } from './flags.js';
import { CS, DS, ES, FS, GS, SEG_TR, SS } from './registers.js';
import { SWITCH_INT, SWITCH_IRET, switchThroughGate, taskSwitch } from './taskSwitch.js';

/**
 * Delivers `vector` through the IDT. `errorCode` >= 0 is pushed; `soft` (INT n, INT3, INTO) needs
 * a gate DPL >= CPL. Error codes of faults found here carry the EXT bit (c.extBit).
 */
export function interruptProtected(c: CpuCore, vector: number, returnEip: number, errorCode: number, soft: boolean): void {
  // Table, TSS and inner-stack accesses are supervisor accesses: select that class once for the
  // whole delivery (a fault restores the class of the CPL; so does the end of the delivery).
  if (c.userAccess) {
    c.setUserAccess(false);
    deliver(c, vector, returnEip, errorCode, soft);
    c.selectTlb();
  } else deliver(c, vector, returnEip, errorCode, soft);
}

function deliver(c: CpuCore, vector: number, returnEip: number, errorCode: number, soft: boolean): void {
  const ext = c.extBit;
  const idtErr = vector * 8 + 2 + ext;
  if (vector * 8 + 7 > c.idtrLimit) c.raise(VEC_GP, idtErr);
  const at = (c.idtrBase + vector * 8) | 0;
  const lo = c.sysRead32(at);
  const hi = c.sysRead32((at + 4) | 0);
  const type = (hi >>> 8) & 0x1f;
  if (type !== T_TASK_GATE && type !== T_INT286 && type !== T_TRAP286 && type !== T_INT386 && type !== T_TRAP386) c.raise(VEC_GP, idtErr);
  // The 286 has no 386 gates.
  if (c.gen === 286 && (type & 8) !== 0) c.raise(VEC_GP, idtErr);
  if (soft && dplOf(hi) < c.cpl) c.raise(VEC_GP, idtErr);
  if (!presentOf(hi)) c.raise(VEC_NP, idtErr);
  if (type === T_TASK_GATE) {
    switchThroughGate(c, lo >>> 16, SWITCH_INT, returnEip, errorCode);
    return;
  }
  const gate32 = (type & 8) !== 0;
  const w = gate32 ? 4 : 2;
  const target = lo >>> 16;
  const toff = gateOffset(lo, hi, gate32);
  if ((target & 0xfffc) === 0) c.raise(VEC_GP, ext);
  readDescriptor(c, target);
  const tlo = desc.lo;
  const thi = desc.hi;
  const taddr = desc.addr;
  const terr = (target & 0xfffc) | ext;
  if (!isCode(thi)) c.raise(VEC_GP, terr);
  const tdpl = dplOf(thi);
  if (tdpl > c.cpl) c.raise(VEC_GP, terr);
  if (!presentOf(thi)) c.raise(VEC_NP, terr);
  const v86 = (c.flags & VM) !== 0;
  const flags = c.getFlags();
  if ((thi & 0x400) === 0 && tdpl < c.cpl) {
    if (v86 && tdpl !== 0) c.raise(VEC_GP, terr);
    innerStack(c, tdpl);
    const ssSel = innerSs;
    const ssLo = desc.lo;
    const ssHi = desc.hi;
    const ssAddr = desc.addr;
    if (toff > limitOf(tlo, thi)) c.raise(VEC_GP, 0);
    const frame = ((v86 ? 9 : 5) + (errorCode >= 0 ? 1 : 0)) * w;
    if (w === 4 && (stk.access & 0x400c) === 0x4000 && stk.sp >= frame && stk.sp - 1 <= stk.limit) {
      // The usual frame: 32-bit gate, an ordinary 32-bit stack, no wrap; the delivery runs with
      // supervisor accesses, which is what the inner stack needs.
      // Written from the top down, as the chip pushes (a page fault reports the first one).
      let lin = (stk.base + stk.sp) | 0;
      stk.sp -= frame;
      if (v86) {
        c.writeL32((lin - 4) | 0, c.segSel[GS]);
        c.writeL32((lin - 8) | 0, c.segSel[FS]);
        c.writeL32((lin - 12) | 0, c.segSel[DS]);
        c.writeL32((lin - 16) | 0, c.segSel[ES]);
        lin = (lin - 16) | 0;
      }
      c.writeL32((lin - 4) | 0, c.segSel[SS]);
      c.writeL32((lin - 8) | 0, c.r32[4]);
      c.writeL32((lin - 12) | 0, flags);
      c.writeL32((lin - 16) | 0, c.segSel[CS]);
      c.writeL32((lin - 20) | 0, returnEip);
      if (errorCode >= 0) c.writeL32((lin - 24) | 0, errorCode);
    } else {
      if (v86) {
        stkPush(c, c.segSel[GS], w);
        stkPush(c, c.segSel[FS], w);
        stkPush(c, c.segSel[DS], w);
        stkPush(c, c.segSel[ES], w);
      }
      stkPush(c, c.segSel[SS], w);
      stkPush(c, c.r32[4], w);
      pushFrame(c, flags, returnEip, errorCode, w);
    }
    leaveFlags(c, type);
    if (v86) {
      c.loadNull(ES, 0);
      c.loadNull(DS, 0);
      c.loadNull(FS, 0);
      c.loadNull(GS, 0);
    }
    enterCode(c, target, taddr, tlo, thi, tdpl, toff);
    commitStack(c, ssSel, ssAddr, ssLo, ssHi);
    return;
  }
  if (v86) c.raise(VEC_GP, terr);
  // Same privilege: the frame goes on the current stack with the current CPL's access class.
  c.selectTlb();
  if (toff > limitOf(tlo, thi)) c.raise(VEC_GP, 0);
  const frame = (errorCode >= 0 ? 4 : 3) * w;
  const sp = c.r32[4];
  if (c.ss32 && w === 4 && sp >>> 0 >= frame && ((sp - 1) >>> 0) <= c.segFastW[SS]) {
    // The usual frame: 32-bit, inside an ordinary stack segment, no wrap.
    const lin = (c.segBase[SS] + sp) | 0;
    c.writeL32((lin - 4) | 0, flags);
    c.writeL32((lin - 8) | 0, c.segSel[CS]);
    c.writeL32((lin - 12) | 0, returnEip);
    if (errorCode >= 0) c.writeL32((lin - 16) | 0, errorCode);
    c.r32[4] = sp - frame;
  } else {
    stackFromCurrent(c);
    stk.faultSel = 0;
    pushFrame(c, flags, returnEip, errorCode, w);
    c.setSP(stk.sp);
  }
  leaveFlags(c, type);
  enterCode(c, target, taddr, tlo, thi, c.cpl, toff);
}

function pushFrame(c: CpuCore, flags: number, eip: number, errorCode: number, w: number): void {
  stkPush(c, flags, w);
  stkPush(c, c.segSel[CS], w);
  stkPush(c, eip, w);
  if (errorCode >= 0) stkPush(c, errorCode, w);
}

/** EFLAGS on entry to a handler: TF, NT, RF and VM clear; IF too through an interrupt gate. */
function leaveFlags(c: CpuCore, type: number): void {
  let clear = TF | NT | RF | VM;
  if (type === T_INT286 || type === T_INT386) clear |= IF;
  // Leaving V86 mode needs no refresh of the segment fast paths: the caller loads every segment.
  c.flags &= ~clear;
}

/** Flags IRET may change at the current CPL (IOPL at CPL 0, IF when CPL <= IOPL), RF included. */
function iretMask(c: CpuCore, size32: boolean): number {
  let m = c.flagsWritable | (size32 ? RF : 0);
  if (c.cpl > ((c.flags >> 12) & 3)) m &= ~IF;
  if (c.cpl !== 0) m &= ~0x3000;
  if (!size32) m &= 0xffff;
  return m & ~VM;
}

/** IRET in protected or V86 mode. */
export function iretProtected(c: CpuCore, size32: boolean): void {
  if ((c.flags & VM) !== 0) {
    // V86: only at IOPL 3 (otherwise the monitor emulates it); IOPL and VM stay.
    if (((c.flags >> 12) & 3) !== 3) c.raise(VEC_GP, 0);
    const off = size32 ? c.peekStack32(0) >>> 0 : c.peekStack16(0);
    const sel = (size32 ? c.peekStack32(4) : c.peekStack16(2)) & 0xffff;
    const fl = size32 ? c.peekStack32(8) : c.peekStack16(4);
    if (off > 0xffff) c.raise(VEC_GP, 0);
    c.loadSeg(CS, sel);
    c.eip = off;
    let m = c.flagsWritable & ~(0x3000 | VM);
    if (size32) m |= RF;
    else m &= 0xffff;
    c.setFlagBits(fl, m);
    c.adjustSP(3 * (size32 ? 4 : 2));
    afterFlags(c);
    return;
  }
  if ((c.flags & NT) !== 0) {
    const link = c.sysRead16(c.segBase[SEG_TR]);
    if (link & 4) c.raise(VEC_TS, link & 0xfffc);
    readDescriptor(c, link, VEC_TS);
    const type = (desc.hi >>> 8) & 0x1f;
    if (type !== 0x03 && type !== 0x0b) c.raise(VEC_TS, link & 0xfffc);
    if (!presentOf(desc.hi)) c.raise(VEC_NP, link & 0xfffc);
    taskSwitch(c, link, desc.addr, desc.lo, desc.hi, SWITCH_IRET, c.eip, -1);
    return;
  }
  const w = size32 ? 4 : 2;
  let off: number;
  let sel: number;
  let fl: number;
  const sp = c.r32[4] >>> 0;
  if (size32 && c.ss32 && sp + 11 <= c.segFast[SS]) {
    const lin = (c.segBase[SS] + sp) | 0;
    off = c.readL32(lin) >>> 0;
    sel = c.readL32((lin + 4) | 0) & 0xffff;
    fl = c.readL32((lin + 8) | 0);
  } else {
    off = size32 ? c.peekStack32(0) >>> 0 : c.peekStack16(0);
    sel = (size32 ? c.peekStack32(4) : c.peekStack16(2)) & 0xffff;
    fl = size32 ? c.peekStack32(8) : c.peekStack16(4);
  }
  if (size32 && (fl & VM) !== 0 && c.cpl === 0) {
    returnToV86(c, off, sel, fl);
    return;
  }
  checkReturnCode(c, sel);
  const lo = desc.lo;
  const hi = desc.hi;
  const addr = desc.addr;
  const rpl = sel & 3;
  const mask = iretMask(c, size32);
  if (rpl === c.cpl) {
    enterCode(c, sel, addr, lo, hi, rpl, off);
    c.setFlagBits(fl, mask);
    c.adjustSP(3 * w);
    afterFlags(c);
    return;
  }
  const newEsp = size32 ? c.peekStack32(12) >>> 0 : c.peekStack16(6);
  const newSs = (size32 ? c.peekStack32(16) : c.peekStack16(8)) & 0xffff;
  checkReturnStack(c, newSs, rpl);
  if (off > limitOf(lo, hi)) c.raise(VEC_GP, 0);
  const ssLo = desc.lo;
  const ssHi = desc.hi;
  const ssAddr = desc.addr;
  c.setFlagBits(fl, mask);
  enterCode(c, sel, addr, lo, hi, rpl, off);
  stk.sp = ssHi & 0x400000 ? newEsp : newEsp & 0xffff;
  commitStack(c, newSs, ssAddr, ssLo, ssHi);
  invalidateDataSegments(c);
  afterFlags(c);
}

/** IRETD at CPL 0 with VM set in the popped EFLAGS: the whole V86 frame (386 manual 15.3.3). */
function returnToV86(c: CpuCore, off: number, sel: number, fl: number): void {
  let esp: number;
  let ss: number;
  let es: number;
  let ds: number;
  let fs: number;
  let gs: number;
  const sp = c.r32[4] >>> 0;
  if (c.ss32 && sp + 35 <= c.segFast[SS]) {
    const lin = (c.segBase[SS] + sp) | 0;
    esp = c.readL32((lin + 12) | 0) >>> 0;
    ss = c.readL32((lin + 16) | 0) & 0xffff;
    es = c.readL32((lin + 20) | 0) & 0xffff;
    ds = c.readL32((lin + 24) | 0) & 0xffff;
    fs = c.readL32((lin + 28) | 0) & 0xffff;
    gs = c.readL32((lin + 32) | 0) & 0xffff;
  } else {
    esp = c.peekStack32(12) >>> 0;
    ss = c.peekStack32(16) & 0xffff;
    es = c.peekStack32(20) & 0xffff;
    ds = c.peekStack32(24) & 0xffff;
    fs = c.peekStack32(28) & 0xffff;
    gs = c.peekStack32(32) & 0xffff;
  }
  c.setFlagBits(fl, c.flagsWritable | RF | VM);
  c.setCpl(3);
  setV86(c, CS, sel);
  setV86(c, SS, ss);
  setV86(c, ES, es);
  setV86(c, DS, ds);
  setV86(c, FS, fs);
  setV86(c, GS, gs);
  c.r32[4] = esp;
  c.eip = off & 0xffff;
  afterFlags(c);
}

/** A V86 segment: base = selector * 16, 64 KiB, DPL 3. */
export function setV86(c: CpuCore, seg: number, sel: number): void {
  c.segSel[seg] = sel;
  if (seg !== CS && seg !== SS) {
    // A data segment: every field is known, no derived state to update.
    c.segBase[seg] = sel << 4;
    c.segLimit[seg] = 0xffff;
    c.segAccess[seg] = ACC_REAL_DATA | 0x60;
    c.segFast[seg] = 0xffff;
    c.segFastW[seg] = 0xffff;
    return;
  }
  c.setCache(seg, sel << 4, 0xffff, (seg === CS ? ACC_REAL_CODE : ACC_REAL_DATA) | 0x60);
}

function afterFlags(c: CpuCore): void {
  if (c.flags & TF) c.attention |= ATT_TRAP;
  if (c.flags & RF) {
    c.rfFresh = true;
    c.attention |= ATT_DEBUG;
  }
}

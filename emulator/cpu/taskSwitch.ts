/**
 * Hardware task switches (Intel 386 Programmer's Reference 7.3-7.6, 80286 manual chapter 8)
 * through JMP, CALL, INT (task gates) and IRET (NT = 1), with 386 and 286 TSSs: the outgoing
 * state saved in the current TSS, busy bits, the back link and NT for nested tasks, CR3 (386 TSS
 * with paging on), the LDT and the segment registers of the new task checked in its context
 * (#TS), and CR0.TS set.
 *
 * 386 TSS: 0 link, 4-1B SS0:ESP0..SS2:ESP2, 1C CR3, 20 EIP, 24 EFLAGS, 28-47 EAX..EDI,
 * 48-5D ES CS SS DS FS GS, 60 LDT, 64 T bit, 66 I/O map base. 286 TSS: 0 link, 2-D SS0:SP0..,
 * E IP, 10 FLAGS, 12-21 AX..DI, 22-29 ES CS SS DS, 2A LDT.
 */
import type { CpuCore } from './cpuCore.js';
import { ATT_DEBUG, ATT_TRAP } from './cpuCore.js';
import { accessOf, baseOf, desc, descriptorLinear, dplOf, isCode, isSegment, limitOf, presentOf, readDescriptor, setBusy, systemType, T_LDT, T_TSS286, T_TSS386 } from './descriptor.js';
import { VEC_GP, VEC_NP, VEC_SS, VEC_TS } from './fault.js';
import { NT, RF, TF, VM } from './flags.js';
import { CS, DS, ES, FS, GS, SEG_LDTR, SEG_TR, SS } from './registers.js';
import { setV86 } from './interruptProtected.js';

/** DR6.BT: the debug trap of a task switch, reported with the data-breakpoint hits. */
const DR6_BT = 0x8000;

export const SWITCH_JMP = 0;
export const SWITCH_CALL = 1;
export const SWITCH_INT = 2;
export const SWITCH_IRET = 3;

const newSel = new Uint16Array(6);

/** Through a task gate: the TSS selector must name an available TSS in the GDT. */
export function switchThroughGate(c: CpuCore, tssSel: number, kind: number, nextEip: number, errorCode: number): void {
  const err = (tssSel & 0xfffc) | c.extBit;
  if (tssSel & 4) c.raise(VEC_GP, err);
  readDescriptor(c, tssSel);
  const type = systemType(desc.hi);
  if (type !== T_TSS286 && type !== T_TSS386) c.raise(VEC_GP, err);
  if (!presentOf(desc.hi)) c.raise(VEC_NP, err);
  taskSwitch(c, tssSel, desc.addr, desc.lo, desc.hi, kind, nextEip, errorCode);
}

/**
 * Switches to the task of TSS `sel` whose descriptor (lo, hi) was read from `addr`. `nextEip` is
 * the outgoing task's resume address; `errorCode` >= 0 is pushed on the new task's stack (an
 * exception delivered through a task gate).
 */
export function taskSwitch(c: CpuCore, sel: number, addr: number, lo: number, hi: number, kind: number, nextEip: number, errorCode: number): void {
  const ext = c.extBit;
  const type = systemType(hi);
  const tss32 = (type & 8) !== 0;
  const err = (sel & 0xfffc) | ext;
  if (sel & 4) c.raise(VEC_GP, err);
  if (kind !== SWITCH_IRET && (type & 2) !== 0) c.raise(VEC_GP, err);
  if (!presentOf(hi)) c.raise(VEC_NP, err);
  const base = baseOf(lo, hi);
  const limit = limitOf(lo, hi);
  if (limit < (tss32 ? 0x67 : 0x2b)) c.raise(VEC_TS, err);

  // Read the incoming state first: a page fault here leaves nothing changed.
  let eip: number;
  let eflags: number;
  let ldt: number;
  let cr3 = 0;
  const regs = scratchRegs;
  if (tss32) {
    cr3 = c.sysRead32((base + 0x1c) | 0);
    eip = c.sysRead32((base + 0x20) | 0) >>> 0;
    eflags = c.sysRead32((base + 0x24) | 0);
    for (let i = 0; i < 8; i++) regs[i] = c.sysRead32((base + 0x28 + 4 * i) | 0);
    for (let i = 0; i < 6; i++) newSel[i] = c.sysRead16((base + 0x48 + 4 * i) | 0);
    ldt = c.sysRead16((base + 0x60) | 0);
  } else {
    eip = c.sysRead16((base + 0x0e) | 0);
    eflags = c.sysRead16((base + 0x10) | 0);
    for (let i = 0; i < 8; i++) regs[i] = c.sysRead16((base + 0x12 + 2 * i) | 0) | 0xffff0000;
    for (let i = 0; i < 4; i++) newSel[i] = c.sysRead16((base + 0x22 + 2 * i) | 0);
    newSel[4] = 0;
    newSel[5] = 0;
    ldt = c.sysRead16((base + 0x2a) | 0);
  }

  // Save the outgoing task into the current TSS.
  const oldBase = c.segBase[SEG_TR];
  const old32 = (c.segAccess[SEG_TR] & 8) !== 0;
  let oldFlags = c.getFlags();
  if (kind === SWITCH_IRET) oldFlags &= ~NT;
  if (old32) {
    c.sysWrite32((oldBase + 0x20) | 0, nextEip);
    c.sysWrite32((oldBase + 0x24) | 0, oldFlags);
    for (let i = 0; i < 8; i++) c.sysWrite32((oldBase + 0x28 + 4 * i) | 0, c.r32[i]);
    for (let i = 0; i < 6; i++) c.sysWrite16((oldBase + 0x48 + 4 * i) | 0, c.segSel[i]);
  } else {
    c.sysWrite16((oldBase + 0x0e) | 0, nextEip);
    c.sysWrite16((oldBase + 0x10) | 0, oldFlags);
    for (let i = 0; i < 8; i++) c.sysWrite16((oldBase + 0x12 + 2 * i) | 0, c.r16[i << 1]);
    for (let i = 0; i < 4; i++) c.sysWrite16((oldBase + 0x22 + 2 * i) | 0, c.segSel[i]);
  }
  const oldTr = c.segSel[SEG_TR];
  if (kind === SWITCH_JMP || kind === SWITCH_IRET) setBusy(c, oldTr, false);
  if (kind === SWITCH_CALL || kind === SWITCH_INT) {
    c.sysWrite16(base, oldTr);
    eflags |= NT;
  }
  if (kind !== SWITCH_IRET) setBusy(c, sel, true);

  // Commit: TR, CR3, registers, flags; from here faults belong to the new task.
  c.segSel[SEG_TR] = sel;
  c.setCache(SEG_TR, base, limit, accessOf(hi) | 2);
  c.cr0 |= 8;
  if (tss32 && (c.cr0 & 0x80000000) !== 0) {
    c.cr3 = cr3 & ~0xfff;
    c.flushTlb();
  }
  c.r32.set(regs);
  c.eip = tss32 ? eip : eip & 0xffff;
  c.startEip = c.eip;
  const mask = tss32 ? c.flagsWritable | RF | VM | NT | 0x3000 : 0xffff & (c.flagsWritable | NT | 0x3000);
  c.setFlagBits(eflags, mask);
  if (c.flags & TF) c.attention |= ATT_TRAP;
  if (c.flags & RF) {
    c.rfFresh = true;
    c.attention |= ATT_DEBUG;
  }
  const v86 = (c.flags & VM) !== 0;
  c.setCpl(v86 ? 3 : newSel[CS] & 3);
  // Selectors first (with empty caches), so a fault below shows the new task's selectors.
  for (let s = 0; s < 6; s++) {
    c.segSel[s] = newSel[s];
  }
  c.segSel[SEG_LDTR] = ldt;
  c.segAccess[SEG_LDTR] = 0;
  loadTaskLdt(c, ldt);
  if (v86) {
    for (let s = 0; s < 6; s++) setV86(c, s, newSel[s]);
  } else {
    loadTaskSegment(c, CS, newSel[CS]);
    loadTaskSegment(c, SS, newSel[SS]);
    loadTaskSegment(c, ES, newSel[ES]);
    loadTaskSegment(c, DS, newSel[DS]);
    loadTaskSegment(c, FS, newSel[FS]);
    loadTaskSegment(c, GS, newSel[GS]);
  }
  c.refreshAllFast();
  if (c.eip > c.segLimit[CS]) c.raise(VEC_GP, 0);
  // The T bit of a 386 TSS: a #DB trap (DR6.BT) before the new task's first instruction.
  if (tss32 && (c.sysRead16((base + 0x64) | 0) & 1) !== 0) {
    c.dbgHit |= DR6_BT;
    c.attention |= ATT_DEBUG;
  }
  if (errorCode >= 0) {
    if (c.ss32) c.push32(errorCode);
    else if (tss32) c.push32(errorCode);
    else c.push16(errorCode);
  }
}

const scratchRegs = new Int32Array(8);

function loadTaskLdt(c: CpuCore, ldt: number): void {
  if ((ldt & 0xfffc) === 0) {
    c.setCache(SEG_LDTR, 0, 0, 0);
    return;
  }
  const err = (ldt & 0xfffc) | c.extBit;
  if (ldt & 4) c.raise(VEC_TS, err);
  const a = descriptorLinear(c, ldt);
  if (a === -1) c.raise(VEC_TS, err);
  const lo = c.sysRead32(a);
  const hi = c.sysRead32((a + 4) | 0);
  if (systemType(hi) !== T_LDT) c.raise(VEC_TS, err);
  if (!presentOf(hi)) c.raise(VEC_TS, err);
  c.setCache(SEG_LDTR, baseOf(lo, hi), limitOf(lo, hi), accessOf(hi));
}

/** A segment register of the incoming task: the MOV rules, but every failure is #TS(sel). */
function loadTaskSegment(c: CpuCore, seg: number, sel: number): void {
  const err = (sel & 0xfffc) | c.extBit;
  if ((sel & 0xfffc) === 0) {
    if (seg === CS || seg === SS) c.raise(VEC_TS, err);
    c.loadNull(seg, sel);
    return;
  }
  readDescriptor(c, sel, VEC_TS);
  const hi = desc.hi;
  if (!isSegment(hi)) c.raise(VEC_TS, err);
  const dpl = dplOf(hi);
  const rpl = sel & 3;
  const code = isCode(hi);
  if (seg === CS) {
    if (!code) c.raise(VEC_TS, err);
    if (hi & 0x400 ? dpl > rpl : dpl !== rpl) c.raise(VEC_TS, err);
    if (!presentOf(hi)) c.raise(VEC_NP, err);
  } else if (seg === SS) {
    if (code || (hi & 0x200) === 0 || dpl !== c.cpl || rpl !== c.cpl) c.raise(VEC_TS, err);
    if (!presentOf(hi)) c.raise(VEC_SS, err);
  } else {
    if (code && (hi & 0x200) === 0) c.raise(VEC_TS, err);
    if ((!code || (hi & 0x400) === 0) && (rpl > dpl || c.cpl > dpl)) c.raise(VEC_TS, err);
    if (!presentOf(hi)) c.raise(VEC_NP, err);
  }
  if ((hi & 0x100) === 0) c.sysWrite8((desc.addr + 5) | 0, ((hi >>> 8) | 1) & 0xff);
  c.segSel[seg] = sel;
  c.setCache(seg, baseOf(desc.lo, hi), limitOf(desc.lo, hi), accessOf(hi) | 1);
}


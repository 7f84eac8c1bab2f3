/**
 * Stack instructions: PUSH/POP of registers, segment registers, immediates and memory, PUSHA/POPA,
 * PUSHF/POPF, ENTER/LEAVE. Instructions that push or pop several values write or read them all
 * with a local stack pointer and commit it last, so a fault part-way leaves the stack pointer as it
 * was and the instruction can restart.
 */
import { ATT_SHADOW, ATT_TRAP, type CpuCore, type Handler } from './cpuCore.js';
import { IOPL, RF, TF, VM } from './flags.js';
import { FAULT, VEC_GP } from './fault.js';
import { CS, EBP, ESP, FS, GS, SS } from './registers.js';

function pushZw(c: CpuCore, op: number): void {
  const r = op & 7;
  // PUSH SP: the 8086/186 push the decremented value, the 286 and later the original one.
  const v = r === ESP && c.traits.pushSpNew ? (c.r16[8] - 2) & 0xffff : c.r16[r << 1];
  c.push16(v);
}

function pushZd(c: CpuCore, op: number): void {
  c.push32(c.r32[op & 7]);
}

function popZw(c: CpuCore, op: number): void {
  const v = c.pop16();
  c.r16[(op & 7) << 1] = v;
}

function popZd(c: CpuCore, op: number): void {
  const v = c.pop32();
  c.r32[op & 7] = v;
}

/** Segment register of a one-byte PUSH/POP sreg opcode (06 07 0E 16 17 1E 1F) or 0F A0/A1/A8/A9. */
function sregOf(op: number): number {
  if (op >= 0xa0) return op >= 0xa8 ? GS : FS;
  return (op >> 3) & 3;
}

function pushSw(c: CpuCore, op: number): void {
  c.push16(c.segSel[sregOf(op)]);
}

/**
 * With a 32-bit operand size the 386/486 move the stack pointer by 4 but write only the 16-bit
 * selector, leaving the upper half of the slot unchanged.
 */
function pushSd(c: CpuCore, op: number): void {
  const sp = c.getSP();
  const n = c.ss32 ? (sp - 4) >>> 0 : (sp - 4) & 0xffff;
  c.wr16(SS, n, c.segSel[sregOf(op)]);
  c.setSP(n);
}

function popSeg(c: CpuCore, op: number, size32: boolean): void {
  const s = sregOf(op);
  const v = size32 ? c.peekStack32(0) & 0xffff : c.peekStack16(0);
  c.loadSeg(s, v);
  c.adjustSP(size32 ? 4 : 2);
  if (s === SS) c.attention |= ATT_SHADOW;
}

function popSw(c: CpuCore, op: number): void {
  popSeg(c, op, false);
}

function popSd(c: CpuCore, op: number): void {
  popSeg(c, op, true);
}

/** The 8086's POP CS (0Fh). */
function popCS(c: CpuCore, _op: number): void {
  const v = c.peekStack16(0);
  c.loadSeg(CS, v);
  c.adjustSP(2);
}

function pushIw(c: CpuCore, op: number): void {
  c.push16(op === 0x6a ? c.fetchS8() & 0xffff : c.fetch16());
}

function pushId(c: CpuCore, op: number): void {
  c.push32(op === 0x6a ? c.fetchS8() : c.fetch32());
}

/** FF /6 (and the 8086's FF /7 alias): the argument is the ModR/M byte. */
function pushEw(c: CpuCore, m: number): void {
  // PUSH SP through the ModR/M form behaves like 54h (see pushZw).
  if (m >= 0xc0 && (m & 7) === 4 && c.traits.pushSpNew) c.push16((c.r16[8] - 2) & 0xffff);
  else c.push16(c.readE16(m));
}

function pushEd(c: CpuCore, m: number): void {
  c.push32(c.readE32(m));
}

/**
 * 8F /0: POP to memory. The stack pointer is incremented before the effective address is
 * computed (it may be based on SP/ESP). A fault on the write puts it back on the 386+; the 286
 * keeps the incremented SP (measured).
 */
function popEw(c: CpuCore, m: number): void {
  const v = c.peekStack16(0);
  if (m >= 0xc0) {
    c.adjustSP(2);
    c.r16[(m & 7) << 1] = v;
    return;
  }
  const old = c.getSP();
  c.adjustSP(2);
  try {
    const off = c.ea(m);
    c.wr16(c.eaSeg, off, v);
  } catch (e) {
    if (e === FAULT && c.gen !== 286) c.setSP(old);
    throw e;
  }
}

function popEd(c: CpuCore, m: number): void {
  const v = c.peekStack32(0);
  if (m >= 0xc0) {
    c.adjustSP(4);
    c.r32[m & 7] = v;
    return;
  }
  const old = c.getSP();
  c.adjustSP(4);
  try {
    const off = c.ea(m);
    c.wr32(c.eaSeg, off, v);
  } catch (e) {
    if (e === FAULT && c.gen !== 286) c.setSP(old);
    throw e;
  }
}

function pusha(c: CpuCore, _op: number): void {
  let sp = c.getSP();
  const r = c.r16;
  const orig = r[8];
  for (let i = 0; i < 8; i++) sp = c.pushAt16(sp, i === ESP ? orig : r[i << 1]);
  c.setSP(sp);
}

function pushad(c: CpuCore, _op: number): void {
  let sp = c.getSP();
  const r = c.r32;
  const orig = r[ESP];
  for (let i = 0; i < 8; i++) sp = c.pushAt32(sp, i === ESP ? orig : r[i]);
  c.setSP(sp);
}

const popScratch = new Int32Array(8);

/** POPA reads all eight words first and skips the saved SP. */
function popa(c: CpuCore, _op: number): void {
  const v = popScratch;
  for (let i = 0; i < 8; i++) v[i] = c.peekStack16(2 * i);
  for (let i = 0; i < 8; i++) if (i !== 3) c.r16[(7 - i) << 1] = v[i];
  c.adjustSP(16);
}

function popad(c: CpuCore, _op: number): void {
  const v = popScratch;
  for (let i = 0; i < 8; i++) v[i] = c.peekStack32(4 * i);
  for (let i = 0; i < 8; i++) if (i !== 3) c.r32[7 - i] = v[i];
  c.adjustSP(32);
}

/** PUSHF/POPF in V86 mode need IOPL 3 (the monitor emulates them otherwise). */
function checkV86Iopl(c: CpuCore): void {
  if ((c.flags & VM) !== 0 && (c.flags & IOPL) !== IOPL) c.raise(VEC_GP, 0);
}

function pushf(c: CpuCore, _op: number): void {
  checkV86Iopl(c);
  c.push16(c.getFlags() & 0xffff);
}

/** PUSHFD clears VM and RF in the pushed image. */
function pushfd(c: CpuCore, _op: number): void {
  checkV86Iopl(c);
  c.push32(c.getFlags() & ~(VM | RF));
}

function popf(c: CpuCore, _op: number): void {
  checkV86Iopl(c);
  const v = c.peekStack16(0);
  c.setFlagBits(v, c.popfMask(false));
  c.adjustSP(2);
  if (c.flags & TF) c.attention |= ATT_TRAP;
}

function popfd(c: CpuCore, _op: number): void {
  checkV86Iopl(c);
  const v = c.peekStack32(0);
  c.setFlagBits(v, c.popfMask(true));
  c.adjustSP(4);
  if (c.flags & TF) c.attention |= ATT_TRAP;
}

/**
 * ENTER size, level: push BP, copy level-1 frame pointers from the old frame, push the new frame
 * pointer, BP = frame, SP -= size. The level is taken modulo 32. BP/EBP is chosen by the operand
 * size, SP/ESP by the stack size.
 */
function enter(c: CpuCore, size32: boolean): void {
  const size = c.fetch16();
  const level = c.fetch8() & 31;
  const stackMask = c.ss32 ? -1 : 0xffff;
  let sp = c.getSP();
  sp = size32 ? c.pushAt32(sp, c.r32[EBP]) : c.pushAt16(sp, c.r16[EBP << 1]);
  const frame = sp;
  if (level > 0) {
    let bp = c.ss32 ? c.r32[EBP] >>> 0 : c.r16[EBP << 1];
    for (let i = 1; i < level; i++) {
      bp = ((bp - (size32 ? 4 : 2)) & stackMask) >>> 0;
      sp = size32 ? c.pushAt32(sp, c.rd32(SS, bp)) : c.pushAt16(sp, c.rd16(SS, bp));
    }
    sp = size32 ? c.pushAt32(sp, frame) : c.pushAt16(sp, frame);
  }
  const newSp = ((sp - size) & stackMask) >>> 0;
  if (size32) c.r32[EBP] = frame;
  else c.r16[EBP << 1] = frame;
  c.setSP(newSp);
}

function enterW(c: CpuCore, _op: number): void {
  enter(c, false);
}

function enterD(c: CpuCore, _op: number): void {
  enter(c, true);
}

function leave(c: CpuCore, size32: boolean): void {
  const bp = c.ss32 ? c.r32[EBP] >>> 0 : c.r16[EBP << 1];
  const v = size32 ? c.rd32(SS, bp) : c.rd16(SS, bp);
  c.setSP(bp);
  c.adjustSP(size32 ? 4 : 2);
  if (size32) c.r32[EBP] = v;
  else c.r16[EBP << 1] = v;
}

function leaveW(c: CpuCore, _op: number): void {
  leave(c, false);
}

function leaveD(c: CpuCore, _op: number): void {
  leave(c, true);
}

export const stackHandlers: Record<string, Handler | readonly [Handler, Handler]> = {
  'push.Zv': [pushZw, pushZd],
  'pop.Zv': [popZw, popZd],
  'push.Sw': [pushSw, pushSd],
  'pop.Sw': [popSw, popSd],
  'pop.CS': popCS,
  'push.Iv': [pushIw, pushId],
  'push.Ev': [pushEw, pushEd],
  'pop.Ev': [popEw, popEd],
  pusha: [pusha, pushad],
  popa: [popa, popad],
  pushf: [pushf, pushfd],
  popf: [popf, popfd],
  enter: [enterW, enterD],
  leave: [leaveW, leaveD],
};

/**
 * Control transfers: Jcc, JMP, CALL, RET, RETF, LOOP/LOOPE/LOOPNE/JCXZ, INT n / INT3 / INTO /
 * INT1, IRET, BOUND and HLT.
 *
 * Near targets are reduced to 16 bits with a 16-bit operand size (jumpNear). Far transfers push
 * with a local stack pointer and commit it after CS has been loaded, so a fault leaves SP intact.
 * LOOP and JCXZ count in CX or ECX according to the ADDRESS size.
 */
import { ATT_HALT, ATT_TRAP, type CpuCore, type Handler } from './cpuCore.js';
import { IOPL, TF, VM } from './flags.js';
import { VEC_BP, VEC_BR, VEC_DB, VEC_GP, VEC_OF, VEC_UD } from './fault.js';
import { callFarProtected, retFarProtected } from './farTransfer.js';
import { iretProtected } from './interruptProtected.js';
import { CS, SS } from './registers.js';

function jccJb(c: CpuCore, op: number): void {
  const d = c.fetchS8();
  if (c.testCC(op & 15)) c.jumpNear(c.eip + d);
}

// The most frequent conditions get their own handlers: no condition-code switch on the way.
function jzJb(c: CpuCore, _op: number): void {
  const d = c.fetchS8();
  if (c.getZF()) c.jumpNear(c.eip + d);
}

function jnzJb(c: CpuCore, _op: number): void {
  const d = c.fetchS8();
  if (!c.getZF()) c.jumpNear(c.eip + d);
}

function jcJb(c: CpuCore, _op: number): void {
  const d = c.fetchS8();
  if (c.getCF() !== 0) c.jumpNear(c.eip + d);
}

function jncJb(c: CpuCore, _op: number): void {
  const d = c.fetchS8();
  if (c.getCF() === 0) c.jumpNear(c.eip + d);
}

function jccJw(c: CpuCore, op: number): void {
  const d = c.fetch16();
  if (c.testCC(op & 15)) c.jumpNear(c.eip + d);
}

function jccJd(c: CpuCore, op: number): void {
  const d = c.fetch32();
  if (c.testCC(op & 15)) c.jumpNear(c.eip + d);
}

function jmpJb(c: CpuCore, _op: number): void {
  const d = c.fetchS8();
  c.jumpNear(c.eip + d);
}

function jmpJw(c: CpuCore, _op: number): void {
  const d = c.fetch16();
  c.jumpNear(c.eip + d);
}

function jmpJd(c: CpuCore, _op: number): void {
  const d = c.fetch32();
  c.jumpNear(c.eip + d);
}

function callJw(c: CpuCore, _op: number): void {
  const d = c.fetch16();
  const ret = c.eip;
  c.push16(ret);
  c.jumpNear(ret + d);
}

function callJd(c: CpuCore, _op: number): void {
  const d = c.fetch32();
  const ret = c.eip;
  c.push32(ret);
  c.jumpNear(ret + d);
}

/** EA: JMP ptr16:16 / ptr16:32. */
function jmpApW(c: CpuCore, _op: number): void {
  const off = c.fetch16();
  const sel = c.fetch16();
  c.farJump(sel, off);
}

function jmpApD(c: CpuCore, _op: number): void {
  const off = c.fetch32() >>> 0;
  const sel = c.fetch16();
  c.farJump(sel, off);
}

function farCall(c: CpuCore, sel: number, off: number, size32: boolean): void {
  if (!c.realAddressing) {
    callFarProtected(c, sel, off, size32);
    return;
  }
  let sp = c.getSP();
  const ret = c.eip;
  if (size32) {
    sp = c.pushAt32(sp, c.segSel[CS]);
    sp = c.pushAt32(sp, ret);
  } else {
    sp = c.pushAt16(sp, c.segSel[CS]);
    sp = c.pushAt16(sp, ret);
  }
  c.farJump(sel, off);
  c.setSP(sp);
}

function callApW(c: CpuCore, _op: number): void {
  const off = c.fetch16();
  const sel = c.fetch16();
  farCall(c, sel, off, false);
}

function callApD(c: CpuCore, _op: number): void {
  const off = c.fetch32() >>> 0;
  const sel = c.fetch16();
  farCall(c, sel, off, true);
}

// ---- group 5 members (the argument is the ModR/M byte) -----------------------------------------

function callEw(c: CpuCore, m: number): void {
  const target = c.readE16(m);
  c.push16(c.eip);
  c.eip = target;
}

function callEd(c: CpuCore, m: number): void {
  const target = c.readE32(m) >>> 0;
  c.push32(c.eip);
  c.eip = target;
}

function jmpEw(c: CpuCore, m: number): void {
  c.eip = c.readE16(m);
}

function jmpEd(c: CpuCore, m: number): void {
  c.eip = c.readE32(m) >>> 0;
}

/** Reads a far pointer m16:16 or m16:32; the register form is invalid. */
function farPointer(c: CpuCore, m: number, size32: boolean): number {
  if (m >= 0xc0) c.raise(VEC_UD);
  const off = c.ea(m);
  const seg = c.eaSeg;
  const target = size32 ? c.rd32(seg, off) >>> 0 : c.rd16(seg, off);
  const selOff = c.as32 ? (off + (size32 ? 4 : 2)) >>> 0 : (off + (size32 ? 4 : 2)) & 0xffff;
  farSel = c.rd16(seg, selOff);
  return target;
}
let farSel = 0;

function callMpW(c: CpuCore, m: number): void {
  const off = farPointer(c, m, false);
  farCall(c, farSel, off, false);
}

function callMpD(c: CpuCore, m: number): void {
  const off = farPointer(c, m, true);
  farCall(c, farSel, off, true);
}

function jmpMpW(c: CpuCore, m: number): void {
  const off = farPointer(c, m, false);
  c.farJump(farSel, off);
}

function jmpMpD(c: CpuCore, m: number): void {
  const off = farPointer(c, m, true);
  c.farJump(farSel, off);
}

// ---- returns: an even opcode (C2/CA, or the 8086's C0/C8 aliases) carries the imm16 ------------

function retW(c: CpuCore, op: number): void {
  const target = c.peekStack16(0);
  const extra = (op & 1) === 0 ? c.fetch16() : 0;
  c.adjustSP(2 + extra);
  c.eip = target;
}

function retD(c: CpuCore, op: number): void {
  const target = c.peekStack32(0) >>> 0;
  const extra = (op & 1) === 0 ? c.fetch16() : 0;
  c.adjustSP(4 + extra);
  c.eip = target;
}

function retfW(c: CpuCore, op: number): void {
  const extra = (op & 1) === 0 ? c.fetch16() : 0;
  if (!c.realAddressing) {
    retFarProtected(c, false, extra);
    return;
  }
  const off = c.peekStack16(0);
  const sel = c.peekStack16(2);
  c.farJump(sel, off);
  c.adjustSP(4 + extra);
}

function retfD(c: CpuCore, op: number): void {
  const extra = (op & 1) === 0 ? c.fetch16() : 0;
  if (!c.realAddressing) {
    retFarProtected(c, true, extra);
    return;
  }
  const off = c.peekStack32(0) >>> 0;
  const sel = c.peekStack32(4) & 0xffff;
  c.farJump(sel, off);
  c.adjustSP(8 + extra);
}

function iretW(c: CpuCore, _op: number): void {
  if ((c.cr0 & 1) !== 0) {
    iretProtected(c, false);
    return;
  }
  let off: number;
  let sel: number;
  let flags: number;
  const sp = c.r16[8];
  if (!c.ss32 && sp <= 0xfffa && sp + 5 <= c.segFast[SS]) {
    // The usual case: the frame lies inside the stack segment without wrapping.
    const lin = (c.segBase[SS] + sp) | 0;
    off = c.readL16(lin);
    sel = c.readL16((lin + 2) | 0);
    flags = c.readL16((lin + 4) | 0);
  } else {
    off = c.peekStack16(0);
    sel = c.peekStack16(2);
    flags = c.peekStack16(4);
  }
  c.loadSeg(CS, sel);
  c.eip = off;
  c.setFlagBits(flags, c.popfMask(false));
  c.adjustSP(6);
  if (c.flags & TF) c.attention |= ATT_TRAP;
}

function iretD(c: CpuCore, _op: number): void {
  if ((c.cr0 & 1) !== 0) {
    iretProtected(c, true);
    return;
  }
  const off = c.peekStack32(0) >>> 0;
  const sel = c.peekStack32(4) & 0xffff;
  const flags = c.peekStack32(8);
  c.farJump(sel, off);
  c.setFlagBits(flags, c.popfMask(true));
  c.adjustSP(12);
  if (c.flags & TF) c.attention |= ATT_TRAP;
}

// ---- loops -----------------------------------------------------------------------------------

/** E0 LOOPNE, E1 LOOPE, E2 LOOP, E3 JCXZ/JECXZ. */
function loop(c: CpuCore, op: number): void {
  const d = c.fetchS8();
  let count: number;
  if (op === 0xe3) {
    count = c.as32 ? c.r32[1] : c.r16[2];
    if (count === 0) c.jumpNear(c.eip + d);
    return;
  }
  if (c.as32) {
    count = (c.r32[1] - 1) | 0;
    c.r32[1] = count;
  } else {
    count = (c.r16[2] - 1) & 0xffff;
    c.r16[2] = count;
  }
  if (count === 0) return;
  if (op === 0xe2 || c.getZF() === (op === 0xe1)) c.jumpNear(c.eip + d);
}

// ---- interrupts ------------------------------------------------------------------------------

/** INT n: in V86 mode only at IOPL 3 (otherwise #GP(0) to the monitor). */
function intIb(c: CpuCore, _op: number): void {
  const v = c.fetch8();
  if ((c.cr0 & 1) === 0) {
    c.interrupt(v, c.eip);
    return;
  }
  if ((c.flags & VM) !== 0 && (c.flags & IOPL) !== IOPL) c.raise(VEC_GP, 0);
  c.interruptPm(v, c.eip, -1, true);
}

function int3(c: CpuCore, _op: number): void {
  if ((c.cr0 & 1) === 0) c.interrupt(VEC_BP, c.eip);
  else c.interruptPm(VEC_BP, c.eip, -1, true);
}

function into(c: CpuCore, _op: number): void {
  if (!c.getOF()) return;
  if ((c.cr0 & 1) === 0) c.interrupt(VEC_OF, c.eip);
  else c.interruptPm(VEC_OF, c.eip, -1, true);
}

/** F1h on the 386/486: the undocumented ICEBP, a one-byte INT 1. */
function int1(c: CpuCore, _op: number): void {
  c.interrupt(VEC_DB, c.eip);
}

function boundW(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  if (m >= 0xc0) c.raise(VEC_UD);
  const off = c.ea(m);
  const seg = c.eaSeg;
  const lo = (c.rd16(seg, off) << 16) >> 16;
  const hi = (c.rd16(seg, c.as32 ? (off + 2) >>> 0 : (off + 2) & 0xffff) << 16) >> 16;
  const v = (c.r16[(m >> 2) & 14] << 16) >> 16;
  if (v < lo || v > hi) c.raise(VEC_BR);
}

function boundD(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  if (m >= 0xc0) c.raise(VEC_UD);
  const off = c.ea(m);
  const seg = c.eaSeg;
  const lo = c.rd32(seg, off);
  const hi = c.rd32(seg, c.as32 ? (off + 4) >>> 0 : (off + 4) & 0xffff);
  const v = c.r32[(m >> 3) & 7];
  if (v < lo || v > hi) c.raise(VEC_BR);
}

/** HLT is privileged: #GP(0) at CPL > 0 and in V86 mode. */
function hlt(c: CpuCore, _op: number): void {
  if ((c.cr0 & 1) !== 0 && ((c.flags & VM) !== 0 || c.cpl !== 0)) c.raise(VEC_GP, 0);
  c.halted = true;
  c.attention |= ATT_HALT;
}

export const controlHandlers: Record<string, Handler | readonly [Handler, Handler]> = {
  'jcc.Jb': jccJb,
  'jz.Jb': jzJb,
  'jnz.Jb': jnzJb,
  'jc.Jb': jcJb,
  'jnc.Jb': jncJb,
  'jcc.Jv': [jccJw, jccJd],
  'jmp.Jb': jmpJb,
  'jmp.Jv': [jmpJw, jmpJd],
  'call.Jv': [callJw, callJd],
  'jmp.Ap': [jmpApW, jmpApD],
  'call.Ap': [callApW, callApD],
  'call.Ev': [callEw, callEd],
  'jmp.Ev': [jmpEw, jmpEd],
  'call.Mp': [callMpW, callMpD],
  'jmp.Mp': [jmpMpW, jmpMpD],
  ret: [retW, retD],
  retf: [retfW, retfD],
  iret: [iretW, iretD],
  loop,
  'int.Ib': intIb,
  int3,
  into,
  int1,
  bound: [boundW, boundD],
  hlt,
};

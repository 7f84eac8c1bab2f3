/**
 * String instructions: MOVS, CMPS, STOS, LODS, SCAS, INS, OUTS, with REP/REPE/REPNE.
 *
 * The source is DS:SI (or the segment override), the destination always ES:DI. The ADDRESS size
 * selects SI/DI/CX or ESI/EDI/ECX; 16-bit pointers wrap at 64 KiB. Each iteration updates the
 * registers before the next one starts, so a fault inside a REP leaves them describing exactly
 * the iterations done and the restarted instruction resumes there.
 *
 * Every REP iteration counts as one instruction (virtual time follows the work done). A step runs
 * at most c.repChunk iterations: then EIP is left on the instruction (prefixes included) so the
 * run loop can take interrupts, keep its budget exactly and stop for the debugger, and the next
 * step continues the same REP, as a single-stepped REP does on the chip.
 */
import { alu16, alu32, alu8 } from './alu.js';
import { ATT_EXTRA, type CpuCore, type Handler } from './cpuCore.js';
import { DF } from './flags.js';
import { FAULT } from './fault.js';
import { ES } from './registers.js';

const CMP = 7;

/** Element count register for this instruction (CX or ECX), unsigned. */
function repCount(c: CpuCore): number {
  return c.as32 ? c.r32[1] >>> 0 : c.r16[2];
}

function setCount(c: CpuCore, n: number): void {
  if (c.as32) c.r32[1] = n;
  else c.r16[2] = n;
}

function src(c: CpuCore): number {
  return c.as32 ? c.r32[6] >>> 0 : c.r16[12];
}

function dst(c: CpuCore): number {
  return c.as32 ? c.r32[7] >>> 0 : c.r16[14];
}

function advanceSrc(c: CpuCore, delta: number): void {
  if (c.as32) c.r32[6] = c.r32[6] + delta;
  else c.r16[12] = c.r16[12] + delta;
}

function advanceDst(c: CpuCore, delta: number): void {
  if (c.as32) c.r32[7] = c.r32[7] + delta;
  else c.r16[14] = c.r16[14] + delta;
}

/** Leaves EIP on the instruction so the REP continues in the next step. */
function continueLater(c: CpuCore): void {
  c.eip = c.startEip;
  c.repContinued = true;
}

/** Records the iterations of a REP step (the first one is the instruction itself). */
function countIterations(c: CpuCore, done: number): void {
  if (done > 1) {
    c.repExtra += done - 1;
    c.attention |= ATT_EXTRA;
  }
}

// ---- one iteration of each instruction (size 1, 2 or 4) -----------------------------------------

function movsOnce(c: CpuCore, size: number, delta: number): void {
  const s = src(c);
  const d = dst(c);
  if (size === 1) c.wr8(ES, d, c.rd8(c.dsSeg, s));
  else if (size === 2) c.wr16(ES, d, c.rd16(c.dsSeg, s));
  else c.wr32(ES, d, c.rd32(c.dsSeg, s));
  advanceSrc(c, delta);
  advanceDst(c, delta);
}

function stosOnce(c: CpuCore, size: number, delta: number): void {
  const d = dst(c);
  if (size === 1) c.wr8(ES, d, c.r8[0]);
  else if (size === 2) c.wr16(ES, d, c.r16[0]);
  else c.wr32(ES, d, c.r32[0]);
  advanceDst(c, delta);
}

function lodsOnce(c: CpuCore, size: number, delta: number): void {
  const s = src(c);
  if (size === 1) c.r8[0] = c.rd8(c.dsSeg, s);
  else if (size === 2) c.r16[0] = c.rd16(c.dsSeg, s);
  else c.r32[0] = c.rd32(c.dsSeg, s);
  advanceSrc(c, delta);
}

function cmpsOnce(c: CpuCore, size: number, delta: number): void {
  const s = src(c);
  const d = dst(c);
  if (size === 1) {
    const a = c.rd8(c.dsSeg, s);
    alu8(c, CMP, a, c.rd8(ES, d));
  } else if (size === 2) {
    const a = c.rd16(c.dsSeg, s);
    alu16(c, CMP, a, c.rd16(ES, d));
  } else {
    const a = c.rd32(c.dsSeg, s);
    alu32(c, CMP, a, c.rd32(ES, d));
  }
  advanceSrc(c, delta);
  advanceDst(c, delta);
}

function scasOnce(c: CpuCore, size: number, delta: number): void {
  const d = dst(c);
  if (size === 1) alu8(c, CMP, c.r8[0], c.rd8(ES, d));
  else if (size === 2) alu16(c, CMP, c.r16[0], c.rd16(ES, d));
  else alu32(c, CMP, c.r32[0], c.rd32(ES, d));
  advanceDst(c, delta);
}

/** INS checks the destination before the port read, so a faulting iteration reads no port. */
function insOnce(c: CpuCore, size: number, delta: number): void {
  const d = dst(c);
  const port = c.r16[4];
  c.checkIo(port, size);
  c.probeWrite(ES, d, size);
  if (size === 1) c.wr8(ES, d, c.io.in8(port));
  else if (size === 2) c.wr16(ES, d, c.io.in16(port));
  else c.wr32(ES, d, c.io.in32(port));
  advanceDst(c, delta);
}

function outsOnce(c: CpuCore, size: number, delta: number): void {
  const s = src(c);
  const port = c.r16[4];
  c.checkIo(port, size);
  if (size === 1) c.io.out8(port, c.rd8(c.dsSeg, s));
  else if (size === 2) c.io.out16(port, c.rd16(c.dsSeg, s));
  else c.io.out32(port, c.rd32(c.dsSeg, s));
  advanceSrc(c, delta);
}

type Once = (c: CpuCore, size: number, delta: number) => void;

/**
 * The 286 does not restart a string instruction cleanly after a limit fault: the pointer of the
 * access that faulted (and of any access before it) has already moved, and a REP has already
 * counted CX down. Measured on the SingleStepTests 80286 vectors, for the faulting iteration:
 *   MOVS  source fault: SI; CX-1      destination fault: SI, DI; CX-2
 *   STOS, INS  destination fault: DI; CX-2      LODS, OUTS  source fault: SI; CX-1
 *   SCAS  DI; CX-1      CMPS  reads ES:DI first: fault there DI; at DS:SI then DI, SI; CX-1
 * (CX only changes under REP.) Later CPUs leave the registers as they were, so REP restarts.
 */
function fault286(c: CpuCore, once: Once, size: number, delta: number): void {
  const rep = c.rep !== 0;
  const srcOk = c.withinLimit(c.dsSeg, src(c), size);
  const dstOk = c.withinLimit(ES, dst(c), size);
  let cx = 0;
  if (once === movsOnce) {
    advanceSrc(c, delta);
    if (srcOk) advanceDst(c, delta);
    cx = srcOk ? 2 : 1;
  } else if (once === stosOnce || once === insOnce) {
    advanceDst(c, delta);
    cx = 2;
  } else if (once === lodsOnce || once === outsOnce) {
    advanceSrc(c, delta);
    cx = 1;
  } else if (once === scasOnce) {
    advanceDst(c, delta);
    cx = 1;
  } else {
    advanceDst(c, delta);
    if (dstOk) advanceSrc(c, delta);
    cx = dstOk ? 1 : 0;
  }
  if (rep) setCount(c, (repCount(c) - cx) & (c.as32 ? -1 : 0xffff));
}

function runOnce(c: CpuCore, once: Once, size: number, delta: number): void {
  if (c.gen !== 286) {
    once(c, size, delta);
    return;
  }
  try {
    once(c, size, delta);
  } catch (e) {
    if (e === FAULT) fault286(c, once, size, delta);
    throw e;
  }
}

/** Runs a non-comparing string instruction (REP and REPNE both mean "repeat CX times"). */
function repeat(c: CpuCore, once: Once, size: number): void {
  const delta = c.flags & DF ? -size : size;
  if (c.rep === 0) {
    runOnce(c, once, size, delta);
    return;
  }
  let n = repCount(c);
  const chunk = c.repChunk;
  let done = 0;
  c.repContinued = false;
  const bulk = delta > 0 && (once === movsOnce || once === stosOnce);
  while (n !== 0) {
    if (done === chunk) {
      continueLater(c);
      break;
    }
    if (bulk) {
      const k = once === movsOnce ? movsBulk(c, size, Math.min(n, chunk - done)) : stosBulk(c, size, Math.min(n, chunk - done));
      if (k > 0) {
        done += k;
        n -= k;
        setCount(c, n);
        continue;
      }
    }
    runOnce(c, once, size, delta);
    done++;
    n--;
    setCount(c, n);
    // A data breakpoint hit ends the step after this iteration: the #DB trap points at the REP.
    if (c.dbgHit !== 0) {
      if (n !== 0) continueLater(c);
      break;
    }
  }
  countIterations(c, done);
}

/**
 * How many elements from offset `off` stay inside the segment limit, the 16-bit offset space and
 * the 4 KiB page of the linear address (so one direct RAM index covers them all); 0 when the
 * first element needs the careful path.
 */
function runLength(c: CpuCore, seg: number, off: number, size: number, max: number, write: boolean): number {
  const limitLeft = (write ? c.segFastW : c.segFast)[seg] - off + 1;
  const spaceLeft = c.as32 ? limitLeft : Math.min(limitLeft, 0x10000 - off);
  const pageLeft = 0x1000 - (((c.segBase[seg] + off) | 0) & 0xfff);
  const bytes = Math.min(spaceLeft, pageLeft);
  return bytes < size ? 0 : Math.min(max, Math.floor(bytes / size));
}

/**
 * REP MOVS forwards over RAM: up to `max` elements inside one page on each side, copied
 * element by element in order (overlapping moves replicate exactly as on the chip).
 */
function movsBulk(c: CpuCore, size: number, max: number): number {
  const s = src(c);
  const d = dst(c);
  const srcSeg = c.dsSeg;
  let k = runLength(c, srcSeg, s, size, max, false);
  if (k > 0) k = runLength(c, ES, d, size, k, true);
  if (k === 0) return 0;
  const from = c.directIndex((c.segBase[srcSeg] + s) | 0, false);
  const to = c.directIndex((c.segBase[ES] + d) | 0, true);
  if (from < 0 || to < 0) return 0;
  const bytes = k * size;
  const mem = c.mem;
  // Moving down (or apart) reads every byte before it is overwritten: a plain memmove. Moving up
  // onto itself, each element is read whole and then written, replicating the pattern.
  if (to <= from || to >= from + bytes) mem.copyWithin(to, from, from + bytes);
  else {
    for (let e = 0; e < bytes; e += size) {
      const f = from + e;
      const t = to + e;
      if (size === 1) mem[t] = mem[f];
      else if (size === 2) {
        const a = mem[f];
        const b = mem[f + 1];
        mem[t] = a;
        mem[t + 1] = b;
      } else {
        const a = mem[f];
        const b = mem[f + 1];
        const x = mem[f + 2];
        const y = mem[f + 3];
        mem[t] = a;
        mem[t + 1] = b;
        mem[t + 2] = x;
        mem[t + 3] = y;
      }
    }
  }
  advanceSrc(c, bytes);
  advanceDst(c, bytes);
  return k;
}

/** REP STOS forwards over RAM: up to `max` elements inside one page. */
function stosBulk(c: CpuCore, size: number, max: number): number {
  const d = dst(c);
  const k = runLength(c, ES, d, size, max, true);
  if (k === 0) return 0;
  const to = c.directIndex((c.segBase[ES] + d) | 0, true);
  if (to < 0) return 0;
  const mem = c.mem;
  if (size === 1) mem.fill(c.r8[0], to, to + k);
  else {
    const v = c.r32[0];
    for (let i = 0; i < k * size; i += size) {
      mem[to + i] = v;
      mem[to + i + 1] = v >> 8;
      if (size === 4) {
        mem[to + i + 2] = v >> 16;
        mem[to + i + 3] = v >> 24;
      }
    }
  }
  advanceDst(c, k * size);
  return k;
}

/** CMPS/SCAS: REPE (F3) repeats while equal, REPNE (F2) while different. */
function repeatCompare(c: CpuCore, once: Once, size: number): void {
  const delta = c.flags & DF ? -size : size;
  const rep = c.rep;
  if (rep === 0) {
    runOnce(c, once, size, delta);
    return;
  }
  const whileEqual = rep === 0xf3;
  let n = repCount(c);
  const chunk = c.repChunk;
  let done = 0;
  c.repContinued = false;
  while (n !== 0) {
    if (done === chunk) {
      continueLater(c);
      break;
    }
    runOnce(c, once, size, delta);
    done++;
    n--;
    setCount(c, n);
    if (c.getZF() !== whileEqual) break;
    if (c.dbgHit !== 0) {
      if (n !== 0) continueLater(c);
      break;
    }
  }
  countIterations(c, done);
}

function sizeOf(c: CpuCore, op: number): number {
  return (op & 1) === 0 ? 1 : c.opIdx === 0 ? 2 : 4;
}

function movs(c: CpuCore, op: number): void {
  repeat(c, movsOnce, sizeOf(c, op));
}
function stos(c: CpuCore, op: number): void {
  repeat(c, stosOnce, sizeOf(c, op));
}
function lods(c: CpuCore, op: number): void {
  repeat(c, lodsOnce, sizeOf(c, op));
}
function ins(c: CpuCore, op: number): void {
  repeat(c, insOnce, sizeOf(c, op));
}
function outs(c: CpuCore, op: number): void {
  repeat(c, outsOnce, sizeOf(c, op));
}
function cmps(c: CpuCore, op: number): void {
  repeatCompare(c, cmpsOnce, sizeOf(c, op));
}
function scas(c: CpuCore, op: number): void {
  repeatCompare(c, scasOnce, sizeOf(c, op));
}

export const stringHandlers: Record<string, Handler | readonly [Handler, Handler]> = {
  movs,
  cmps,
  stos,
  lods,
  scas,
  ins,
  outs,
};

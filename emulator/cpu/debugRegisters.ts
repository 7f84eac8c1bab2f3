/**
 * The 386/486 debug registers (Intel 386 Programmer's Reference chapter 12): DR0-DR3 linear
 * breakpoint addresses, DR6 status, DR7 control. Instruction breakpoints (R/W = 00) are faults
 * checked at each instruction boundary (suppressed while EFLAGS.RF is set); data breakpoints
 * (R/W = 01 writes, 11 reads and writes; LEN = 1, 2 or 4 bytes, aligned) are traps taken after
 * the instruction. Data breakpoints cost nothing elsewhere: their pages never get a direct TLB
 * entry, so only accesses to those pages reach the check (CpuMemory.checkWatch).
 */
import { ATT_DEBUG, type CpuCore } from './cpuCore.js';
import { RF } from './flags.js';

/** DR6 bits that always read as 1 (as the oracle, QEMU 7.2, keeps them). */
const DR6_FIXED = 0xffff0ff0 | 0;
/** DR7 bit 10 always reads as 1. */
const DR7_FIXED = 0x400;
const DR6_BS = 0x4000;

const LEN_BYTES = [1, 2, 8, 4] as const;

export function writeDebugRegister(c: CpuCore, n: number, v: number): void {
  if (n === 6) c.dr[6] = v | DR6_FIXED;
  else if (n === 7) c.dr[7] = v | DR7_FIXED;
  else c.dr[n] = v;
  if (n !== 6) updateBreakpoints(c);
}

/** Re-derives the armed breakpoints from DR0-DR3 and DR7 (also after loadState and reset). */
export function updateBreakpoints(c: CpuCore): void {
  const dr7 = c.dr[7];
  let exec = 0;
  let watches = 0;
  for (let i = 0; i < 4; i++) {
    c.watchPage[i] = -1;
    if (((dr7 >>> (i * 2)) & 3) === 0) continue;
    const rw = (dr7 >>> (16 + i * 4)) & 3;
    if (rw === 0) {
      exec |= 1 << i;
      continue;
    }
    if (rw === 2) continue; // I/O breakpoints need CR4.DE (Pentium)
    const size = LEN_BYTES[(dr7 >>> (18 + i * 4)) & 3];
    const start = (c.dr[i] & ~(size - 1)) >>> 0;
    c.watchStart[i] = start;
    c.watchEnd[i] = start + size;
    c.watchReads[i] = rw === 3 ? 1 : 0;
    c.watchPage[i] = start >>> 12;
    watches++;
  }
  c.execBreakpoints = exec;
  c.watchCount = watches;
  c.flushTlb();
  if (exec !== 0 || watches !== 0 || (c.flags & RF) !== 0) c.attention |= ATT_DEBUG;
}

/**
 * At an instruction boundary with ATT_DEBUG: reports the data breakpoints the instruction hit
 * (returns true: a #DB trap is due), and retires RF after the instruction that ran with it.
 */
export function debugAfterInstruction(c: CpuCore): boolean {
  if (c.rfFresh) c.rfFresh = false;
  else if (c.flags & RF) c.flags &= ~RF;
  const hit = c.dbgHit;
  if (hit !== 0) {
    c.dbgHit = 0;
    // B0-B3 name the breakpoints this instruction hit; BT (bit 15) a task switch's T bit.
    c.dr[6] = (hit & 0xf ? c.dr[6] & ~0xf : c.dr[6]) | hit;
    return true;
  }
  if (c.execBreakpoints === 0 && c.watchCount === 0 && (c.flags & RF) === 0) c.attention &= ~ATT_DEBUG;
  return false;
}

/** An instruction breakpoint on the next instruction (CS:EIP): true when a #DB fault is due. */
export function codeBreakpointDue(c: CpuCore): boolean {
  const mask = c.execBreakpoints;
  if (mask === 0 || (c.flags & RF) !== 0) return false;
  const lin = (c.segBase[1] + c.eip) | 0;
  let hits = 0;
  for (let i = 0; i < 4; i++) if ((mask >> i) & 1 && c.dr[i] === lin) hits |= 1 << i;
  if (hits === 0) return false;
  c.dr[6] = (c.dr[6] & ~0xf) | hits;
  return true;
}

/** The single-step trap sets DR6.BS. */
export function noteSingleStep(c: CpuCore): void {
  c.dr[6] |= DR6_BS;
}

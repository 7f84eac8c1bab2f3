/**
 * Segment descriptors (Intel 386 Programmer's Reference 5.1, 6.3): reading one from the GDT or
 * LDT into a scratch record (no allocation), decoding base, limit and access rights, the system
 * descriptor types, and the accessed/busy bits written back to the table.
 */
import type { CpuCore } from './cpuCore.js';
import { ACC_PRESENT } from './cpuState.js';
import { VEC_GP } from './fault.js';
import { SEG_LDTR } from './registers.js';

/** System descriptor types (access byte bits 0-3 with S = 0). */
export const T_TSS286 = 0x1;
export const T_LDT = 0x2;
export const T_TSS286_BUSY = 0x3;
export const T_CALL286 = 0x4;
export const T_TASK_GATE = 0x5;
export const T_INT286 = 0x6;
export const T_TRAP286 = 0x7;
export const T_TSS386 = 0x9;
export const T_TSS386_BUSY = 0xb;
export const T_CALL386 = 0xc;
export const T_INT386 = 0xe;
export const T_TRAP386 = 0xf;

/** The last descriptor read: its two dwords and its linear address in the table. */
export const desc = { lo: 0, hi: 0, addr: 0 };

/** Access rights as the cache keeps them: byte 5 in bits 0-7, the G/D/AVL nibble in bits 12-15. */
export function accessOf(hi: number): number {
  return ((hi >>> 8) & 0xff) | ((hi >>> 8) & 0xf000);
}

export function baseOf(lo: number, hi: number): number {
  return (lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000);
}

/** Limit in bytes minus one, scaled by the granularity bit. */
export function limitOf(lo: number, hi: number): number {
  const l = (lo & 0xffff) | (hi & 0xf0000);
  return hi & 0x800000 ? ((l << 12) | 0xfff) >>> 0 : l;
}

export function dplOf(hi: number): number {
  return (hi >>> 13) & 3;
}

export function presentOf(hi: number): boolean {
  return ((hi >>> 8) & ACC_PRESENT) !== 0;
}

/** True for S = 1 descriptors (code and data). */
export function isSegment(hi: number): boolean {
  return (hi & 0x1000) !== 0;
}

export function isCode(hi: number): boolean {
  return (hi & 0x1800) === 0x1800;
}

/** System type (S = 0) or -1 for code and data. */
export function systemType(hi: number): number {
  return hi & 0x1000 ? -1 : (hi >>> 8) & 0xf;
}

/**
 * Linear address of the descriptor for `sel`, or -1 when it lies outside the GDT/LDT (or the LDT
 * is not usable). The null selector is the caller's business.
 */
export function descriptorLinear(c: CpuCore, sel: number): number {
  const index = sel & 0xfff8;
  if (sel & 4) {
    if ((c.segAccess[SEG_LDTR] & ACC_PRESENT) === 0 || (c.segSel[SEG_LDTR] & 0xfffc) === 0) return -1;
    if (index + 7 > c.segLimit[SEG_LDTR]) return -1;
    return (c.segBase[SEG_LDTR] + index) | 0;
  }
  if (index + 7 > c.gdtrLimit) return -1;
  return (c.gdtrBase + index) | 0;
}

/**
 * Reads the descriptor of `sel` into `desc`; a selector outside its table raises `vector` with
 * the selector (and the EXT bit) as error code. Table reads are supervisor accesses.
 */
export function readDescriptor(c: CpuCore, sel: number, vector = VEC_GP): void {
  let addr: number;
  const index = sel & 0xfff8;
  if ((sel & 4) === 0 && index + 7 <= c.gdtrLimit) addr = (c.gdtrBase + index) | 0;
  else {
    addr = descriptorLinear(c, sel);
    if (addr === -1) c.raise(vector, (sel & 0xfffc) | c.extBit);
  }
  desc.addr = addr;
  if (c.userAccess) {
    desc.lo = c.sysRead32(addr);
    desc.hi = c.sysRead32((addr + 4) | 0);
  } else {
    desc.lo = c.readL32(addr);
    desc.hi = c.readL32((addr + 4) | 0);
  }
  if (c.gen === 286) as286();
}

/**
 * The 286 reads only the first six bytes (16-bit limit, 24-bit base, no G/D bits) and knows no
 * 386 system types: those read as type 0, which every check refuses (80286 manual 6.3, 7.1).
 */
function as286(): void {
  let hi = desc.hi & 0xffff;
  if ((hi & 0x1800) === 0x0800) hi &= ~0xf00;
  desc.hi = hi;
}

/** Like readDescriptor, but answers false instead of faulting (LAR, LSL, VERR, VERW). */
export function tryReadDescriptor(c: CpuCore, sel: number): boolean {
  if ((sel & 0xfffc) === 0) return false;
  const addr = descriptorLinear(c, sel);
  if (addr === -1) return false;
  desc.addr = addr;
  desc.lo = c.sysRead32(addr);
  desc.hi = c.sysRead32((addr + 4) | 0);
  if (c.gen === 286) as286();
  return true;
}

/** Sets the accessed bit of the descriptor just read (segment loads do this on every load). */
export function markAccessed(c: CpuCore): void {
  if ((desc.hi & 0x100) === 0) {
    desc.hi |= 0x100;
    c.sysWrite8((desc.addr + 5) | 0, (desc.hi >>> 8) & 0xff);
  }
}

/** Sets or clears the busy bit (type bit 1) of the TSS descriptor of `sel` in the GDT. */
export function setBusy(c: CpuCore, sel: number, busy: boolean): void {
  const addr = (c.gdtrBase + (sel & 0xfff8) + 5) | 0;
  const b = c.sysRead8(addr);
  c.sysWrite8(addr, busy ? b | 2 : b & ~2);
}

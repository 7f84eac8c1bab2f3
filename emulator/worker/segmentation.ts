/**
 * Segment arithmetic for the debugger: turns seg:off into a linear address the way the CPU would
 * in the current mode, and decodes descriptors from the GDT/LDT (Intel SDM vol. 3, 3.4.5). Reads
 * only through side-effect-free accessors.
 */
import type { CpuState, SegmentState } from '../../protocol/machineState.js';

export interface LinearReader {
  peekPhysical(address: number): number;
  translate(linear: number): number;
}

export class AddressError extends Error {
  override readonly name = 'AddressError';
}

/** Reads one byte at a linear address; throws an AddressError naming the address when unreadable. */
export function peekLinear(mem: LinearReader, linear: number): number {
  const phys = mem.translate(linear >>> 0);
  if (phys < 0) throw new AddressError(`linear ${hex8(linear)} is not mapped`);
  const v = mem.peekPhysical(phys);
  if (v < 0) throw new AddressError(`physical ${hex8(phys)} is not readable`);
  return v;
}

export function peekLinearLE(mem: LinearReader, linear: number, size: 1 | 2 | 4): number {
  let v = 0;
  for (let i = 0; i < size; i++) v |= peekLinear(mem, (linear + i) >>> 0) << (8 * i);
  return v >>> 0;
}

export interface Descriptor {
  readonly base: number;
  readonly limit: number;
  readonly access: number;
  readonly big: boolean;
  readonly present: boolean;
}

/** Decodes an 8-byte segment descriptor. The limit is scaled by 4 KiB when G is set. */
export function decodeDescriptor(lo: number, hi: number): Descriptor {
  const base = ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0;
  let limit = (lo & 0xffff) | (hi & 0x000f0000);
  if (hi & 0x00800000) limit = ((limit << 12) | 0xfff) >>> 0;
  const access = (hi >>> 8) & 0xff;
  return { base, limit, access, big: (hi & 0x00400000) !== 0, present: (access & 0x80) !== 0 };
}

/** Looks a selector up in the GDT or LDT; throws an AddressError saying why it cannot. */
export function lookupSelector(state: CpuState, mem: LinearReader, selector: number): Descriptor {
  const sel = selector & 0xffff;
  const table = sel & 4 ? state.ldtr : state.gdtr;
  const index = sel & 0xfff8;
  if ((sel & 4) === 0 && index === 0) throw new AddressError(`selector ${hex4(sel)} is the null selector`);
  if (index + 7 > table.limit) {
    throw new AddressError(`selector ${hex4(sel)} is beyond the ${sel & 4 ? 'LDT' : 'GDT'} limit ${hex4(table.limit)}`);
  }
  const lo = peekLinearLE(mem, table.base + index, 4);
  const hi = peekLinearLE(mem, table.base + index + 4, 4);
  const d = decodeDescriptor(lo, hi);
  if ((d.access & 0x10) === 0) throw new AddressError(`selector ${hex4(sel)} is a system descriptor, not a segment`);
  return d;
}

/** The base for a segment given as a number: a paragraph in real/V86 mode, a selector in protected mode. */
export function segmentBase(state: CpuState, mem: LinearReader, segment: number): number {
  if (state.mode !== 'protected') return ((segment & 0xffff) << 4) >>> 0;
  return lookupSelector(state, mem, segment).base;
}

/** Offsets wrap at 64 KiB unless the code segment is 32-bit (the debugger's view of address size). */
export function offsetMask(state: CpuState): number {
  return state.cs.big && state.mode === 'protected' ? 0xffffffff : 0xffff;
}

export function linearOf(seg: SegmentState, offset: number): number {
  return (seg.base + offset) >>> 0;
}

export function hex8(v: number): string {
  return (v >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

export function hex4(v: number): string {
  return (v & 0xffff).toString(16).toUpperCase().padStart(4, '0');
}

/**
 * Evaluates debugger expression trees (protocol/debugExpression.ts) against a CPU state and
 * side-effect-free memory. Runs next to the CPU so breakpoint conditions and logpoints need no
 * round trip to the host. Arithmetic is unsigned 32-bit, as a register holds it.
 */
import type { AddressExpr, EvalResult, Expr, LogPart } from '../../protocol/debugExpression.js';
import type { CpuState, RegisterName, SegmentRegister } from '../../protocol/machineState.js';
import { AddressError, offsetMask, peekLinear, peekLinearLE, segmentBase, type LinearReader } from './segmentation.js';

export class EvalError extends Error {
  override readonly name = 'EvalError';
}

/** EFLAGS bit of each named flag (Intel SDM vol. 1, 3.4.3). */
export const FLAG_BITS: { readonly [name: string]: number } = {
  cf: 0, pf: 2, af: 4, zf: 6, sf: 7, tf: 8, if: 9, df: 10, of: 11, nt: 14, rf: 16, vm: 17, ac: 18,
};

const GPR32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;
const GPR16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'] as const;
const GPR8 = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'] as const;
const SEGS: readonly SegmentRegister[] = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];

export function registerSize(name: RegisterName): 1 | 2 | 4 {
  if (name in FLAG_BITS) return 1;
  if ((GPR8 as readonly string[]).includes(name)) return 1;
  if ((GPR16 as readonly string[]).includes(name) || (SEGS as readonly string[]).includes(name)) return 2;
  if (name === 'ip' || name === 'flags') return 2;
  return 4;
}

export function readRegister(s: CpuState, name: RegisterName): number {
  const bit = FLAG_BITS[name];
  if (bit !== undefined) return (s.eflags >>> bit) & 1;
  let i = (GPR32 as readonly string[]).indexOf(name);
  if (i >= 0) return s[GPR32[i]] >>> 0;
  i = (GPR16 as readonly string[]).indexOf(name);
  if (i >= 0) return s[GPR32[i]] & 0xffff;
  i = (GPR8 as readonly string[]).indexOf(name);
  if (i >= 0) return i < 4 ? s[GPR32[i]] & 0xff : (s[GPR32[i - 4]] >>> 8) & 0xff;
  if ((SEGS as readonly string[]).includes(name)) return s[name as SegmentRegister].selector;
  switch (name) {
    case 'eip': return s.eip >>> 0;
    case 'ip': return s.eip & 0xffff;
    case 'eflags': return s.eflags >>> 0;
    case 'flags': return s.eflags & 0xffff;
    case 'cr0': return s.cr0 >>> 0;
    case 'cr2': return s.cr2 >>> 0;
    case 'cr3': return s.cr3 >>> 0;
  }
  throw new EvalError(`unknown register '${name}'`);
}

export interface EvalContext extends LinearReader {
  readonly state: CpuState;
}

function sizeOf(v: number): 1 | 2 | 4 {
  return v <= 0xff ? 1 : v <= 0xffff ? 2 : 4;
}

/** Resolves an address expression to a linear (or, for `phys:`, physical) address. */
export function resolveAddress(a: AddressExpr, ctx: EvalContext): { space: 'linear' | 'physical'; address: number } {
  if (a.kind === 'linear') return { space: 'linear', address: evaluate(a.value, ctx).value };
  if (a.kind === 'physical') return { space: 'physical', address: evaluate(a.value, ctx).value };
  const off = evaluate(a.offset, ctx).value & offsetMask(ctx.state);
  let base: number;
  try {
    base = typeof a.seg === 'string' ? ctx.state[a.seg].base : segmentBase(ctx.state, ctx, evaluate(a.seg, ctx).value);
  } catch (e) {
    if (e instanceof AddressError) throw new EvalError(e.message);
    throw e;
  }
  return { space: 'linear', address: (base + off) >>> 0 };
}

function readMem(ctx: EvalContext, space: 'linear' | 'physical', address: number, size: 1 | 2 | 4): number {
  try {
    if (space === 'linear') return peekLinearLE(ctx, address, size);
    let v = 0;
    for (let i = 0; i < size; i++) {
      const b = ctx.peekPhysical((address + i) >>> 0);
      if (b < 0) throw new AddressError(`physical ${((address + i) >>> 0).toString(16).toUpperCase()}h is not readable`);
      v |= b << (8 * i);
    }
    return v >>> 0;
  } catch (e) {
    if (e instanceof AddressError) throw new EvalError(`cannot read memory: ${e.message}`);
    throw e;
  }
}

export function evaluate(e: Expr, ctx: EvalContext): EvalResult {
  switch (e.k) {
    case 'num':
      return { value: e.value >>> 0, size: sizeOf(e.value >>> 0) };
    case 'reg':
      return { value: readRegister(ctx.state, e.name), size: registerSize(e.name) };
    case 'addr': {
      const r = resolveAddress(e.address, ctx);
      return { value: r.address, size: 4, pointer: r };
    }
    case 'mem': {
      const r = resolveAddress(e.address, ctx);
      return { value: readMem(ctx, r.space, r.address, e.size), size: e.size };
    }
    case 'unary': {
      const a = evaluate(e.arg, ctx);
      if (e.op === '!') return { value: a.value === 0 ? 1 : 0, size: 1 };
      const mask = a.size === 4 ? 0xffffffff : (1 << (8 * a.size)) - 1;
      const v = e.op === '-' ? -a.value : ~a.value;
      return { value: (v & mask) >>> 0, size: a.size };
    }
    case 'binary': {
      const l = evaluate(e.left, ctx);
      if (e.op === '&&' && l.value === 0) return { value: 0, size: 1 };
      if (e.op === '||' && l.value !== 0) return { value: 1, size: 1 };
      const r = evaluate(e.right, ctx);
      const size = l.size > r.size ? l.size : r.size;
      const a = l.value;
      const b = r.value;
      switch (e.op) {
        case '+': return { value: (a + b) >>> 0, size };
        case '-': return { value: (a - b) >>> 0, size };
        case '*': return { value: Math.imul(a, b) >>> 0, size };
        case '/':
        case '%':
          if (b === 0) throw new EvalError('division by zero');
          return { value: (e.op === '/' ? Math.floor(a / b) : a % b) >>> 0, size };
        case '&': return { value: (a & b) >>> 0, size };
        case '|': return { value: (a | b) >>> 0, size };
        case '^': return { value: (a ^ b) >>> 0, size };
        case '<<': return { value: b >= 32 ? 0 : (a << b) >>> 0, size };
        case '>>': return { value: b >= 32 ? 0 : a >>> b, size };
        case '==': return { value: a === b ? 1 : 0, size: 1 };
        case '!=': return { value: a !== b ? 1 : 0, size: 1 };
        case '<': return { value: a < b ? 1 : 0, size: 1 };
        case '<=': return { value: a <= b ? 1 : 0, size: 1 };
        case '>': return { value: a > b ? 1 : 0, size: 1 };
        case '>=': return { value: a >= b ? 1 : 0, size: 1 };
        case '&&':
        case '||': return { value: r.value !== 0 ? 1 : 0, size: 1 };
      }
    }
  }
}

/** Formats a logpoint message: each `{expr}` becomes upper-case hex of its natural width. */
export function formatLog(parts: readonly LogPart[], ctx: EvalContext): string {
  let out = '';
  for (const p of parts) {
    if ('text' in p) {
      out += p.text;
      continue;
    }
    try {
      const r = evaluate(p.expr, ctx);
      out += r.value.toString(16).toUpperCase().padStart(r.size * 2, '0');
    } catch (e) {
      out += `<${e instanceof Error ? e.message : String(e)}>`;
    }
  }
  return out;
}

/** Reads one byte for the memory views; -1 when unreadable. */
export function tryPeekLinear(ctx: LinearReader, linear: number): number {
  try {
    return peekLinear(ctx, linear);
  } catch {
    return -1;
  }
}

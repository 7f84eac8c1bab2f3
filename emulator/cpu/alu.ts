/**
 * The eight classic ALU operations (ADD OR ADC SBB AND SUB XOR CMP, in encoding order) at 8, 16 and
 * 32 bits, plus INC/DEC/NEG. Each returns the result (masked to its size) and records the lazy
 * flags; CMP returns the difference like SUB and the caller does not store it.
 */
import type { CpuState } from './cpuState.js';
import {
  LZ_ADD16,
  LZ_ADD32,
  LZ_ADD8,
  LZ_DEC16,
  LZ_DEC32,
  LZ_DEC8,
  LZ_INC16,
  LZ_INC32,
  LZ_INC8,
  LZ_LOGIC16,
  LZ_LOGIC32,
  LZ_LOGIC8,
  LZ_SUB16,
  LZ_SUB32,
  LZ_SUB8,
} from './flags.js';

export const ALU_ADD = 0;
export const ALU_OR = 1;
export const ALU_ADC = 2;
export const ALU_SBB = 3;
export const ALU_AND = 4;
export const ALU_SUB = 5;
export const ALU_XOR = 6;
export const ALU_CMP = 7;

export function alu8(c: CpuState, op: number, a: number, b: number): number {
  let r: number;
  switch (op) {
    case ALU_ADD:
      r = (a + b) & 0xff;
      c.lzOp = LZ_ADD8;
      break;
    case ALU_OR:
      r = a | b;
      c.lzR = r;
      c.lzOp = LZ_LOGIC8;
      return r;
    case ALU_ADC:
      r = (a + b + c.getCF()) & 0xff;
      c.lzOp = LZ_ADD8;
      break;
    case ALU_SBB:
      r = (a - b - c.getCF()) & 0xff;
      c.lzOp = LZ_SUB8;
      break;
    case ALU_AND:
      r = a & b;
      c.lzR = r;
      c.lzOp = LZ_LOGIC8;
      return r;
    case ALU_XOR:
      r = a ^ b;
      c.lzR = r;
      c.lzOp = LZ_LOGIC8;
      return r;
    default:
      r = (a - b) & 0xff;
      c.lzOp = LZ_SUB8;
      break;
  }
  c.lzA = a;
  c.lzB = b;
  c.lzR = r;
  return r;
}

export function alu16(c: CpuState, op: number, a: number, b: number): number {
  let r: number;
  switch (op) {
    case ALU_ADD:
      r = (a + b) & 0xffff;
      c.lzOp = LZ_ADD16;
      break;
    case ALU_OR:
      r = a | b;
      c.lzR = r;
      c.lzOp = LZ_LOGIC16;
      return r;
    case ALU_ADC:
      r = (a + b + c.getCF()) & 0xffff;
      c.lzOp = LZ_ADD16;
      break;
    case ALU_SBB:
      r = (a - b - c.getCF()) & 0xffff;
      c.lzOp = LZ_SUB16;
      break;
    case ALU_AND:
      r = a & b;
      c.lzR = r;
      c.lzOp = LZ_LOGIC16;
      return r;
    case ALU_XOR:
      r = a ^ b;
      c.lzR = r;
      c.lzOp = LZ_LOGIC16;
      return r;
    default:
      r = (a - b) & 0xffff;
      c.lzOp = LZ_SUB16;
      break;
  }
  c.lzA = a;
  c.lzB = b;
  c.lzR = r;
  return r;
}

/** 32-bit operands and results are int32 (bit patterns), never uint32, so they stay small integers. */
export function alu32(c: CpuState, op: number, a: number, b: number): number {
  let r: number;
  switch (op) {
    case ALU_ADD:
      r = (a + b) | 0;
      c.lzOp = LZ_ADD32;
      break;
    case ALU_OR:
      r = a | b;
      c.lzR = r;
      c.lzOp = LZ_LOGIC32;
      return r;
    case ALU_ADC:
      r = (a + b + c.getCF()) | 0;
      c.lzOp = LZ_ADD32;
      break;
    case ALU_SBB:
      r = (a - b - c.getCF()) | 0;
      c.lzOp = LZ_SUB32;
      break;
    case ALU_AND:
      r = a & b;
      c.lzR = r;
      c.lzOp = LZ_LOGIC32;
      return r;
    case ALU_XOR:
      r = a ^ b;
      c.lzR = r;
      c.lzOp = LZ_LOGIC32;
      return r;
    default:
      r = (a - b) | 0;
      c.lzOp = LZ_SUB32;
      break;
  }
  c.lzA = a | 0;
  c.lzB = b | 0;
  c.lzR = r;
  return r;
}

export function inc8(c: CpuState, a: number): number {
  c.concreteCF();
  const r = (a + 1) & 0xff;
  c.lzA = a;
  c.lzB = 1;
  c.lzR = r;
  c.lzOp = LZ_INC8;
  return r;
}

export function inc16(c: CpuState, a: number): number {
  c.concreteCF();
  const r = (a + 1) & 0xffff;
  c.lzA = a;
  c.lzB = 1;
  c.lzR = r;
  c.lzOp = LZ_INC16;
  return r;
}

export function inc32(c: CpuState, a: number): number {
  c.concreteCF();
  const r = (a + 1) | 0;
  c.lzA = a | 0;
  c.lzB = 1;
  c.lzR = r;
  c.lzOp = LZ_INC32;
  return r;
}

export function dec8(c: CpuState, a: number): number {
  c.concreteCF();
  const r = (a - 1) & 0xff;
  c.lzA = a;
  c.lzB = 1;
  c.lzR = r;
  c.lzOp = LZ_DEC8;
  return r;
}

export function dec16(c: CpuState, a: number): number {
  c.concreteCF();
  const r = (a - 1) & 0xffff;
  c.lzA = a;
  c.lzB = 1;
  c.lzR = r;
  c.lzOp = LZ_DEC16;
  return r;
}

export function dec32(c: CpuState, a: number): number {
  c.concreteCF();
  const r = (a - 1) | 0;
  c.lzA = a | 0;
  c.lzB = 1;
  c.lzR = r;
  c.lzOp = LZ_DEC32;
  return r;
}

/** AND without storing the result (TEST). */
export function test8(c: CpuState, a: number, b: number): void {
  c.lzR = a & b;
  c.lzOp = LZ_LOGIC8;
}

export function test16(c: CpuState, a: number, b: number): void {
  c.lzR = a & b;
  c.lzOp = LZ_LOGIC16;
}

export function test32(c: CpuState, a: number, b: number): void {
  c.lzR = a & b;
  c.lzOp = LZ_LOGIC32;
}

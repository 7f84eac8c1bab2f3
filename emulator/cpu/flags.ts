/** EFLAGS bit positions (Intel SDM vol. 1, 3.4.3) and the parity lookup used by the lazy flags. */

export const CF = 0x0001;
export const PF = 0x0004;
export const AF = 0x0010;
export const ZF = 0x0040;
export const SF = 0x0080;
export const TF = 0x0100;
export const IF = 0x0200;
export const DF = 0x0400;
export const OF = 0x0800;
export const IOPL = 0x3000;
export const NT = 0x4000;
export const RF = 0x10000;
export const VM = 0x20000;
export const AC = 0x40000;
export const VIF = 0x80000;
export const VIP = 0x100000;
export const ID = 0x200000;

/** The six arithmetic status flags. */
export const ARITH_FLAGS = CF | PF | AF | ZF | SF | OF;

/** PARITY[b] is PF (4) when byte b has an even number of set bits, else 0. */
export const PARITY: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let bits = 0;
    for (let v = i; v !== 0; v >>= 1) bits += v & 1;
    t[i] = bits & 1 ? 0 : PF;
  }
  return t;
})();

/**
 * Lazy flag kinds. The core records the operands and result of the last flag-setting operation and
 * computes a flag only when someone reads it. `lzOp = kind << 2 | size` (size 0/1/2 = 8/16/32 bits).
 * Every kind derives ZF, SF and PF from the result; the kinds differ in CF, OF and AF:
 * - ADD: a + b (+ carry) = r. CF is the carry out, OF signed overflow, AF the carry out of bit 3.
 * - SUB: a - b (- borrow) = r. CF is the borrow, OF signed overflow, AF the borrow from bit 4.
 * - INC / DEC: as ADD / SUB with b = 1, but CF is kept in the concrete flags (INC/DEC preserve it).
 * - LOGIC: CF = OF = 0; AF reads 0 (undefined on the chip).
 * - ZSP: CF, OF and AF are concrete; only ZF, SF and PF come from the result (shifts, MUL, ...).
 * lzOp = 0 means every flag is concrete.
 */
export const LZ_NONE = 0;
export const LZ_ADD = 1;
export const LZ_SUB = 2;
export const LZ_INC = 3;
export const LZ_DEC = 4;
export const LZ_LOGIC = 5;
export const LZ_ZSP = 6;

export const LZ_ADD8 = (LZ_ADD << 2) | 0;
export const LZ_ADD16 = (LZ_ADD << 2) | 1;
export const LZ_ADD32 = (LZ_ADD << 2) | 2;
export const LZ_SUB8 = (LZ_SUB << 2) | 0;
export const LZ_SUB16 = (LZ_SUB << 2) | 1;
export const LZ_SUB32 = (LZ_SUB << 2) | 2;
export const LZ_INC8 = (LZ_INC << 2) | 0;
export const LZ_INC16 = (LZ_INC << 2) | 1;
export const LZ_INC32 = (LZ_INC << 2) | 2;
export const LZ_DEC8 = (LZ_DEC << 2) | 0;
export const LZ_DEC16 = (LZ_DEC << 2) | 1;
export const LZ_DEC32 = (LZ_DEC << 2) | 2;
export const LZ_LOGIC8 = (LZ_LOGIC << 2) | 0;
export const LZ_LOGIC16 = (LZ_LOGIC << 2) | 1;
export const LZ_LOGIC32 = (LZ_LOGIC << 2) | 2;
export const LZ_ZSP8 = (LZ_ZSP << 2) | 0;
export const LZ_ZSP16 = (LZ_ZSP << 2) | 1;
export const LZ_ZSP32 = (LZ_ZSP << 2) | 2;

/** Index of the sign bit for each lazy size. */
export const TOP_BIT = [7, 15, 31, 31] as const;

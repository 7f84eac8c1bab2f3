/**
 * Prefixes, flag instructions, port I/O, system registers (CRn, DRn, TRn, GDTR/IDTR, MSW), CPUID,
 * cache control, the FPU escapes of a CPU without a coprocessor, the BIOS trap, and #UD.
 */
import { ATT_SHADOW, type CpuCore, type Handler } from './cpuCore.js';
import { DF, IF } from './flags.js';
import { isLockable } from './opcodeTable.js';
import { VEC_DB, VEC_GP, VEC_NM, VEC_UD } from './fault.js';
import { writeDebugRegister } from './debugRegisters.js';
import { CS, DS, FS, GS, SS } from './registers.js';

// ---- prefixes --------------------------------------------------------------------------------

/**
 * Any prefix byte: reads the whole run of prefixes, then dispatches the instruction once and
 * restores the defaults after it (a fault resets them in the run loop). Once so many prefix bytes
 * have been read that the instruction could run past the model's length limit, the fetch window is
 * cut at the limit (see limitLength), so the byte beyond it faults; typical code never gets there.
 * LOCK: the 386 and later raise #UD unless the instruction is a lockable read-modify-write with a
 * memory destination; the 8086 and 286 accept LOCK on anything.
 */
function prefixes(c: CpuCore, first: number): void {
  c.prefixed = true;
  const isPrefix = c.prefixBytes;
  let op = first;
  do {
    op = applyPrefix(c, op);
  } while (isPrefix[op] !== 0);
  if (c.lock && c.gen >= 386 && !lockable(c, op)) c.raise(VEC_UD);
  c.ops[op | c.opIdx](c, op);
  c.resetPrefixes();
}

/** Records prefix byte `op`, applies the length limit, and returns the next byte. */
function applyPrefix(c: CpuCore, op: number): number {
  applyPrefixValue(c, op);
  if (c.eip - c.startEip > c.prefixSlack) c.limitLength();
  return c.fetch8();
}

function applyPrefixValue(c: CpuCore, op: number): void {
  switch (op) {
    case 0x66:
      c.opIdx = c.defOpIdx ^ 256;
      break;
    case 0x67:
      c.as32 = !c.defAs32;
      break;
    case 0xf2:
    case 0xf3:
      c.rep = op;
      break;
    case 0xf0:
    case 0xf1:
      c.lock = true;
      break;
    case 0x64:
      c.dsSeg = FS;
      c.ssSeg = FS;
      break;
    case 0x65:
      c.dsSeg = GS;
      c.ssSeg = GS;
      break;
    default:
      c.dsSeg = (op >> 3) & 3;
      c.ssSeg = c.dsSeg;
      break;
  }
}

/**
 * 66h and 67h alone in front of an instruction (the common case in 32-bit real-mode code): no
 * length limit can be reached with one prefix, and only the changed field is restored.
 */
function operandSize(c: CpuCore, first: number): void {
  const op = c.fetch8();
  if (c.prefixBytes[op] !== 0) {
    if (op === 0x67) bothSizes(c);
    else prefixesAfter(c, first, op);
    return;
  }
  c.prefixed = true;
  const size = c.defOpIdx ^ 256;
  c.opIdx = size;
  c.ops[op | size](c, op);
  // A far transfer inside may have changed the code size: restore both defaults.
  c.opIdx = c.defOpIdx;
  c.as32 = c.defAs32;
  c.prefixed = false;
}

function addressSize(c: CpuCore, first: number): void {
  const op = c.fetch8();
  if (c.prefixBytes[op] !== 0) {
    if (op === 0x66) bothSizes(c);
    else prefixesAfter(c, first, op);
    return;
  }
  c.prefixed = true;
  c.as32 = !c.defAs32;
  c.ops[op | c.opIdx](c, op);
  c.as32 = c.defAs32;
  c.opIdx = c.defOpIdx;
  c.prefixed = false;
}

/**
 * A segment override, alone or followed by 66h: the other common prefix runs in real-mode code
 * (ES:/CS: on string copies, ES: with 32-bit stores).
 */
function segmentOverride(c: CpuCore, first: number): void {
  let op = c.fetch8();
  let wide = false;
  if (op === 0x66 && c.gen >= 386) {
    wide = true;
    op = c.fetch8();
  }
  if (c.prefixBytes[op] !== 0) {
    c.prefixed = true;
    applyPrefixValue(c, first);
    if (wide) applyPrefixValue(c, 0x66);
    if (c.eip - 1 - c.startEip > c.prefixSlack) c.limitLength();
    prefixes(c, op);
    return;
  }
  c.prefixed = true;
  const s = first === 0x64 ? FS : first === 0x65 ? GS : (first >> 3) & 3;
  c.dsSeg = s;
  c.ssSeg = s;
  const size = wide ? c.defOpIdx ^ 256 : c.defOpIdx;
  c.opIdx = size;
  c.ops[op | size](c, op);
  c.dsSeg = DS;
  c.ssSeg = SS;
  c.opIdx = c.defOpIdx;
  c.as32 = c.defAs32;
  c.prefixed = false;
}

/** 66h 67h (either order), read: 32-bit operands and addresses in 16-bit code, or the reverse. */
function bothSizes(c: CpuCore): void {
  const op = c.fetch8();
  if (c.prefixBytes[op] !== 0) {
    c.prefixed = true;
    applyPrefixValue(c, 0x66);
    applyPrefixValue(c, 0x67);
    if (c.eip - 1 - c.startEip > c.prefixSlack) c.limitLength();
    prefixes(c, op);
    return;
  }
  c.prefixed = true;
  const size = c.defOpIdx ^ 256;
  c.opIdx = size;
  c.as32 = !c.defAs32;
  c.ops[op | size](c, op);
  c.opIdx = c.defOpIdx;
  c.as32 = c.defAs32;
  c.prefixed = false;
}

/** A run of prefixes whose first byte was already consumed along with the second. */
function prefixesAfter(c: CpuCore, first: number, second: number): void {
  c.prefixed = true;
  applyPrefixValue(c, first);
  if (c.eip - 1 - c.startEip > c.prefixSlack) c.limitLength();
  prefixes(c, second);
}

/** Looks ahead (without consuming) at the opcode `op` just read after a LOCK prefix; see opcodeTable.isLockable. */
function lockable(c: CpuCore, first: number): boolean {
  const base = c.segBase[CS];
  let eip = c.eip;
  let op = first;
  const twoByte = op === 0x0f;
  if (twoByte) op = c.readL8((base + eip++) | 0);
  const m = c.readL8((base + eip) | 0);
  return m < 0xc0 && isLockable(twoByte, op, (m >> 3) & 7);
}

// ---- flags -----------------------------------------------------------------------------------

function clc(c: CpuCore, _op: number): void {
  c.setCF(false);
}
function stc(c: CpuCore, _op: number): void {
  c.setCF(true);
}
function cmc(c: CpuCore, _op: number): void {
  c.setCF(c.getCF() === 0);
}
function cld(c: CpuCore, _op: number): void {
  c.flags &= ~DF;
}
function std(c: CpuCore, _op: number): void {
  c.flags |= DF;
}

/** CLI/STI need IOPL >= CPL in protected mode (real mode runs at CPL 0). */
function checkIopl(c: CpuCore): void {
  if (!c.realAddressing || c.v86) {
    if (((c.flags >> 12) & 3) < (c.v86 ? 3 : c.cpl)) c.raise(VEC_GP, 0);
  }
}

function cli(c: CpuCore, _op: number): void {
  checkIopl(c);
  c.flags &= ~IF;
}

/** STI enables interrupts after the NEXT instruction (the interrupt shadow). */
function sti(c: CpuCore, _op: number): void {
  checkIopl(c);
  if ((c.flags & IF) === 0) {
    c.flags |= IF;
    c.attention |= ATT_SHADOW;
  }
}

// ---- port I/O --------------------------------------------------------------------------------

function inALIb(c: CpuCore, _op: number): void {
  const p = c.fetch8();
  c.checkIo(p, 1);
  c.r8[0] = c.io.in8(p);
}
function inAXIb(c: CpuCore, _op: number): void {
  const p = c.fetch8();
  c.checkIo(p, 2);
  c.r16[0] = c.io.in16(p);
}
function inEAXIb(c: CpuCore, _op: number): void {
  const p = c.fetch8();
  c.checkIo(p, 4);
  c.r32[0] = c.io.in32(p);
}
function outIbAL(c: CpuCore, _op: number): void {
  const p = c.fetch8();
  c.checkIo(p, 1);
  c.io.out8(p, c.r8[0]);
}
function outIbAX(c: CpuCore, _op: number): void {
  const p = c.fetch8();
  c.checkIo(p, 2);
  c.io.out16(p, c.r16[0]);
}
function outIbEAX(c: CpuCore, _op: number): void {
  const p = c.fetch8();
  c.checkIo(p, 4);
  c.io.out32(p, c.r32[0]);
}
function inALDX(c: CpuCore, _op: number): void {
  c.checkIo(c.r16[4], 1);
  c.r8[0] = c.io.in8(c.r16[4]);
}
function inAXDX(c: CpuCore, _op: number): void {
  c.checkIo(c.r16[4], 2);
  c.r16[0] = c.io.in16(c.r16[4]);
}
function inEAXDX(c: CpuCore, _op: number): void {
  c.checkIo(c.r16[4], 4);
  c.r32[0] = c.io.in32(c.r16[4]);
}
function outDXAL(c: CpuCore, _op: number): void {
  c.checkIo(c.r16[4], 1);
  c.io.out8(c.r16[4], c.r8[0]);
}
function outDXAX(c: CpuCore, _op: number): void {
  c.checkIo(c.r16[4], 2);
  c.io.out16(c.r16[4], c.r16[0]);
}
function outDXEAX(c: CpuCore, _op: number): void {
  c.checkIo(c.r16[4], 4);
  c.io.out32(c.r16[4], c.r32[0]);
}

// ---- system registers --------------------------------------------------------------------------

/** Privileged instructions need CPL 0 (always true in real mode; #GP in V86 and at CPL > 0). */
function checkCpl0(c: CpuCore): void {
  if (c.v86 || (!c.realAddressing && c.cpl !== 0)) c.raise(VEC_GP, 0);
}

/** CR0 bits that exist: PE MP EM TS ET PG on the 386; NE WP AM NW CD too on the 486. */
function writeCr0(c: CpuCore, v: number): void {
  let mask = 0x8000001f;
  if (c.gen >= 486) mask |= 0x60050020;
  let next = v & mask;
  if (c.gen >= 486) next |= 0x10; // ET is hardwired on the 486
  // Paging without protection is invalid.
  if ((next & 0x80000001) === 0x80000000) c.raise(VEC_GP, 0);
  setCr0(c, next | 0);
}

/** Installs a new CR0: the TLB, the access class and the segment fast paths follow PE, PG and WP. */
export function setCr0(c: CpuCore, next: number): void {
  const changed = c.cr0 ^ next;
  c.cr0 = next;
  if (changed & 0x80010001) c.flushTlb();
  if (changed & 1) {
    if ((next & 1) === 0) c.cpl = 0;
    c.refreshAllFast();
  }
  c.selectTlb();
}

/** 0F 20 / 0F 22: MOV r32,CRn / MOV CRn,r32. The ModR/M mod field is ignored (always registers). */
function movRdCd(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  checkCpl0(c);
  const n = (m >> 3) & 7;
  let v: number;
  if (n === 0) v = c.cr0;
  else if (n === 2) v = c.cr2;
  else if (n === 3) v = c.cr3;
  else c.raise(VEC_UD);
  c.r32[m & 7] = v;
}

function movCdRd(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  checkCpl0(c);
  const n = (m >> 3) & 7;
  const v = c.r32[m & 7];
  if (n === 0) writeCr0(c, v);
  else if (n === 2) c.cr2 = v;
  else if (n === 3) {
    // PWT and PCD (bits 3, 4) exist on the 486; the rest of the low 12 bits read as 0.
    c.cr3 = v & (c.gen >= 486 ? ~0xfe7 : ~0xfff);
    c.flushTlb();
  } else c.raise(VEC_UD);
}

/** DR4/DR5 alias DR6/DR7 on the 386/486. */
/**
 * DR7.GD (general detect, 386 PRM 12.3.1.3): the next MOV to or from a debug register is a #DB
 * fault with DR6.BD set, and GD is cleared so the handler may use the registers.
 */
function generalDetect(c: CpuCore): void {
  if ((c.dr[7] & 0x2000) === 0) return;
  c.dr[6] |= 0x2000;
  c.dr[7] &= ~0x2000;
  c.raise(VEC_DB);
}

function movRdDd(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  checkCpl0(c);
  generalDetect(c);
  let n = (m >> 3) & 7;
  if (n === 4 || n === 5) n += 2;
  c.r32[m & 7] = c.dr[n];
}

function movDdRd(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  checkCpl0(c);
  generalDetect(c);
  let n = (m >> 3) & 7;
  if (n === 4 || n === 5) n += 2;
  writeDebugRegister(c, n, c.r32[m & 7]);
}

/** Test registers TR3-TR7 (TR6/TR7 on the 386): stored, with no cache or TLB test behaviour. */
function movRdTd(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  checkCpl0(c);
  const n = (m >> 3) & 7;
  if (n < (c.gen >= 486 ? 3 : 6)) c.raise(VEC_UD);
  c.r32[m & 7] = c.testRegs[n];
}

function movTdRd(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  checkCpl0(c);
  const n = (m >> 3) & 7;
  if (n < (c.gen >= 486 ? 3 : 6)) c.raise(VEC_UD);
  c.testRegs[n] = c.r32[m & 7];
}

function clts(c: CpuCore, _op: number): void {
  checkCpl0(c);
  c.cr0 &= ~8;
}

// ---- group 7 (0F 01): SGDT SIDT LGDT LIDT SMSW - LMSW INVLPG; the argument is the ModR/M byte ----

function tableStore(c: CpuCore, m: number, base: number, limit: number): void {
  if (m >= 0xc0) c.raise(VEC_UD);
  const off = c.ea(m);
  const seg = c.eaSeg;
  c.wr16(seg, off, limit);
  // With a 16-bit operand the 286 stores FFh as the sixth byte; the 386 stores the 24-bit base and 0.
  let b = base;
  if (c.opIdx === 0) b = c.gen === 286 ? (base & 0xffffff) | 0xff000000 : base & 0xffffff;
  c.wr32(seg, c.as32 ? (off + 2) >>> 0 : (off + 2) & 0xffff, b);
}

function sgdt(c: CpuCore, m: number): void {
  tableStore(c, m, c.gdtrBase, c.gdtrLimit);
}

function sidt(c: CpuCore, m: number): void {
  tableStore(c, m, c.idtrBase, c.idtrLimit);
}

/** Reads a pseudo-descriptor (limit, base); a 16-bit operand loads only 24 base bits. */
function tableLoad(c: CpuCore, m: number): number {
  if (m >= 0xc0) c.raise(VEC_UD);
  checkCpl0(c);
  const off = c.ea(m);
  const seg = c.eaSeg;
  loadedLimit = c.rd16(seg, off);
  const base = c.rd32(seg, c.as32 ? (off + 2) >>> 0 : (off + 2) & 0xffff);
  return c.opIdx === 0 ? base & 0xffffff : base;
}
let loadedLimit = 0;

function lgdt(c: CpuCore, m: number): void {
  const base = tableLoad(c, m);
  c.gdtrBase = base;
  c.gdtrLimit = loadedLimit;
}

function lidt(c: CpuCore, m: number): void {
  const base = tableLoad(c, m);
  c.idtrBase = base;
  c.idtrLimit = loadedLimit;
}

/** SMSW: the 286 MSW reads with bits 4-15 set; the 386+ give CR0's low word (all of CR0 into a 32-bit register). */
function smsw(c: CpuCore, m: number): void {
  const v = c.gen === 286 ? (c.cr0 | 0xfff0) & 0xffff : c.cr0;
  if (m >= 0xc0) {
    if (c.opIdx !== 0) c.r32[m & 7] = v;
    else c.r16[(m & 7) << 1] = v;
    return;
  }
  const off = c.ea(m);
  c.wr16(c.eaSeg, off, v & 0xffff);
}

/** LMSW changes PE MP EM TS only, and cannot clear PE. */
function lmsw(c: CpuCore, m: number): void {
  const v = c.readE16(m);
  checkCpl0(c);
  const keepPE = c.cr0 & 1;
  setCr0(c, (c.cr0 & ~0xf) | (v & 0xf) | keepPE);
}

function invlpg(c: CpuCore, m: number): void {
  if (m >= 0xc0) c.raise(VEC_UD);
  checkCpl0(c);
  const off = c.ea(m);
  c.flushPage((c.segBase[c.eaSeg] + off) | 0);
}

// ---- CPUID, caches -----------------------------------------------------------------------------

/**
 * CPUID as a 486SX (family 4, model 2) of the CPUID-capable steppings: vendor GenuineIntel, no
 * feature bits (no FPU). Leaves above the maximum return the highest basic leaf, as Intel's do.
 */
function cpuid(c: CpuCore, _op: number): void {
  const r = c.r32;
  if (r[0] === 0) {
    r[0] = 1;
    r[3] = 0x756e6547; // "Genu"
    r[2] = 0x49656e69; // "ineI"
    r[1] = 0x6c65746e; // "ntel"
    return;
  }
  r[0] = c.traits.resetEdx;
  r[3] = 0;
  r[1] = 0;
  r[2] = 0;
}

function cacheNop(c: CpuCore, _op: number): void {
  checkCpl0(c);
}

// ---- FPU escapes, WAIT -----------------------------------------------------------------------

/**
 * D8-DF without a coprocessor: decode the operand and do nothing, unless CR0.EM or CR0.TS asks
 * for #NM (the path a software FPU emulator uses). The 8086 and 286 read a word of a memory
 * operand (on the 286 a word at offset FFFFh faults, as measured); the 386+ do not touch it.
 */
function esc(c: CpuCore, _op: number): void {
  const m = c.fetch8();
  if (c.cr0 & 0xc) c.raise(VEC_NM);
  if (m < 0xc0) {
    const off = c.ea(m);
    if (c.gen <= 286) c.rd16(c.eaSeg, off);
  }
}

/** WAIT: #NM when both CR0.MP and CR0.TS are set; otherwise there is no FPU to wait for. */
function wait(c: CpuCore, _op: number): void {
  if ((c.cr0 & 0xa) === 0xa) c.raise(VEC_NM);
}

// ---- the BIOS trap: 0F 3F lo hi -------------------------------------------------------------

/**
 * Calls the TypeScript BIOS service `id` when the instruction lies in the system BIOS ROM
 * (F0000-FFFFF or the top-of-bus alias of that 64 KiB); anywhere else 0F 3F is #UD.
 */
function biosTrap(c: CpuCore, _op: number): void {
  const id = c.fetch16();
  const hook = c.biosTrap;
  const phys = c.translate((c.segBase[CS] + c.startEip) | 0, false);
  const top = c.traits.busBits === 32 ? 0x100000000 : 2 ** c.traits.busBits;
  const inRom = (phys >= 0xf0000 && phys < 0x100000) || (c.traits.busBits > 20 && phys >= top - 0x10000);
  if (hook === null || !inRom) c.raise(VEC_UD);
  hook(id);
}

function invalid(c: CpuCore, _op: number): void {
  c.raise(VEC_UD);
}

export const systemHandlers: Record<string, Handler | readonly [Handler, Handler]> = {
  'prefix.seg': segmentOverride,
  'prefix.opsize': operandSize,
  'prefix.addrsize': addressSize,
  'prefix.rep': prefixes,
  'prefix.lock': prefixes,
  clc,
  stc,
  cmc,
  cld,
  std,
  cli,
  sti,
  'in.ALIb': inALIb,
  'in.eAXIb': [inAXIb, inEAXIb],
  'out.IbAL': outIbAL,
  'out.IbeAX': [outIbAX, outIbEAX],
  'in.ALDX': inALDX,
  'in.eAXDX': [inAXDX, inEAXDX],
  'out.DXAL': outDXAL,
  'out.DXeAX': [outDXAX, outDXEAX],
  'mov.RdCd': movRdCd,
  'mov.CdRd': movCdRd,
  'mov.RdDd': movRdDd,
  'mov.DdRd': movDdRd,
  'mov.RdTd': movRdTd,
  'mov.TdRd': movTdRd,
  clts,
  sgdt,
  sidt,
  lgdt,
  lidt,
  smsw,
  lmsw,
  invlpg,
  cpuid,
  cacheNop,
  esc,
  wait,
  biosTrap,
  invalid,
};

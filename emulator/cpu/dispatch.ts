/**
 * Builds a model's dispatch table from the opcode table: which handler runs for every opcode and
 * operand size, #UD where the model lacks the instruction, and the 8086's aliases.
 */
import type { CpuGeneration } from './cpuModel.js';
import type { CpuCore, Handler } from './cpuCore.js';
import { arithHandlers } from './execArith.js';
import { bcdHandlers } from './execBcd.js';
import { bitHandlers } from './execBit.js';
import { controlHandlers } from './execControl.js';
import { moveHandlers } from './execMove.js';
import { mulDivHandlers } from './execMulDiv.js';
import { shiftHandlers } from './execShift.js';
import { protectedHandlers } from './execProtected.js';
import { stackHandlers } from './execStack.js';
import { stringHandlers } from './execString.js';
import { systemHandlers } from './execSystem.js';
import { ALIASES_8086, FULL_DECODE_UD_286, GROUP_ALIASES_8086, ONE_BYTE, TWO_BYTE, isGroup, type OpcodeEntry, type TableSlot } from './opcodeTable.js';

type HandlerSet = Record<string, Handler | readonly [Handler, Handler]>;

const REGISTRY: HandlerSet = {
  ...arithHandlers,
  ...bcdHandlers,
  ...bitHandlers,
  ...controlHandlers,
  ...moveHandlers,
  ...mulDivHandlers,
  ...shiftHandlers,
  ...protectedHandlers,
  ...stackHandlers,
  ...stringHandlers,
  ...systemHandlers,
};

/** Every exec key the table names, for the consistency test. */
export function missingHandlers(): string[] {
  const missing: string[] = [];
  const check = (entry: OpcodeEntry | null): void => {
    if (entry !== null && !(entry.exec in REGISTRY)) missing.push(entry.exec);
  };
  for (const slot of [...ONE_BYTE, ...TWO_BYTE]) {
    if (slot === null) continue;
    if (isGroup(slot)) {
      if (slot.exec !== null && !(slot.exec in REGISTRY)) missing.push(slot.exec);
      slot.members.forEach(check);
    } else check(slot);
  }
  return missing;
}

function resolve(exec: string, size32: boolean): Handler {
  const h = REGISTRY[exec];
  if (h === undefined) throw new Error(`opcode table names unknown handler '${exec}'`);
  return typeof h === 'function' ? h : h[size32 ? 1 : 0];
}

const invalid = resolve('invalid', false);

/** 8086 group members with no defined behaviour (FE /2-/7): decode the operand, change nothing. */
function undefined8086(c: CpuCore, m: number): void {
  if (m < 0xc0) c.ea(m);
}

function groupDispatcher(members: readonly Handler[]): Handler {
  return (c, _op) => {
    const m = c.fetch8();
    members[(m >> 3) & 7](c, m);
  };
}

function slotHandler(slot: TableSlot, op: number, gen: CpuGeneration, size32: boolean, twoByte: boolean): Handler {
  if (slot === null || slot.cpu > gen) return invalid;
  if (!isGroup(slot)) return resolve(slot.exec, size32);
  if (slot.exec !== null) return resolve(slot.exec, size32);
  const members: Handler[] = [];
  for (let reg = 0; reg < 8; reg++) {
    let entry = slot.members[reg];
    if (gen === 86 && !twoByte) {
      const alias = GROUP_ALIASES_8086.find(([o, r]) => o === op && r === reg);
      if (alias !== undefined) entry = slot.members[alias[2]];
      else if (entry === null) {
        members.push(undefined8086);
        continue;
      }
    }
    const fullDecode = gen === 286 && !twoByte ? FULL_DECODE_UD_286.get(op) : undefined;
    if (entry === null && fullDecode !== undefined) members.push(resolve(fullDecode, size32));
    else members.push(entry === null || entry.cpu > gen ? invalid : resolve(entry.exec, size32));
  }
  return groupDispatcher(members);
}

function twoByteEscape(c: CpuCore, _op: number): void {
  const op = c.fetch8();
  c.ops[512 + op + c.opIdx](c, op);
}

/** The opcode bytes that are prefixes on a CPU generation (the 8086's 64h-67h are Jcc aliases). */
export function prefixTable(gen: CpuGeneration): Uint8Array {
  const t = new Uint8Array(256);
  for (let op = 0; op < 256; op++) {
    const slot = ONE_BYTE[gen === 86 ? (ALIASES_8086.get(op) ?? op) : op];
    if (slot !== null && !isGroup(slot) && slot.kind === 'prefix' && slot.cpu <= gen) t[op] = 1;
  }
  return t;
}

const cache = new Map<CpuGeneration, Handler[]>();

/** The 1024-entry dispatch table for a CPU generation (shared by every CPU of that model). */
export function dispatchTable(gen: CpuGeneration): Handler[] {
  const hit = cache.get(gen);
  if (hit !== undefined) return hit;
  const ops = new Array<Handler>(1024);
  for (let size = 0; size < 2; size++) {
    const size32 = size === 1;
    for (let op = 0; op < 256; op++) {
      let slotOp = op;
      if (gen === 86) slotOp = ALIASES_8086.get(op) ?? op;
      let h: Handler;
      if (op === 0x0f) {
        h = gen === 86 ? resolve('pop.CS', false) : gen === 186 ? invalid : twoByteEscape;
      } else {
        h = slotHandler(ONE_BYTE[slotOp], slotOp, gen, size32, false);
      }
      ops[op + size * 256] = h;
      ops[512 + op + size * 256] = gen >= 286 ? slotHandler(TWO_BYTE[op], op, gen, size32, true) : invalid;
    }
  }
  cache.set(gen, ops);
  return ops;
}

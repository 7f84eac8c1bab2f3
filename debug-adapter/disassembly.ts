/**
 * The Disassembly view's data: exactly `count` instructions around an anchor, with numeric linear
 * addresses (VS Code's view needs them) and CS:IP in the text. Disassembling backwards is
 * ambiguous on x86; we decode forward from every start in a window before the anchor, keep only
 * the starts whose chain lands exactly on the anchor (so the listing stays aligned with the real
 * instruction at the anchor), and take the longest such chain, preferring one that passes through
 * a known instruction start (CS:EIP).
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { MemoryBlock } from '../protocol/machineState.js';
import type { DecodedInstruction, InstructionDecoder } from './decoder.js';

export interface CodeView {
  read(linear: number, length: number): Promise<MemoryBlock>;
  readonly decoder: InstructionDecoder;
  readonly bits: 16 | 32;
  /** Linear base of CS, to show CS:IP and compute relative targets. */
  readonly csBase: number;
  readonly csSelector: number;
  /** Instruction starts known to be real (CS:EIP). */
  readonly knownStarts: readonly number[];
}

const MAX_LEN = 15;

interface Decoded {
  readonly address: number;
  readonly ins: DecodedInstruction;
  readonly bytes: Uint8Array;
}

function hexAddr(v: number): string {
  return '0x' + (v >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

function label(view: CodeView, linear: number): string {
  const off = (linear - view.csBase) >>> 0;
  const limit = view.bits === 16 ? 0xffff : 0xffffffff;
  if (off > limit) return `lin:${(linear >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
  const w = view.bits === 16 ? 4 : 8;
  return `${view.csSelector.toString(16).toUpperCase().padStart(4, '0')}:${off.toString(16).toUpperCase().padStart(w, '0')}`;
}

function toDap(view: CodeView, d: Decoded): DebugProtocol.DisassembledInstruction {
  const bytes = Array.from(d.bytes, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
  const out: DebugProtocol.DisassembledInstruction = {
    address: hexAddr(d.address),
    instructionBytes: bytes,
    instruction: `${label(view, d.address)}  ${d.ins.text}`,
  };
  if (!d.ins.valid) out.presentationHint = 'invalid';
  return out;
}

function decodeAt(view: CodeView, block: MemoryBlock, linear: number): Decoded {
  const i = (linear - block.address) >>> 0;
  const end = Math.min(block.readable, block.data.length);
  if (i >= end) {
    return { address: linear >>> 0, ins: { length: 1, text: '??', kind: 'other', valid: false }, bytes: new Uint8Array(0) };
  }
  const ip = (linear - view.csBase) >>> 0;
  const ins = view.decoder.decode(block.data, i, end, view.bits, view.bits === 16 ? ip & 0xffff : ip);
  return { address: linear >>> 0, ins, bytes: block.data.slice(i, i + ins.length) };
}

/** Instructions `offset .. offset+count-1` relative to the instruction at `anchor` (0 = the anchor). */
export async function disassemble(
  view: CodeView,
  anchor: number,
  offset: number,
  count: number,
): Promise<DebugProtocol.DisassembledInstruction[]> {
  const out: Decoded[] = [];
  const before = Math.max(0, -offset);
  const skipForward = Math.max(0, offset);
  const forwardCount = Math.max(0, offset + count);
  if (before > 0) out.push(...(await backwards(view, anchor >>> 0, before)));
  if (forwardCount > 0) {
    const block = await view.read(anchor >>> 0, forwardCount * MAX_LEN + MAX_LEN);
    let addr = anchor >>> 0;
    for (let n = 0; n < forwardCount; n++) {
      const d = decodeAt(view, block, addr);
      if (n >= skipForward) out.push(d);
      addr = (addr + d.ins.length) >>> 0;
    }
  }
  return out.slice(0, count).map((d) => toDap(view, d));
}

async function backwards(view: CodeView, anchor: number, n: number): Promise<Decoded[]> {
  const window = Math.min(n * MAX_LEN, anchor);
  const start = (anchor - window) >>> 0;
  const block = await view.read(start, window + MAX_LEN);
  // lands[i]: instructions from start+i to the anchor (-1: the chain skips over the anchor).
  const lands = new Int32Array(window + 1).fill(-2);
  const viaKnown = new Uint8Array(window + 1);
  const decoded: (Decoded | undefined)[] = new Array<Decoded | undefined>(window);
  const known = new Set(view.knownStarts.map((a) => a >>> 0));
  lands[window] = 0;
  for (let i = window - 1; i >= 0; i--) {
    const d = decodeAt(view, block, (start + i) >>> 0);
    decoded[i] = d;
    const next = i + d.ins.length;
    if (next > window || lands[next] < 0 || !d.ins.valid) {
      lands[i] = -1;
      continue;
    }
    lands[i] = lands[next] + 1;
    viaKnown[i] = viaKnown[next] | (known.has((start + i) >>> 0) ? 1 : 0);
  }
  let best = -1;
  for (let i = 0; i < window; i++) {
    if (lands[i] < 0) continue;
    if (best < 0) {
      best = i;
      continue;
    }
    const better = viaKnown[i] > viaKnown[best] || (viaKnown[i] === viaKnown[best] && lands[i] > lands[best]);
    if (better) best = i;
  }
  const chain: Decoded[] = [];
  for (let i = best; i >= 0 && i < window; ) {
    const d = decoded[i] as Decoded;
    chain.push(d);
    i += d.ins.length;
  }
  if (chain.length >= n) return chain.slice(chain.length - n);
  // Not enough real instructions before the anchor (start of memory, unreadable bytes): pad with
  // one-byte placeholders below the chain so the view still gets exactly the count it asked for.
  const first = chain.length > 0 ? chain[0].address : anchor;
  const pad: Decoded[] = [];
  for (let k = n - chain.length; k >= 1; k--) {
    pad.push({ address: (first - k) >>> 0, ins: { length: 1, text: '??', kind: 'other', valid: false }, bytes: new Uint8Array(0) });
  }
  return [...pad, ...chain];
}

/**
 * Return addresses on a real-mode or V86 stack. A candidate is believed only when the bytes just
 * before it are a call of the matching kind (E8 / FF /2 for near, 9A / FF /3 for far, CD nn / CC /
 * CE for an interrupt frame), which rejects most data words that merely look like addresses.
 * Used by the stack trace (a BP-chain walk) and by step out (a scan upward from SS:SP).
 */
import type { CpuState, MemoryBlock } from '../protocol/machineState.js';

export type FrameKind = 'current' | 'near' | 'far' | 'int';

export interface FrameInfo {
  readonly kind: FrameKind;
  readonly cs: number;
  readonly ip: number;
  readonly linear: number;
  /** SP just after the frame's return address (and CS/FLAGS) would be popped. */
  readonly spAfter: number;
}

export type LinearRead = (linear: number, length: number) => Promise<MemoryBlock>;

/** Length of an FF-group instruction from its ModRM byte in 16-bit addressing (opcode + modrm + disp). */
function ffLength16(modrm: number): number {
  const mod = modrm >>> 6;
  const rm = modrm & 7;
  if (mod === 3) return 2;
  if (mod === 1) return 3;
  if (mod === 2 || rm === 6) return 4;
  return 2;
}

async function bytesBefore(read: LinearRead, linear: number): Promise<Uint8Array | null> {
  if (linear < 5) return null;
  const b = await read(linear - 5, 5);
  return b.readable === 5 ? b.data : null;
}

/** Is there a call of this kind ending exactly at `ret` (the 5 bytes before it, in `pre`)? */
export function endsWithCall(pre: Uint8Array, kind: 'near' | 'far' | 'int'): boolean {
  const at = (back: number): number => pre[5 - back];
  if (kind === 'int') return at(2) === 0xcd || at(1) === 0xcc || at(1) === 0xce;
  if (kind === 'near' && at(3) === 0xe8) return true;
  if (kind === 'far' && at(5) === 0x9a) return true;
  const reg = kind === 'near' ? 2 : 3;
  for (const len of [2, 3, 4]) {
    if (at(len) !== 0xff) continue;
    const modrm = at(len - 1);
    if (((modrm >>> 3) & 7) !== reg) continue;
    if (kind === 'far' && modrm >>> 6 === 3) continue;
    if (ffLength16(modrm) === len) return true;
  }
  return false;
}

function words(b: MemoryBlock): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < b.readable; i += 2) out.push(b.data[i] | (b.data[i + 1] << 8));
  return out;
}

/** Classifies the words at a stack slot as a return frame, or null when none validates. */
async function frameAt(read: LinearRead, w: number[], k: number, cs: number, spAfterBase: number): Promise<FrameInfo | null> {
  if (k + 1 < w.length) {
    const ip = w[k];
    const seg = w[k + 1];
    const lin = ((seg << 4) + ip) >>> 0;
    const pre = await bytesBefore(read, lin);
    if (pre && endsWithCall(pre, 'far')) return { kind: 'far', cs: seg, ip, linear: lin, spAfter: spAfterBase + 4 };
    // An interrupt frame: IP, CS, FLAGS (bit 1 of FLAGS always reads 1 on x86).
    if (pre && k + 2 < w.length && (w[k + 2] & 2) !== 0 && endsWithCall(pre, 'int')) {
      return { kind: 'int', cs: seg, ip, linear: lin, spAfter: spAfterBase + 6 };
    }
  }
  if (k < w.length) {
    const ip = w[k];
    const lin = ((cs << 4) + ip) >>> 0;
    const pre = await bytesBefore(read, lin);
    if (pre && endsWithCall(pre, 'near')) return { kind: 'near', cs, ip, linear: lin, spAfter: spAfterBase + 2 };
  }
  return null;
}

/** The first validated return address at or above SS:SP (step out). Real and V86 mode only. */
export async function findReturnAddress(s: CpuState, read: LinearRead, maxWords = 64): Promise<FrameInfo | null> {
  if (s.mode === 'protected') return null;
  const sp = s.esp & 0xffff;
  const block = await read(s.ss.base + sp, maxWords * 2 + 4);
  const w = words(block);
  for (let k = 0; k < maxWords && k < w.length; k++) {
    const f = await frameAt(read, w, k, s.cs.selector, (sp + 2 * k) & 0xffff);
    if (f) return f;
  }
  return null;
}

/** The current CS:IP, then callers found by following the BP chain (real and V86 mode). */
export async function walkStack(s: CpuState, read: LinearRead, maxFrames = 32): Promise<FrameInfo[]> {
  const frames: FrameInfo[] = [
    { kind: 'current', cs: s.cs.selector, ip: s.eip & (s.mode === 'protected' ? 0xffffffff : 0xffff), linear: s.pcLinear, spAfter: s.esp },
  ];
  if (s.mode === 'protected') return frames;
  let bp = s.ebp & 0xffff;
  let cs = s.cs.selector;
  while (frames.length < maxFrames && bp !== 0) {
    // Win16 marks far frames by an odd saved BP (INC BP before PUSH BP); the real slot is even.
    const slot = bp & ~1;
    const block = await read(s.ss.base + slot, 8);
    const w = words(block);
    if (w.length < 2) break;
    const f = await frameAt(read, w, 1, cs, slot + 2);
    if (!f) break;
    frames.push(f);
    cs = f.cs;
    const next = w[0];
    if ((next & ~1) <= slot) break;
    bp = next;
  }
  return frames;
}

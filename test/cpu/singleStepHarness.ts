/**
 * Runs SingleStepTests vectors (recorded from a real 8086 and a real 80286) on our CPU and reports
 * every difference. The stepping rules come from the data set's README: the 8086 runs exactly one
 * instruction; the 286 runs until it executes HLT. Undefined flags are masked with the suite's
 * metadata.json; after an exception the pushed FLAGS word is masked the same way.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Cpu } from '../../emulator/cpu/cpu.js';
import type { CpuModel } from '../../emulator/cpu/cpuModel.js';
import { IoBus } from '../../emulator/io/ioBus.js';
import { PhysicalMemory } from '../../emulator/memory/physicalMemory.js';

const REGS16 = ['ax', 'bx', 'cx', 'dx', 'sp', 'bp', 'si', 'di'] as const;
const SEGS = ['cs', 'ss', 'ds', 'es'] as const;
type RegKey = (typeof REGS16)[number] | (typeof SEGS)[number] | 'ip' | 'flags';
const ALL: readonly RegKey[] = [...REGS16, ...SEGS, 'ip', 'flags'];

interface Regs {
  readonly [k: string]: number;
}
interface VectorState {
  readonly regs: Regs;
  readonly ram: readonly (readonly [number, number])[];
}
export interface Vector {
  readonly name: string;
  readonly bytes: readonly number[];
  readonly initial: VectorState;
  readonly final: VectorState;
  readonly exception?: { readonly number: number; readonly flag_address: number };
  readonly idx?: number;
  readonly test_num?: number;
}

interface OpcodeMeta {
  readonly status?: string;
  readonly 'flags-mask'?: number;
  readonly reg?: { readonly [r: string]: OpcodeMeta };
}
interface Metadata {
  readonly opcodes: { readonly [op: string]: OpcodeMeta };
}

export interface SuiteConfig {
  readonly model: CpuModel;
  /** Folder holding metadata.json. */
  readonly root: string;
  /** Folder holding the *.json.gz files. */
  readonly files: string;
  readonly ramSize: number;
  /** 286: run until HLT and mask the initial FLAGS with 0FFFh. */
  readonly untilHalt: boolean;
}

export interface Failure {
  /** `<opcode file>#<index in the upstream file>`, e.g. `F6.7#952`. */
  readonly id: string;
  readonly text: string;
}

export interface FileResult {
  readonly file: string;
  readonly total: number;
  readonly failures: readonly Failure[];
}

export class SingleStepSuite {
  private readonly meta: Metadata;
  private readonly memory: PhysicalMemory;
  private readonly cpu: Cpu;

  constructor(readonly config: SuiteConfig) {
    this.meta = JSON.parse(readFileSync(join(config.root, 'metadata.json'), 'utf8')) as Metadata;
    this.memory = new PhysicalMemory(config.ramSize, 32, { adapterHole: false });
    this.cpu = new Cpu({ model: config.model, memory: this.memory, io: new IoBus() });
  }

  fileNames(): string[] {
    return readdirSync(this.config.files)
      .filter((f) => f.endsWith('.json.gz'))
      .sort();
  }

  /** AND mask for FLAGS from metadata.json (opcode file "F6.7" = opcode F6, reg 7). */
  flagsMask(file: string): number {
    const [op, reg] = file.replace('.json.gz', '').split('.');
    let m = this.meta.opcodes[op];
    if (m !== undefined && reg !== undefined && m.reg !== undefined) m = m.reg[reg];
    return m?.['flags-mask'] ?? 0xffff;
  }

  runFile(file: string): FileResult {
    const vectors = JSON.parse(gunzipSync(readFileSync(join(this.config.files, file))).toString('utf8')) as Vector[];
    const mask = this.flagsMask(file);
    const failures: Failure[] = [];
    const op = file.replace('.json.gz', '');
    for (let i = 0; i < vectors.length; i++) {
      const v = vectors[i];
      const problem = this.runVector(v, mask);
      if (problem !== null) {
        const id = `${op}#${v.idx ?? v.test_num ?? i}`;
        failures.push({ id, text: `${id} (${v.name}): ${problem}` });
      }
    }
    return { file, total: vectors.length, failures };
  }

  /** Returns null when the vector passes, else the first difference. */
  runVector(v: Vector, flagsMask: number): string | null {
    const cpu = this.cpu;
    const mem = this.memory.ram;
    const init = v.initial.regs;
    cpu.reset('hard');
    for (const r of REGS16) cpu.setReg(r, init[r]);
    for (const s of SEGS) cpu.setReg(s, init[s]);
    cpu.setReg('ip', init.ip);
    const initFlags = this.config.untilHalt ? init.flags & 0x0fff : init.flags;
    cpu.setReg('flags', initFlags);
    for (const [a, b] of v.initial.ram) mem[a] = b;
    try {
      if (this.config.untilHalt) {
        cpu.run(1000);
        if (cpu.stopReason !== 'halt') return `did not reach HLT (stop: ${cpu.stopReason} ${cpu.unsupportedReason})`;
      } else {
        // One instruction: a REP runs one iteration per step, so step until it completes.
        do cpu.run(1);
        while (cpu.repContinued && cpu.stopReason === 'budget');
        if (cpu.stopReason === 'unsupported' || cpu.stopReason === 'shutdown') return `stopped: ${cpu.stopReason} ${cpu.unsupportedReason}`;
      }
      return this.compare(v, flagsMask);
    } finally {
      for (const [a] of v.initial.ram) mem[a] = 0;
      for (const [a] of v.final.ram) mem[a] = 0;
    }
  }

  private compare(v: Vector, flagsMask: number): string | null {
    const cpu = this.cpu;
    const init = v.initial.regs;
    const fin = v.final.regs;
    for (const r of ALL) {
      let want = fin[r] ?? init[r];
      let got = cpu.getReg(r);
      if (r === 'flags') {
        if (fin.flags === undefined && this.config.untilHalt) want &= 0x0fff;
        want &= flagsMask;
        got &= flagsMask;
      }
      if (want !== got) return `${r} = ${hex4(got)}, expected ${hex4(want)}`;
    }
    const flagsAt = this.pushedFlagsAddress(v);
    for (const [addr, want] of v.final.ram) {
      let got = this.memory.ram[addr];
      let w = want;
      if (flagsAt >= 0 && (addr === flagsAt || addr === flagsAt + 1)) {
        const m = addr === flagsAt ? flagsMask & 0xff : flagsMask >>> 8;
        got &= m;
        w &= m;
      }
      if (got !== w) return `[${addr.toString(16)}] = ${got.toString(16)}, expected ${want.toString(16)}`;
    }
    return null;
  }

  /**
   * Physical address of the FLAGS word an exception pushed (its undefined flags are masked): at
   * SS:SP+4 after the exception. (The 286 data's flag_address is the even address below it when
   * SP is odd, so it is computed here instead.) The 8086 divide error enters 0000:0400.
   */
  private pushedFlagsAddress(v: Vector): number {
    const fin = v.final.regs;
    if (v.exception === undefined) {
      if (this.config.untilHalt) return -1;
      const ip = fin.ip ?? v.initial.regs.ip;
      const cs = fin.cs ?? v.initial.regs.cs;
      if (cs !== 0 || ip !== 0x400) return -1;
    }
    const ss = fin.ss ?? v.initial.regs.ss;
    const sp = fin.sp ?? v.initial.regs.sp;
    return ((ss << 4) + ((sp + 4) & 0xffff)) & (this.config.untilHalt ? 0xffffff : 0xfffff);
  }
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

/**
 * CPU interpreter speed on real-mode kernels (bench/cpu/kernels.asm, assembled with nasm): ALU
 * loops (16- and 32-bit with memory operands), MUL/DIV, REP MOVS/STOS, near and far CALL/RET and
 * INT/IRET round trips. Each kernel runs a fixed instruction count after a warm-up; the result is
 * MIPS per kernel and their geometric mean.
 *
 *   npm run bench -- cpu          (bundled and run by scripts/bench.mjs)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Cpu } from '../emulator/cpu/cpu.js';
import { IoBus } from '../emulator/io/ioBus.js';
import { PhysicalMemory } from '../emulator/memory/physicalMemory.js';

const KERNELS: readonly { name: string; slot: number }[] = [
  { name: 'alu16', slot: 0 },
  { name: 'alu32+mem', slot: 1 },
  { name: 'mul/div', slot: 2 },
  { name: 'rep movs/stos', slot: 3 },
  { name: 'call/ret near', slot: 4 },
  { name: 'call/ret far', slot: 5 },
  { name: 'int/iret', slot: 6 },
];
const INT60_SLOT = 7;
const CODE_SEG = 0x1000;
const WARMUP = 5_000_000;
const MEASURE = 40_000_000;

function assembleKernels(): Uint8Array {
  const src = resolve('bench', 'cpu', 'kernels.asm');
  const dir = mkdtempSync(join(tmpdir(), 'cpu-bench-'));
  try {
    const out = join(dir, 'kernels.bin');
    execFileSync('nasm', ['-f', 'bin', '-w+error', '-o', out, src], { stdio: ['ignore', 'ignore', 'inherit'] });
    return new Uint8Array(readFileSync(out));
  } catch (e) {
    throw new Error(`cannot assemble ${src} (is nasm installed?): ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function makeCpu(code: Uint8Array): Cpu {
  const memory = new PhysicalMemory(4 * 1024 * 1024);
  memory.ram.set(code, CODE_SEG << 4);
  const cpu = new Cpu({ model: '486', memory, io: new IoBus() });
  cpu.writeLinear16(0x60 * 4, INT60_SLOT * 0x100);
  cpu.writeLinear16(0x60 * 4 + 2, CODE_SEG);
  return cpu;
}

function start(cpu: Cpu, slot: number): void {
  cpu.reset('hard');
  cpu.setReg('cs', CODE_SEG);
  cpu.setReg('eip', slot * 0x100);
  cpu.setReg('ss', 0);
  cpu.setReg('sp', 0x8000);
  cpu.setReg('ds', 0x2000);
  cpu.setReg('es', 0x3000);
  cpu.setReg('ebx', 0x1234);
  cpu.setReg('esi', 0x55);
}

function runFor(cpu: Cpu, count: number): void {
  let left = count;
  while (left > 0) {
    const n = cpu.run(Math.min(left, 1_000_000));
    if (n === 0 || cpu.stopReason !== 'budget') throw new Error(`kernel stopped: ${cpu.stopReason} ${cpu.unsupportedReason}`);
    left -= n;
  }
}

const code = assembleKernels();
const cpu = makeCpu(code);
const results: number[] = [];
console.log(`CPU model 486, real mode, ${MEASURE / 1e6}M instructions per kernel`);
for (const k of KERNELS) {
  start(cpu, k.slot);
  runFor(cpu, WARMUP);
  const t0 = process.hrtime.bigint();
  runFor(cpu, MEASURE);
  const ns = Number(process.hrtime.bigint() - t0);
  const mips = MEASURE / (ns / 1e3);
  results.push(mips);
  console.log(`  ${k.name.padEnd(16)} ${mips.toFixed(1).padStart(7)} MIPS`);
}
const geomean = Math.exp(results.reduce((s, m) => s + Math.log(m), 0) / results.length);
console.log(`  ${'geomean'.padEnd(16)} ${geomean.toFixed(1).padStart(7)} MIPS`);

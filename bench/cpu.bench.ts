/**
 * CPU interpreter speed on real-mode kernels (bench/cpu/kernels.asm, assembled with nasm): ALU
 * loops (16- and 32-bit with memory operands), MUL/DIV, REP MOVS/STOS, near and far CALL/RET and
 * INT/IRET round trips; then on protected-mode kernels with paging on (bench/cpu/pmKernels.asm):
 * 32-bit ALU, memory through paging, CALL/RET, segment loads, INT through an interrupt gate, the
 * page-fault round trip and the V86 INT round trip. Each kernel runs a fixed instruction count after a warm-up, several times;
 * the best run counts. Every REP iteration counts as one instruction (as the CPU counts them).
 *
 * MIPS are given against the process's CPU time (the machine may be shared, so wall time would
 * measure the neighbours too) and against wall time, per kernel, with their geometric means, also
 * without the REP kernel, whose bulk copy would otherwise dominate the mean.
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
const MEASURE = 10_000_000;
const REPEATS = 5;

const PM_KERNELS: readonly string[] = ['alu32', 'mem paging', 'call/ret', 'seg loads', 'int gate', 'page fault', 'v86 int'];
const PM_LOAD = 0x10000;

function assembleKernels(file = 'kernels.asm'): Uint8Array {
  const src = resolve('bench', 'cpu', file);
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

function geomean(values: readonly number[]): number {
  return Math.exp(values.reduce((s, v) => s + Math.log(v), 0) / values.length);
}

/** Runs one kernel: warm-up, then the best of REPEATS measured runs; returns MIPS (cpu, wall). */
function measure(c: Cpu): [number, number] {
  runFor(c, WARMUP);
  let bestCpu = 0;
  let bestWall = 0;
  for (let r = 0; r < REPEATS; r++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    runFor(c, MEASURE);
    const wallUs = Number(process.hrtime.bigint() - t0) / 1e3;
    const used = process.cpuUsage(c0);
    bestCpu = Math.max(bestCpu, MEASURE / (used.user + used.system));
    bestWall = Math.max(bestWall, MEASURE / wallUs);
  }
  return [bestCpu, bestWall];
}

const code = assembleKernels();
const cpu = makeCpu(code);
const cpuMips: number[] = [];
const wallMips: number[] = [];
console.log(`CPU model 486, real mode, best of ${REPEATS} runs of ${MEASURE / 1e6}M instructions per kernel`);
console.log(`  ${'kernel'.padEnd(16)} ${'MIPS (cpu)'.padStart(10)} ${'MIPS (wall)'.padStart(11)}`);
for (const k of KERNELS) {
  start(cpu, k.slot);
  runFor(cpu, WARMUP);
  let bestCpu = 0;
  let bestWall = 0;
  for (let r = 0; r < REPEATS; r++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    runFor(cpu, MEASURE);
    const wallUs = Number(process.hrtime.bigint() - t0) / 1e3;
    const used = process.cpuUsage(c0);
    bestCpu = Math.max(bestCpu, MEASURE / (used.user + used.system));
    bestWall = Math.max(bestWall, MEASURE / wallUs);
  }
  cpuMips.push(bestCpu);
  wallMips.push(bestWall);
  console.log(`  ${k.name.padEnd(16)} ${bestCpu.toFixed(1).padStart(10)} ${bestWall.toFixed(1).padStart(11)}`);
}
const noRep = (v: readonly number[]): number[] => v.filter((_, i) => KERNELS[i].name !== 'rep movs/stos');
console.log(`  ${'geomean'.padEnd(16)} ${geomean(cpuMips).toFixed(1).padStart(10)} ${geomean(wallMips).toFixed(1).padStart(11)}`);
console.log(`  ${'geomean w/o REP'.padEnd(16)} ${geomean(noRep(cpuMips)).toFixed(1).padStart(10)} ${geomean(noRep(wallMips)).toFixed(1).padStart(11)}`);

const pmCode = assembleKernels('pmKernels.asm');
const pmMemory = new PhysicalMemory(8 * 1024 * 1024);
pmMemory.ram.set(pmCode, PM_LOAD);
const pmCpu = new Cpu({ model: '486', memory: pmMemory, io: new IoBus() });
const pmCpuMips: number[] = [];
const pmWallMips: number[] = [];
console.log(`\nCPU model 486, protected mode with paging, best of ${REPEATS} runs of ${MEASURE / 1e6}M instructions per kernel`);
console.log(`  ${'kernel'.padEnd(16)} ${'MIPS (cpu)'.padStart(10)} ${'MIPS (wall)'.padStart(11)}`);
PM_KERNELS.forEach((name, k) => {
  pmCpu.reset('hard');
  pmCpu.setReg('cs', PM_LOAD >> 4);
  pmCpu.setReg('eip', 0);
  pmCpu.setReg('ebp', k);
  const [c, w] = measure(pmCpu);
  if (pmCpu.mode() === 'real') throw new Error(`protected-mode kernel ${name} did not leave real mode`);
  pmCpuMips.push(c);
  pmWallMips.push(w);
  console.log(`  ${name.padEnd(16)} ${c.toFixed(1).padStart(10)} ${w.toFixed(1).padStart(11)}`);
});
console.log(`  ${'geomean'.padEnd(16)} ${geomean(pmCpuMips).toFixed(1).padStart(10)} ${geomean(pmWallMips).toFixed(1).padStart(11)}`);

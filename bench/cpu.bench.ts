/**
 * CPU interpreter speed on real-mode kernels (bench/cpu/kernels.asm, assembled with nasm): ALU
 * loops (16- and 32-bit with memory operands), MUL/DIV, REP MOVS/STOS, near and far CALL/RET and
 * INT/IRET round trips; then on protected-mode kernels with paging on (bench/cpu/pmKernels.asm):
 * 32-bit ALU, memory through paging, CALL/RET, segment loads, INT through an interrupt gate, the
 * page-fault round trip and the V86 INT round trip. The same protected-mode kernels, built as a
 * multiboot image, then run in v86 (the `v86` package, an x86 emulator with a JIT to WebAssembly,
 * as the speed anchor): MIPS from its instruction counter over a fixed CPU time, and our ratio. Each kernel runs a fixed instruction count after a warm-up, several times;
 * the best run counts. Every REP iteration counts as one instruction (as the CPU counts them).
 *
 * MIPS are given against the process's CPU time (the machine may be shared, so wall time would
 * measure the neighbours too) and against wall time, per kernel, with their geometric means, also
 * without the REP kernel, whose bulk copy would otherwise dominate the mean.
 *
 *   npm run bench -- cpu          (bundled and run by scripts/bench.mjs)
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
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

function assembleKernels(file = 'kernels.asm', defines: readonly string[] = []): Uint8Array {
  const src = resolve('bench', 'cpu', file);
  const dir = mkdtempSync(join(tmpdir(), 'cpu-bench-'));
  try {
    const out = join(dir, 'kernels.bin');
    execFileSync('nasm', ['-f', 'bin', '-w+error', ...defines.map((d) => `-D${d}`), '-o', out, src], { stdio: ['ignore', 'ignore', 'inherit'] });
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

// ---- the same kernels in v86 --------------------------------------------------------------------

/** Offset of kernel_index in the multiboot image (right after the 32-byte header). */
const MB_KERNEL_INDEX = 0x20;
const V86_WARMUP_MS = 1000;
const V86_MEASURE_MS = 3000;

interface V86Instance {
  add_listener(event: 'emulator-ready', listener: () => void): void;
  get_instruction_counter(): number;
  destroy(): Promise<void>;
}
type V86Constructor = new (options: Record<string, unknown>) => V86Instance;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** MIPS of one kernel in v86 (its counter is 32 bits: differences are taken modulo 2^32). */
async function v86Mips(V86: V86Constructor, wasmPath: string, image: Uint8Array, kernel: number): Promise<number> {
  const img = image.slice();
  new DataView(img.buffer).setUint32(MB_KERNEL_INDEX, kernel, true);
  const emu = new V86({
    wasm_path: wasmPath,
    memory_size: 16 * 1024 * 1024,
    multiboot: { buffer: img.buffer },
    autostart: true,
    disable_keyboard: true,
    disable_mouse: true,
    disable_speaker: true,
  });
  await new Promise<void>((r) => emu.add_listener('emulator-ready', r));
  await sleep(V86_WARMUP_MS);
  const n0 = emu.get_instruction_counter();
  const c0 = process.cpuUsage();
  await sleep(V86_MEASURE_MS);
  const n = (emu.get_instruction_counter() - n0) >>> 0;
  const used = process.cpuUsage(c0);
  await emu.destroy();
  return n / (used.user + used.system);
}

async function compareWithV86(): Promise<void> {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve('v86');
  } catch {
    console.log('\nv86 is not installed (npm install): no comparison');
    return;
  }
  // A computed specifier keeps the bundler from inlining the emulator into this benchmark.
  const mod = (await import(pathToFileURL(entry).href)) as { V86: V86Constructor };
  const wasmPath = require.resolve('v86/build/v86.wasm');
  const image = assembleKernels('pmKernels.asm', ['MULTIBOOT']);
  console.log(`\nThe same kernels in v86 (MIPS over ${V86_MEASURE_MS / 1000} s of CPU time after ${V86_WARMUP_MS / 1000} s), and ours / v86`);
  console.log(`  ${'kernel'.padEnd(16)} ${'v86 MIPS'.padStart(10)} ${'ours/v86'.padStart(9)}`);
  for (let k = 0; k < PM_KERNELS.length; k++) {
    const mips = await v86Mips(mod.V86, wasmPath, image, k);
    console.log(`  ${PM_KERNELS[k].padEnd(16)} ${mips.toFixed(1).padStart(10)} ${(pmCpuMips[k] / mips).toFixed(2).padStart(9)}`);
  }
}

await compareWithV86();

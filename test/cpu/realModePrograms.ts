/**
 * The real-mode conformance programs (test/cpu/programs/*.asm): assembled by nasm into a 64 KiB
 * ROM, run in QEMU (the oracle: Debian's qemu-system-i386 -cpu 486) and on our CPU, each printing
 * its observations to port E9h and stopping through port F4h.
 *
 * QEMU maps a 64 KiB -bios image at the top of the 4 GiB bus and at F0000h; the CPU resets to
 * CS=F000h (base FFFF0000h), IP=FFF0h. Our rig maps the same image the same way (PhysicalMemory
 * loads it at F0000h, whose top-of-bus alias covers FFFF0000h).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cpu } from '../../emulator/cpu/cpu.js';
import type { CpuModel } from '../../emulator/cpu/cpuModel.js';
import { IoBus } from '../../emulator/io/ioBus.js';
import { PhysicalMemory } from '../../emulator/memory/physicalMemory.js';
import { repoRoot } from '../support/testdata.js';

export const programsDir = join(repoRoot, 'test', 'cpu', 'programs');
const ROM_SIZE = 0x10000;
export const QEMU_TIMEOUT_MS = 60_000;
/** Instruction budget for our CPU; a program that has not finished by then has run away. */
const OUR_BUDGET = 2_000_000_000;

export interface ProgramOutput {
  readonly output: string;
  /** The program wrote the exit port (as opposed to running out of time or budget). */
  readonly finished: boolean;
  /** For our CPU: why it stopped when it did not finish. */
  readonly note?: string;
}

export function listPrograms(): string[] {
  return readdirSync(programsDir)
    .filter((f) => f.endsWith('.asm'))
    .map((f) => f.slice(0, -4))
    .sort();
}

const romCache = new Map<string, Uint8Array>();

/** Assembles test/cpu/programs/<name>.asm into a 64 KiB ROM image. */
export function assemble(name: string): Uint8Array {
  const hit = romCache.get(name);
  if (hit !== undefined) return hit;
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`bad program name '${name}'`);
  const dir = mkdtempSync(join(tmpdir(), 'cpu-rm-nasm-'));
  try {
    const out = join(dir, `${name}.bin`);
    try {
      execFileSync('nasm', ['-f', 'bin', '-w+error', '-I', `${programsDir}/`, '-o', out, join(programsDir, `${name}.asm`)], {
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 30_000,
      });
    } catch (e) {
      const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim() ?? String(e);
      throw new Error(`nasm failed on ${name}.asm: ${stderr}`);
    }
    const rom = new Uint8Array(readFileSync(out));
    if (rom.length !== ROM_SIZE) throw new Error(`${name}.asm assembles to ${rom.length} bytes, not 64 KiB`);
    romCache.set(name, rom);
    return rom;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the ROM in QEMU; resolves with what it printed to port E9h. */
export function runInQemu(rom: Uint8Array): Promise<ProgramOutput> {
  const dir = mkdtempSync(join(tmpdir(), 'cpu-rm-qemu-'));
  const bios = join(dir, 'rom.bin');
  const out = join(dir, 'e9.txt');
  writeFileSync(bios, rom);
  // -m 16: the unreal-mode program uses memory above 1 MiB.
  const args = ['-M', 'pc', '-cpu', '486', '-m', '16', '-nodefaults', '-no-user-config', '-display', 'none'];
  args.push('-bios', bios, '-debugcon', `file:${out}`, '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04');
  return new Promise((resolve, reject) => {
    execFile('qemu-system-i386', args, { timeout: QEMU_TIMEOUT_MS, killSignal: 'SIGKILL' }, (error) => {
      try {
        const output = existsSync(out) ? readFileSync(out, 'latin1') : '';
        // isa-debug-exit makes QEMU exit with status value * 2 + 1; a timeout kill does not.
        const code = error ? (error as { code?: unknown }).code : 0;
        const finished = typeof code === 'number' && code % 2 === 1;
        if (error && !finished && output === '') reject(new Error(`qemu-system-i386 failed: ${error.message}`));
        else resolve({ output, finished });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

/** Runs the ROM on our CPU with port E9h captured and port F4h stopping the run. */
export function runOnOurCpu(rom: Uint8Array, model: CpuModel = '486'): ProgramOutput {
  const memory = new PhysicalMemory(16 * 1024 * 1024);
  memory.loadRom(0xf0000, rom);
  const io = new IoBus();
  const chunks: number[] = [];
  let finished = false;
  // eslint-disable-next-line prefer-const -- assigned after the handlers that close over it
  let cpu: Cpu;
  io.register(0xe9, 0xe9, { read8: () => 0xff, write8: (_p, v) => chunks.push(v) }, 'test', 'debug console');
  io.register(0xf4, 0xf4, {
    read8: () => 0xff,
    write8: () => {
      finished = true;
      cpu.requestStop();
    },
  }, 'test', 'exit');
  cpu = new Cpu({ model, memory, io });
  let note: string | undefined;
  for (let total = 0; !finished && total < OUR_BUDGET; ) {
    total += cpu.run(10_000_000);
    if (cpu.stopReason === 'shutdown' || cpu.stopReason === 'unsupported' || (cpu.stopReason === 'halt' && !finished)) {
      note = `stopped: ${cpu.stopReason} ${cpu.unsupportedReason} at ${cpu.getReg('cs').toString(16)}:${cpu.getReg('eip').toString(16)}`;
      break;
    }
  }
  return { output: Buffer.from(chunks).toString('latin1'), finished, note };
}

/** The first line where two outputs differ, with a little context, or null when equal. */
export function firstDifference(expected: string, actual: string): string | null {
  const e = expected.split('\n');
  const a = actual.split('\n');
  for (let i = 0; i < Math.max(e.length, a.length); i++) {
    if (e[i] !== a[i]) {
      const before = e.slice(Math.max(0, i - 3), i).join('\n    ');
      return `line ${i + 1} differs\n  context:\n    ${before}\n  qemu: ${e[i] ?? '<end>'}\n  ours: ${a[i] ?? '<end>'}`;
    }
  }
  return null;
}

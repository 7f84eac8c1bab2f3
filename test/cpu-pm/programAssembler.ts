/**
 * Assembles a conformance program (test/cpu-pm/programs/<name>.asm) with nasm into a 64 KiB ROM
 * image. Both runners (QEMU and ours) start from the same bytes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const programsDir = join(dirname(fileURLToPath(import.meta.url)), 'programs');

export const ROM_SIZE = 0x10000;

/** The program names (file names without `.asm`), sorted. */
export function listPrograms(): string[] {
  return readdirSync(programsDir)
    .filter((f) => f.endsWith('.asm'))
    .map((f) => f.slice(0, -4))
    .sort();
}

const cache = new Map<string, Uint8Array>();

/** Assembles `name` (cached per process); throws with nasm's message when it does not assemble. */
export function assembleProgram(name: string): Uint8Array {
  const hit = cache.get(name);
  if (hit) return hit;
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`bad program name '${name}'`);
  const dir = mkdtempSync(join(tmpdir(), 'cpu-pm-nasm-'));
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
    if (rom.length !== ROM_SIZE) throw new Error(`${name}.asm assembles to ${rom.length} bytes, not a 64 KiB ROM`);
    cache.set(name, rom);
    return rom;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What a run printed to port E9h and whether it stopped itself through port F4h. */
export interface ProgramResult {
  readonly output: string;
  /** True when the program wrote to the exit port; false when the run hit its time or budget limit. */
  readonly finished: boolean;
}

/**
 * Test helper: assembles a source with the real nasm (the oracle the ROM assembler is checked
 * against). Only tests import this; the product never needs nasm.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NASM_BIOSTRAP_MACRO } from './romAssembler.js';

export function nasmAssemble(source: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'win31-nasm-'));
  try {
    writeFileSync(join(dir, 'in.asm'), NASM_BIOSTRAP_MACRO + source);
    execFileSync('nasm', ['-f', 'bin', '-o', join(dir, 'out.bin'), join(dir, 'in.asm')], { stdio: 'pipe', timeout: 60_000 });
    return new Uint8Array(readFileSync(join(dir, 'out.bin')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Index of the first differing byte, or -1 when equal. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

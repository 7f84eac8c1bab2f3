/**
 * Assembles test/dap/fixture.asm with nasm (the oracle for its bytes and label addresses) into a
 * temporary folder: the boot sector itself, a 1.44 MB floppy and a small hard disk holding it, and the label table
 * read from nasm's listing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../support/testdata.js';

export interface Fixture {
  readonly bootSector: Uint8Array;
  readonly floppy: string;
  /** A raw hard disk (20 cylinders, 16 heads, 63 sectors) with the sector as its MBR: BIOS drive 80h. */
  readonly hardDisk: string;
  /** Label name -> linear address (the sector is loaded at 0000:7C00). */
  readonly labels: ReadonlyMap<string, number>;
  /** Linear address of every instruction, from the listing. */
  readonly starts: readonly number[];
}

export function buildFixture(): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'win31-dap-'));
  const bin = join(dir, 'fixture.bin');
  const lst = join(dir, 'fixture.lst');
  execFileSync('nasm', ['-f', 'bin', '-o', bin, '-l', lst, join(repoRoot, 'test', 'dap', 'fixture.asm')]);
  const bootSector = new Uint8Array(readFileSync(bin));
  const floppy = join(dir, 'fixture.img');
  const image = new Uint8Array(1474560);
  image.set(bootSector, 0);
  writeFileSync(floppy, image);
  const hardDisk = join(dir, 'fixture-hd.img');
  writeFileSync(hardDisk, bootSector);
  truncateSync(hardDisk, 20 * 16 * 63 * 512);
  const labels = new Map<string, number>();
  const starts: number[] = [];
  let pending: string[] = [];
  for (const line of readFileSync(lst, 'utf8').split('\n')) {
    const label = /^\s*\d+\s+([A-Za-z_][A-Za-z0-9_]*):\s*$/.exec(line);
    if (label) {
      pending.push(label[1]);
      continue;
    }
    const ins = /^\s*\d+\s+([0-9A-F]{8})\s+([0-9A-F[\]()]+)\s+(\S.*)$/.exec(line);
    if (ins && !/^(times|dw|db)\b/.test(ins[3].trim())) {
      const addr = 0x7c00 + parseInt(ins[1], 16);
      for (const l of pending) labels.set(l, addr);
      pending = [];
      starts.push(addr);
    }
  }
  return { bootSector, floppy, hardDisk, labels, starts };
}

export function label(f: Fixture, name: string): number {
  const v = f.labels.get(name);
  if (v === undefined) throw new Error(`fixture has no label ${name}`);
  return v;
}

/** seg:off text for a linear address in segment 0. */
export function segOff(linear: number): string {
  return `0000:${linear.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Protected-mode conformance: each program in test/cpu-pm/programs/*.asm runs in QEMU
 * (qemu-system-i386 -cpu 486, the oracle) and on our CPU; the text both print to port E9h must be
 * identical, line by line. The expected output is produced by QEMU in the same test run, never
 * written by hand.
 *
 * Running one program:
 *   npx vitest run test/cpu-pm -t sysregs        both suites, for the programs whose name matches
 *   npx tsx test/cpu-pm/compare.ts sysregs       prints QEMU's output, ours, and the diff
 *   npx tsx test/cpu-pm/compare.ts --qemu sysregs   QEMU's output only (while writing a program)
 *
 * Writing a program: see programs/common.inc (memory map, CASE/ENDCASE, the generic exception
 * report). Print only what is defined on a 486: registers the program set, flags masked to the
 * bits the instruction defines. Where QEMU 7.2 departs from the Intel manuals the program leaves
 * the case out and says so in its header (for example: QEMU does not check data segment limits).
 *
 * `pending` lists the programs our CPU does not run yet, each with the reason; they show as todo.
 * The QEMU suite always runs every program, so the programs themselves stay proven.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { hasTool } from '../support/testdata.js';
import { listPrograms, type ProgramResult } from './programAssembler.js';
import { runInQemu } from './qemuRunner.js';
import { runInOurCpu } from './ourRunner.js';
import { diffOutputs } from './outputDiff.js';

/** Programs our CPU cannot pass yet, with the reason. Remove an entry when the feature lands. */
export const pending = new Map<string, string>([['fpu_mf', 'no FPU: the CPU model is a 486SX (QEMU -cpu 486 has one)']]);

/** Output lines a program prints at least when it runs through (a short program says so here). */
const MIN_LINES = new Map<string, number>([['fpu_mf', 3]]);

const programs = listPrograms();
const toolsPresent = hasTool('nasm') && hasTool('qemu-system-i386');

/** QEMU runs, two at a time (the CI machine has two cores), started once and shared by both suites. */
const qemuRuns = new Map<string, Promise<ProgramResult>>();
let running = 0;
const queue: (() => void)[] = [];
function qemuResult(name: string): Promise<ProgramResult> {
  let p = qemuRuns.get(name);
  if (!p) {
    p = new Promise<void>((go) => {
      if (running < 2) {
        running++;
        go();
      } else queue.push(go);
    }).then(() =>
      runInQemu(name).finally(() => {
        const next = queue.shift();
        if (next) next();
        else running--;
      }),
    );
    qemuRuns.set(name, p);
  }
  return p;
}

/** Lines that mean the program itself went wrong, whatever the CPU. */
const BROKEN = /^(NO RECOVERY POINT|RUNAWAY EXCEPTIONS|UNEXPECTED RESET)$/m;

describe.skipIf(!toolsPresent)('protected-mode programs under QEMU (the oracle)', () => {
  // Start every run up front; the pool keeps two going. A failure is reported by its own test.
  beforeAll(() => {
    for (const name of programs) qemuResult(name).catch(() => undefined);
  });

  it('the pending list names only existing programs', () => {
    for (const name of pending.keys()) expect(programs, `pending entry '${name}'`).toContain(name);
  });

  for (const name of programs) {
    it(`${name} runs to DONE`, async () => {
      const r = await qemuResult(name);
      expect(r.finished, `${name} did not write the exit port; output:\n${r.output.slice(-2000)}`).toBe(true);
      expect(r.output).not.toMatch(BROKEN);
      const lines = r.output.trimEnd().split('\n');
      expect(lines.at(-1)).toBe('DONE');
      // Every program checks many cases; a handful of lines means it stopped early.
      expect(lines.length).toBeGreaterThan(MIN_LINES.get(name) ?? 10);
    });
  }
});

describe.skipIf(!toolsPresent)('our CPU prints what QEMU prints', () => {
  for (const name of programs) {
    const reason = pending.get(name);
    if (reason !== undefined) {
      it.todo(`${name} (${reason})`);
      continue;
    }
    it(name, async () => {
      const [want, got] = await Promise.all([qemuResult(name), runInOurCpu(name)]);
      const diff = diffOutputs(want.output, got.output);
      if (diff !== null) expect.fail(`${name}: ${diff}`);
      expect(got.finished, `${name}: our run did not reach the exit port`).toBe(true);
    });
  }
});

/**
 * Save/load in the middle of protected-mode work: each program runs once straight through and
 * once with the CPU's state saved and loaded into a new CPU every few thousand instructions (in
 * the middle of paging, V86 mode, task switches, debug-register breakpoints); both runs must
 * print the same lines.
 */
import { describe, expect, it } from 'vitest';
import { hasTool } from '../support/testdata.js';
import { runInOurCpu } from './ourRunner.js';
import { diffOutputs } from './outputDiff.js';

const PROGRAMS = ['paging', 'pf_restart', 'v86', 'tasks386', 'tasks286', 'debug_regs', 'call_gates'];
/** Prime, so the cuts fall on every kind of instruction. */
const EVERY = 997;

describe.skipIf(!hasTool('nasm'))('protected-mode state survives save/load into a new CPU', () => {
  for (const name of PROGRAMS) {
    it(name, async () => {
      const straight = await runInOurCpu(name);
      const reloaded = await runInOurCpu(name, EVERY);
      expect(straight.finished).toBe(true);
      const diff = diffOutputs(straight.output, reloaded.output);
      if (diff !== null) expect.fail(`${name}: ${diff}`);
      expect(reloaded.finished).toBe(true);
    });
  }
});

/**
 * 386/486 real-mode behaviour the 8086/286 vectors do not cover (32-bit operands and addresses,
 * SIB, the 386/486 instructions, unreal mode), proven against QEMU: each program in
 * test/cpu/programs runs in qemu-system-i386 -cpu 486 and on our CPU (model 486) within the same
 * test run, and both must print the same lines to port E9h.
 *
 * Debugging one program: `npx tsx test/cpu/compareProgram.ts <name>` prints the first difference.
 */
import { describe, expect, it } from 'vitest';
import { hasTool } from '../support/testdata.js';
import { assemble, firstDifference, listPrograms, runInQemu, runOnOurCpu } from './realModePrograms.js';

const tools = hasTool('nasm') && hasTool('qemu-system-i386');

describe.skipIf(!tools)('real-mode programs: our CPU prints what QEMU prints', () => {
  for (const name of listPrograms()) {
    it(name, async () => {
      const rom = assemble(name);
      const qemu = await runInQemu(rom);
      expect(qemu.finished, `QEMU did not finish ${name}: ${qemu.output.slice(-500)}`).toBe(true);
      expect(qemu.output.trimEnd().endsWith('DONE'), `${name} did not reach DONE under QEMU`).toBe(true);
      const ours = runOnOurCpu(rom);
      const diff = firstDifference(qemu.output, ours.output);
      if (diff !== null) expect.fail(`${name}: ${diff}${ours.note ? `\n  ${ours.note}` : ''}`);
      expect(ours.finished, ours.note).toBe(true);
    });
  }
});

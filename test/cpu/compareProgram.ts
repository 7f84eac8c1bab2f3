/**
 * Runs one real-mode conformance program in QEMU and on our CPU and prints the first difference:
 *   npx tsx test/cpu/compareProgram.ts <name> [--qemu | --ours]
 * --qemu / --ours print that side's whole output instead.
 */
import { assemble, firstDifference, runInQemu, runOnOurCpu } from './realModePrograms.js';

const [name, flag] = process.argv.slice(2);
if (name === undefined) {
  process.stderr.write('usage: tsx test/cpu/compareProgram.ts <name> [--qemu | --ours]\n');
  process.exit(2);
}
const rom = assemble(name);
if (flag === '--ours') {
  const r = runOnOurCpu(rom);
  process.stdout.write(r.output + (r.note ? `\n[${r.note}]\n` : ''));
} else {
  const q = await runInQemu(rom);
  if (flag === '--qemu') process.stdout.write(q.output);
  else {
    const o = runOnOurCpu(rom);
    const diff = firstDifference(q.output, o.output);
    process.stdout.write(diff === null ? `${name}: identical (${q.output.split('\n').length} lines)\n` : `${name}: ${diff}\n`);
    if (o.note) process.stdout.write(`[${o.note}]\n`);
    process.exitCode = diff === null ? 0 : 1;
  }
}

/**
 * Runs one conformance program in QEMU and on our CPU and shows both outputs and their diff.
 *   npx tsx test/cpu-pm/compare.ts <program>          (name without .asm)
 *   npx tsx test/cpu-pm/compare.ts --qemu <program>   QEMU only
 * Exit status: 0 when the outputs match (or with --qemu, when QEMU reached the exit port).
 */
import { listPrograms } from './programAssembler.js';
import { diffOutputs } from './outputDiff.js';
import { runInQemu } from './qemuRunner.js';

async function main(argv: string[]): Promise<number> {
  const qemuOnly = argv.includes('--qemu');
  const name = argv.find((a) => !a.startsWith('--'));
  if (name === undefined || !listPrograms().includes(name)) {
    process.stderr.write(`usage: compare.ts [--qemu] <program>; programs: ${listPrograms().join(' ')}\n`);
    return 2;
  }
  const want = await runInQemu(name);
  process.stdout.write(`== QEMU (${want.finished ? 'finished' : 'did not finish'})\n${want.output}`);
  if (qemuOnly) return want.finished ? 0 : 1;
  const { runInOurCpu } = await import('./ourRunner.js');
  const got = await runInOurCpu(name);
  process.stdout.write(`\n== ours (${got.finished ? 'finished' : 'did not finish'})\n${got.output}\n`);
  const diff = diffOutputs(want.output, got.output);
  process.stdout.write(diff === null ? '\n== identical\n' : `\n${diff}\n`);
  return diff === null && got.finished ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);

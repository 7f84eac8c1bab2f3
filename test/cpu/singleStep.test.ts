/**
 * CPU conformance against SingleStepTests: every case of the 8086 suite (CPU model 8086) and the
 * 80286 real-mode suite (model 286), one vitest case per opcode file. See singleStepHarness.ts.
 */
import { describe, expect, it } from 'vitest';
import { testdata } from '../support/testdata.js';
import { SingleStepSuite, type SuiteConfig } from './singleStepHarness.js';

interface SuiteSpec {
  readonly title: string;
  readonly data: string;
  readonly files: string;
  readonly config: Omit<SuiteConfig, 'root' | 'files'>;
}

const SUITES: readonly SuiteSpec[] = [
  { title: '8086 (SingleStepTests v1)', data: 'cpu/8086', files: 'v1', config: { model: '8086', ramSize: 0x100000, untilHalt: false } },
  {
    title: '80286 real mode (SingleStepTests v1_real_mode)',
    data: 'cpu/80286',
    files: 'v1_real_mode',
    config: { model: '286', ramSize: 0x1000000, untilHalt: true },
  },
];

for (const spec of SUITES) {
  const root = testdata(spec.data);
  describe.skipIf(root === null)(spec.title, () => {
    if (root === null) return;
    const suite = new SingleStepSuite({ ...spec.config, root, files: `${root}/${spec.files}` });
    let passed = 0;
    let total = 0;
    for (const file of suite.fileNames()) {
      it(file.replace('.json.gz', ''), () => {
        const r = suite.runFile(file);
        total += r.total;
        passed += r.total - r.failures.length;
        if (r.failures.length > 0) {
          const shown = r.failures.slice(0, 5).join('\n  ');
          expect.fail(`${r.failures.length}/${r.total} cases differ:\n  ${shown}`);
        }
      });
    }
    it('summary', () => {
      console.log(`${spec.title}: ${passed}/${total} cases pass`);
    });
  });
}

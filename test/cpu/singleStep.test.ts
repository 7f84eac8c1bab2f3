/**
 * CPU conformance against SingleStepTests: every case of the 8086 suite (CPU model 8086) and the
 * 80286 real-mode suite (model 286), one vitest case per opcode file. See singleStepHarness.ts.
 *
 * KNOWN lists the cases that still differ, each with the reason; a listed case that starts to
 * pass fails the test too, so the list stays true.
 */
import { describe, expect, it } from 'vitest';
import { testdata } from '../support/testdata.js';
import { SingleStepSuite, type SuiteConfig } from './singleStepHarness.js';

interface SuiteSpec {
  readonly title: string;
  readonly data: string;
  readonly files: string;
  readonly config: Omit<SuiteConfig, 'root' | 'files'>;
  readonly known: ReadonlyMap<string, string>;
}

const SUITES: readonly SuiteSpec[] = [
  {
    title: '8086 (SingleStepTests v1)',
    data: 'cpu/8086',
    files: 'v1',
    config: { model: '8086', ramSize: 0x100000, untilHalt: false },
    known: new Map(),
  },
  {
    title: '80286 real mode (SingleStepTests v1_real_mode)',
    data: 'cpu/80286',
    files: 'v1_real_mode',
    config: { model: '286', ramSize: 0x1000000, untilHalt: true },
    known: new Map([
      [
        'C6#1982',
        'data: the #GP handler address needs IVT bytes 35h and 37h (C3h, implied by the final CS:IP), which initial.ram does not list',
      ],
      [
        'F6.7#952',
        'IDIV AX=81C1h by 7Ch: the quotient overflows, yet the chip stores AL=80h AH=C1h without a divide error; one vector is too little to derive the rule',
      ],
    ]),
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
      const op = file.replace('.json.gz', '');
      it(op, () => {
        const r = suite.runFile(file);
        total += r.total;
        passed += r.total - r.failures.length;
        const unexpected = r.failures.filter((f) => !spec.known.has(f.id));
        const failedIds = new Set(r.failures.map((f) => f.id));
        const nowPassing = [...spec.known.keys()].filter((id) => id.startsWith(`${op}#`) && !failedIds.has(id));
        if (unexpected.length > 0) {
          expect.fail(`${unexpected.length}/${r.total} cases differ:\n  ${unexpected.slice(0, 5).map((f) => f.text).join('\n  ')}`);
        }
        expect(nowPassing, 'known failures that now pass: remove them from KNOWN').toEqual([]);
      });
    }
    it('summary', () => {
      const known = [...spec.known].map(([id, why]) => `  ${id}: ${why}`).join('\n');
      console.log(`${spec.title}: ${passed}/${total} cases pass${known ? `; known differences:\n${known}` : ''}`);
    });
  });
}

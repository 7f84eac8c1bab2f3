// `npm run bench`: bundles every bench/*.bench.ts and runs them one after another in fresh Node
// processes (so one benchmark's JIT state does not colour the next). Pass names to run a subset:
// `npm run bench -- cpu disk`.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';

const filter = process.argv.slice(2);
const files = readdirSync('bench')
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filter.length === 0 || filter.some((n) => f.startsWith(n)))
  .sort();
if (files.length === 0) {
  console.error(`no benchmarks match ${filter.join(' ')}`);
  process.exit(1);
}
mkdirSync('.cache/bench', { recursive: true });
let failed = 0;
for (const f of files) {
  const out = `.cache/bench/${f.replace(/\.ts$/, '.mjs')}`;
  await build({
    entryPoints: [`bench/${f}`],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  console.log(`\n== ${f}`);
  const r = spawnSync(process.execPath, [out], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);

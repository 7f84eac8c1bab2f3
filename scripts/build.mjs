// Bundles every runtime piece with esbuild. One bundle per process: the extension host (CommonJS,
// as VS Code loads it), the machine worker, the headless CLI (which also hosts the standalone debug
// adapter), and the webview script (a browser IIFE under a strict CSP).
import { build } from 'esbuild';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  target: 'node20',
  legalComments: 'none',
};

mkdirSync('dist', { recursive: true });
const jobs = [
  { ...common, entryPoints: ['extension/extension.ts'], outfile: 'dist/extension.cjs', platform: 'node', format: 'cjs', external: ['vscode'] },
  { ...common, entryPoints: ['emulator/worker/machineWorker.ts'], outfile: 'dist/worker.mjs', platform: 'node', format: 'esm' },
  {
    ...common,
    entryPoints: ['cli/main.ts'],
    outfile: 'dist/win31.mjs',
    platform: 'node',
    format: 'esm',
    // Some bundled CommonJS dependencies call require(); give the ESM bundle one.
    banner: { js: "#!/usr/bin/env node\nimport { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  },
  { ...common, entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'es2022' },
];

// A bundle whose entry file does not exist yet is skipped (the piece has not been written).
const present = jobs.filter((job) => existsSync(job.entryPoints[0]));

if (watch) {
  const { context } = await import('esbuild');
  for (const job of present) await (await context(job)).watch();
} else {
  await Promise.all(present.map((job) => build(job)));
  if (existsSync('dist/win31.mjs')) chmodSync('dist/win31.mjs', 0o755);
}

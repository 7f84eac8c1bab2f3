// Enforces the layer boundaries of the architecture: the emulator runs in a worker and in the CLI,
// so it may not reach for the editor or the DOM; the debug adapter runs standalone over stdio; the
// webview runs in a browser sandbox; protocol/ holds message types only.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const rules = {
  emulator: { forbid: [/^vscode$/, /(^|\/)(extension|webview|debug-adapter|cli)\//], dom: true },
  'debug-adapter': { forbid: [/^vscode$/, /(^|\/)(extension|webview)\//], dom: true },
  protocol: { forbid: [/^vscode$/, /^node:/], dom: true, typesOnly: true },
  webview: { forbid: [/^vscode$/, /^node:/, /(^|\/)(emulator|extension|debug-adapter|cli)\//], dom: false },
  cli: { forbid: [/^vscode$/, /(^|\/)(extension|webview)\//], dom: true },
};
// DOM globals that must not appear in code meant to run outside a browser.
const domGlobals = /\b(document|window|HTMLElement|HTMLCanvasElement|navigator|localStorage)\b\s*[.(]/;

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (/\.(ts|mts|mjs|js)$/.test(name) && !name.endsWith('.d.ts')) yield p;
  }
}

const importRe = /(?:import|export)\s+(type\s+)?(?:[^'"`;]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;
const problems = [];
for (const [folder, rule] of Object.entries(rules)) {
  let files;
  try { files = [...walk(join(root, folder))]; } catch { continue; }
  for (const file of files) {
    const rel = relative(root, file).split(sep).join('/');
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(importRe)) {
      const spec = m[2] ?? m[3] ?? m[4];
      const resolved = spec.startsWith('.') ? join(relative(root, join(file, '..')), spec).split(sep).join('/') : spec;
      if (rule.forbid.some((re) => re.test(resolved))) problems.push(`${rel}: imports '${spec}', which ${folder}/ may not use`);
    }
    if (rule.dom) {
      const code = text.replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
      if (domGlobals.test(code)) problems.push(`${rel}: uses a DOM global, which ${folder}/ may not use`);
    }
    if (rule.typesOnly && !rel.endsWith('.test.ts')) {
      const code = text.replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
      if (/^\s*export\s+(const|let|var|function|class|default|enum)\b/m.test(code)) {
        problems.push(`${rel}: protocol/ holds types only, no runtime code`);
      }
    }
  }
}
if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`${problems.length} boundary violation(s)`);
  process.exit(1);
}
console.log('import boundaries: ok');

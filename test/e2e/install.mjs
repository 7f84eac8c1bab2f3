// Installs what the end-to-end suite drives: code-server 4.100.3 (VS Code 1.100, the newest that
// runs on Node 20) from npm into .cache/e2e/cs. Debian's chromium, libkrb5-dev (code-server's
// kerberos module compiles against gssapi) and ripgrep come from .ci/run. Idempotent: a warm
// cache returns at once. Usage: node test/e2e/install.mjs
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cache = join(root, '.cache', 'e2e');
const cs = join(cache, 'cs');
const bin = join(cs, 'node_modules', '.bin', 'code-server');
const stamp = join(cs, `installed-${CODE_SERVER_VERSION}`);

if (existsSync(bin) && existsSync(stamp)) {
  console.log(`code-server ${CODE_SERVER_VERSION}: cached in ${cs}`);
  process.exit(0);
}
for (const tool of ['rg', 'chromium']) {
  if (spawnSync('which', [tool]).status !== 0) {
    console.error(`e2e install: '${tool}' is missing (Debian packages: ripgrep chromium libkrb5-dev)`);
    process.exit(1);
  }
}
mkdirSync(cs, { recursive: true });
// @vscode/ripgrep's install step downloads a ripgrep build unless its cache already holds one;
// give it Debian's rg in that cache so the install stays offline.
const tmp = join(cache, 'tmp');
const rgCache = join(tmp, 'vscode-ripgrep-cache-1.15.11');
mkdirSync(rgCache, { recursive: true });
const rgPath = execFileSync('which', ['rg']).toString().trim();
execFileSync('tar', ['czf', join(rgCache, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz'), '-C', dirname(rgPath), 'rg']);
if (!existsSync(join(cs, 'package.json'))) writeFileSync(join(cs, 'package.json'), '{"name":"e2e-code-server","private":true}\n');
const t0 = Date.now();
// npm_config_yes: node-pty's install runs `npx node-gyp`, which aborts without a TTY otherwise.
const r = spawnSync('npm', ['install', `code-server@${CODE_SERVER_VERSION}`, '--unsafe-perm', '--no-audit', '--no-fund', '--loglevel=error'], {
  cwd: cs,
  stdio: 'inherit',
  env: { ...process.env, TMPDIR: tmp, npm_config_yes: 'true' },
  timeout: 20 * 60_000,
});
if (r.status !== 0 || !existsSync(bin)) {
  console.error(`e2e install: npm install code-server@${CODE_SERVER_VERSION} failed (status ${r.status})`);
  process.exit(1);
}
writeFileSync(stamp, new Date().toISOString() + '\n');
console.log(`code-server ${CODE_SERVER_VERSION}: installed in ${((Date.now() - t0) / 1000).toFixed(0)} s`);

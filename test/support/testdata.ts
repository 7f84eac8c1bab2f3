/**
 * Locates the external conformance data (CPU vectors, guest images) and the external oracle tools
 * (qemu-img, qemu-system-i386, nasm). On a developer machine a missing data set or tool skips the
 * tests that need it, with the reason; under CI (CI=true) it is a failure, never a silent skip.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Root of the shared test data: $WIN31_TESTDATA, else ../shared/testdata next to the repository. */
export const testdataRoot = process.env.WIN31_TESTDATA ?? resolve(repoRoot, '..', 'shared', 'testdata');

export const inCI = process.env.CI === 'true' || process.env.CI === '1';

/**
 * Returns the absolute path of a data set (relative to the test data root), or null when it is
 * missing on a developer machine. Under CI a missing data set throws.
 */
export function testdata(relative: string): string | null {
  const p = join(testdataRoot, relative);
  if (existsSync(p)) return p;
  if (inCI) throw new Error(`test data missing: ${p} (CI requires every data set)`);
  return null;
}

const toolCache = new Map<string, boolean>();

/** True when an external oracle tool runs here. Under CI a missing tool throws. */
export function hasTool(name: string): boolean {
  let ok = toolCache.get(name);
  if (ok === undefined) {
    try {
      execFileSync(name, ['--version'], { stdio: 'ignore', timeout: 20_000 });
      ok = true;
    } catch {
      ok = false;
    }
    toolCache.set(name, ok);
  }
  if (!ok && inCI) throw new Error(`tool missing: ${name} (CI installs it in .ci/run)`);
  return ok;
}

/**
 * The standalone adapter as other editors and CI use it: `win31 dap` spawned over stdio by
 * DebugClient, booting the real machine from a hard disk whose boot sector is the nasm-assembled
 * fixture. The scenario is the same as the in-process one; here the CPU, the BIOS and the
 * disassembler are the product's own.
 */
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { build } from 'esbuild';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, it } from 'vitest';
import { hasTool, repoRoot } from '../support/testdata.js';
import { buildFixture, type Fixture } from './fixture.js';
import { launchToBootSector, runScenario } from './scenario.js';

const bundle = join(repoRoot, 'test-output', 'dap', 'win31.mjs');

describe.skipIf(!hasTool('nasm'))('win31 dap (standalone, stdio, real machine)', () => {
  let fixture: Fixture;
  let dc: DebugClient;

  beforeAll(async () => {
    fixture = buildFixture();
    mkdirSync(join(repoRoot, 'test-output', 'dap'), { recursive: true });
    // The same bundle options as scripts/build.mjs uses for dist/win31.mjs.
    await build({
      entryPoints: [join(repoRoot, 'cli', 'main.ts')],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'warning',
      banner: { js: "#!/usr/bin/env node\nimport { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    });
    chmodSync(bundle, 0o755);
  });

  beforeEach(async () => {
    // DebugClient spawns `runtime executable`: the bundle itself is the runtime, 'dap' its argument.
    dc = new DebugClient(bundle, 'dap', 'win31', { cwd: repoRoot }, true);
    dc.defaultTimeout = 20_000;
    await dc.start();
  });

  afterEach(async () => {
    await dc.stop();
  });

  it('boots the fixture to 0000:7C00 and runs the acceptance scenario', async () => {
    await launchToBootSector(dc, { image: fixture.hardDisk, stopOnEntry: 'bootSector' });
    await runScenario(dc, fixture);
  });

  it('stops at the first BIOS instruction with stopOnEntry: true', async () => {
    await dc.initializeRequest({ adapterID: 'win31', pathFormat: 'path' });
    const initialized = dc.waitForEvent('initialized');
    await dc.launchRequest({ image: fixture.hardDisk, stopOnEntry: true } as never);
    await initialized;
    await Promise.all([dc.configurationDoneRequest(), dc.waitForEvent('stopped')]);
    const st = await dc.stackTraceRequest({ threadId: 1 });
    const frame = st.body.stackFrames[0];
    if (!/^F000:FFF0 /.test(frame.name) || Number(frame.instructionPointerReference) !== 0xfffffff0) {
      throw new Error(`expected the reset vector F000:FFF0 at linear FFFFFFF0h, got ${frame.name} ${frame.instructionPointerReference}`);
    }
  });

  it('refuses an image that does not exist, with the path in the message', async () => {
    await dc.initializeRequest({ adapterID: 'win31', pathFormat: 'path' });
    await dc.launchRequest({ image: 'no/such/disk.qcow2' } as never).then(
      () => {
        throw new Error('launch should fail');
      },
      (e: Error) => {
        if (!/cannot start the machine: .*no\/such\/disk\.qcow2/.test(e.message)) throw e;
      },
    );
  });
});

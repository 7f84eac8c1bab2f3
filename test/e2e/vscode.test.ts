/**
 * End to end in a real VS Code: code-server (VS Code 1.100 from npm) driven through Debian's
 * chromium with playwright-core. The packaged .vsix is installed into a fresh profile; the
 * workspace holds the FreeDOS hard disk image, a small boot-sector shell (test/e2e/shell.asm,
 * assembled by nasm and converted to qcow2 by qemu-img) and a launch.json. The steps are what a
 * user does: open an image from the explorer and read its metadata, boot one, type into it, debug
 * it with F5. Screenshots go to test-output/e2e/. Oracles: qemu-img for the metadata and for
 * reading the guest's write back out of the session overlay, SHA-256 for "the image is never
 * written".
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type FrameLocator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { hasTool, inCI, repoRoot, testdata } from '../support/testdata.js';

const CHROMIUM = '/usr/bin/chromium';
const csBin = join(repoRoot, '.cache', 'e2e', 'cs', 'node_modules', '.bin', 'code-server');
const out = join(repoRoot, 'test-output', 'e2e');
const missing = [!existsSync(csBin) && 'code-server (node test/e2e/install.mjs)', !existsSync(CHROMIUM) && 'chromium (apt-get install chromium)'].filter(Boolean);
if (missing.length > 0) {
  if (inCI) throw new Error(`e2e prerequisites missing under CI: ${missing.join(', ')}`);
  console.warn(`skipping the VS Code end-to-end suite: missing ${missing.join(', ')}`);
}
const image = testdata('guests/freedos-hdd-32m.qcow2');
const freedosFloppy = testdata('guests/freedos-minimal-1440k.img');
const ready = missing.length === 0 && image !== null && freedosFloppy !== null && hasTool('qemu-img') && hasTool('nasm');

const sha256 = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe.skipIf(!ready)('VS Code end to end (code-server + chromium)', () => {
  let server: ChildProcess | null = null;
  let browser: Browser | null = null;
  let page: Page;
  let ws: string;
  let wsImage: string;
  let shellImage: string;
  let shellHash: string;
  /** Labels of test/e2e/shell.asm -> linear address (loaded at 0000:7C00), from nasm's listing. */
  const shellLabels = new Map<string, number>();
  let userData: string;
  let baseHash: string;
  let baseUrl: string;
  const shot = async (name: string): Promise<void> => {
    await page.screenshot({ path: join(out, `${name}.png`) });
  };
  /** Saves a screenshot when the running test fails, so the failure can be looked at. */
  const shotOnFailure = (name: string): void => {
    onTestFailed(async () => {
      await page.screenshot({ path: join(out, `fail-${name}.png`) }).catch(() => undefined);
    });
  };
  const webview = (): FrameLocator => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');

  async function runCommand(title: string, timeout = 30_000): Promise<void> {
    const deadline = Date.now() + timeout;
    for (;;) {
      await page.keyboard.press('Escape');
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill('>' + title);
      const row = page.locator(`.quick-input-widget .monaco-list-row[aria-label^="${title}"]`).first();
      try {
        await row.waitFor({ timeout: 3000 });
        await row.click();
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`command not found in the palette: ${title}`);
      }
    }
  }

  beforeAll(async () => {
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, stdio: 'inherit' });
    const vsix = join(out, 'win31-debug.vsix');
    execFileSync(process.execPath, [join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '-o', vsix], {
      cwd: repoRoot,
      stdio: 'pipe',
    });
    const run = join(out, 'run');
    userData = join(run, 'data');
    mkdirSync(join(userData, 'User'), { recursive: true });
    writeFileSync(join(run, 'config.yaml'), '');
    copyFileSync(join(repoRoot, 'test', 'e2e', 'user-settings.json'), join(userData, 'User', 'settings.json'));
    const env = { ...process.env, XDG_CONFIG_HOME: join(run, 'xdg-config'), XDG_DATA_HOME: join(run, 'xdg-data') };
    const common = ['--config', join(run, 'config.yaml'), '--extensions-dir', join(run, 'ext'), '--user-data-dir', userData];
    execFileSync(csBin, [...common, '--install-extension', vsix], { env, stdio: 'pipe', timeout: 120_000 });

    ws = join(out, 'ws');
    mkdirSync(join(ws, '.vscode'), { recursive: true });
    wsImage = join(ws, 'freedos-hdd-32m.qcow2');
    copyFileSync(image as string, wsImage);
    baseHash = sha256(wsImage);
    copyFileSync(freedosFloppy as string, join(ws, 'freedos-minimal-1440k.img'));
    // The shell: its boot sector as the MBR of a 20x16x63 disk, stored as qcow2 by qemu-img.
    const raw = join(out, 'shell.img');
    const listing = join(out, 'shell.lst');
    execFileSync('nasm', ['-f', 'bin', '-o', raw, '-l', listing, join(repoRoot, 'test', 'e2e', 'shell.asm')]);
    let pending: string | null = null;
    for (const line of readFileSync(listing, 'utf8').split('\n')) {
      const label = /^\s*\d+\s+([A-Za-z_]\w*):\s*$/.exec(line);
      if (label) pending = label[1];
      const ins = /^\s*\d+\s+([0-9A-F]{8})\s+[0-9A-F]/.exec(line);
      if (ins && pending) {
        shellLabels.set(pending, 0x7c00 + parseInt(ins[1], 16));
        pending = null;
      }
    }
    truncateSync(raw, 20 * 16 * 63 * 512);
    shellImage = join(ws, 'e2e-shell.qcow2');
    execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, shellImage]);
    shellHash = sha256(shellImage);
    writeFileSync(
      join(ws, '.vscode', 'launch.json'),
      JSON.stringify(
        { version: '0.2.0', configurations: [{ type: 'win31', request: 'launch', name: 'Debug the shell', image: '${workspaceFolder}/e2e-shell.qcow2', stopOnEntry: 'bootSector' }] },
        null,
        2,
      ),
    );

    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    server = spawn(
      csBin,
      [...common, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', '--disable-proxy'],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const log: Buffer[] = [];
    server.stdout?.on('data', (d: Buffer) => log.push(d));
    server.stderr?.on('data', (d: Buffer) => log.push(d));
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ok = await fetch(`${baseUrl}/healthz`).then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`code-server did not start: ${Buffer.concat(log).toString().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
    await page.goto(`${baseUrl}/?folder=${encodeURIComponent(ws)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'freedos-hdd-32m.qcow2' }).waitFor({ timeout: 90_000 });
  }, 600_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    if (server?.pid) server.kill('SIGTERM');
  });

  /** Opens an image from the explorer in the image editor and waits for its metadata table. */
  async function openImage(name: string): Promise<void> {
    const meta = webview().locator('#meta');
    // The first double click can land while the explorer is still settling: try again if no editor opens.
    for (let attempt = 1; ; attempt++) {
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).dblclick();
      try {
        await meta.filter({ hasText: 'Boots as' }).waitFor({ timeout: 20_000 });
        return;
      } catch (e) {
        if (attempt === 3) throw e;
      }
    }
  }

  it('opens a .qcow2 from the explorer and shows its metadata (qemu-img is the oracle)', async () => {
    const info = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', wsImage]).toString()) as {
      'virtual-size': number;
      'cluster-size': number;
      format: string;
      'format-specific': { data: { compat: string } };
    };
    shotOnFailure('metadata');
    await openImage('freedos-hdd-32m.qcow2');
    const meta = webview().locator('#meta');
    const text = (await meta.innerText()).replace(/\s+/g, ' ');
    expect(text).toContain(`qcow2 version ${info['format-specific'].data.compat === '1.1' ? 3 : 2}`);
    expect(text).toContain(`Virtual size ${info['virtual-size'].toLocaleString('en-US')} bytes`);
    expect(text).toContain(`Cluster size ${info['cluster-size'].toLocaleString('en-US')} bytes`);
    expect(text).toContain('Backing chain none');
    await shot('01-metadata');
  }, 120_000);

  it('boots an image and shows its screen', async () => {
    shotOnFailure('boot');
    await runCommand('View: Close All Editors');
    await openImage('e2e-shell.qcow2');
    await webview().locator('#boot').click();
    const screenText = webview().locator('#screen-text');
    await expect.poll(async () => (await screenText.textContent()) ?? '', { timeout: 120_000, interval: 500 }).toMatch(/win31 e2e shell\n>/);
    // The canvas shows it too: some pixels are lit.
    const lit = await webview()
      .locator('#screen')
      .evaluate((c: HTMLCanvasElement) => {
        const d = (c.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] > 128) n++;
        return n;
      });
    expect(lit).toBeGreaterThan(500);
    await expect.poll(async () => (await webview().locator('#status').textContent()) ?? '', { timeout: 10_000 }).toMatch(/^Running/);
    await shot('02-booted');
  }, 240_000);

  it('types into the guest; its disk write lands in the overlay and the image file is unchanged', async () => {
    shotOnFailure('typing');
    await webview().locator('#screen').click();
    await page.keyboard.type('hello e2e', { delay: 40 });
    await page.keyboard.press('Enter');
    const screenText = webview().locator('#screen-text');
    await expect.poll(async () => (await screenText.textContent()) ?? '', { timeout: 60_000, interval: 500 }).toMatch(/> hello e2e\nsaved to sector 1/);
    await shot('03-typed');
    // qemu-img reads the overlay (backed by the image) and finds the line in sector 1.
    const overlays = join(userData, 'User', 'globalStorage', 'win31-debug.win31-debug', 'overlays');
    const overlay = readdirSync(overlays).find((f) => f.startsWith('e2e-shell.qcow2-'));
    expect(overlay).toBeDefined();
    // The worker flushes the overlay at least once a second while the guest runs.
    const flat = join(out, 'overlay-flat.img');
    const sector1 = (): string => {
      execFileSync('qemu-img', ['convert', '-O', 'raw', join(overlays, overlay as string), flat]);
      return readFileSync(flat).subarray(512, 512 + 9).toString('latin1');
    };
    await expect.poll(sector1, { timeout: 15_000, interval: 1000 }).toBe('hello e2e');
    expect(sha256(shellImage)).toBe(shellHash);
    expect(sha256(wsImage)).toBe(baseHash);
  }, 240_000);

  it('boots the FreeDOS floppy to its prompt', async () => {
    shotOnFailure('freedos');
    await page.keyboard.press('Control+Alt+KeyG');
    await runCommand('View: Close All Editors');
    await openImage('freedos-minimal-1440k.img');
    expect((await webview().locator('#meta').innerText()).replace(/\s+/g, ' ')).toContain('floppy drive A:');
    await webview().locator('#boot').click();
    const screenText = webview().locator('#screen-text');
    await expect.poll(async () => (await screenText.textContent()) ?? '', { timeout: 120_000, interval: 1000 }).toMatch(/^A:\\>$/m);
    await shot('04-freedos-prompt');
  }, 240_000);

  it('F5 stops at the boot sector, shows registers, steps and continues', async () => {
    shotOnFailure('debug');
    // Release the guest's keyboard, close the editor (its machine powers off), give the workbench focus.
    await page.keyboard.press('Control+Alt+KeyG');
    await runCommand('View: Close All Editors');
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: '.vscode' }).click();
    await page.keyboard.press('F5');
    await page.locator('.debug-toolbar').waitFor({ state: 'visible', timeout: 60_000 });
    if (!(await page.locator('.debug-pane .call-stack-state-message').first().isVisible().catch(() => false))) await page.keyboard.press('Control+Shift+D');
    await page.locator('.debug-pane .call-stack-state-message', { hasText: /paused on entry/i }).waitFor({ timeout: 120_000 });
    await page.locator('.debug-call-stack .stack-frame', { hasText: '0000:7C00' }).first().waitFor({ timeout: 30_000 });
    // The stop opens the Disassembly view at CS:IP, with the CS:IP text on the current line.
    await page.locator('.disassembly-view .monaco-list-row', { hasText: '0000:7C00' }).first().waitFor({ timeout: 30_000 });
    const general = page.locator('.debug-variables .monaco-list-row[aria-expanded="false"]', { hasText: 'General' });
    if (await general.isVisible().catch(() => false)) await general.click();
    const ip = page.locator('.debug-variables .monaco-list-row', { hasText: /^\s*IP/ }).first();
    await ip.waitFor({ timeout: 30_000 });
    expect((await ip.innerText()).replace(/\s+/g, ' ')).toMatch(/IP\s*[=:]?\s*0x7C00/);
    await shot('05-paused-on-entry');
    // The launched machine's screen opens beside the editor: the BIOS banner is on it.
    const screen = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame').locator('#screen-text');
    await expect.poll(async () => (await screen.textContent()) ?? '', { timeout: 30_000, interval: 500 }).toMatch(/win31-debug BIOS/);
    await runCommand('Debug: Step Into');
    await page.locator('.debug-call-stack .stack-frame', { hasText: '0000:7C01' }).first().waitFor({ timeout: 30_000 });
    // The Variables view follows: IP is now 7C01h (the boot sector's first instruction is CLI, one byte).
    await expect
      .poll(async () => ((await page.locator('.debug-variables .monaco-list-row', { hasText: /^\s*IP/ }).first().innerText()) ?? '').replace(/\s+/g, ' '), { timeout: 30_000 })
      .toMatch(/IP\s*[=:]?\s*0x7C01/);
    await shot('06-stepped');
    // A function breakpoint typed into the Breakpoints view, at the shell's prompt loop (nasm's listing).
    await runCommand('Add Function Breakpoint');
    const bpInput = page.locator('.debug-breakpoints .monaco-inputbox input').first();
    await bpInput.waitFor({ timeout: 10_000 });
    const at = `0000:${shellLabels.get('prompt')?.toString(16).toUpperCase()}`;
    await bpInput.fill(at);
    await bpInput.press('Enter');
    await runCommand('Debug: Continue');
    await page.locator('.debug-pane .call-stack-state-message', { hasText: /paused on breakpoint/i }).first().waitFor({ timeout: 60_000 });
    await page.locator('.debug-call-stack .stack-frame', { hasText: at }).first().waitFor({ timeout: 30_000 });
    await shot('07-breakpoint');
    await runCommand('Remove All Breakpoints');
    await runCommand('Debug: Continue');
    await page.locator('.debug-pane .call-stack-state-message', { hasText: /running/i }).first().waitFor({ timeout: 30_000 }).catch(() => undefined);
    await runCommand('Debug: Pause');
    await page.locator('.debug-pane .call-stack-state-message', { hasText: /paused/i }).first().waitFor({ timeout: 30_000 });
    await shot('08-paused');
    await runCommand('Debug: Stop');
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 30_000 });
    expect(sha256(shellImage)).toBe(shellHash);
  }, 300_000);
});

// `win31 disk`: the command line other checks rely on. Output is compared with qemu's reading of
// the same images; failures must be one line on stderr with a non-zero status, never a stack trace.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectImage } from '../../emulator/disk/inspect.js';
import { repoRoot } from '../support/testdata.js';
import { Workspace, firstDifference, haveQemu, pattern, qemuCheck, qemuInfo, qemuIo, qemuRaw } from './qemuOracle.js';

const ok = haveQemu();
let ws: Workspace;
let cli: string;
let img: string;

beforeAll(async () => {
  if (!ok) return;
  ws = new Workspace('cli');
  cli = ws.path('win31.mjs');
  await build({
    entryPoints: [join(repoRoot, 'cli/main.ts')],
    outfile: cli,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  img = ws.path('disk.qcow2');
  ws.qemuImg('create', '-q', '-f', 'qcow2', '-o', 'cluster_size=4096', img, '3M');
  qemuIo(img, ['write -P 0x6a 0 1M', 'write -P 0x6b 1500k 300k']);
});
afterAll(() => ws?.remove());

interface Result {
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

function win31(...args: string[]): Result {
  const r = spawnSync(process.execPath, [cli, 'disk', ...args], { cwd: ws.dir, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

function failsCleanly(r: Result, status: number, re: RegExp): void {
  expect(r.status).toBe(status);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^win31: /);
  expect(lines[0]).toMatch(re);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe.skipIf(!ok)('win31 disk', () => {
  it('info: text and --json (exactly inspectImage)', () => {
    const text = win31('info', img);
    expect(text.status).toBe(0);
    expect(text.stdout.toString()).toMatch(/format: qcow2 \(version 3\)/);
    expect(text.stdout.toString()).toContain('virtual size: 3 MiB (3145728 bytes)');
    const json = win31('info', img, '--json');
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout.toString())).toEqual(JSON.parse(JSON.stringify(inspectImage(img))));
    expect(JSON.parse(json.stdout.toString()).virtualSize).toBe(qemuInfo(img)['virtual-size']);
  });

  it('cat and read give the bytes qemu reads', () => {
    const all = qemuRaw(img);
    const cat = win31('cat', img);
    expect(cat.status).toBe(0);
    expect(firstDifference(cat.stdout, all)).toBe(-1);
    const read = win31('read', img, '0xff000', '8k');
    expect(read.status).toBe(0);
    expect(firstDifference(read.stdout, all.subarray(0xff000, 0xff000 + 8192))).toBe(-1);
    expect(win31('read', img, '1048570', '12').stdout).toEqual(all.subarray(1048570, 1048582));
  });

  it('write puts a file at a guest offset, in place, and the image stays clean', () => {
    const target = ws.path('write.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', target, '2M');
    const data = pattern(7, 100_000);
    writeFileSync(ws.path('data.bin'), data);
    const r = win31('write', target, '12345', 'data.bin');
    expect(r.status).toBe(0);
    const raw = qemuRaw(target);
    expect(firstDifference(raw.subarray(12345, 112345), data)).toBe(-1);
    expect(raw.subarray(0, 12345).every((b) => b === 0)).toBe(true);
    expect(qemuCheck(target).text).toContain('No errors were found');
  });

  it('snapshot list, create, apply, delete; cat --snapshot', () => {
    const s = ws.path('snaps.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', s, '1M');
    qemuIo(s, ['write -P 0x01 0 1M']);
    expect(win31('snapshot', s, 'list').stdout.toString()).toBe('');
    expect(win31('snapshot', s, 'create', 'clean install').status).toBe(0);
    const before = qemuRaw(s);
    qemuIo(s, ['write -P 0x02 0 512k']);
    const list = win31('snapshot', s, 'list').stdout.toString();
    expect(list).toMatch(/^ID\s+TAG/);
    expect(list).toMatch(/\n1\s+clean install\s/);
    expect(ws.qemuImg('snapshot', '-l', s)).toContain('clean install');
    expect(firstDifference(win31('cat', s, '--snapshot', 'clean install').stdout, before)).toBe(-1);
    expect(firstDifference(win31('cat', s, '--snapshot', '1').stdout, before)).toBe(-1);
    expect(win31('snapshot', s, 'apply', 'clean install').status).toBe(0);
    expect(firstDifference(qemuRaw(s), before)).toBe(-1);
    expect(win31('snapshot', s, 'delete', 'clean install').status).toBe(0);
    expect(ws.qemuImg('snapshot', '-l', s)).not.toContain('clean install');
    expect(qemuCheck(s).text).toContain('No errors were found');
    failsCleanly(win31('snapshot', s, 'apply', 'missing'), 1, /no snapshot with id or name 'missing'/);
  });

  it('overlay and commit', () => {
    const base = ws.path('obase.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', base, '1M');
    expect(win31('overlay', 'obase.qcow2', 'otop.qcow2').status).toBe(0);
    expect(qemuInfo(ws.path('otop.qcow2'))['backing-filename']).toBe('obase.qcow2');
    qemuIo(ws.path('otop.qcow2'), ['write -P 0x0f 4096 8192']);
    const seen = qemuRaw(ws.path('otop.qcow2'));
    expect(win31('commit', 'otop.qcow2').status).toBe(0);
    expect(firstDifference(qemuRaw(base), seen)).toBe(-1);
    expect(win31('discard', 'otop.qcow2').status).toBe(0);
    failsCleanly(win31('overlay', 'obase.qcow2', 'obase.qcow2'), 1, /cannot be its own base/);
  });

  it('fails with one line and a status: usage, missing files, bad numbers, refusals', () => {
    failsCleanly(win31('info'), 2, /usage: win31 disk info/);
    failsCleanly(win31('frobnicate'), 2, /unknown disk subcommand 'frobnicate'/);
    failsCleanly(win31('info', 'nope.qcow2'), 1, /nope.qcow2: cannot open \(no such file\)/);
    failsCleanly(win31('read', img, 'ten', '4'), 2, /offset 'ten' is not a number/);
    failsCleanly(win31('read', img, '0', '4G'), 1, /outside the disk/);
    failsCleanly(win31('write', img, '0', 'nothing.bin'), 1, /nothing.bin: cannot open/);
    failsCleanly(win31('cat', img, '--bogus'), 2, /unknown option '--bogus'/);
    const junk = ws.path('junk.qcow2');
    writeFileSync(junk, 'not an image');
    failsCleanly(win31('cat', junk), 1, /junk.qcow2: not a qcow2 image/);
  });

  it('backing files outside the folder need --allow-backing', () => {
    mkdirSync(ws.path('elsewhere'));
    const top = ws.path('elsewhere/top.qcow2');
    ws.qemuImg('create', '-q', '-f', 'qcow2', '-b', img, '-F', 'qcow2', top);
    failsCleanly(win31('cat', top), 1, new RegExp(`backing file ${img} is an absolute path; not followed without permission \\(--allow-backing follows it\\)`));
    const allowed = win31('cat', top, '--allow-backing');
    expect(allowed.status).toBe(0);
    expect(firstDifference(allowed.stdout, qemuRaw(img))).toBe(-1);
    const info = JSON.parse(win31('info', top, '--json').stdout.toString()) as { backingChain: { followed: boolean }[] };
    expect(info.backingChain[0].followed).toBe(false);
  });

  it('a reader that stops early (| head) ends the command quietly', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${cli}" disk cat "${img}" | head -c 10 > /dev/null; echo "status $?"`], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('status 0');
    expect(readFileSync(img).length).toBeGreaterThan(0);
  });
});

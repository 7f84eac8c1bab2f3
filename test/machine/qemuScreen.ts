/**
 * QEMU as the screen oracle for guest boots: Debian's qemu-system-i386 (-cpu 486, TCG), monitor on
 * stdio. The text screen is read by `pmemsave 0xb8000 4000` (the even bytes are the characters),
 * polled until a text appears; keys go in with `sendkey` when a given text is on screen.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CP437_CHARS } from '../../emulator/devices/vga/cp437.js';

export interface QemuStep {
  /** Wait until this text is on screen... */
  readonly when: string;
  /** ...then send these `sendkey` names, one by one. */
  readonly keys: readonly string[];
}

export interface QemuBootOptions {
  /** Drive arguments, e.g. ['-drive', 'if=floppy,...', '-boot', 'a']. */
  readonly drives: readonly string[];
  readonly memoryMiB?: number;
  readonly steps?: readonly QemuStep[];
  /** Finish when this text is on screen (after all steps). */
  readonly until: string;
  /** Extra condition on the screen lines for finishing. */
  readonly untilLines?: (lines: string[]) => boolean;
  readonly timeoutMs?: number;
}

/** Decodes an 80x25 text dump (character, attribute pairs) into lines, trailing blanks removed. */
export function textDumpLines(dump: Uint8Array): string[] {
  const lines: string[] = [];
  for (let r = 0; r < 25; r++) {
    let s = '';
    for (let c = 0; c < 80; c++) s += CP437_CHARS[dump[(r * 80 + c) * 2]];
    lines.push(s.trimEnd());
  }
  return lines;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Boots in QEMU and returns the final text screen. Rejects with the last screen on a timeout. */
export async function qemuTextScreen(o: QemuBootOptions): Promise<string[]> {
  return textDumpLines(await qemuTextDump(o));
}

/** Like qemuTextScreen, but returns the 4000-byte character/attribute dump. */
export async function qemuTextDump(o: QemuBootOptions): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), 'win31-qemu-'));
  const dumpFile = join(dir, 'screen.bin');
  const q = spawn(
    'qemu-system-i386',
    ['-machine', 'pc,accel=tcg', '-cpu', '486', '-m', String(o.memoryMiB ?? 16), '-display', 'none', '-vga', 'std', '-serial', 'none', '-parallel', 'none', '-net', 'none', '-monitor', 'stdio', ...o.drives],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let stderr = '';
  q.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let exited = false;
  q.on('exit', () => (exited = true));
  const deadline = Date.now() + (o.timeoutMs ?? 90_000);
  let lines: string[] = [];
  let step = 0;
  let previous = '';
  try {
    for (;;) {
      if (exited) throw new Error(`qemu exited: ${stderr.trim()}`);
      if (Date.now() > deadline) throw new Error(`qemu did not show "${o.until}" in time; last screen:\n${lines.join('\n')}`);
      await sleep(400);
      rmSync(dumpFile, { force: true });
      q.stdin.write(`pmemsave 0xb8000 4000 "${dumpFile}"\n`);
      for (let i = 0; i < 50 && !existsSync(dumpFile); i++) await sleep(20);
      await sleep(50);
      if (!existsSync(dumpFile)) continue;
      const dump = new Uint8Array(readFileSync(dumpFile));
      if (dump.length < 4000) continue;
      lines = textDumpLines(dump);
      const screen = lines.join('\n');
      const steps = o.steps ?? [];
      const key = Buffer.from(dump).toString('hex');
      if (step < steps.length) {
        // A step waits for its text on a settled screen (the same on two polls in a row).
        const settled = key === previous;
        previous = key;
        if (settled && screen.includes(steps[step].when)) {
          for (const k of steps[step].keys) {
            q.stdin.write(`sendkey ${k}\n`);
            await sleep(150);
          }
          step++;
          previous = '';
        }
        continue;
      }
      // Done when the condition holds on two polls in a row with the same screen (settled).
      const done = screen.includes(o.until) && (o.untilLines === undefined || o.untilLines(lines));
      if (done && key === previous) return dump;
      previous = done ? key : '';
    }
  } finally {
    q.stdin.write('quit\n');
    await sleep(100);
    if (!exited) q.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The headless run shared by `win31 run` and `win31 demo`: power on, type the queued keys as the
 * guest asks for them, stop when a text appears on screen, when the guest halts with interrupts
 * disabled, on a shutdown, or at the wall-clock timeout; then print the screen and/or write a PNG.
 */
import { writeFileSync } from 'node:fs';
import type { Machine } from '../emulator/machine/machine.js';
import { RunLoop } from '../emulator/machine/runLoop.js';

export interface SessionOptions {
  readonly untilText?: string;
  readonly timeoutSeconds: number;
  readonly type?: string;
  readonly screenText: boolean;
  readonly screenshot?: string;
  /** Extra condition checked with the screen (the demo waits for mode 13h). */
  readonly done?: (m: Machine) => boolean;
}

export interface SessionResult {
  /** 0: the text appeared (or the guest halted when no text was awaited). */
  readonly exitCode: number;
  readonly reason: string;
  readonly seconds: number;
  readonly instructions: number;
}

function screenHas(m: Machine, text: string): boolean {
  return m.screenText().some((line) => line.includes(text));
}

export async function runSession(m: Machine, o: SessionOptions, out: NodeJS.WritableStream = process.stdout): Promise<SessionResult> {
  const started = Date.now();
  const deadline = started + o.timeoutSeconds * 1000;
  m.boot();
  if (o.type !== undefined && o.type !== '') m.typeText(o.type);
  let exitCode = 2;
  let reason = `timed out after ${o.timeoutSeconds} s`;
  const loop = new RunLoop(m, { sliceTicks: Math.round(m.scheduler.hz / 50) });
  const stop = await loop.run(() => {
    if (o.untilText !== undefined && screenHas(m, o.untilText)) {
      exitCode = 0;
      reason = `found "${o.untilText}"`;
      return true;
    }
    if (o.done?.(m)) {
      exitCode = 0;
      reason = 'done';
      return true;
    }
    return Date.now() >= deadline;
  });
  if (stop === 'halt') {
    exitCode = o.untilText === undefined ? 0 : 3;
    reason = 'the guest halted with interrupts disabled';
  } else if (stop === 'shutdown') {
    exitCode = 4;
    reason = 'the CPU shut down';
  } else if (stop === 'unsupported') {
    exitCode = 5;
    const detail = (m.cpu as { unsupportedReason?: string }).unsupportedReason;
    reason = `the guest reached something the emulator does not implement${detail ? `: ${detail}` : ''}`;
  }
  if (o.screenText || exitCode !== 0) out.write(m.screenText().map((l) => l.trimEnd()).join('\n').replace(/\n+$/, '') + '\n');
  if (o.screenshot !== undefined) writeFileSync(o.screenshot, m.screenshotPng());
  return { exitCode, reason, seconds: (Date.now() - started) / 1000, instructions: m.cpu.instructionCount };
}

/**
 * Test helpers around the Machine: run until a screen text or a halt, and start a test program at
 * 0:7C00 right where POST hands over to INT 19h (for programs that do not need a disk).
 */
import type { Cpu } from '../../emulator/cpu/cpu.js';
import type { Machine } from '../../emulator/machine/machine.js';

export function screen(m: Machine): string[] {
  return m.screenText().map((l) => l.trimEnd());
}

/** Runs until `text` is on screen (true) or the guest halts / `maxSeconds` of virtual time pass (false). */
export function runUntilText(m: Machine, text: string, maxSeconds: number): boolean {
  const slice = Math.round(m.scheduler.hz / 50);
  const end = m.scheduler.now + maxSeconds * m.scheduler.hz;
  while (m.scheduler.now < end) {
    const r = m.run(slice);
    if (screen(m).some((l) => l.includes(text))) return true;
    if (r.stop !== 'budget') return false;
  }
  return false;
}

/** The last line with text on the screen. */
export function lastLine(lines: readonly string[]): string {
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i].trim() !== '') return lines[i].trimEnd();
  return '';
}

/**
 * Runs until the guest waits at `prompt`: the last line with text is the prompt and the guest asks
 * INT 16h for a key with the typing queue empty.
 */
export function runUntilPrompt(m: Machine, prompt: string, maxSeconds: number): boolean {
  const slice = Math.round(m.scheduler.hz / 50);
  const end = m.scheduler.now + maxSeconds * m.scheduler.hz;
  while (m.scheduler.now < end) {
    const idle = m.keyboardIdleCount;
    const r = m.run(slice);
    if (m.keyboardIdleCount !== idle && m.typist.pending === 0 && lastLine(screen(m)) === prompt) return true;
    if (r.stop !== 'budget') return false;
  }
  return false;
}

/** Powers on, runs POST up to the INT 19h bootstrap, then starts `program` (loaded at 0:7C00) at `entry`. */
export function startAfterPost(m: Machine, program: Uint8Array, entry: number): void {
  const cpu = m.cpu as Cpu;
  m.boot();
  const bootstrap = 0xf0000 + m.bios.label('int19');
  cpu.addBreakpoint(bootstrap);
  let r = m.run(m.scheduler.hz * 5);
  cpu.removeBreakpoint(bootstrap);
  if (r.stop !== 'breakpoint') throw new Error(`POST did not reach INT 19h (${r.stop})`);
  m.memory.ram.set(program, 0x7c00);
  for (const s of ['ds', 'es', 'ss', 'cs'] as const) cpu.setReg(s, 0);
  cpu.setReg('sp', 0x7c00);
  cpu.setReg('ip', entry);
  cpu.setReg('dl', 0);
  cpu.setReg('eflags', cpu.getReg('eflags') | 0x200);
  r = { stop: 'budget', ticks: 0 };
}

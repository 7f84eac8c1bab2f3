/**
 * Runs a VGA test ROM in QEMU (the screen oracle) and collects what it produced: the screendump and
 * the ordered trace of every VGA port and memory access the guest made.
 *
 * QEMU 7.2's standard VGA decodes the legacy ports and the A0000h window without its BIOS having
 * run, so the ROM can program the registers itself. `-trace memory_region_ops_*` logs each access to
 * the 'vga' (ports) and 'vga-lowmem' (A0000h-BFFFFh, split into bytes) regions with its value; the
 * ROM writes 'D' to the debug console at port E9h when its picture is complete, and the monitor's
 * `screendump` then writes a PPM.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodePpm } from '../../emulator/render/ppm.js';
import type { Image } from '../../emulator/render/png.js';

export interface BusAccess {
  readonly write: boolean;
  /** 'io' for ports, 'mem' for physical addresses. */
  readonly space: 'io' | 'mem';
  readonly addr: number;
  readonly value: number;
  readonly size: 1 | 2 | 4;
}

export interface QemuRun {
  readonly screen: Image;
  /** The same screen as QEMU's PNG writer encoded it (`screendump -f png`). */
  readonly png: Uint8Array;
  readonly trace: BusAccess[];
  /** Guest physical memory saved with the monitor's pmemsave when asked for. */
  readonly memory: Uint8Array | null;
}

/** Assembles a program with nasm into `outDir`; returns the binary's path. */
export function assemble(source: string, outDir: string, name: string, defines: readonly string[] = []): string {
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, `${name}.bin`);
  execFileSync('nasm', ['-f', 'bin', ...defines.map((d) => `-D${d}`), '-o', out, source], { stdio: 'pipe' });
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Boots `rom` (a 64 KiB system ROM image) in QEMU and returns its screen and VGA bus trace, and
 * `dump.length` bytes of guest physical memory from `dump.start` when asked. (In chain-4 mode QEMU
 * maps video memory straight into the guest, so those accesses bypass the trace; a dump of
 * A0000h-AFFFFh then shows the planes in chain-4 order.)
 */
export async function runInQemu(rom: string, workDir: string, dumpRange?: { start: number; length: number }, timeoutMs = 60_000): Promise<QemuRun> {
  mkdirSync(workDir, { recursive: true });
  const debugcon = join(workDir, 'debugcon.txt');
  const traceLog = join(workDir, 'trace.log');
  const dump = join(workDir, 'screendump.ppm');
  const memFile = join(workDir, 'memory.bin');
  const pngDump = join(workDir, 'screendump.png');
  // Leftovers of an earlier run would look like this run's results.
  for (const f of [debugcon, traceLog, dump, memFile, pngDump]) rmSync(f, { force: true });
  const args = [
    '-cpu', '486', '-M', 'pc', '-nodefaults', '-vga', 'std', '-display', 'none',
    '-bios', rom, '-monitor', 'stdio', '-serial', 'none', '-parallel', 'none',
    '-debugcon', `file:${debugcon}`,
    '-trace', 'memory_region_ops_read', '-trace', 'memory_region_ops_write', '-D', traceLog,
  ];
  const qemu = spawn('qemu-system-i386', args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  qemu.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + timeoutMs;
  try {
    while (!(existsSync(debugcon) && readFileSync(debugcon, 'latin1').includes('D'))) {
      if (qemu.exitCode !== null) throw new Error(`qemu exited early: ${stderr.trim()}`);
      if (Date.now() > deadline) throw new Error('the test ROM did not finish in QEMU in time');
      await sleep(50);
    }
    if (dumpRange) qemu.stdin.write(`pmemsave ${dumpRange.start} ${dumpRange.length} "${memFile}"\n`);
    qemu.stdin.write(`screendump ${pngDump} -f png\n`);
    qemu.stdin.write(`screendump ${dump}\n`);
    let lastSize = -1;
    for (;;) {
      if (Date.now() > deadline) throw new Error('QEMU did not write the screendump in time');
      await sleep(100);
      if (!existsSync(dump) || (dumpRange && !(existsSync(memFile) && statSync(memFile).size === dumpRange.length))) continue;
      const size = statSync(dump).size;
      if (size > 0 && size === lastSize) break;
      lastSize = size;
    }
    qemu.stdin.write('quit\n');
    await new Promise<void>((resolve) => {
      if (qemu.exitCode !== null) resolve();
      else qemu.once('exit', () => resolve());
    });
  } finally {
    if (qemu.exitCode === null) qemu.kill('SIGKILL');
  }
  const memory = dumpRange ? new Uint8Array(readFileSync(memFile)) : null;
  if (memory && memory.length !== dumpRange?.length) throw new Error('pmemsave wrote a short file');
  return { screen: decodePpm(readFileSync(dump)), png: new Uint8Array(readFileSync(pngDump)), trace: parseTrace(readFileSync(traceLog, 'latin1')), memory };
}

const LINE = /^memory_region_ops_(read|write) .* addr (0x[0-9a-f]+) value (0x[0-9a-f]+) size (\d) name '([^']+)'/;

/** Keeps the accesses to QEMU's VGA regions, in order. */
export function parseTrace(text: string): BusAccess[] {
  const out: BusAccess[] = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const name = m[5];
    if (name !== 'vga' && name !== 'vga-lowmem') continue;
    out.push({
      write: m[1] === 'write',
      space: name === 'vga' ? 'io' : 'mem',
      addr: parseInt(m[2], 16),
      value: parseInt(m[3], 16),
      size: Number(m[4]) as 1 | 2 | 4,
    });
  }
  return out;
}

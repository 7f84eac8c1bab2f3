/**
 * Runs a conformance program in QEMU, the oracle: Debian's qemu-system-i386 7.2 with `-cpu 486`.
 *
 * How QEMU 7.2 maps the image: `-bios file` of 64 KiB is mapped read-only at the top of the 4 GiB
 * bus (FFFF0000h-FFFFFFFFh) and, through the "isa-bios" alias of the image's last 128 KiB (here the
 * whole 64 KiB), at F0000h-FFFFFh (the i440FX PAM registers reset to "forward to ROM"). The CPU
 * resets to CS=F000h with base FFFF0000h and EIP=FFF0h, so the first instruction comes from the top
 * alias; the program's far jump then continues at F0000h+.
 *
 * QEMU's reset state with -cpu 486 (what the programs may rely on, checked by reset_paths.asm):
 * CR0=60000010h, EFLAGS=00000002h, EDX=00000480h (family 4, model 8), DR6=FFFF0FF0h, DR7=00000400h,
 * GDTR/IDTR base 0 limit FFFFh, A20 enabled. Everything else a program prints it sets itself.
 *
 * The run ends when the program writes port F4h (isa-debug-exit: QEMU exits with status
 * value*2+1) or when the timeout kills QEMU. The E9h text goes to a file through -debugcon.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assembleProgram, type ProgramResult } from './programAssembler.js';

export const QEMU_TIMEOUT_MS = 20_000;

export function runInQemu(name: string): Promise<ProgramResult> {
  const rom = assembleProgram(name);
  const dir = mkdtempSync(join(tmpdir(), 'cpu-pm-qemu-'));
  const bios = join(dir, `${name}.bin`);
  const out = join(dir, 'e9.txt');
  writeFileSync(bios, rom);
  const args = [
    '-M', 'pc',
    '-cpu', '486',
    '-m', '16',
    '-nodefaults',
    '-display', 'none',
    '-no-user-config',
    '-bios', bios,
    '-debugcon', `file:${out}`,
    '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
  ];
  return new Promise((resolve, reject) => {
    execFile('qemu-system-i386', args, { timeout: QEMU_TIMEOUT_MS, killSignal: 'SIGKILL' }, (error) => {
      try {
        const output = existsSync(out) ? readFileSync(out, 'latin1') : '';
        // isa-debug-exit makes QEMU exit with an odd status (value * 2 + 1); a kill or a crash does not.
        const code = error ? (error as { code?: unknown }).code : 0;
        const finished = typeof code === 'number' && code % 2 === 1;
        if (error && !finished && output === '') {
          reject(new Error(`qemu-system-i386 failed on ${name}: ${error.message}`));
          return;
        }
        resolve({ output, finished });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

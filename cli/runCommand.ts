/**
 * `win31 run <image>`: boots a disk image headless. The image is opened read-only and the guest
 * writes into a copy-on-write layer in memory, so the file is never modified. A floppy-sized raw
 * image boots as drive A:, anything else as the primary IDE hard disk C:.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { openDisk } from '../emulator/disk/openDisk.js';
import type { BlockDevice } from '../emulator/disk/blockDevice.js';
import { CopyOnWriteDisk } from '../emulator/machine/copyOnWriteDisk.js';
import { createMachine } from '../emulator/machine/createMachine.js';
import { ConfigError, floppyGeometry, type MachineConfig } from '../emulator/machine/machineConfig.js';
import { KeysError, parseKeys } from '../emulator/machine/keyTypist.js';
import { CliError, type CliCommand } from './cliError.js';
import { runSession } from './runSession.js';

const USAGE = `usage: win31 run <image> [options]

Boots <image> (qcow2 or raw; a floppy-sized raw image boots as A:, others as C:) headless.
The image is never modified: guest writes stay in memory.

options:
  --floppy <img>          a floppy image for drive A: (then <image> is the hard disk)
  --memory <MiB>          RAM, 1-64 (default 16)
  --cpu 386|486           CPU model (default 486)
  --type "<keys>"         type keys as the guest asks for them (\\n = Enter, {F5}, {Escape}, ...)
  --until-text "<text>"   stop with status 0 when the text appears on screen
  --timeout <s>           give up after this many seconds (status 2, prints the screen; default 60)
  --screen-text           print the text screen at the end
  --screenshot <out.png>  write the screen as PNG at the end
  --serial stdout|<file>  stream COM1 output, unbuffered

exit status: 0 text found (or the guest halted when no text was awaited), 2 timeout,
3 halted before the text appeared, 4 CPU shutdown, 5 unsupported guest feature, 1 error.`;

interface RunArgs {
  image: string;
  floppy?: string;
  memory?: number;
  cpu?: '386' | '486';
  type?: string;
  untilText?: string;
  timeout: number;
  screenText: boolean;
  screenshot?: string;
  serial?: string;
}

function parseArgs(args: string[]): RunArgs {
  const out: Partial<RunArgs> & { timeout: number; screenText: boolean } = { timeout: 60, screenText: false };
  const value = (i: number, name: string): string => {
    const v = args[i + 1];
    if (v === undefined) throw new CliError(`${name} needs a value`, 2);
    return v;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    switch (a) {
      case '--floppy':
        out.floppy = value(i++, a);
        break;
      case '--memory': {
        const v = value(i++, a);
        const n = Number(v);
        if (!/^\d+$/.test(v) || n < 1 || n > 64) throw new CliError(`--memory must be a whole number of MiB from 1 to 64, not '${v}'`, 2);
        out.memory = n;
        break;
      }
      case '--cpu': {
        const v = value(i++, a);
        if (v !== '386' && v !== '486') throw new CliError(`--cpu must be 386 or 486, not '${v}'`, 2);
        out.cpu = v;
        break;
      }
      case '--type':
        out.type = value(i++, a);
        break;
      case '--until-text':
        out.untilText = value(i++, a);
        break;
      case '--timeout': {
        const v = value(i++, a);
        const n = Number(v);
        if (!(n > 0) || !Number.isFinite(n)) throw new CliError(`--timeout must be a positive number of seconds, not '${v}'`, 2);
        out.timeout = n;
        break;
      }
      case '--screen-text':
        out.screenText = true;
        break;
      case '--screenshot':
        out.screenshot = value(i++, a);
        break;
      case '--serial':
        out.serial = value(i++, a);
        break;
      default:
        if (a.startsWith('-')) throw new CliError(`unknown option '${a}' (try 'win31 run --help')`, 2);
        if (out.image !== undefined) throw new CliError(`more than one image given ('${out.image}', '${a}')`, 2);
        out.image = a;
    }
  }
  if (out.image === undefined) throw new CliError('no image given (usage: win31 run <image> [options])', 2);
  if (out.type !== undefined) {
    try {
      parseKeys(out.type);
    } catch (e) {
      if (e instanceof KeysError) throw new CliError(`--type: ${e.message}`, 2);
      throw e;
    }
  }
  return out as RunArgs;
}

function isFloppySize(size: number): boolean {
  try {
    floppyGeometry(size);
    return true;
  } catch {
    return false;
  }
}

function openReadOnly(path: string): BlockDevice {
  return new CopyOnWriteDisk(openDisk(path, { readOnly: true }));
}

export const runCommand: CliCommand = {
  name: 'run',
  summary: 'boot a disk image headless, type keys, wait for a text, print the screen or a PNG',
  usage: USAGE,
  async run(args: string[]): Promise<number> {
    const a = parseArgs(args);
    const disks: BlockDevice[] = [];
    let serialFd: number | null = null;
    try {
      const main = openReadOnly(a.image);
      disks.push(main);
      let config: MachineConfig;
      if (a.floppy !== undefined) {
        const fl = openReadOnly(a.floppy);
        disks.push(fl);
        config = { hardDisk: { image: main }, floppy: { image: fl } };
      } else if (isFloppySize(main.size)) config = { floppy: { image: main } };
      else config = { hardDisk: { image: main }, bootOrder: ['hard', 'floppy'] };
      const m = createMachine({ ...config, memoryMiB: a.memory, cpu: a.cpu });
      if (a.serial !== undefined) {
        serialFd = a.serial === 'stdout' ? 1 : openSync(a.serial, 'w');
        const fd = serialFd;
        const one = new Uint8Array(1);
        m.onSerial = (byte) => {
          one[0] = byte;
          writeSync(fd, one);
        };
      }
      const r = await runSession(m, {
        untilText: a.untilText,
        timeoutSeconds: a.timeout,
        type: a.type,
        screenText: a.screenText,
        screenshot: a.screenshot,
      });
      if (r.exitCode !== 0) process.stderr.write(`win31: ${r.reason}\n`);
      return r.exitCode;
    } catch (e) {
      if (e instanceof ConfigError) throw new CliError(e.message, 2);
      throw e;
    } finally {
      if (serialFd !== null && serialFd !== 1) closeSync(serialFd);
      for (const d of disks) d.close();
    }
  },
};

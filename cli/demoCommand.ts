/**
 * `win31 demo`: boots the built-in demo disk headless, prints its text screen, lets it draw its
 * mode 13h picture and writes that as a PNG (default ./demo-screenshot.png).
 */
import { writeFileSync } from 'node:fs';
import { buildDemoHardDisk } from '../demo/demoDisk.js';
import type { BlockDevice } from '../emulator/disk/blockDevice.js';
import { createMachine } from '../emulator/machine/createMachine.js';
import { CliError, type CliCommand } from './cliError.js';
import { runSession } from './runSession.js';

const USAGE = `usage: win31 demo [--screenshot <out.png>] [--timeout <s>]

Boots the built-in demo disk headless: a text screen (printed here), then a mode 13h picture,
written to demo-screenshot.png in the current folder unless --screenshot names another file.`;

/** A read-write disk in memory. */
function memoryDisk(bytes: Uint8Array): BlockDevice {
  return {
    size: bytes.length,
    readOnly: false,
    read: (offset, buffer) => buffer.set(bytes.subarray(offset, offset + buffer.length)),
    write: (offset, data) => bytes.set(data, offset),
    flush: () => {},
    close: () => {},
  };
}

export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'boot the built-in demo disk headless and write a screenshot',
  usage: USAGE,
  async run(args: string[]): Promise<number> {
    let screenshot = 'demo-screenshot.png';
    let timeout = 60;
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      const v = args[i + 1];
      if (a === '--screenshot' && v !== undefined) {
        screenshot = v;
        i++;
      } else if (a === '--timeout' && v !== undefined && Number(v) > 0) {
        timeout = Number(v);
        i++;
      } else throw new CliError(`unknown or incomplete option '${a}' (try 'win31 demo --help')`, 2);
    }
    // The demo boots as an IDE hard disk held in memory.
    const m = createMachine({ hardDisk: { image: memoryDisk(buildDemoHardDisk()) }, bootOrder: ['hard'], rtcStart: new Date(Date.UTC(1992, 3, 6, 12, 0, 0)) });
    const text = await runSession(m, { untilText: 'Switching to mode 13h', timeoutSeconds: timeout, screenText: true });
    if (text.exitCode !== 0) {
      process.stderr.write(`win31: the demo did not reach its text screen: ${text.reason}\n`);
      return text.exitCode;
    }
    // Continue the same machine until the program halts after drawing.
    for (let i = 0; i < 500; i++) {
      const r = m.run(Math.round(m.scheduler.hz / 10));
      if (r.stop === 'halt') break;
      if (r.stop !== 'budget') {
        process.stderr.write(`win31: the demo stopped: ${r.stop}\n`);
        return 1;
      }
    }
    writeFileSync(screenshot, m.screenshotPng());
    process.stdout.write(`wrote ${screenshot}\n`);
    return 0;
  },
};

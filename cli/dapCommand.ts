/**
 * `win31 dap`: the debug adapter over stdin/stdout, with the machine in this process. For tests
 * (DebugClient), for editors other than VS Code, and for CI. Nothing else may write to stdout
 * while it runs: stdout carries the protocol.
 */
import type { CliCommand } from './cliError.js';
import { createDecoder } from '../debug-adapter/cpuDecoder.js';
import { InProcessProvider } from '../debug-adapter/inProcessProvider.js';
import { Win31DebugSession } from '../debug-adapter/session.js';
import { buildMachine } from '../emulator/worker/machineFactory.js';

const USAGE = `usage: win31 dap

Runs the win31 debug adapter (Debug Adapter Protocol) over stdin and stdout. A client sends
'launch' with { "image": "disk.qcow2" } or { "floppy": "a.img" }, and optionally "memory" (MiB),
"cpu" ("386" | "486"), "speed" ("max" | "486-33" | "386-25"), "stopOnEntry" (true | "bios" |
"bootSector") and "cwd". Images are opened read-only; the guest's writes stay in memory.`;

export const dapCommand: CliCommand = {
  name: 'dap',
  summary: 'run the debug adapter (Debug Adapter Protocol) over stdin/stdout',
  usage: USAGE,
  run(): Promise<number> {
    const session = new Win31DebugSession(new InProcessProvider(buildMachine, createDecoder));
    session.start(process.stdin, process.stdout);
    return new Promise((resolve) => {
      process.stdin.on('end', () => resolve(0));
      process.stdin.on('close', () => resolve(0));
    });
  },
};

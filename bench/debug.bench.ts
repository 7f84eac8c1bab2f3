// Debugger benchmarks.
// 1. The cost of breakpoints on a CPU-bound guest: the same loop run with no breakpoints, with 100
//    breakpoints on pages the loop never touches, and with 100 of which 10 sit on the loop's own
//    page (not on an executed instruction). Aim: at most 3 % slower.
// 2. The round trip of one instruction step through DAP (stepIn request to stopped event), and of
//    a step plus the refresh VS Code does after it (stackTrace, scopes, the General registers), on
//    the real machine stepping through its BIOS. Aim: at most 5 ms.
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cpu } from '../emulator/cpu/cpu.js';
import { IoBus } from '../emulator/io/ioBus.js';
import { PhysicalMemory } from '../emulator/memory/physicalMemory.js';
import { buildMachine } from '../emulator/worker/machineFactory.js';
import { InProcessProvider } from '../debug-adapter/inProcessProvider.js';
import { Win31DebugSession } from '../debug-adapter/session.js';
import type { InstructionDecoder } from '../debug-adapter/decoder.js';

// At 1000:0000 — mov cx,0FFFFh / l: add ax,cx / xor bx,ax / inc si / loop l / jmp 0
const LOOP = [0xb9, 0xff, 0xff, 0x01, 0xc8, 0x31, 0xc3, 0x46, 0xe2, 0xf9, 0xeb, 0xf4];
const CODE = 0x10000;
const INSTRUCTIONS = 40_000_000;
const SLICE = 20_000;

function cpuWith(breakpoints: readonly number[]): Cpu {
  const memory = new PhysicalMemory(16 * 1024 * 1024);
  memory.ram.set(LOOP, CODE);
  const cpu = new Cpu({ model: '486', memory, io: new IoBus() });
  cpu.setReg('cs', CODE >>> 4);
  cpu.setReg('ip', 0);
  for (const b of breakpoints) cpu.addBreakpoint(b);
  return cpu;
}

function timeRun(cpu: Cpu): number {
  const t0 = performance.now();
  let done = 0;
  while (done < INSTRUCTIONS) {
    const n = cpu.run(SLICE);
    if (cpu.stopReason !== 'budget') throw new Error(`the loop stopped: ${cpu.stopReason}`);
    done += n;
  }
  return performance.now() - t0;
}

function breakpointBench(): void {
  const none: number[] = [];
  const elsewhere = Array.from({ length: 100 }, (_, i) => 0x40000 + i * 0x1000 + 7);
  const samePage = [...Array.from({ length: 10 }, (_, i) => CODE + 0x100 + i), ...elsewhere.slice(10)];
  const sets: [string, number[]][] = [
    ['no breakpoints', none],
    ['100 breakpoints on other pages', elsewhere],
    ['100 breakpoints, 10 on the loop page', samePage],
  ];
  const best = new Map<string, number>();
  timeRun(cpuWith(none)); // warm-up for the JIT
  for (let round = 0; round < 5; round++) {
    for (const [name, bps] of sets) {
      const ms = timeRun(cpuWith(bps));
      best.set(name, Math.min(best.get(name) ?? Infinity, ms));
    }
  }
  const base = best.get('no breakpoints') as number;
  for (const [name] of sets) {
    const ms = best.get(name) as number;
    const mips = INSTRUCTIONS / ms / 1000;
    const slow = ((ms / base - 1) * 100).toFixed(1);
    console.log(`${name.padEnd(40)} ${mips.toFixed(1).padStart(7)} MIPS  ${name === 'no breakpoints' ? '' : `${slow} % slower`}`);
  }
}

/** Step and step-out do not decode in this benchmark; step over is not measured. */
const noDecoder: InstructionDecoder = {
  decode: () => ({ length: 1, text: '?', kind: 'other', valid: false }),
};

async function stepBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'win31-bench-'));
  const floppy = join(dir, 'blank.img');
  writeFileSync(floppy, new Uint8Array(1474560));
  const server = createServer((socket) => {
    // A response and its event are two small writes: without this, Nagle's algorithm holds the
    // second one for the client's delayed ACK (~40 ms) and the benchmark measures TCP, not us.
    socket.setNoDelay(true);
    const session = new Win31DebugSession(new InProcessProvider(buildMachine, () => noDecoder));
    session.setRunAsServer(true);
    session.start(socket, socket);
  }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const dc = new DebugClient('node', 'unused', 'win31');
  await dc.start((server.address() as AddressInfo).port);
  await dc.initializeRequest({ adapterID: 'win31', pathFormat: 'path' });
  const initialized = dc.waitForEvent('initialized');
  await dc.launchRequest({ floppy, stopOnEntry: true } as never);
  await initialized;
  await Promise.all([dc.configurationDoneRequest(), dc.waitForEvent('stopped')]);
  const step = async (): Promise<void> => {
    await Promise.all([dc.stepInRequest({ threadId: 1 }), dc.waitForEvent('stopped')]);
  };
  for (let i = 0; i < 50; i++) await step(); // warm-up
  const N = 500;
  let t0 = performance.now();
  for (let i = 0; i < N; i++) await step();
  const stepMs = (performance.now() - t0) / N;
  t0 = performance.now();
  for (let i = 0; i < N; i++) {
    await step();
    await dc.stackTraceRequest({ threadId: 1 });
    await dc.scopesRequest({ frameId: 1 });
    await dc.variablesRequest({ variablesReference: 1 });
  }
  const refreshMs = (performance.now() - t0) / N;
  console.log(`${'DAP step (stepIn -> stopped)'.padEnd(40)} ${stepMs.toFixed(3).padStart(7)} ms`);
  console.log(`${'DAP step + stackTrace/scopes/variables'.padEnd(40)} ${refreshMs.toFixed(3).padStart(7)} ms`);
  await dc.stop();
  server.close();
}

breakpointBench();
await stepBench();

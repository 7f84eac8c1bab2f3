/**
 * Boot benchmarks: power-on to the first instruction of the boot sector (the demo floppy), and the
 * FreeDOS hard disk boot to C:\> (when the shared guest images are present). Prints wall-clock
 * milliseconds, instructions executed and virtual time.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildDemoHardDisk } from '../demo/demoDisk.js';
import type { Cpu } from '../emulator/cpu/cpu.js';
import type { BlockDevice } from '../emulator/disk/blockDevice.js';
import { openDisk } from '../emulator/disk/openDisk.js';
import { CopyOnWriteDisk } from '../emulator/machine/copyOnWriteDisk.js';
import { createMachine } from '../emulator/machine/createMachine.js';
import type { Machine } from '../emulator/machine/machine.js';

const RTC = new Date(Date.UTC(2024, 0, 1, 12, 0, 0));

function memoryDisk(bytes: Uint8Array): BlockDevice {
  return {
    size: bytes.length,
    readOnly: false,
    read: (o, b) => b.set(bytes.subarray(o, o + b.length)),
    write: (o, d) => bytes.set(d, o),
    flush: () => {},
    close: () => {},
  };
}

function report(what: string, m: Machine, ms: number, ok: boolean): void {
  const ins = m.cpu.instructionCount;
  const virt = m.scheduler.now / m.scheduler.hz;
  const mips = ins / 1e6 / (ms / 1000);
  console.log(`${what}: ${ok ? '' : 'NOT REACHED, '}${ms.toFixed(1)} ms wall, ${ins.toLocaleString('en')} instructions (${mips.toFixed(1)} MIPS), ${virt.toFixed(3)} s virtual`);
}

function toBootSector(): void {
  const t = performance.now();
  const m = createMachine({ hardDisk: { image: memoryDisk(buildDemoHardDisk()) }, bootOrder: ['hard'], rtcStart: RTC });
  console.log(`machine construction (ROMs assembled, devices wired, 16 MiB RAM): ${(performance.now() - t).toFixed(1)} ms`);
  const cpu = m.cpu as Cpu;
  const t0 = performance.now();
  m.boot();
  cpu.addBreakpoint(0x7c00);
  let ok = false;
  for (let i = 0; i < 100 && !ok; i++) ok = m.run(m.scheduler.hz).stop === 'breakpoint';
  report('power-on to the first boot-sector instruction (demo disk on IDE)', m, performance.now() - t0, ok);
}

/** Boots a FreeDOS guest until `prompt` is the last line on screen and the guest waits for a key. */
function freedos(what: string, file: string, floppy: boolean, prompt: string): void {
  const root = process.env.WIN31_TESTDATA ?? resolve(process.cwd(), '..', 'shared', 'testdata');
  const path = resolve(root, 'guests', file);
  if (!existsSync(path)) {
    console.log(`${what}: skipped (${path} not found)`);
    return;
  }
  const disk = new CopyOnWriteDisk(openDisk(path, { readOnly: true }));
  const m = floppy
    ? createMachine({ floppy: { image: disk }, rtcStart: RTC })
    : createMachine({ hardDisk: { image: disk }, bootOrder: ['hard'], rtcStart: RTC });
  const t0 = performance.now();
  m.boot();
  let ok = false;
  const slice = m.scheduler.hz / 50;
  for (let i = 0; i < 50 * 60 && !ok; i++) {
    const idle = m.keyboardIdleCount;
    const r = m.run(slice);
    const lines = m.screenText().map((l) => l.trimEnd()).filter((l) => l !== '');
    ok = m.keyboardIdleCount !== idle && lines[lines.length - 1] === prompt;
    if (r.stop !== 'budget') break;
  }
  report(what, m, performance.now() - t0, ok);
  disk.close();
}

toBootSector();
freedos('FreeDOS floppy boot to A:\\>', 'freedos-minimal-1440k.img', true, 'A:\\>');
freedos('FreeDOS HDD boot to C:\\>', 'freedos-hdd-32m.qcow2', false, 'C:\\>');

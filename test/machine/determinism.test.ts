import { describe, expect, it } from 'vitest';
import { assemble } from '../../emulator/bios/romAssembler.js';
import { createMachine } from '../../emulator/machine/createMachine.js';
import type { Machine } from '../../emulator/machine/machine.js';
import { BIOS_PROBE_SOURCE } from './biosProbe.js';
import { openDisk } from '../../emulator/disk/openDisk.js';
import { CopyOnWriteDisk } from '../../emulator/machine/copyOnWriteDisk.js';
import { testdata } from '../support/testdata.js';
import { lastLine, screen, startAfterPost } from './machineHarness.js';

const probe = assemble(BIOS_PROBE_SOURCE);
const image = new Uint8Array(1_474_560);
image.set(probe.bytes);

function machine(): Machine {
  return createMachine({
    memoryMiB: 2,
    floppy: { image: { size: image.length, readOnly: true, read: (o, b) => b.set(image.subarray(o, o + b.length)), write: () => {}, flush: () => {}, close: () => {} } },
    rtcStart: new Date(Date.UTC(2024, 0, 1, 12, 0, 0)),
  });
}

const TOTAL = 40_000_000; // 1.6 s of virtual time at 25M ticks/s: POST, the probe, timer interrupts while it waits

describe('determinism', () => {
  it('two runs with the same inputs end in the same machine state', () => {
    const hashes: string[] = [];
    for (let i = 0; i < 2; i++) {
      const m = machine();
      startAfterPost(m, probe.bytes, probe.labels.get('main') as number);
      m.typeText('aB\n');
      m.run(TOTAL);
      hashes.push(m.stateHash());
    }
    expect(hashes[0]).toBe(hashes[1]);
  });

  it('saving and loading into a fresh machine every 100,000 ticks changes nothing', () => {
    const a = machine();
    startAfterPost(a, probe.bytes, probe.labels.get('main') as number);
    const start = a.saveState();
    a.run(TOTAL);
    expect(screen(a).some((l) => l.startsWith('keys?'))).toBe(true);

    let b = machine();
    b.loadState(start);
    let done = 0;
    while (done < TOTAL) {
      const step = Math.min(100_000, TOTAL - done);
      b.run(step);
      done += step;
      const snap = b.saveState();
      b = machine();
      b.loadState(snap);
    }
    expect(b.scheduler.now).toBe(a.scheduler.now);
    expect(b.stateHash()).toBe(a.stateHash());
  });

  it('single steps through a stretch of the run leave the same machine as running through it', () => {
    const a = machine();
    const b = machine();
    for (const m of [a, b]) {
      startAfterPost(m, probe.bytes, probe.labels.get('main') as number);
      m.typeText('aB\n');
    }
    const t0 = a.virtualTicks;
    expect(b.virtualTicks).toBe(t0);
    a.run(5_000_000);
    b.run(2_000_000);
    for (let i = 0; i < 30_000; i++) {
      if (b.cpu.halted) b.run(1);
      else b.step();
    }
    b.run(t0 + 5_000_000 - b.virtualTicks);
    expect(b.virtualTicks).toBe(a.virtualTicks);
    expect(b.stateHash()).toBe(a.stateHash());
  });

  it('a FreeDOS floppy boot cut into 100,000-tick runs with save/load into fresh machines ends identical', () => {
    const path = testdata('guests/freedos-minimal-1440k.img');
    if (path === null) return;
    const dos = (): Machine =>
      createMachine({
        memoryMiB: 2,
        floppy: { image: new CopyOnWriteDisk(openDisk(path, { readOnly: true })) },
        rtcStart: new Date(Date.UTC(2024, 0, 1, 12, 0, 0)),
        serial: false,
      });
    const total = 30_000_000; // 1.2 s of virtual time: POST, the floppy boot, FreeDOS at A:\>
    const a = dos();
    a.boot();
    const start = a.saveState();
    a.run(total);
    expect(lastLine(screen(a))).toBe('A:\\>');
    let b = dos();
    b.loadState(start);
    for (let done = 0; done < total; done += 100_000) {
      b.run(Math.min(100_000, total - done));
      const snap = b.saveState();
      b = dos();
      b.loadState(snap);
    }
    expect(b.cpu.instructionCount).toBe(a.cpu.instructionCount);
    expect(b.stateHash()).toBe(a.stateHash());
  });
});

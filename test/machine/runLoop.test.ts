import { describe, expect, it } from 'vitest';
import { buildDemoHardDisk } from '../../demo/demoDisk.js';
import { createMachine } from '../../emulator/machine/createMachine.js';
import type { Machine } from '../../emulator/machine/machine.js';
import { RunLoop } from '../../emulator/machine/runLoop.js';

function demoMachine(): Machine {
  const img = buildDemoHardDisk();
  const m = createMachine({
    hardDisk: { image: { size: img.length, readOnly: false, read: (o, b) => b.set(img.subarray(o, o + b.length)), write: (o, d) => img.set(d, o), flush: () => {}, close: () => {} } },
    bootOrder: ['hard'],
    rtcStart: new Date(Date.UTC(2024, 0, 1)),
  });
  m.boot();
  return m;
}

describe('run loop', () => {
  it('throttled to real time, host time follows virtual time; the guest ends the same as flat out', async () => {
    const fast = demoMachine();
    expect(await new RunLoop(fast).run()).toBe('halt');

    const m = demoMachine();
    let host = 0;
    const loop = new RunLoop(m, { target: m.scheduler.hz, clock: () => host, sleep: async (ms) => void (host += ms) });
    const startTicks = m.virtualTicks;
    expect(await loop.run()).toBe('halt');
    const virtualMs = ((m.virtualTicks - startTicks) * 1000) / m.scheduler.hz;
    // The loop sleeps until each slice is due: host time ends within one slice (10 ms) of virtual time.
    expect(Math.abs(host - virtualMs)).toBeLessThanOrEqual(10);
    expect(m.stateHash()).toBe(fast.stateHash());
  });

  it('pauses at an instruction boundary and continues', async () => {
    const m = demoMachine();
    const loop = new RunLoop(m);
    let slices = 0;
    expect(await loop.run(() => (++slices === 3 ? (loop.pause(), false) : false))).toBe('paused');
    expect(loop.running).toBe(false);
    expect(await loop.run()).toBe('halt');
  });
});

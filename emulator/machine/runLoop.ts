/**
 * Drives a Machine in slices from an async host loop: flat out, or throttled to a target number of
 * virtual ticks per host second (25,000,000 is real time at the default clock; a 33 MHz 486 runs
 * about 16,000,000 instructions a second). The host clock only decides when to run the next
 * slice; guest-visible time stays the machine's virtual time, so throttling never changes what the
 * guest does. A pause lands at an instruction boundary within one slice.
 */
import type { Machine, RunStop } from './machine.js';

export interface RunLoopOptions {
  /** Virtual ticks per host second, or null to run flat out. Default null. */
  readonly target?: number | null;
  /** Virtual ticks per slice between host checks. Default 1/100 s of virtual time. */
  readonly sliceTicks?: number;
  /** Host clock in milliseconds (injectable for tests). Default performance.now. */
  readonly clock?: () => number;
  /** Waits `ms` host milliseconds (0: just let the host's event loop run). */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Why `run` returned: the machine's stop, 'paused' (pause()), or 'done' (the slice hook said so). */
export type LoopStop = Exclude<RunStop, 'budget' | 'stop'> | 'paused' | 'done';

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)));

export class RunLoop {
  private target: number | null;
  private readonly sliceTicks: number;
  private readonly clock: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private pauseRequested = false;
  private active = false;

  constructor(
    private readonly machine: Machine,
    options: RunLoopOptions = {},
  ) {
    this.target = options.target ?? null;
    this.sliceTicks = options.sliceTicks ?? Math.round(machine.scheduler.hz / 100);
    this.clock = options.clock ?? (() => performance.now());
    this.sleep = options.sleep ?? defaultSleep;
    if (this.target !== null && !(this.target > 0)) throw new RangeError('the target speed must be positive');
  }

  get running(): boolean {
    return this.active;
  }

  /** Changes the speed while running: ticks per host second, or null for flat out. */
  setTarget(ticksPerSecond: number | null): void {
    if (ticksPerSecond !== null && !(ticksPerSecond > 0)) throw new RangeError('the target speed must be positive');
    this.target = ticksPerSecond;
  }

  /** Stops a running loop at the next instruction boundary; `run` then returns 'paused'. */
  pause(): void {
    this.pauseRequested = true;
    this.machine.requestStop();
  }

  /**
   * Runs until the machine stops by itself, pause() is called, or `afterSlice` returns true
   * (checked after every slice: a screen text, a host deadline).
   */
  async run(afterSlice?: () => boolean): Promise<LoopStop> {
    if (this.active) throw new Error('the run loop is already running');
    this.active = true;
    this.pauseRequested = false;
    const m = this.machine;
    let startHost = this.clock();
    let startTicks = m.virtualTicks;
    let lastYield = startHost;
    let target = this.target;
    try {
      for (;;) {
        if (this.pauseRequested) return 'paused';
        const r = m.run(this.sliceTicks);
        if (r.stop === 'stop') {
          if (this.pauseRequested) return 'paused';
        } else if (r.stop !== 'budget') return r.stop;
        if (afterSlice?.()) return 'done';
        if (target !== this.target) {
          // A new speed counts from now.
          target = this.target;
          startHost = this.clock();
          startTicks = m.virtualTicks;
        }
        const now = this.clock();
        if (target !== null) {
          const due = startHost + ((m.virtualTicks - startTicks) * 1000) / target;
          if (due > now) {
            await this.sleep(Math.min(due - now, 100));
            lastYield = this.clock();
            continue;
          }
        }
        // Flat out (or behind schedule): let the host breathe every 50 ms.
        if (now - lastYield > 50) {
          await this.sleep(0);
          lastYield = this.clock();
        }
      }
    } finally {
      this.active = false;
    }
  }
}

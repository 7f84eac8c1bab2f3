/**
 * Virtual time. Guest-visible time is derived from the number of executed instructions (plus the
 * ticks skipped while the CPU halts), never from the host clock, so a run is reproducible and a
 * breakpoint does not disturb timing. The host clock only decides how many ticks to run per host
 * millisecond (throttling), which is the run loop's business, not this class's.
 *
 * One tick is one instruction slot. `hz` says how many ticks make one virtual second.
 */
import { StateError, type DeviceState, type StateValue } from './device.js';

export type TimerCallback = (now: number) => void;

export class Timer {
  /** Tick at which the callback fires, or Infinity when the timer is idle. */
  deadline = Infinity;
  /** Creation order; breaks ties between timers due at the same tick, so firing order is stable. */
  readonly order: number;

  constructor(
    private readonly scheduler: Scheduler,
    readonly name: string,
    readonly callback: TimerCallback,
    order: number,
  ) {
    this.order = order;
  }

  get active(): boolean {
    return this.deadline !== Infinity;
  }

  /** Fires at absolute tick `tick` (fractions are rounded up: a timer never fires early). */
  setAt(tick: number): void {
    this.deadline = Math.max(Math.ceil(tick), this.scheduler.now);
    this.scheduler.changed();
  }

  /** Fires `ticks` after now. */
  setIn(ticks: number): void {
    this.setAt(this.scheduler.now + ticks);
  }

  cancel(): void {
    if (this.deadline === Infinity) return;
    this.deadline = Infinity;
    this.scheduler.changed();
  }
}

export const DEFAULT_TICKS_PER_SECOND = 25_000_000;

export class Scheduler {
  /** Current virtual time in ticks. Only `advance` moves it. */
  now = 0;
  private readonly timers: Timer[] = [];
  private readonly byName = new Map<string, Timer>();
  private cachedNext = Infinity;
  private dirty = false;

  constructor(readonly hz: number = DEFAULT_TICKS_PER_SECOND) {
    if (!(hz > 0)) throw new RangeError('ticks per second must be positive');
  }

  /** Creates a named timer. Names identify timers in saved states, so they must be unique. */
  createTimer(name: string, callback: TimerCallback): Timer {
    if (this.byName.has(name)) throw new Error(`timer '${name}' already exists`);
    const t = new Timer(this, name, callback, this.timers.length);
    this.timers.push(t);
    this.byName.set(name, t);
    return t;
  }

  changed(): void {
    this.dirty = true;
  }

  /** Tick of the earliest pending timer, or Infinity. */
  nextDeadline(): number {
    if (this.dirty) {
      let next = Infinity;
      for (const t of this.timers) if (t.deadline < next) next = t.deadline;
      this.cachedNext = next;
      this.dirty = false;
    }
    return this.cachedNext;
  }

  /**
   * Moves virtual time forward by `ticks` and fires every timer that is due, in deadline order
   * (creation order on ties). A callback may re-arm its own or other timers; those fire in the same
   * call if they fall due before the new time.
   */
  advance(ticks: number): void {
    const target = this.now + ticks;
    for (;;) {
      const next = this.nextDeadline();
      if (next > target) break;
      let due: Timer | undefined;
      for (const t of this.timers) if (t.deadline === next && (due === undefined || t.order < due.order)) due = t;
      if (due === undefined) break;
      this.now = next;
      due.deadline = Infinity;
      this.dirty = true;
      due.callback(next);
    }
    this.now = target;
  }

  ticksFromSeconds(seconds: number): number {
    return seconds * this.hz;
  }

  secondsFromTicks(ticks: number): number {
    return ticks / this.hz;
  }

  saveState(): DeviceState {
    const deadlines: { [name: string]: StateValue } = {};
    for (const t of this.timers) deadlines[t.name] = t.active ? t.deadline : null;
    return { device: 'scheduler', version: 1, fields: { now: this.now, hz: this.hz, deadlines } };
  }

  loadState(state: DeviceState): void {
    if (state.device !== 'scheduler' || state.version !== 1) throw new StateError('not a scheduler state (version 1)');
    const f = state.fields;
    if (f.hz !== this.hz) throw new StateError(`state was saved at ${String(f.hz)} ticks/s, this machine runs ${this.hz}`);
    if (typeof f.now !== 'number') throw new StateError('scheduler state lacks the time');
    const deadlines = f.deadlines as { [name: string]: StateValue } | undefined;
    if (deadlines === undefined || typeof deadlines !== 'object') throw new StateError('scheduler state lacks timers');
    this.now = f.now;
    for (const t of this.timers) {
      const d = deadlines[t.name];
      t.deadline = typeof d === 'number' ? d : Infinity;
    }
    this.dirty = true;
  }
}

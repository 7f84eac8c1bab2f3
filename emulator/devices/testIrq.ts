/**
 * An IrqLine for device tests: records every level change with the virtual time it happened at,
 * so a test can check when a device raised or lowered its interrupt request.
 */
import type { IrqLine } from '../io/irq.js';
import type { Scheduler } from '../machine/scheduler.js';

export interface IrqEvent {
  readonly at: number;
  readonly level: boolean;
}

export class RecordingIrqLine implements IrqLine {
  private high = false;
  readonly events: IrqEvent[] = [];

  constructor(private readonly scheduler?: Scheduler) {}

  get level(): boolean {
    return this.high;
  }

  raise(): void {
    if (this.high) return;
    this.high = true;
    this.events.push({ at: this.scheduler?.now ?? 0, level: true });
  }

  lower(): void {
    if (!this.high) return;
    this.high = false;
    this.events.push({ at: this.scheduler?.now ?? 0, level: false });
  }

  pulse(): void {
    this.lower();
    this.raise();
    this.lower();
  }

  /** Virtual times of the rising edges recorded so far. */
  rises(): number[] {
    return this.events.filter((e) => e.level).map((e) => e.at);
  }

  clear(): void {
    this.events.length = 0;
  }
}

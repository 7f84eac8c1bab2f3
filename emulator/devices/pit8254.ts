/**
 * Intel 8254 programmable interval timer at 40h-43h, clocked at 1.193182 MHz.
 *
 *   counter 0  40h  OUT -> IRQ0 (the system timer)
 *   counter 1  41h  DRAM refresh on the AT (its output is unused here)
 *   counter 2  42h  GATE <- port 61h bit 0, OUT -> speaker and port 61h bit 5
 *   control    43h  control words, counter latch and read-back commands
 *
 * Wiring:
 *   const pit = new Pit8254(io, scheduler, new WiredIrqLine(pic, 0));
 *   const portB = new SystemControlB(io, pit);   // port 61h drives counter 2's gate
 *
 * Time: the PIT clock is derived from the Scheduler's virtual time (`pitClocksAt`), never from a
 * timer per clock. Each counter keeps its position since the last load and computes its count and
 * OUT analytically; only counter 0 arms a Scheduler timer (`pit.irq0`), for its next OUT
 * transition, so IRQ0 costs two events per period whatever the rate.
 *
 * From the 8254 data sheet: modes 0-5 (6 and 7 alias 2 and 3), binary and BCD counting, LSB/MSB/
 * LSB-then-MSB access with separate read and write flip-flops, "count loaded on the next CLK
 * pulse" after a write, new counts taking effect at the end of the current (half) period in modes
 * 2 and 3, gate suspend (0, 4), gate trigger (1, 5), gate stop/reload (2, 3), counter latch
 * (the first latch holds until read), read-back with status (OUT, NULL COUNT, mode bits).
 *
 * Power-on state is undefined on the chip; here every counter starts as after a mode 0 control
 * word with no count (OUT low, nothing armed). reset('hard') keeps all state: the 8254 has no reset
 * input, so the system RESET line does not reach it.
 */
import type { IoBus } from '../io/ioBus.js';
import type { IrqLine } from '../io/irq.js';
import {
  boolField,
  expectState,
  hex,
  type Device,
  type DeviceState,
  type InspectNode,
  type ResetKind,
} from '../machine/device.js';
import type { Scheduler, Timer } from '../machine/scheduler.js';
import { intField, objListField, timeField, type StateFields } from './stateFields.js';
import { clockEdgesAt, tickOfClockEdge } from './virtualClock.js';

/** The PIT input clock (14.31818 MHz / 12), in Hz. */
export const PIT_HZ = 1_193_182;

/** PIT clock edges that have occurred by virtual tick `now`, exactly (no 2^53 overflow). */
export function pitClocksAt(now: number, hz: number): number {
  return clockEdgesAt(now, PIT_HZ, hz);
}

/** The first virtual tick by which `clocks` PIT edges have occurred (inverse of pitClocksAt). */
export function tickOfPitClock(clocks: number, hz: number): number {
  return tickOfClockEdge(clocks, PIT_HZ, hz);
}

function fromBcd(v: number): number {
  return ((v >> 12) & 15) * 1000 + ((v >> 8) & 15) * 100 + ((v >> 4) & 15) * 10 + (v & 15);
}

function toBcd(v: number): number {
  return ((Math.floor(v / 1000) % 10) << 12) | ((Math.floor(v / 100) % 10) << 8) | ((Math.floor(v / 10) % 10) << 4) | v % 10;
}

/** One counter. All times are in PIT clocks. */
class Counter {
  mode = 0;
  /** Access mode: 1 = LSB, 2 = MSB, 3 = LSB then MSB. */
  rw = 3;
  bcd = false;
  /** Count register as written (raw 16 bits; BCD digits when bcd). */
  cr = 0;
  nullCount = true;
  writeMsbNext = false;
  readMsbNext = false;
  latched = false;
  latchValue = 0;
  statusLatched = false;
  status = 0;
  gate = true;
  /** True once the counting element has a count since the last control word (modes 1/5: trigger). */
  loaded = false;
  /** Count the element runs with, 1..modulus (a written 0 is the full modulus). */
  n = 0;
  /** Clocks since the element was loaded or last reloaded. */
  pos = 0;
  /** PIT clock at which `pos` holds. */
  posAt = 0;
  running = false;
  /** PIT clock of a pending load from the count register, or -1. */
  loadAt = -1;
  /** Modes 2/3: a count written while counting, taken at the next (half-)period end. */
  pendingReload = false;
  /** What the element reads before its first load. */
  held = 0;
  /** A complete count has been written since the last control word (modes 1/5 need one to trigger). */
  crValid = false;
  /** A read moved a pending load one clock earlier (see observe); the owner re-arms its timer. */
  loadMoved = false;

  get modulus(): number {
    return this.bcd ? 10000 : 0x10000;
  }

  countOfCr(): number {
    const v = this.bcd ? fromBcd(this.cr) : this.cr;
    return v === 0 ? this.modulus : v;
  }

  /** Brings the counter to PIT clock t. */
  settle(t: number): void {
    if (this.loadAt >= 0 && t >= this.loadAt) {
      this.advance(this.loadAt);
      this.loadCe(this.loadAt);
    }
    this.advance(t);
  }

  private loadCe(at: number): void {
    this.n = this.countOfCr();
    this.pos = 0;
    this.posAt = at;
    this.loaded = true;
    this.nullCount = false;
    this.pendingReload = false;
    this.loadAt = -1;
    this.running = this.mode === 1 || this.mode === 5 || this.gate;
  }

  private advance(t: number): void {
    let k = t - this.posAt;
    this.posAt = t;
    if (!this.running || k <= 0) return;
    const n = this.n;
    switch (this.mode) {
      case 2:
        if (this.pendingReload && k >= n - this.pos) {
          k -= n - this.pos;
          this.takeReload();
          this.pos = k % this.n;
        } else {
          this.pos = (this.pos + k) % n;
        }
        return;
      case 3: {
        const hi = (n + 1) >> 1;
        const boundary = this.pos < hi ? hi : n;
        if (this.pendingReload && k >= boundary - this.pos) {
          k -= boundary - this.pos;
          const wasHigh = this.pos < hi;
          this.takeReload();
          // The new count starts the opposite half-cycle.
          this.pos = ((wasHigh ? (this.n + 1) >> 1 : 0) + k) % this.n;
        } else {
          this.pos = (this.pos + k) % n;
        }
        return;
      }
      default: {
        // One-shot modes: after terminal count the element wraps and keeps counting.
        const p = this.pos + k;
        this.pos = p > n ? n + 1 + ((p - n - 1) % this.modulus) : p;
      }
    }
  }

  private takeReload(): void {
    this.n = this.countOfCr();
    this.pendingReload = false;
    this.nullCount = false;
  }

  /** The counting element's value (binary, 0..modulus-1). */
  value(): number {
    if (!this.loaded) return this.held;
    const n = this.n;
    const m = this.modulus;
    switch (this.mode) {
      case 2:
        return (n - this.pos) % m;
      case 3: {
        const hi = (n + 1) >> 1;
        const p = this.pos < hi ? this.pos : this.pos - hi;
        return ((n & 1 ? n - 1 : n) - 2 * p) % m;
      }
      default:
        return (((n - this.pos) % m) + m) % m;
    }
  }

  out(): boolean {
    if (!this.loaded) return this.mode !== 0;
    switch (this.mode) {
      case 0:
      case 1:
        return this.pos >= this.n;
      case 2:
        return !this.gate || !(this.n > 1 && this.pos === this.n - 1);
      case 3:
        return !this.gate || this.pos < (this.n + 1) >> 1;
      default:
        return this.pos !== this.n;
    }
  }

  /** PIT clock (> the settled time) of the next OUT transition, or -1 if none is due. */
  nextOutChange(): number {
    if (this.loadAt >= 0) {
      const after = this.mode > 1; // OUT right after a load: low in modes 0 and 1, high otherwise
      if (after !== this.out()) return this.loadAt;
      const runs = this.mode === 1 || this.mode === 5 || this.gate;
      return runs ? this.changeFrom(this.countOfCr(), 0, this.loadAt) : -1;
    }
    return this.loaded && this.running ? this.changeFrom(this.n, this.pos, this.posAt) : -1;
  }

  private changeFrom(n: number, pos: number, at: number): number {
    switch (this.mode) {
      case 0:
      case 1:
        return pos < n ? at + n - pos : -1;
      case 2:
        if (n < 2) return -1;
        return pos < n - 1 ? at + n - 1 - pos : at + 1;
      case 3: {
        const hi = (n + 1) >> 1;
        if (hi === n) return -1;
        return pos < hi ? at + hi - pos : at + n - pos;
      }
      default:
        if (pos < n) return at + n - pos;
        return pos === n ? at + 1 : -1;
    }
  }

  controlWord(value: number, t: number): void {
    this.settle(t);
    this.held = this.value();
    const mode = (value >> 1) & 7;
    this.mode = mode > 5 ? mode - 4 : mode;
    this.rw = (value >> 4) & 3;
    this.bcd = (value & 1) !== 0;
    this.loaded = false;
    this.running = false;
    this.loadAt = -1;
    this.pendingReload = false;
    this.nullCount = true;
    this.crValid = false;
    this.writeMsbNext = false;
    this.readMsbNext = false;
    this.latched = false;
    this.statusLatched = false;
  }

  /**
   * Settles for a guest read. A count written during this same PIT clock counts as loaded: on the
   * ISA bus a read comes at least one bus cycle (about 1 us, more than a PIT clock) after the
   * write, while virtual time, counted in instructions, may not have reached the next clock yet.
   */
  private observe(t: number): void {
    if (this.loadAt === t + 1) {
      this.settle(t);
      this.loadAt = t;
      this.loadMoved = true;
    }
    this.settle(t);
  }

  latchCount(t: number): void {
    if (this.latched) return; // the first latch holds until it is read
    this.observe(t);
    const v = this.value();
    this.latchValue = this.bcd ? toBcd(v) : v;
    this.latched = true;
  }

  latchStatus(t: number): void {
    if (this.statusLatched) return;
    this.observe(t);
    this.status = (this.out() ? 0x80 : 0) | (this.nullCount ? 0x40 : 0) | (this.rw << 4) | (this.mode << 1) | (this.bcd ? 1 : 0);
    this.statusLatched = true;
  }

  read(t: number): number {
    if (this.statusLatched) {
      this.statusLatched = false;
      return this.status;
    }
    let v: number;
    if (this.latched) {
      v = this.latchValue;
    } else {
      this.observe(t);
      const raw = this.value();
      v = this.bcd ? toBcd(raw) : raw;
    }
    let byte: number;
    let done = true;
    if (this.rw === 1) byte = v & 0xff;
    else if (this.rw === 2) byte = (v >> 8) & 0xff;
    else {
      byte = this.readMsbNext ? (v >> 8) & 0xff : v & 0xff;
      this.readMsbNext = !this.readMsbNext;
      done = !this.readMsbNext;
    }
    if (done) this.latched = false;
    return byte;
  }

  write(value: number, t: number): void {
    this.settle(t);
    if (this.rw === 1) this.cr = value;
    else if (this.rw === 2) this.cr = value << 8;
    else if (!this.writeMsbNext) {
      this.cr = (this.cr & 0xff00) | value;
      this.writeMsbNext = true;
      if (this.mode === 0) {
        // Mode 0: writing the first byte disables counting and sets OUT low at once.
        this.held = this.value();
        this.loaded = false;
        this.running = false;
        this.loadAt = -1;
      }
      return;
    } else {
      this.cr = (this.cr & 0xff) | (value << 8);
      this.writeMsbNext = false;
    }
    this.countWritten(t);
  }

  private countWritten(t: number): void {
    this.nullCount = true;
    this.crValid = true;
    switch (this.mode) {
      case 0:
        this.held = this.value();
        this.loaded = false;
        this.running = false;
        this.loadAt = t + 1;
        return;
      case 1:
      case 5:
        return; // taken at the next gate trigger
      case 2:
      case 3:
        if (this.loaded) this.pendingReload = true;
        else this.loadAt = t + 1;
        return;
      default:
        this.loadAt = t + 1;
    }
  }

  setGate(level: boolean, t: number): void {
    this.settle(t);
    const rising = level && !this.gate;
    const falling = !level && this.gate;
    this.gate = level;
    switch (this.mode) {
      case 0:
      case 4:
        if (this.loaded) this.running = level;
        return;
      case 1:
      case 5:
        if (rising && this.crValid) this.loadAt = t + 1;
        return;
      default:
        if (falling) this.running = false;
        else if (rising) this.loadAt = t + 1;
    }
  }

  save(): StateFields {
    return {
      mode: this.mode,
      rw: this.rw,
      bcd: this.bcd,
      cr: this.cr,
      nullCount: this.nullCount,
      writeMsbNext: this.writeMsbNext,
      readMsbNext: this.readMsbNext,
      latched: this.latched,
      latchValue: this.latchValue,
      statusLatched: this.statusLatched,
      status: this.status,
      gate: this.gate,
      loaded: this.loaded,
      n: this.n,
      pos: this.pos,
      posAt: this.posAt,
      running: this.running,
      loadAt: this.loadAt,
      pendingReload: this.pendingReload,
      held: this.held,
      crValid: this.crValid,
    };
  }

  load(f: StateFields): void {
    this.mode = intField(f, 'mode', 0, 5);
    this.rw = intField(f, 'rw', 0, 3);
    this.bcd = boolField(f, 'bcd');
    this.cr = intField(f, 'cr', 0, 0xffff);
    this.nullCount = boolField(f, 'nullCount');
    this.writeMsbNext = boolField(f, 'writeMsbNext');
    this.readMsbNext = boolField(f, 'readMsbNext');
    this.latched = boolField(f, 'latched');
    this.latchValue = intField(f, 'latchValue', 0, 0xffff);
    this.statusLatched = boolField(f, 'statusLatched');
    this.status = intField(f, 'status', 0, 0xff);
    this.gate = boolField(f, 'gate');
    this.loaded = boolField(f, 'loaded');
    this.n = intField(f, 'n', 0, 0x10000);
    this.pos = timeField(f, 'pos');
    this.posAt = timeField(f, 'posAt');
    this.running = boolField(f, 'running');
    this.loadAt = timeField(f, 'loadAt');
    this.pendingReload = boolField(f, 'pendingReload');
    this.held = intField(f, 'held', 0, 0xffff);
    this.crValid = boolField(f, 'crValid');
  }
}

const STATE_VERSION = 1;

export class Pit8254 implements Device {
  readonly name = 'pit';
  private readonly counters = [new Counter(), new Counter(), new Counter()];
  private readonly timer: Timer;
  private irq0Level = false;
  /** Called after counter 2 is reprogrammed or its gate changes (the speaker's tone may change). */
  onCounter2Change: (() => void) | null = null;

  constructor(
    io: IoBus,
    private readonly scheduler: Scheduler,
    private readonly irq0: IrqLine,
  ) {
    this.timer = scheduler.createTimer('pit.irq0', () => this.updateIrq0());
    io.register(
      0x40,
      0x43,
      {
        read8: (p) => (p === 0x43 ? 0xff : this.readCounter(p - 0x40)),
        write8: (p, v) => this.write(p, v),
      },
      this.name,
      'PIT (8254): counters 0-2, control word',
    );
    this.reset('power');
  }

  /** PIT clocks elapsed by the current virtual time. */
  clock(): number {
    return pitClocksAt(this.scheduler.now, this.scheduler.hz);
  }

  private readCounter(i: number): number {
    const c = this.counters[i];
    const v = c.read(this.clock());
    this.afterObserve(i);
    return v;
  }

  private afterObserve(i: number): void {
    const c = this.counters[i];
    if (!c.loadMoved) return;
    c.loadMoved = false;
    this.changed(i);
  }

  private write(port: number, value: number): void {
    const t = this.clock();
    if (port === 0x43) {
      const sc = value >> 6;
      if (sc === 3) {
        // Read-back: bit 5 = 0 latches counts, bit 4 = 0 latches status, bits 1-3 select counters.
        for (let i = 0; i < 3; i++) {
          if ((value & (2 << i)) === 0) continue;
          if ((value & 0x20) === 0) this.counters[i].latchCount(t);
          if ((value & 0x10) === 0) this.counters[i].latchStatus(t);
          this.afterObserve(i);
        }
        return;
      }
      if ((value & 0x30) === 0) {
        this.counters[sc].latchCount(t);
        this.afterObserve(sc);
      } else {
        this.counters[sc].controlWord(value, t);
        this.changed(sc);
      }
      return;
    }
    const i = port - 0x40;
    this.counters[i].write(value, t);
    this.changed(i);
  }

  private changed(i: number): void {
    if (i === 0) this.updateIrq0();
    else if (i === 2 && this.onCounter2Change !== null) this.onCounter2Change();
  }

  /** Drives IRQ0 to counter 0's OUT and arms the timer for its next transition. */
  private updateIrq0(): void {
    const c = this.counters[0];
    c.settle(this.clock());
    const out = c.out();
    if (out !== this.irq0Level) {
      this.irq0Level = out;
      if (out) this.irq0.raise();
      else this.irq0.lower();
    }
    const next = c.nextOutChange();
    if (next < 0) this.timer.cancel();
    else this.timer.setAt(tickOfPitClock(next, this.scheduler.hz));
  }

  /** Sets a counter's GATE input (counter 2's comes from port 61h bit 0; 0 and 1 are tied high). */
  setGate(counter: number, level: boolean): void {
    const c = this.counters[counter];
    if (c.gate === level) return;
    c.setGate(level, this.clock());
    this.changed(counter);
  }

  gate(counter: number): boolean {
    return this.counters[counter].gate;
  }

  /** A counter's OUT at the current virtual time. */
  output(counter: number): boolean {
    const c = this.counters[counter];
    c.settle(this.clock());
    return c.out();
  }

  /**
   * Counter 2's output frequency in Hz as the speaker hears it: a programmed periodic mode (2 or 3)
   * with its gate open; 0 otherwise.
   */
  counter2Frequency(): number {
    const c = this.counters[2];
    c.settle(this.clock());
    const n = c.loadAt >= 0 ? c.countOfCr() : c.loaded ? c.n : 0;
    const periodic = c.mode === 2 || c.mode === 3;
    return periodic && c.gate && n > 1 ? PIT_HZ / n : 0;
  }

  reset(kind: ResetKind): void {
    if (kind === 'hard') return;
    for (let i = 0; i < 3; i++) {
      const c = this.counters[i];
      c.controlWord(0x30, 0);
      c.cr = 0;
      c.held = 0;
      c.n = 0;
      c.pos = 0;
      c.posAt = 0;
      c.gate = i !== 2;
    }
    this.timer.cancel();
    this.irq0Level = false;
    this.irq0.lower();
  }

  saveState(): DeviceState {
    return {
      device: this.name,
      version: STATE_VERSION,
      fields: { counters: this.counters.map((c) => c.save()), irq0: this.irq0Level },
    };
  }

  loadState(state: DeviceState): void {
    const f = expectState(state, this.name, STATE_VERSION);
    const list = objListField(f, 'counters', 3);
    list.forEach((cf, i) => this.counters[i].load(cf));
    // The timer's deadline comes back with the Scheduler's state; only the line is re-driven.
    this.irq0Level = boolField(f, 'irq0');
    if (this.irq0Level) this.irq0.raise();
    else this.irq0.lower();
  }

  inspect(): readonly InspectNode[] {
    const t = this.clock();
    return this.counters.map((c, i) => {
      // Inspect must not disturb the counter: read from a copy of its timing state.
      const probe = new Counter();
      probe.load(c.save());
      probe.settle(t);
      return {
        name: `counter ${i}`,
        value: `mode ${c.mode}, count ${hex(probe.value(), 4)}, OUT ${probe.out() ? 1 : 0}`,
        children: [
          { name: 'count register', value: hex(c.cr, 4) },
          { name: 'access', value: ['latch', 'LSB', 'MSB', 'LSB then MSB'][c.rw] },
          { name: 'BCD', value: c.bcd ? 'yes' : 'no' },
          { name: 'gate', value: c.gate ? '1' : '0' },
          { name: 'null count', value: c.nullCount ? '1' : '0' },
          { name: 'latched', value: c.latched ? hex(c.latchValue, 4) : c.statusLatched ? `status ${hex(c.status, 2)}` : 'no' },
        ],
      };
    });
  }
}

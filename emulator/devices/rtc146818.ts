/**
 * Motorola MC146818A real-time clock with its CMOS RAM, at 70h (index; bit 7 masks NMI) and 71h
 * (data), interrupting on IRQ8.
 *
 * Wiring:
 *   const cmos = buildCmos({ memoryBytes: 16 << 20, floppies: ['1.44M'], hardDisks: [{ cylinders: 65, heads: 16, sectors: 63 }] });
 *   const rtc = new Rtc146818(io, scheduler, new WiredIrqLine(pic, 8), {
 *     startTime: localClockDate(new Date()),   // tests pass a fixed Date: runs are then reproducible
 *     cmos,
 *     onNmiMask: (masked) => cpu.setNmiMask(masked),
 *   });
 *
 * The clock starts at `startTime` (its UTC fields are what the guest reads; localClockDate shifts a
 * host Date so they show local wall time) and then advances only in virtual time: one update
 * cycle per virtual second, a Scheduler timer (`rtc.update`). From the data sheet: BCD or binary
 * data mode and 12/24-hour mode (register B; the chip increments in the current mode and does not
 * convert stored values), the SET bit (inhibits updates, clears UIE), UIP (set 244 us before an
 * update and held through the 1984 us update cycle), the divider chain (DV=010 runs, 11x holds it
 * in reset, and the first update comes 500 ms after release; other DV values stop the clock,
 * because the PC's time base is a 32.768 kHz crystal), rate selection for the periodic interrupt,
 * the alarm with don't-care values (C0h-FFh), the update-ended interrupt, register C (read clears
 * the flags and releases IRQ8), register D (VRT). Daylight-saving (DSE) is stored but not applied.
 *
 * The periodic flag is computed from virtual time when register C is read; a timer
 * (`rtc.periodic`) runs only while PIE is set, so an unused 1024 Hz tap costs nothing.
 *
 * reset('hard') is the chip's RESET pin driven by the system RESET line: it clears PIE, AIE, UIE,
 * SQWE and the register C flags, and keeps the time and the battery-backed RAM (the shutdown byte 0Fh
 * reaches the BIOS). reset('power') reloads the configured image and start time.
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
import { fixedBytesField, intField, timeField } from './stateFields.js';
import { clockEdgesAt, tickOfClockEdge } from './virtualClock.js';

/** CMOS addresses of the standard AT layout. */
export const CMOS = {
  seconds: 0x00,
  secondsAlarm: 0x01,
  minutes: 0x02,
  minutesAlarm: 0x03,
  hours: 0x04,
  hoursAlarm: 0x05,
  dayOfWeek: 0x06,
  dayOfMonth: 0x07,
  month: 0x08,
  year: 0x09,
  regA: 0x0a,
  regB: 0x0b,
  regC: 0x0c,
  regD: 0x0d,
  diagnostic: 0x0e,
  shutdown: 0x0f,
  floppyTypes: 0x10,
  hardDiskTypes: 0x12,
  equipment: 0x14,
  baseMemLow: 0x15,
  baseMemHigh: 0x16,
  extMemLow: 0x17,
  extMemHigh: 0x18,
  disk0Type: 0x19,
  disk1Type: 0x1a,
  disk0Params: 0x1b,
  disk1Params: 0x24,
  checksumHigh: 0x2e,
  checksumLow: 0x2f,
  extMem2Low: 0x30,
  extMem2High: 0x31,
  century: 0x32,
  above16mLow: 0x34,
  above16mHigh: 0x35,
} as const;

export type FloppyDriveType = '360K' | '1.2M' | '720K' | '1.44M' | '2.88M';

/** CMOS 10h drive type codes (IBM AT, extended by later BIOSes for 3.5" drives). */
export const FLOPPY_CMOS_CODE: { readonly [t in FloppyDriveType]: number } = {
  '360K': 1,
  '1.2M': 2,
  '720K': 3,
  '1.44M': 4,
  '2.88M': 5,
};

export interface CmosDiskGeometry {
  readonly cylinders: number;
  readonly heads: number;
  readonly sectors: number;
}

export interface CmosConfig {
  /** Installed RAM in bytes (at least 1 MiB). */
  readonly memoryBytes: number;
  /** Drive A: and B: types; null or absent = no drive. */
  readonly floppies?: readonly (FloppyDriveType | null)[];
  /** Primary master and slave hard disks (user type 47 with their CHS); null = none. */
  readonly hardDisks?: readonly (CmosDiskGeometry | null)[];
  readonly coprocessor?: boolean;
}

/** Sum of bytes 10h-2Dh, which the AT BIOS keeps at 2Eh (high byte) and 2Fh. */
export function cmosChecksum(cmos: Uint8Array): number {
  let sum = 0;
  for (let a = 0x10; a <= 0x2d; a++) sum += cmos[a];
  return sum & 0xffff;
}

/**
 * The CMOS image a freshly configured AT would hold: memory sizes, drive types, equipment byte,
 * hard disk parameters and checksum. Time registers and the century byte come from the RTC's
 * start time.
 */
export function buildCmos(config: CmosConfig): Uint8Array {
  const c = new Uint8Array(128);
  if (!(config.memoryBytes >= 0x100000)) throw new RangeError(`CMOS: memory size must be at least 1 MiB, not ${config.memoryBytes}`);
  const floppies = config.floppies ?? [];
  const fa = floppies[0] ?? null;
  const fb = floppies[1] ?? null;
  c[CMOS.floppyTypes] = ((fa ? FLOPPY_CMOS_CODE[fa] : 0) << 4) | (fb ? FLOPPY_CMOS_CODE[fb] : 0);
  const drives = (fa ? 1 : 0) + (fb ? 1 : 0);
  // Equipment: bit 0 floppy present, bits 7-6 floppy count - 1, bits 5-4 = 00 (EGA/VGA with its
  // own BIOS), bit 1 math coprocessor.
  c[CMOS.equipment] = (drives > 0 ? 1 | ((drives - 1) << 6) : 0) | (config.coprocessor ? 2 : 0);
  const baseKb = 640;
  c[CMOS.baseMemLow] = baseKb & 0xff;
  c[CMOS.baseMemHigh] = baseKb >> 8;
  const extKb = Math.min(0xffff, Math.floor((config.memoryBytes - 0x100000) / 1024));
  c[CMOS.extMemLow] = extKb & 0xff;
  c[CMOS.extMemHigh] = extKb >> 8;
  c[CMOS.extMem2Low] = extKb & 0xff;
  c[CMOS.extMem2High] = extKb >> 8;
  const above16m = Math.min(0xffff, Math.max(0, Math.floor((config.memoryBytes - 0x1000000) / 0x10000)));
  c[CMOS.above16mLow] = above16m & 0xff;
  c[CMOS.above16mHigh] = above16m >> 8;
  const disks = config.hardDisks ?? [];
  let types = 0;
  for (let i = 0; i < 2; i++) {
    const d = disks[i] ?? null;
    if (d === null) continue;
    if (d.cylinders < 1 || d.cylinders > 0xffff || d.heads < 1 || d.heads > 16 || d.sectors < 1 || d.sectors > 63) {
      throw new RangeError(`CMOS: hard disk ${i} geometry ${d.cylinders}/${d.heads}/${d.sectors} is not a valid CHS`);
    }
    // Type 0Fh in 12h means "see 19h/1Ah"; type 47 is the user-defined type whose parameters
    // follow at 1Bh (disk 0) or 24h (disk 1).
    types |= 0xf << (i === 0 ? 4 : 0);
    c[i === 0 ? CMOS.disk0Type : CMOS.disk1Type] = 47;
    const p = i === 0 ? CMOS.disk0Params : CMOS.disk1Params;
    c[p] = d.cylinders & 0xff;
    c[p + 1] = d.cylinders >> 8;
    c[p + 2] = d.heads;
    c[p + 3] = 0xff; // write precompensation: none
    c[p + 4] = 0xff;
    c[p + 5] = 0xc0 | (d.heads > 8 ? 0x08 : 0); // control byte: no retries, >8 heads
    c[p + 6] = d.cylinders & 0xff; // landing zone
    c[p + 7] = d.cylinders >> 8;
    c[p + 8] = d.sectors;
  }
  c[CMOS.hardDiskTypes] = types;
  c[CMOS.regA] = 0x26;
  c[CMOS.regB] = 0x02;
  c[CMOS.regD] = 0x80;
  const sum = cmosChecksum(c);
  c[CMOS.checksumHigh] = sum >> 8;
  c[CMOS.checksumLow] = sum & 0xff;
  return c;
}

/** A Date whose UTC fields show `d`'s local wall time, for an RTC that should read local time. */
export function localClockDate(d: Date): Date {
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000);
}

export interface RtcOptions {
  /** Time at power-on (UTC fields); use a fixed value for reproducible runs. */
  readonly startTime: Date;
  /** Initial CMOS image (128 bytes, e.g. from buildCmos); defaults to an empty AT image. */
  readonly cmos?: Uint8Array;
  /** Port 70h bit 7: true = NMI masked. */
  readonly onNmiMask?: (masked: boolean) => void;
}

const REG_A_UIP = 0x80;
const REG_B_SET = 0x80;
const REG_B_PIE = 0x40;
const REG_B_AIE = 0x20;
const REG_B_UIE = 0x10;
const REG_B_SQWE = 0x08;
const REG_B_BINARY = 0x04;
const REG_B_24H = 0x02;
const REG_C_IRQF = 0x80;
const REG_C_PF = 0x40;
const REG_C_AF = 0x20;
const REG_C_UF = 0x10;

/** UIP rises this long before an update (tBUC) and stays up through the update cycle (tUC). */
const UIP_BEFORE_US = 244;
const UPDATE_CYCLE_US = 1984;

function bcdToBin(v: number): number {
  return (v >> 4) * 10 + (v & 15);
}

function binToBcd(v: number): number {
  return (Math.floor(v / 10) << 4) | v % 10;
}

function daysInMonth(month: number, year: number): number {
  if (month === 2) return year % 4 === 0 ? 29 : 28; // the chip's rule: every fourth year
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const STATE_VERSION = 1;

export class Rtc146818 implements Device {
  readonly name = 'rtc';
  /** Registers 00h-0Dh and CMOS RAM 0Eh-7Fh. */
  readonly ram = new Uint8Array(128);
  private readonly initialCmos: Uint8Array;
  private index = 0;
  private nmiMasked = true;
  /** Tick of the last update cycle (for UIP's trailing window); far in the past before the first. */
  private lastUpdate = -1e18;
  /** Tick the divider chain left reset: periodic edges are counted from here. */
  private dividerEpoch = 0;
  /** Periodic edges up to this tick have been reflected in PF. */
  private pfSync = 0;
  private irqLevel = false;
  private readonly updateTimer: Timer;
  private readonly periodicTimer: Timer;

  constructor(
    io: IoBus,
    private readonly scheduler: Scheduler,
    private readonly irq: IrqLine,
    private readonly options: RtcOptions,
  ) {
    if (Number.isNaN(options.startTime.getTime())) throw new RangeError('RTC start time is not a valid date');
    if (options.cmos !== undefined && options.cmos.length !== 128) throw new RangeError(`CMOS image must be 128 bytes, not ${options.cmos.length}`);
    this.initialCmos = options.cmos ? options.cmos.slice() : buildCmos({ memoryBytes: 0x100000 });
    this.updateTimer = scheduler.createTimer('rtc.update', (now) => this.update(now));
    this.periodicTimer = scheduler.createTimer('rtc.periodic', (now) => this.periodicEdge(now));
    io.register(0x70, 0x71, { read8: (p) => this.read(p), write8: (p, v) => this.write(p, v) }, this.name, 'RTC/CMOS (MC146818A): index + NMI mask, data');
    this.reset('power');
  }

  get nmiMask(): boolean {
    return this.nmiMasked;
  }

  /** The CMOS image for the machine configuration, e.g. to persist it between sessions. */
  cmosImage(): Uint8Array {
    return this.ram.slice();
  }

  private ticksFromUs(us: number): number {
    return this.scheduler.ticksFromSeconds(us / 1e6);
  }

  private dividerRunning(): boolean {
    return (this.ram[CMOS.regA] & 0x70) === 0x20;
  }

  /** Periodic interrupt frequency in Hz for the current RS bits (32.768 kHz time base), or 0. */
  periodicHz(): number {
    const rs = this.ram[CMOS.regA] & 0x0f;
    if (rs === 0 || !this.dividerRunning()) return 0;
    return rs <= 2 ? 65536 >> (rs + 7) : 65536 >> rs;
  }

  private read(port: number): number {
    if (port === 0x70) return 0xff; // write-only on the AT
    const i = this.index;
    switch (i) {
      case CMOS.regA:
        return (this.ram[i] & 0x7f) | (this.uip() ? REG_A_UIP : 0);
      case CMOS.regC: {
        this.syncPeriodicFlag();
        const v = this.ram[i];
        this.ram[i] = 0;
        this.setIrq(false);
        return v;
      }
      case CMOS.regD:
        return 0x80; // VRT: the battery is good
      default:
        return this.ram[i];
    }
  }

  private write(port: number, value: number): void {
    if (port === 0x70) {
      this.index = value & 0x7f;
      const masked = (value & 0x80) !== 0;
      if (masked !== this.nmiMasked) {
        this.nmiMasked = masked;
        this.options.onNmiMask?.(masked);
      }
      return;
    }
    const i = this.index;
    switch (i) {
      case CMOS.regA:
        this.writeRegA(value);
        return;
      case CMOS.regB:
        this.writeRegB(value);
        return;
      case CMOS.regC:
      case CMOS.regD:
        return; // read-only
      default:
        this.ram[i] = value;
    }
  }

  private writeRegA(value: number): void {
    const wasRunning = this.dividerRunning();
    const wasReset = (this.ram[CMOS.regA] & 0x60) === 0x60;
    this.syncPeriodicFlag();
    this.ram[CMOS.regA] = value & 0x7f;
    const now = this.scheduler.now;
    if (this.dividerRunning()) {
      if (wasReset || !wasRunning) {
        // Leaving divider reset: the chain restarts and the first update comes half a second later.
        this.dividerEpoch = now;
        this.pfSync = now;
        this.updateTimer.setAt(now + this.scheduler.ticksFromSeconds(0.5));
      }
    } else {
      this.updateTimer.cancel();
    }
    this.armPeriodic();
  }

  private writeRegB(value: number): void {
    this.syncPeriodicFlag();
    // Setting SET inhibits update transfers and clears UIE.
    if (value & REG_B_SET) value &= ~REG_B_UIE;
    this.ram[CMOS.regB] = value;
    this.armPeriodic();
    this.updateIrqf();
  }

  /** UIP: within 244 us before the next update, or within the 1984 us update cycle. */
  private uip(): boolean {
    if (this.ram[CMOS.regB] & REG_B_SET || !this.dividerRunning()) return false;
    const now = this.scheduler.now;
    if (this.updateTimer.active && now >= this.updateTimer.deadline - this.ticksFromUs(UIP_BEFORE_US)) return true;
    return now < this.lastUpdate + this.ticksFromUs(UPDATE_CYCLE_US);
  }

  /** Sets PF if a periodic edge passed since the flag was last brought up to date. */
  private syncPeriodicFlag(): void {
    const now = this.scheduler.now;
    const hz = this.periodicHz();
    if (hz > 0 && now > this.pfSync) {
      const before = clockEdgesAt(this.pfSync - this.dividerEpoch, hz, this.scheduler.hz);
      const after = clockEdgesAt(now - this.dividerEpoch, hz, this.scheduler.hz);
      if (after > before) this.ram[CMOS.regC] |= REG_C_PF;
    }
    this.pfSync = now;
  }

  /** Runs the periodic timer only while PIE asks for interrupts. */
  private armPeriodic(): void {
    const hz = this.periodicHz();
    if (hz === 0 || (this.ram[CMOS.regB] & REG_B_PIE) === 0) {
      this.periodicTimer.cancel();
      return;
    }
    const edges = clockEdgesAt(this.scheduler.now - this.dividerEpoch, hz, this.scheduler.hz);
    this.periodicTimer.setAt(this.dividerEpoch + tickOfClockEdge(edges + 1, hz, this.scheduler.hz));
  }

  private periodicEdge(now: number): void {
    this.pfSync = now;
    this.ram[CMOS.regC] |= REG_C_PF;
    this.updateIrqf();
    this.armPeriodic();
  }

  private update(now: number): void {
    this.lastUpdate = now;
    this.updateTimer.setAt(now + this.scheduler.hz);
    if (this.ram[CMOS.regB] & REG_B_SET) return;
    this.tickOneSecond();
    let flags = REG_C_UF;
    if (this.alarmMatches()) flags |= REG_C_AF;
    this.ram[CMOS.regC] |= flags;
    this.updateIrqf();
  }

  private alarmMatches(): boolean {
    const r = this.ram;
    const match = (alarm: number, value: number) => (r[alarm] & 0xc0) === 0xc0 || r[alarm] === r[value];
    return match(CMOS.secondsAlarm, CMOS.seconds) && match(CMOS.minutesAlarm, CMOS.minutes) && match(CMOS.hoursAlarm, CMOS.hours);
  }

  /** The update cycle's increment, in the data mode register B selects now. */
  private tickOneSecond(): void {
    const r = this.ram;
    const binary = (r[CMOS.regB] & REG_B_BINARY) !== 0;
    const h24 = (r[CMOS.regB] & REG_B_24H) !== 0;
    const dec = (v: number) => (binary ? v : bcdToBin(v));
    const enc = (v: number) => (binary ? v : binToBcd(v));
    const sec = dec(r[CMOS.seconds]) + 1;
    if (sec < 60) {
      r[CMOS.seconds] = enc(sec);
      return;
    }
    r[CMOS.seconds] = enc(0);
    const min = dec(r[CMOS.minutes]) + 1;
    if (min < 60) {
      r[CMOS.minutes] = enc(min);
      return;
    }
    r[CMOS.minutes] = enc(0);
    const hv = r[CMOS.hours];
    let hour = h24 ? dec(hv) : (dec(hv & 0x7f) % 12) + (hv & 0x80 ? 12 : 0);
    hour++;
    if (hour < 24) {
      r[CMOS.hours] = h24 ? enc(hour) : this.encode12h(hour, enc);
      return;
    }
    r[CMOS.hours] = h24 ? enc(0) : this.encode12h(0, enc);
    r[CMOS.dayOfWeek] = enc((dec(r[CMOS.dayOfWeek]) % 7) + 1);
    const year = dec(r[CMOS.year]);
    const month = dec(r[CMOS.month]);
    const day = dec(r[CMOS.dayOfMonth]) + 1;
    if (day <= daysInMonth(month, year)) {
      r[CMOS.dayOfMonth] = enc(day);
      return;
    }
    r[CMOS.dayOfMonth] = enc(1);
    if (month < 12) {
      r[CMOS.month] = enc(month + 1);
      return;
    }
    r[CMOS.month] = enc(1);
    r[CMOS.year] = enc((year + 1) % 100);
  }

  private encode12h(hour: number, enc: (v: number) => number): number {
    const h12 = hour % 12 === 0 ? 12 : hour % 12;
    return enc(h12) | (hour >= 12 ? 0x80 : 0);
  }

  private updateIrqf(): void {
    const r = this.ram;
    const c = r[CMOS.regC] & 0x70;
    const irqf = (c & r[CMOS.regB] & (REG_B_PIE | REG_B_AIE | REG_B_UIE)) !== 0;
    if (irqf) r[CMOS.regC] |= REG_C_IRQF;
    this.setIrq((r[CMOS.regC] & REG_C_IRQF) !== 0);
  }

  private setIrq(level: boolean): void {
    if (level === this.irqLevel) return;
    this.irqLevel = level;
    if (level) this.irq.raise();
    else this.irq.lower();
  }

  /** Loads the time registers and the century byte from the start time, in the current modes. */
  private loadTime(d: Date): void {
    const r = this.ram;
    const binary = (r[CMOS.regB] & REG_B_BINARY) !== 0;
    const h24 = (r[CMOS.regB] & REG_B_24H) !== 0;
    const enc = (v: number) => (binary ? v : binToBcd(v));
    r[CMOS.seconds] = enc(d.getUTCSeconds());
    r[CMOS.minutes] = enc(d.getUTCMinutes());
    r[CMOS.hours] = h24 ? enc(d.getUTCHours()) : this.encode12h(d.getUTCHours(), enc);
    r[CMOS.dayOfWeek] = enc(d.getUTCDay() + 1);
    r[CMOS.dayOfMonth] = enc(d.getUTCDate());
    r[CMOS.month] = enc(d.getUTCMonth() + 1);
    r[CMOS.year] = enc(d.getUTCFullYear() % 100);
    r[CMOS.century] = binToBcd(Math.floor(d.getUTCFullYear() / 100) % 100);
  }

  reset(kind: ResetKind): void {
    if (kind === 'hard') {
      this.ram[CMOS.regB] &= ~(REG_B_PIE | REG_B_AIE | REG_B_UIE | REG_B_SQWE);
      this.ram[CMOS.regC] = 0;
      this.periodicTimer.cancel();
      this.irqLevel = false;
      this.irq.lower();
      return;
    }
    this.ram.set(this.initialCmos);
    this.ram[CMOS.regC] = 0;
    this.ram[CMOS.regA] &= 0x7f;
    this.ram[CMOS.regB] &= ~(REG_B_SET | REG_B_PIE | REG_B_AIE | REG_B_UIE);
    this.loadTime(this.options.startTime);
    this.index = 0;
    this.nmiMasked = true;
    this.options.onNmiMask?.(true);
    const now = this.scheduler.now;
    this.dividerEpoch = now;
    this.pfSync = now;
    this.lastUpdate = -1e18;
    if (this.dividerRunning()) this.updateTimer.setAt(now + this.scheduler.hz);
    else this.updateTimer.cancel();
    this.periodicTimer.cancel();
    this.irqLevel = false;
    this.irq.lower();
  }

  saveState(): DeviceState {
    return {
      device: this.name,
      version: STATE_VERSION,
      fields: {
        ram: this.ram.slice(),
        index: this.index,
        nmiMasked: this.nmiMasked,
        lastUpdate: this.lastUpdate,
        dividerEpoch: this.dividerEpoch,
        pfSync: this.pfSync,
        irq: this.irqLevel,
      },
    };
  }

  loadState(state: DeviceState): void {
    const f = expectState(state, this.name, STATE_VERSION);
    this.ram.set(fixedBytesField(f, 'ram', 128));
    this.index = intField(f, 'index', 0, 0x7f);
    this.nmiMasked = boolField(f, 'nmiMasked');
    this.lastUpdate = timeField(f, 'lastUpdate');
    this.dividerEpoch = timeField(f, 'dividerEpoch');
    this.pfSync = timeField(f, 'pfSync');
    this.irqLevel = boolField(f, 'irq');
    if (this.irqLevel) this.irq.raise();
    else this.irq.lower();
    this.options.onNmiMask?.(this.nmiMasked);
  }

  inspect(): readonly InspectNode[] {
    const r = this.ram;
    const t = (a: number) => hex(r[a], 2);
    const rows: InspectNode[] = [];
    for (let a = 0x0e; a < 0x80; a += 16) {
      const bytes: string[] = [];
      for (let i = a; i < Math.min(a + 16, 0x80); i++) bytes.push(hex(r[i], 2));
      rows.push({ name: hex(a, 2), value: bytes.join(' ') });
    }
    return [
      { name: 'time', value: `${t(CMOS.hours)}:${t(CMOS.minutes)}:${t(CMOS.seconds)}` },
      { name: 'date', value: `${hex(r[CMOS.century], 2)}${t(CMOS.year)}-${t(CMOS.month)}-${t(CMOS.dayOfMonth)} (day ${t(CMOS.dayOfWeek)})` },
      { name: 'alarm', value: `${t(CMOS.hoursAlarm)}:${t(CMOS.minutesAlarm)}:${t(CMOS.secondsAlarm)}` },
      { name: 'register A', value: t(CMOS.regA) },
      { name: 'register B', value: t(CMOS.regB) },
      { name: 'register C', value: t(CMOS.regC) },
      { name: 'index', value: `${hex(this.index, 2)}${this.nmiMasked ? ' (NMI masked)' : ''}` },
      { name: 'shutdown status', value: t(CMOS.shutdown) },
      { name: 'CMOS RAM', value: '0Eh-7Fh', children: rows },
    ];
  }
}

/**
 * The PC: wiring only. Memory map (RAM, the VGA window, the video ROM at C0000h and the system ROM
 * at F0000h with its top-of-bus alias), the I/O bus, the IRQ lines of the PIC pair, the devices,
 * the CPU and the BIOS behind its trap. Time is the Scheduler's: one tick per instruction slot, a
 * HLT skips to the next timer deadline, and the host clock never reaches the guest.
 *
 * Snapshots (saveState/loadState) hold the CPU, every device, the scheduler and RAM (deflated). The
 * BIOS needs none: its only state is in guest memory. Disk contents are not part of a snapshot.
 */
import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { Bios } from '../bios/bios.js';
import type { BiosConfig } from '../bios/biosContext.js';
import { AtaChannel } from '../devices/ata.js';
import { DebugConsolePort } from '../devices/debugConsole.js';
import { Dma8237 } from '../devices/dma8237.js';
import { Fdc82077 } from '../devices/fdc82077.js';
import { I8042 } from '../devices/i8042.js';
import { PostCodePort } from '../devices/postCodes.js';
import { Serial16550 } from '../devices/serial16550.js';
import { SystemControlA } from '../devices/systemControlA.js';
import { DualPic8259 } from '../devices/pic8259.js';
import { Pit8254 } from '../devices/pit8254.js';
import { Rtc146818, buildCmos, type FloppyDriveType } from '../devices/rtc146818.js';
import { SystemControlB } from '../devices/systemControlB.js';
import { Vga } from '../devices/vga/vga.js';
import type { FrameResult } from '../devices/vga/renderer.js';
import { encodePng } from '../render/png.js';
import { IoBus } from '../io/ioBus.js';
import { WiredIrqLine, type IrqLine } from '../io/irq.js';
import { PhysicalMemory } from '../memory/physicalMemory.js';
import { StateError, type Device, type DeviceState, type ResetKind, type StateValue } from './device.js';
import type { MachineCpu } from './machineCpu.js';
import { resolveConfig, type MachineConfig, type ResolvedConfig } from './machineConfig.js';
import { Scheduler } from './scheduler.js';
import { KeyTypist, type KeyEventSink } from './keyTypist.js';

export interface CpuFactoryOptions {
  readonly model: '386' | '486';
  readonly memory: PhysicalMemory;
  readonly io: IoBus;
}
export type CpuFactory = (options: CpuFactoryOptions) => MachineCpu;

/** Why `run` returned. */
export type RunStop = 'budget' | 'stop' | 'halt' | 'shutdown' | 'breakpoint' | 'unsupported';

export interface RunResult {
  readonly stop: RunStop;
  /** Virtual ticks that passed (instructions plus ticks skipped while halted). */
  readonly ticks: number;
}

export interface MachineSnapshot {
  readonly format: 'win31-machine';
  readonly version: 1;
  readonly cpu: DeviceState;
  readonly scheduler: DeviceState;
  readonly devices: readonly DeviceState[];
  /** The two A20 gates: the 8042 output port and port 92h. */
  readonly a20: { readonly kbc: boolean; readonly fast: boolean };
  /** The time slice in progress: instructions done in it and where it ends (-1: none). */
  readonly slice: { readonly done: number; readonly end: number };
  /** RAM, raw-deflated. */
  readonly ram: Uint8Array;
}

const FLOPPY_TYPES: Record<number, FloppyDriveType> = { 1: '360K', 2: '1.2M', 3: '720K', 4: '1.44M', 5: '2.88M' };
/** Instructions per CPU call: bounds how late a pause request or a timer is seen. */
const SLICE = 20_000;

export class Machine {
  readonly config: ResolvedConfig;
  readonly memory: PhysicalMemory;
  readonly io = new IoBus();
  readonly scheduler: Scheduler;
  readonly cpu: MachineCpu;
  readonly pic: DualPic8259;
  readonly pit: Pit8254;
  readonly port61: SystemControlB;
  readonly rtc: Rtc146818;
  readonly vga: Vga;
  readonly kbc: I8042;
  readonly dma: Dma8237;
  readonly ata: AtaChannel;
  readonly fdc: Fdc82077;
  readonly port92: SystemControlA;
  readonly com1: Serial16550 | null;
  readonly postCodes: PostCodePort;
  readonly debugConsole: DebugConsolePort;
  readonly bios: Bios;
  /** Every device, in reset and snapshot order. */
  readonly devices: Device[] = [];
  private readonly irqs: IrqLine[] = [];
  private stopRequested = false;
  /** Instructions run in the current time slice, not yet given to the scheduler. */
  private sliceDone = 0;
  /** Absolute tick where the current slice ends; -1 between slices. */
  private sliceEnd = -1;
  /** A CPU reset requested by a device (8042 pulse, port 92h), done at the next slice boundary. */
  private resetPending = false;
  /** A20 as each gate drives it: the 8042 output port and port 92h are ORed, as on AT boards. */
  private a20Kbc = true;
  private a20Fast = false;
  private keyboard: KeyEventSink | null = null;
  /** Text typed into the guest a keystroke at a time (see keyTypist.ts). */
  readonly typist: KeyTypist;
  /** How often INT 16h found no key waiting: a guest sitting at a prompt makes this grow. */
  keyboardIdleCount = 0;
  /** Serial (COM1) output, byte by byte. */
  onSerial: ((byte: number) => void) | null = null;
  /** The CPU halted with interrupts disabled: nothing will wake it. */
  onHalt: (() => void) | null = null;
  /** Bytes written to the debug console port E9h. */
  onDebugConsole: ((byte: number) => void) | null = null;
  /** Triple fault or another shutdown cycle (the machine then resets the CPU). */
  onShutdown: (() => void) | null = null;

  constructor(config: MachineConfig, cpuFactory: CpuFactory) {
    const c = resolveConfig(config);
    this.config = c;
    this.scheduler = new Scheduler(c.ticksPerSecond);
    this.memory = new PhysicalMemory(c.memoryBytes, 32);
    this.cpu = cpuFactory({ model: c.cpu, memory: this.memory, io: this.io });
    this.pic = new DualPic8259(this.io, (level) => this.cpu.setIntr(level));
    this.cpu.pic = this.pic;
    for (let i = 0; i < 16; i++) this.irqs.push(new WiredIrqLine(this.pic, i));
    this.pit = new Pit8254(this.io, this.scheduler, this.irqs[0]);
    this.port61 = new SystemControlB(this.io, this.pit);
    const cmos = buildCmos({
      memoryBytes: c.memoryBytes,
      floppies: [c.floppy ? FLOPPY_TYPES[c.floppy.geometry.driveType] : null],
      hardDisks: [c.hardDisk ? c.hardDisk.geometry : null],
      coprocessor: c.cpu === '486',
    });
    this.rtc = new Rtc146818(this.io, this.scheduler, this.irqs[8], { startTime: c.rtcStart, cmos });
    this.vga = new Vga(this.scheduler);
    this.vga.attach(this.io, this.memory);
    this.kbc = new I8042(this.io, this.scheduler, this.irqs[1], this.irqs[12], {
      onA20: (on) => {
        this.a20Kbc = on;
        this.updateA20();
      },
      onReset: () => this.requestReset(),
    });
    this.keyboard = this.kbc;
    this.port92 = new SystemControlA(this.io, {
      onA20: (on) => this.setFastA20(on),
      onReset: () => this.requestReset(),
    });
    this.dma = new Dma8237(this.io, this.memory);
    this.com1 = c.serial ? new Serial16550(this.io, this.scheduler, this.irqs[4], { onTransmit: (b) => this.onSerial?.(b) }) : null;
    const hd = c.hardDisk;
    this.ata = new AtaChannel(this.io, this.irqs[14], {
      master: hd ? { disk: hd.image, cylinders: hd.geometry.cylinders, heads: hd.geometry.heads, sectors: hd.geometry.sectors } : null,
    });
    const fd = c.floppy;
    this.fdc = new Fdc82077(this.io, this.irqs[6], this.dma, {
      drives: [fd ? { type: FLOPPY_TYPES[fd.geometry.driveType], disk: fd.image } : null],
    });
    this.postCodes = new PostCodePort(this.io);
    this.debugConsole = new DebugConsolePort(this.io, (b) => this.onDebugConsole?.(b));
    this.devices.push(this.pic, this.pit, this.port61, this.rtc, this.vga, this.kbc, this.port92, this.dma, this.ata, this.fdc, this.postCodes, this.debugConsole);
    if (this.com1) this.devices.push(this.com1);

    const biosConfig: BiosConfig = {
      memoryBytes: c.memoryBytes,
      floppies: [c.floppy ? c.floppy.geometry : null],
      hardDisks: c.hardDisk ? [c.hardDisk.biosGeometry] : [],
      bootOrder: c.bootOrder,
      serialPorts: c.serial ? [0x3f8] : [],
      hasFpu: c.cpu === '486',
    };
    this.bios = new Bios(biosConfig, this.cpu, (index) => {
      this.io.out8(0x70, 0x80 | index);
      return this.io.in8(0x71);
    });
    this.memory.loadRom(0xc0000, this.bios.videoRom.image);
    this.memory.loadRom(0xf0000, this.bios.rom.image);
    this.cpu.biosTrap = (id) => this.bios.trap(id);
    // Guests that only poll (the DOS prompt polls INT 16h AH=01h) get a key after a quarter of a
    // second of polling without one. Keys typed while a boot loader polls for a hot key (FreeDOS's
    // F5/F8) are taken by it, as they would be from a person typing early.
    this.typist = new KeyTypist(Math.round(c.ticksPerSecond / 4), c.ticksPerSecond);
    this.bios.onKeyboardIdle = (blocking) => {
      this.keyboardIdleCount++;
      this.typist.keyWanted(blocking);
    };
  }

  /** Connects the keyboard (the 8042's keyboard port) that keyEvent and typeText drive. */
  setKeyboard(sink: KeyEventSink): void {
    this.keyboard = sink;
  }

  /** A key press or release by its KeyboardEvent.code. */
  keyEvent(code: string, pressed: boolean): void {
    if (this.keyboard === null) throw new Error('this machine has no keyboard controller');
    this.keyboard.keyEvent(code, pressed);
  }

  /** Queues text to type (see keyTypist.ts for the syntax); keys go in as the guest asks for them. */
  typeText(text: string): void {
    this.typist.type(text, this.scheduler.now);
  }

  private updateA20(): void {
    this.memory.setA20(this.a20Kbc || this.a20Fast);
  }

  /** Port 92h bit 1 (the "fast A20" gate). */
  setFastA20(on: boolean): void {
    this.a20Fast = on;
    this.updateA20();
  }

  /** Pulses the CPU's RESET line at the next instruction boundary (RAM and CMOS survive). */
  requestReset(): void {
    this.resetPending = true;
    (this.cpu as { requestStop?: () => void }).requestStop?.();
  }

  /** Moves the mouse (PS/2 packets through the 8042); `buttons` as DOM MouseEvent.buttons. */
  mouseMove(dx: number, dy: number, buttons: number): void {
    this.kbc.mouseMove(dx, dy, buttons);
  }

  /** The IRQ line `n` (0-15) for a device wired from outside. */
  irq(n: number): IrqLine {
    return this.irqs[n];
  }

  /** Adds a device built elsewhere to reset and snapshot handling. */
  addDevice(d: Device): void {
    if (this.devices.some((x) => x.name === d.name)) throw new Error(`device '${d.name}' is already fitted`);
    this.devices.push(d);
  }

  /** Power-on: every device and the CPU to their reset state; RAM cleared. */
  boot(): void {
    this.sliceDone = 0;
    this.sliceEnd = -1;
    this.memory.ram.fill(0);
    this.a20Fast = false;
    this.a20Kbc = true;
    this.updateA20();
    for (const d of this.devices) d.reset('power');
    this.cpu.reset('power');
  }

  /**
   * The CPU's RESET input alone: what the 8042's pulse, port 92h's fast reset and a shutdown cycle
   * drive on an AT. Devices keep their state (the video keeps showing, the 8042 remembers its
   * command byte), RAM and CMOS survive, and POST decides from the CMOS shutdown byte what to do.
   */
  cpuReset(): void {
    this.cpu.reset('hard');
  }

  /** The reset button (the system RESET line): every device gets reset('hard'); RAM and CMOS survive. */
  hardReset(): void {
    this.a20Fast = false;
    this.updateA20();
    for (const d of this.devices) d.reset('hard');
    this.cpu.reset('hard');
  }

  /** Asks a running `run` to return at the next slice boundary (an instruction boundary). */
  requestStop(): void {
    this.stopRequested = true;
  }

  /** Alias of requestStop for the debugger's vocabulary. */
  pause(): void {
    this.requestStop();
  }

  private interruptsEnabled(): boolean {
    return (this.cpu.getReg('eflags') & 0x200) !== 0;
  }

  /** Virtual time in ticks: the scheduler's time plus the instructions of the slice in progress. */
  get virtualTicks(): number {
    return this.scheduler.now + this.sliceDone;
  }

  /** Gives the scheduler the ticks of the slice in progress (timers fire), then types a key if due. */
  private endSlice(): void {
    const n = this.sliceDone;
    this.sliceDone = 0;
    this.sliceEnd = -1;
    if (n > 0) this.scheduler.advance(n);
    if (this.typist.pending !== 0 && this.keyboard !== null) this.typist.pump(this.scheduler.now, this.keyboard);
  }

  /**
   * Runs up to `budget` virtual ticks. Returns early on a stop request, a breakpoint, or a HLT with
   * interrupts disabled. A HLT with interrupts enabled jumps virtual time to the next timer
   * deadline.
   *
   * Time reaches the devices slice by slice: a slice ends on a fixed grid of SLICE ticks or at the
   * timer deadline known when it started, never where a caller's budget ends, and devices see the
   * slice's start time. A run cut into any budgets (a debugger's steps, save/load every 100,000
   * instructions) therefore ends in the same machine state as one uninterrupted run.
   */
  run(budget: number): RunResult {
    const sched = this.scheduler;
    const start = this.virtualTicks;
    const end = start + budget;
    const result = (stop: RunStop): RunResult => ({ stop, ticks: this.virtualTicks - start });
    this.stopRequested = false;
    while (this.virtualTicks < end) {
      if (this.stopRequested) return result('stop');
      if (this.sliceEnd < 0) this.sliceEnd = Math.min((Math.floor(sched.now / SLICE) + 1) * SLICE, sched.nextDeadline());
      const want = Math.max(1, Math.min(this.sliceEnd - sched.now - this.sliceDone, end - this.virtualTicks));
      const n = this.cpu.run(want);
      this.sliceDone += n;
      if (sched.now + this.sliceDone >= this.sliceEnd) this.endSlice();
      const reason = this.cpu.stopReason;
      if (this.resetPending) {
        this.resetPending = false;
        this.cpuReset();
        continue;
      }
      if (reason === 'shutdown') {
        // A shutdown cycle makes the chipset reset the CPU, as on AT boards: the BIOS then honours
        // the CMOS shutdown byte (how 286 software leaves protected mode).
        this.onShutdown?.();
        this.cpuReset();
        continue;
      }
      if (reason === 'breakpoint' || reason === 'unsupported') return result(reason);
      if (reason === 'stop') return result('stop');
      if (this.cpu.halted) {
        if (!this.interruptsEnabled()) {
          this.onHalt?.();
          return result('halt');
        }
        this.endSlice();
        const wake = sched.nextDeadline();
        if (wake === Infinity) {
          this.onHalt?.();
          return result('halt');
        }
        const skip = Math.min(wake, end) - sched.now;
        if (skip > 0) sched.advance(skip);
      }
    }
    return result('budget');
  }

  /**
   * Executes one instruction (stepping over a breakpoint on it) with time accounted exactly as
   * `run` does, so a debugger's single steps leave the same machine as running through.
   */
  step(): RunResult {
    const sched = this.scheduler;
    const start = this.virtualTicks;
    if (this.sliceEnd < 0) this.sliceEnd = Math.min((Math.floor(sched.now / SLICE) + 1) * SLICE, sched.nextDeadline());
    const n = this.cpu.step();
    this.sliceDone += n;
    if (sched.now + this.sliceDone >= this.sliceEnd) this.endSlice();
    const reason = this.cpu.stopReason;
    if (this.resetPending || reason === 'shutdown') {
      if (reason === 'shutdown') this.onShutdown?.();
      this.resetPending = false;
      this.cpuReset();
    }
    const stop: RunStop = reason === 'unsupported' ? 'unsupported' : this.cpu.halted && !this.interruptsEnabled() ? 'halt' : 'budget';
    return { stop, ticks: this.virtualTicks - start };
  }

  /** The text screen as lines (code page 437 mapped to Unicode). */
  screenText(): string[] {
    return this.vga.screenText();
  }

  /** Renders the current picture (text or graphics, real font and palette) as RGBA. */
  renderFrame(): { readonly rgba: Uint8ClampedArray; readonly frame: FrameResult } {
    const g = this.vga.frameGeometry();
    const rgba = new Uint8ClampedArray(Math.max(1, g.width) * Math.max(1, g.height) * 4);
    const frame = this.vga.renderFrame(rgba);
    return { rgba, frame };
  }

  /** The current picture as PNG file bytes. */
  screenshotPng(): Uint8Array {
    const { rgba, frame } = this.renderFrame();
    return encodePng(rgba, frame.width, frame.height);
  }

  // ---------------------------------------------------------------- snapshots

  saveState(): MachineSnapshot {
    return {
      format: 'win31-machine',
      version: 1,
      cpu: this.cpu.saveState(),
      scheduler: this.scheduler.saveState(),
      devices: this.devices.map((d) => d.saveState()),
      a20: { kbc: this.a20Kbc, fast: this.a20Fast },
      slice: { done: this.sliceDone, end: this.sliceEnd },
      ram: deflateRawSync(this.memory.ram, { level: 1 }),
    };
  }

  loadState(s: MachineSnapshot): void {
    if (s.format !== 'win31-machine' || s.version !== 1) throw new StateError('not a machine snapshot of version 1');
    const ram = inflateRawSync(s.ram);
    if (ram.length !== this.memory.ram.length) throw new StateError(`snapshot has ${ram.length} bytes of RAM, this machine ${this.memory.ram.length}`);
    for (const st of s.devices) {
      const d = this.devices.find((x) => x.name === st.device);
      if (!d) throw new StateError(`snapshot has a device '${st.device}' this machine lacks`);
    }
    this.memory.ram.set(ram);
    this.a20Kbc = s.a20.kbc;
    this.a20Fast = s.a20.fast;
    this.updateA20();
    this.sliceDone = s.slice.done;
    this.sliceEnd = s.slice.end;
    for (const st of s.devices) this.devices.find((x) => x.name === st.device)?.loadState(st);
    this.scheduler.loadState(s.scheduler);
    this.cpu.loadState(s.cpu);
  }

  /** SHA-256 over RAM, the CPU, every device and the scheduler: equal hashes, equal machines. */
  stateHash(): string {
    const h = createHash('sha256');
    h.update(this.memory.ram);
    const feed = (v: StateValue): void => {
      if (v instanceof Uint8Array || v instanceof Uint16Array || v instanceof Uint32Array || v instanceof Int32Array || v instanceof Float64Array) {
        h.update(`<${v.constructor.name}:${v.length}>`);
        h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      } else if (Array.isArray(v)) {
        h.update('[');
        for (const x of v as readonly StateValue[]) feed(x);
        h.update(']');
      } else if (v !== null && typeof v === 'object') {
        const o = v as { readonly [k: string]: StateValue };
        h.update('{');
        for (const k of Object.keys(o).sort()) {
          h.update(k);
          feed(o[k]);
        }
        h.update('}');
      } else h.update(`${typeof v}:${String(v)};`);
    };
    const state = (d: DeviceState): void => {
      h.update(`${d.device}@${d.version}`);
      feed(d.fields);
    };
    state(this.cpu.saveState());
    state(this.scheduler.saveState());
    for (const d of this.devices) state(d.saveState());
    h.update(`a20:${this.a20Kbc}:${this.a20Fast};slice:${this.sliceDone}:${this.sliceEnd}`);
    return h.digest('hex');
  }

  /** Resets kind, for callers that hold a ResetKind. */
  reset(kind: ResetKind): void {
    if (kind === 'power') this.boot();
    else this.hardReset();
  }
}

/**
 * The IBM VGA: ports 3B4h/3B5h/3BAh (monochrome addressing) or 3D4h/3D5h/3DAh (colour, Misc
 * Output bit 0), 3C0h-3CFh, and the A0000h-BFFFFh memory window. Register blocks, memory and
 * scan-out live in their own files; this class routes port and memory accesses to them, computes
 * the status bits from virtual time and implements the Device contract.
 */
import type { IoBus, PortHandler } from '../../io/ioBus.js';
import { bytesField, expectState, hex, numField, boolField, type Device, type DeviceState, type InspectNode, type ResetKind, type StateValue } from '../../machine/device.js';
import type { Scheduler } from '../../machine/scheduler.js';
import type { MmioHandler, PhysicalMemory } from '../../memory/physicalMemory.js';
import { AR_REGISTERS, AttributeController } from './attributeController.js';
import { CRTC_REGISTERS, Crtc } from './crtc.js';
import { Dac } from './dac.js';
import { GR_MISC, GR_MODE, GraphicsController } from './graphicsController.js';
import { VgaRenderer, type FrameGeometry, type FrameResult, type VgaParts } from './renderer.js';
import { SR_CHAR_MAP, SR_CLOCKING, Sequencer } from './sequencer.js';
import { readTextSnapshot, snapshotLines, type ScreenTextOptions, type TextSnapshot } from './textScreen.js';
import { beamStatus, computeTiming, frameNumber, type BeamTiming } from './timing.js';
import { VgaMemory } from './vgaMemory.js';

const STATE_VERSION = 1;

export class Vga implements Device, PortHandler, VgaParts {
  readonly name = 'vga';
  readonly seq = new Sequencer();
  readonly crtc = new Crtc();
  readonly gc = new GraphicsController();
  readonly ac = new AttributeController();
  readonly dac = new Dac();
  readonly mem = new VgaMemory(this.seq, this.gc);
  /** Misc Output (3C2h write, 3CCh read). */
  misc = 0;
  /** Feature control (3BAh/3DAh write, 3CAh read). */
  featureControl = 0;
  /** Video subsystem enable (3C3h bit 0): when clear the VGA ignores memory and most ports. */
  subsystemEnable = 1;
  registerGeneration = 0;
  private readonly renderer = new VgaRenderer(this);
  private timing: BeamTiming | null = null;

  constructor(private readonly scheduler: Scheduler) {
    this.reset('power');
  }

  /** Claims the VGA's ports and the A0000h-BFFFFh window. */
  attach(io: IoBus, memory: PhysicalMemory): void {
    io.register(0x3b4, 0x3b5, this, this.name, 'VGA CRTC (mono)');
    io.register(0x3ba, 0x3ba, this, this.name, 'VGA input status 1 / feature control (mono)');
    io.register(0x3c0, 0x3cf, this, this.name, 'VGA attribute, sequencer, DAC, graphics');
    io.register(0x3d4, 0x3d5, this, this.name, 'VGA CRTC (colour)');
    io.register(0x3da, 0x3da, this, this.name, 'VGA input status 1 / feature control (colour)');
    memory.registerMmio(0xa0000, 0xc0000, this.mmio);
  }

  reset(_kind: ResetKind): void {
    this.seq.reset();
    this.crtc.reset();
    this.gc.reset();
    this.ac.reset();
    this.dac.reset();
    this.mem.reset();
    this.misc = 0;
    this.featureControl = 0;
    this.subsystemEnable = 1;
    this.changed();
  }

  /** Register state that affects host accesses, timing or the picture changed. */
  private changed(): void {
    this.registerGeneration++;
    this.timing = null;
    this.mem.decode();
  }

  private get colorAddressing(): boolean {
    return (this.misc & 1) !== 0;
  }

  private beam(): BeamTiming {
    if (this.timing === null) this.timing = computeTiming(this.crtc, this.seq, this.misc, this.scheduler.hz);
    return this.timing;
  }

  // ---- ports ----

  read8(port: number): number {
    if (!this.subsystemEnable && port !== 0x3c3) return 0xff;
    switch (port) {
      case 0x3b4:
      case 0x3d4:
        return this.crtcPort(port) ? this.crtc.index : 0xff;
      case 0x3b5:
      case 0x3d5:
        return this.crtcPort(port) ? this.crtc.read() : 0xff;
      case 0x3ba:
      case 0x3da:
        if (!this.crtcPort(port)) return 0xff;
        // Reading input status 1 resets the attribute flip-flop to "index".
        this.ac.flipFlop = false;
        return beamStatus(this.beam(), this.scheduler.now);
      case 0x3c0:
        return this.ac.index;
      case 0x3c1:
        return this.ac.readData();
      case 0x3c2:
        // Input status 0: no vertical retrace interrupt pending, switch sense 0.
        return 0x00;
      case 0x3c3:
        return this.subsystemEnable;
      case 0x3c4:
        return this.seq.index;
      case 0x3c5:
        return this.seq.read();
      case 0x3c6:
        return this.dac.pelMask;
      case 0x3c7:
        return this.dac.state;
      case 0x3c8:
        return this.dac.writeIndex;
      case 0x3c9:
        return this.dac.readData();
      case 0x3ca:
        return this.featureControl;
      case 0x3cc:
        return this.misc;
      case 0x3ce:
        return this.gc.index;
      case 0x3cf:
        return this.gc.read();
      default:
        return 0xff;
    }
  }

  write8(port: number, value: number): void {
    if (!this.subsystemEnable && port !== 0x3c3) return;
    switch (port) {
      case 0x3b4:
      case 0x3d4:
        if (this.crtcPort(port)) this.crtc.writeIndex(value);
        return;
      case 0x3b5:
      case 0x3d5:
        if (this.crtcPort(port) && this.crtc.write(value) >= 0) this.changed();
        return;
      case 0x3ba:
      case 0x3da:
        if (this.crtcPort(port)) this.featureControl = value & 0x03;
        return;
      case 0x3c0:
        if (this.ac.write(value) >= 0) this.changed();
        return;
      case 0x3c2:
        this.misc = value & 0xef;
        this.changed();
        return;
      case 0x3c3:
        this.subsystemEnable = value & 1;
        return;
      case 0x3c4:
        this.seq.writeIndex(value);
        return;
      case 0x3c5: {
        const r = this.seq.write(value);
        if (r < 0) return;
        if (r === SR_CLOCKING || r === SR_CHAR_MAP) this.changed();
        else this.mem.decode();
        return;
      }
      case 0x3c6:
        this.dac.setPelMask(value);
        return;
      case 0x3c7:
        this.dac.setReadIndex(value);
        return;
      case 0x3c8:
        this.dac.setWriteIndex(value);
        return;
      case 0x3c9:
        this.dac.writeData(value);
        return;
      case 0x3ce:
        this.gc.writeIndex(value);
        return;
      case 0x3cf: {
        const r = this.gc.write(value);
        if (r < 0) return;
        // Only GR5 (shift mode) and GR6 (graphics/window) change the picture; the rest steer
        // host writes, which guests reprogram per pixel, so they must not force a full redraw.
        if (r === GR_MODE || r === GR_MISC) this.changed();
        else this.mem.decode();
        return;
      }
      default:
    }
  }

  /** Whether a 3Bxh/3Dxh CRTC-group port is live under the current addressing (Misc bit 0). */
  private crtcPort(port: number): boolean {
    return (port >= 0x3d0) === this.colorAddressing;
  }

  // ---- memory ----

  private memoryLive(addr: number): boolean {
    return this.subsystemEnable !== 0 && (this.misc & 0x02) !== 0 && this.mem.inWindow(addr);
  }

  /** The memory window's handler (a separate object: its read8/write8 take addresses, not ports). */
  readonly mmio: MmioHandler = {
    read8: (addr: number): number => (this.memoryLive(addr) ? this.mem.read(addr) : 0xff),
    write8: (addr: number, value: number): void => {
      if (this.memoryLive(addr)) this.mem.write(addr, value);
    },
    peek8: (addr: number): number => (this.memoryLive(addr) ? this.mem.peek(addr) : 0xff),
  };

  /** What the guest would read at physical `addr`, without loading the latches. */
  peek8(addr: number): number {
    return this.mmio.peek8(addr);
  }

  /** One byte of one plane, for the debugger and tests. */
  planeByte(plane: number, offset: number): number {
    return this.mem.planeByte(plane, offset);
  }

  // ---- output ----

  frameGeometry(): FrameGeometry {
    return this.renderer.geometry();
  }

  /** Renders the current picture into `target` (RGBA); blink phases follow virtual time. */
  renderFrame(target: Uint8ClampedArray): FrameResult {
    return this.renderer.render(target, frameNumber(this.beam(), this.scheduler.now));
  }

  /** Virtual-time frame period in ticks under the current timings. */
  get frameTicks(): number {
    return this.beam().frameTicks;
  }

  textSnapshot(): TextSnapshot {
    return readTextSnapshot(this);
  }

  /** The text screen as Unicode lines (code page 437 mapped), for the CLI and tests. */
  screenText(options: ScreenTextOptions = {}): string[] {
    return snapshotLines(this.textSnapshot(), options);
  }

  // ---- Device ----

  saveState(): DeviceState {
    const fields: { [field: string]: StateValue } = {
      misc: this.misc,
      featureControl: this.featureControl,
      subsystemEnable: this.subsystemEnable,
      seqIndex: this.seq.index,
      seq: this.seq.regs.slice(),
      crtcIndex: this.crtc.index,
      crtc: this.crtc.regs.slice(),
      gcIndex: this.gc.index,
      gc: this.gc.regs.slice(),
      acIndex: this.ac.index,
      acFlipFlop: this.ac.flipFlop,
      ac: this.ac.regs.slice(),
      dacPalette: this.dac.palette.slice(),
      dacPelMask: this.dac.pelMask,
      dacWriteIndex: this.dac.writeIndex,
      dacReadIndex: this.dac.readIndex,
      dacComponent: this.dac.component,
      dacPending: this.dac.pending.slice(),
      dacReading: this.dac.reading,
      latch: this.mem.latch >>> 0,
      planes: this.mem.bytes.slice(),
    };
    return { device: this.name, version: STATE_VERSION, fields };
  }

  loadState(state: DeviceState): void {
    const f = expectState(state, this.name, STATE_VERSION);
    const regs = (key: string, size: number): Uint8Array => {
      const b = bytesField(f, key);
      if (b.length !== size) throw new Error(`VGA state field '${key}' holds ${b.length} bytes, expected ${size}`);
      return b;
    };
    const seq = regs('seq', this.seq.regs.length);
    const crtc = regs('crtc', CRTC_REGISTERS);
    const gc = regs('gc', this.gc.regs.length);
    const ac = regs('ac', AR_REGISTERS);
    const palette = regs('dacPalette', 768);
    const pending = regs('dacPending', 3);
    const planes = regs('planes', this.mem.bytes.length);
    this.misc = numField(f, 'misc');
    this.featureControl = numField(f, 'featureControl');
    this.subsystemEnable = numField(f, 'subsystemEnable');
    this.seq.index = numField(f, 'seqIndex');
    this.seq.regs.set(seq);
    this.crtc.index = numField(f, 'crtcIndex');
    this.crtc.regs.set(crtc);
    this.gc.index = numField(f, 'gcIndex');
    this.gc.regs.set(gc);
    this.ac.index = numField(f, 'acIndex');
    this.ac.flipFlop = boolField(f, 'acFlipFlop');
    this.ac.regs.set(ac);
    this.dac.palette.set(palette);
    this.dac.pelMask = numField(f, 'dacPelMask');
    this.dac.writeIndex = numField(f, 'dacWriteIndex');
    this.dac.readIndex = numField(f, 'dacReadIndex');
    this.dac.component = numField(f, 'dacComponent');
    this.dac.pending.set(pending);
    this.dac.reading = boolField(f, 'dacReading');
    this.dac.generation++;
    this.mem.bytes.set(planes);
    this.mem.latch = numField(f, 'latch') | 0;
    this.mem.markAllDirty();
    this.changed();
  }

  inspect(): readonly InspectNode[] {
    const block = (name: string, regs: Uint8Array, index: number, prefix: string): InspectNode => ({
      name,
      value: `index ${hex(index, 2)}h`,
      children: Array.from(regs, (v, i) => ({ name: `${prefix}${hex(i, 2)}`, value: `${hex(v, 2)}h` })),
    });
    const g = this.frameGeometry();
    return [
      { name: 'mode', value: `${g.text ? 'text' : 'graphics'} ${g.width}x${g.height}, ${this.colorAddressing ? 'colour 3Dxh' : 'mono 3Bxh'}` },
      { name: 'misc output', value: `${hex(this.misc, 2)}h` },
      { name: 'feature control', value: `${hex(this.featureControl, 2)}h` },
      { name: 'latches', value: `${hex(this.mem.latch, 8)}h (plane 3..0)` },
      block('sequencer', this.seq.regs, this.seq.index, 'SR'),
      block('crtc', this.crtc.regs, this.crtc.index, 'CR'),
      block('graphics', this.gc.regs, this.gc.index, 'GR'),
      {
        name: 'attribute',
        value: `index ${hex(this.ac.index, 2)}h, flip-flop ${this.ac.flipFlop ? 'data' : 'index'}`,
        children: Array.from(this.ac.regs, (v, i) => ({ name: `AR${hex(i, 2)}`, value: `${hex(v, 2)}h` })),
      },
      {
        name: 'dac',
        value: `write ${hex(this.dac.writeIndex, 2)}h read ${hex(this.dac.readIndex, 2)}h mask ${hex(this.dac.pelMask, 2)}h`,
        children: Array.from({ length: 256 }, (_, i) => ({
          name: hex(i, 2),
          value: Array.from(this.dac.palette.subarray(i * 3, i * 3 + 3), (c) => hex(c, 2)).join(' '),
        })),
      },
    ];
  }
}

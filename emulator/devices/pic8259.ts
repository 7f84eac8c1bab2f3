/**
 * Intel 8259A programmable interrupt controller, and the AT's cascaded pair.
 *
 *   master  20h-21h  IRQ0-7, its IR2 input is the slave's INT output
 *   slave   A0h-A1h  IRQ8-15
 *   ELCR    4D0h-4D1h  per-line edge/level select (the PIIX register; IRQ0-2, 8 and 13 are fixed edge)
 *
 * Wiring:
 *   const pic = new DualPic8259(io, (level) => cpu.setIntr(level));
 *   const irq14 = new WiredIrqLine(pic, 14);   // devices get IrqLines, never the PIC
 *   cpu.interrupts = pic;                      // the CPU calls pic.acknowledge() in the INTA cycle
 *
 * Implemented from the 8259A data sheet: ICW1-4 (single/cascade, LTIM level mode, AEOI, SFNM,
 * buffered-mode and master/slave bits stored), OCW1 (mask), OCW2 (non-specific/specific EOI,
 * rotate on EOI, rotate in AEOI mode, set priority), OCW3 (IRR/ISR read select, poll, special mask
 * mode), re-initialisation at any time, and the spurious IR7 vector when a request disappears
 * before the acknowledge (IRQ7 on the master, IRQ15 on the slave with the master's IR2 left in
 * service, as the hardware does).
 *
 * Edge-triggered inputs latch a rising edge in the IRR until it is acknowledged (so an
 * IrqLine.pulse() is never lost); level-triggered inputs (LTIM or ELCR) follow the line.
 * The ISA bus's IRQ2 pin is wired to the slave's IR1 on the AT, so setIrqLevel(2) drives IRQ9.
 *
 * reset('hard') keeps all state: the 8259A has no reset input, so neither the system RESET line
 * nor the AT's CPU reset (8042 pulse, port 92h, triple fault) changes it; the BIOS's shutdown-byte
 * resume paths rely on that.
 */
import type { IoBus, PortHandler } from '../io/ioBus.js';
import type { InterruptController, IrqSink } from '../io/irq.js';
import {
  boolField,
  expectState,
  hex,
  type Device,
  type DeviceState,
  type InspectNode,
  type ResetKind,
} from '../machine/device.js';
import { intField, objField, type StateFields } from './stateFields.js';

/** The master's input the slave's INT output drives on the AT. */
export const CASCADE_IRQ = 2;

/** ELCR bits that are wired edge-only (timer, keyboard, cascade; RTC, FPU error). */
const ELCR_MASK = [0xf8, 0xde] as const;

/** One 8259A. Exported for tests and for machines with a single controller (PC/XT). */
export class Pic8259Chip {
  irr = 0;
  isr = 0;
  imr = 0xff;
  /** Current levels of the eight IR inputs. */
  lines = 0;
  /** Lowest-priority level (priority rotates; IR(lowest+1) is the highest). */
  lowest = 7;
  /** ICW2: vector base (T7-T3). */
  icw2 = 0;
  /** ICW3: on a master, the inputs with a slave; on a slave, its cascade identity. */
  icw3 = 0;
  /** 0 = ready for OCWs, 2/3/4 = expecting that ICW on the odd port. */
  initStep = 0;
  needIcw4 = false;
  single = false;
  ltim = false;
  adi = false;
  upm = true;
  aeoi = false;
  sfnm = false;
  buffered = false;
  masterBit = false;
  readIsr = false;
  poll = false;
  specialMask = false;
  rotateAeoi = false;
  elcr = 0;

  constructor(
    readonly isMaster: boolean,
    private readonly elcrMask: number,
  ) {}

  powerOn(vectorBase: number, icw3: number): void {
    this.irr = 0;
    this.isr = 0;
    this.imr = 0xff;
    this.lowest = 7;
    this.icw2 = vectorBase;
    this.icw3 = icw3;
    this.initStep = 0;
    this.needIcw4 = false;
    this.single = false;
    this.ltim = false;
    this.adi = false;
    this.upm = true;
    this.aeoi = false;
    this.sfnm = false;
    this.buffered = false;
    this.masterBit = this.isMaster;
    this.readIsr = false;
    this.poll = false;
    this.specialMask = false;
    this.rotateAeoi = false;
    this.elcr = 0;
    this.irr = this.lines & this.levelMask();
  }

  /** Inputs that are level-sensitive: all with LTIM, else those the ELCR selects. */
  levelMask(): number {
    return this.ltim ? 0xff : this.elcr;
  }

  setLine(ir: number, high: boolean): void {
    const bit = 1 << ir;
    const was = (this.lines & bit) !== 0;
    if (high) this.lines |= bit;
    else this.lines &= ~bit;
    if (this.levelMask() & bit) {
      if (high) this.irr |= bit;
      else this.irr &= ~bit;
    } else if (high && !was) {
      this.irr |= bit;
    }
  }

  /** Priority rank of level `ir`: 0 is the highest. */
  private rank(ir: number): number {
    return (ir - this.lowest - 1) & 7;
  }

  /** The highest-priority level set in `bits`, or -1. */
  private highest(bits: number): number {
    if (bits === 0) return -1;
    for (let r = 0; r < 8; r++) {
      const ir = (this.lowest + 1 + r) & 7;
      if (bits & (1 << ir)) return ir;
    }
    return -1;
  }

  /** In-service levels that block lower priorities (special mask mode ignores masked ones). */
  private blockingIsr(): number {
    return this.specialMask ? this.isr & ~this.imr : this.isr;
  }

  /** The level the chip would present on INTA, or -1 when its INT output is low. */
  pending(): number {
    const req = this.highest(this.irr & ~this.imr);
    if (req < 0) return -1;
    const svc = this.highest(this.blockingIsr());
    if (svc < 0 || this.rank(req) < this.rank(svc)) return req;
    // Special fully nested mode: a slave's further request passes its own in-service cascade input.
    if (this.sfnm && req === svc && this.isMaster && !this.single && (this.icw3 & (1 << req)) !== 0) return req;
    return -1;
  }

  hasCascade(ir: number): boolean {
    return this.isMaster && !this.single && (this.icw3 & (1 << ir)) !== 0;
  }

  vector(ir: number): number {
    return (this.icw2 & 0xf8) | ir;
  }

  /** The INTA cycle for level `ir`: sets ISR (or does the automatic EOI), clears an edge request. */
  ack(ir: number): void {
    const bit = 1 << ir;
    if ((this.levelMask() & bit) === 0) this.irr &= ~bit;
    if (this.aeoi) {
      if (this.rotateAeoi) this.lowest = ir;
    } else {
      this.isr |= bit;
    }
  }

  /** A read with the poll command pending: acts as INTA and returns I and W2-W0. */
  pollRead(): number {
    this.poll = false;
    const ir = this.pending();
    if (ir < 0) return 0;
    this.ack(ir);
    return 0x80 | ir;
  }

  writeCommand(value: number): void {
    if (value & 0x10) {
      this.icw1(value);
    } else if (value & 0x08) {
      this.ocw3(value);
    } else {
      this.ocw2(value);
    }
  }

  writeData(value: number): void {
    switch (this.initStep) {
      case 2:
        this.icw2 = value;
        this.initStep = this.single ? (this.needIcw4 ? 4 : 0) : 3;
        return;
      case 3:
        this.icw3 = value;
        this.initStep = this.needIcw4 ? 4 : 0;
        return;
      case 4:
        this.upm = (value & 0x01) !== 0;
        this.aeoi = (value & 0x02) !== 0;
        this.masterBit = (value & 0x04) !== 0;
        this.buffered = (value & 0x08) !== 0;
        this.sfnm = (value & 0x10) !== 0;
        this.initStep = 0;
        return;
      default:
        this.imr = value;
    }
  }

  readCommand(): number {
    if (this.poll) return this.pollRead();
    return this.readIsr ? this.isr : this.irr;
  }

  readData(): number {
    if (this.poll) return this.pollRead();
    return this.imr;
  }

  writeElcr(value: number): void {
    this.elcr = value & this.elcrMask;
    // Lines switched to level mode show their level at once; edge lines keep what they latched.
    const lv = this.levelMask();
    this.irr = (this.irr & ~lv) | (this.lines & lv);
  }

  private icw1(value: number): void {
    // Data sheet, "Initialization command words": the edge sense circuit is reset, IMR cleared,
    // IR7 gets the lowest priority, special mask mode off, status read set to IRR, and with IC4=0
    // every ICW4 function is zero. In-service state is dropped, as every implementation does.
    this.ltim = (value & 0x08) !== 0;
    this.adi = (value & 0x04) !== 0;
    this.single = (value & 0x02) !== 0;
    this.needIcw4 = (value & 0x01) !== 0;
    this.imr = 0;
    this.isr = 0;
    this.irr = this.lines & this.levelMask();
    this.lowest = 7;
    this.specialMask = false;
    this.readIsr = false;
    this.poll = false;
    this.rotateAeoi = false;
    if (!this.needIcw4) {
      this.upm = false;
      this.aeoi = false;
      this.masterBit = false;
      this.buffered = false;
      this.sfnm = false;
    }
    this.initStep = 2;
  }

  private ocw2(value: number): void {
    const level = value & 7;
    switch (value >> 5) {
      case 0: // rotate in AEOI mode (clear)
        this.rotateAeoi = false;
        return;
      case 4: // rotate in AEOI mode (set)
        this.rotateAeoi = true;
        return;
      case 1: // non-specific EOI
      case 5: {
        // rotate on non-specific EOI
        const ir = this.highest(this.blockingIsr());
        if (ir < 0) return;
        this.isr &= ~(1 << ir);
        if (value >> 5 === 5) this.lowest = ir;
        return;
      }
      case 3: // specific EOI
        this.isr &= ~(1 << level);
        return;
      case 7: // rotate on specific EOI
        this.isr &= ~(1 << level);
        this.lowest = level;
        return;
      case 6: // set priority
        this.lowest = level;
        return;
      default: // 2: no operation
        return;
    }
  }

  private ocw3(value: number): void {
    if (value & 0x40) this.specialMask = (value & 0x20) !== 0;
    this.poll = (value & 0x04) !== 0;
    if (value & 0x02) this.readIsr = (value & 0x01) !== 0;
  }

  save(): StateFields {
    return {
      irr: this.irr,
      isr: this.isr,
      imr: this.imr,
      lines: this.lines,
      lowest: this.lowest,
      icw2: this.icw2,
      icw3: this.icw3,
      initStep: this.initStep,
      needIcw4: this.needIcw4,
      single: this.single,
      ltim: this.ltim,
      adi: this.adi,
      upm: this.upm,
      aeoi: this.aeoi,
      sfnm: this.sfnm,
      buffered: this.buffered,
      masterBit: this.masterBit,
      readIsr: this.readIsr,
      poll: this.poll,
      specialMask: this.specialMask,
      rotateAeoi: this.rotateAeoi,
      elcr: this.elcr,
    };
  }

  load(f: StateFields): void {
    this.irr = intField(f, 'irr', 0, 0xff);
    this.isr = intField(f, 'isr', 0, 0xff);
    this.imr = intField(f, 'imr', 0, 0xff);
    this.lines = intField(f, 'lines', 0, 0xff);
    this.lowest = intField(f, 'lowest', 0, 7);
    this.icw2 = intField(f, 'icw2', 0, 0xff);
    this.icw3 = intField(f, 'icw3', 0, 0xff);
    this.initStep = intField(f, 'initStep', 0, 4);
    this.needIcw4 = boolField(f, 'needIcw4');
    this.single = boolField(f, 'single');
    this.ltim = boolField(f, 'ltim');
    this.adi = boolField(f, 'adi');
    this.upm = boolField(f, 'upm');
    this.aeoi = boolField(f, 'aeoi');
    this.sfnm = boolField(f, 'sfnm');
    this.buffered = boolField(f, 'buffered');
    this.masterBit = boolField(f, 'masterBit');
    this.readIsr = boolField(f, 'readIsr');
    this.poll = boolField(f, 'poll');
    this.specialMask = boolField(f, 'specialMask');
    this.rotateAeoi = boolField(f, 'rotateAeoi');
    this.elcr = intField(f, 'elcr', 0, 0xff) & this.elcrMask;
  }

  inspect(): InspectNode[] {
    const mode = [
      this.initStep ? `expecting ICW${this.initStep}` : 'ready',
      this.ltim ? 'level (LTIM)' : 'edge',
      this.aeoi ? 'AEOI' : 'normal EOI',
      this.single ? 'single' : 'cascade',
      this.sfnm ? 'SFNM' : '',
      this.specialMask ? 'special mask' : '',
      this.buffered ? (this.masterBit ? 'buffered master' : 'buffered slave') : '',
    ].filter((s) => s !== '');
    return [
      { name: 'IRR', value: hex(this.irr, 2) },
      { name: 'ISR', value: hex(this.isr, 2) },
      { name: 'IMR', value: hex(this.imr, 2) },
      { name: 'lines', value: hex(this.lines, 2) },
      { name: 'ELCR', value: hex(this.elcr, 2) },
      { name: 'vector base', value: hex(this.icw2 & 0xf8, 2) },
      { name: 'ICW3', value: hex(this.icw3, 2) },
      { name: 'lowest priority', value: `IR${this.lowest}` },
      { name: 'mode', value: mode.join(', ') },
      { name: 'read', value: this.poll ? 'poll' : this.readIsr ? 'ISR' : 'IRR' },
    ];
  }
}

const STATE_VERSION = 1;

/** The AT's master/slave pair with the ELCR: the machine's interrupt controller. */
export class DualPic8259 implements Device, IrqSink, InterruptController {
  readonly name = 'pic';
  readonly master = new Pic8259Chip(true, ELCR_MASK[0]);
  readonly slave = new Pic8259Chip(false, ELCR_MASK[1]);
  private intrLevel = false;

  constructor(
    io: IoBus,
    private readonly onIntr: (level: boolean) => void,
  ) {
    // Reads go through update() too: a poll-command read acknowledges like an INTA cycle.
    const chipPorts = (chip: Pic8259Chip): PortHandler => ({
      read8: (p) => {
        const v = p & 1 ? chip.readData() : chip.readCommand();
        this.update();
        return v;
      },
      write8: (p, v) => {
        if (p & 1) chip.writeData(v);
        else chip.writeCommand(v);
        this.update();
      },
    });
    const elcrPorts: PortHandler = {
      read8: (p) => (p & 1 ? this.slave.elcr : this.master.elcr),
      write8: (p, v) => {
        if (p & 1) this.slave.writeElcr(v);
        else this.master.writeElcr(v);
        this.update();
      },
    };
    io.register(0x20, 0x21, chipPorts(this.master), this.name, 'PIC master (8259A): command/IRR/ISR, data/IMR');
    io.register(0xa0, 0xa1, chipPorts(this.slave), this.name, 'PIC slave (8259A): command/IRR/ISR, data/IMR');
    io.register(0x4d0, 0x4d1, elcrPorts, this.name, 'ELCR: edge/level control, master and slave');
    this.reset('power');
  }

  /** The CPU's INTR input as the master drives it. */
  get intr(): boolean {
    return this.intrLevel;
  }

  setIrqLevel(irq: number, level: boolean): void {
    if (irq === CASCADE_IRQ) irq = 9;
    if (irq < 8) this.master.setLine(irq, level);
    else this.slave.setLine(irq - 8, level);
    this.update();
  }

  acknowledge(): number {
    const ir = this.master.pending();
    let vector: number;
    if (ir < 0) {
      // The request went away before INTA: the master answers with its IR7 vector, ISR untouched.
      vector = this.master.vector(7);
    } else {
      this.master.ack(ir);
      if (this.master.hasCascade(ir)) {
        if ((this.slave.icw3 & 7) !== ir) {
          vector = 0xff; // no slave answers this cascade address: the data bus floats
        } else {
          const sir = this.slave.pending();
          if (sir < 0) {
            vector = this.slave.vector(7); // spurious IRQ15; the master's IR2 stays in service
          } else {
            this.slave.ack(sir);
            vector = this.slave.vector(sir);
          }
        }
      } else {
        vector = this.master.vector(ir);
      }
    }
    this.update();
    return vector;
  }

  /** Propagates the slave's INT to the master's IR2 and the master's INT to the CPU. */
  private update(): void {
    this.master.setLine(CASCADE_IRQ, this.slave.pending() >= 0);
    const level = this.master.pending() >= 0;
    if (level !== this.intrLevel) {
      this.intrLevel = level;
      this.onIntr(level);
    }
  }

  reset(kind: ResetKind): void {
    if (kind === 'hard') return;
    this.master.powerOn(0x08, 1 << CASCADE_IRQ);
    this.slave.powerOn(0x70, CASCADE_IRQ);
    this.update();
  }

  saveState(): DeviceState {
    return {
      device: this.name,
      version: STATE_VERSION,
      fields: { master: this.master.save(), slave: this.slave.save(), intr: this.intrLevel },
    };
  }

  loadState(state: DeviceState): void {
    const f = expectState(state, this.name, STATE_VERSION);
    this.master.load(objField(f, 'master'));
    this.slave.load(objField(f, 'slave'));
    this.intrLevel = boolField(f, 'intr');
    // Re-assert INTR so the CPU's input agrees with the restored controller.
    this.onIntr(this.intrLevel);
  }

  inspect(): readonly InspectNode[] {
    return [
      { name: 'INTR', value: this.intrLevel ? 'high' : 'low' },
      { name: 'master (20h)', value: `base ${hex(this.master.icw2 & 0xf8, 2)}`, children: this.master.inspect() },
      { name: 'slave (A0h)', value: `base ${hex(this.slave.icw2 & 0xf8, 2)}`, children: this.slave.inspect() },
    ];
  }
}

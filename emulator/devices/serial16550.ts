/**
 * National Semiconductor 16550A UART: COM1 at 3F8h (IRQ4), COM2 at 2F8h (IRQ3) as a second
 * instance.
 *
 * Wiring:
 *   const com1 = new Serial16550(io, scheduler, new WiredIrqLine(pic, 4), {
 *     onTransmit: (byte) => process.stdout.write(Uint8Array.of(byte)),   // unbuffered capture
 *   });
 *   com1.receive(new TextEncoder().encode('dir\r'));                  // host -> guest
 *   new Serial16550(io, scheduler, new WiredIrqLine(pic, 3), { base: 0x2f8, name: 'com2' });
 *
 * Registers from the 16550A data sheet: RBR/THR, IER, IIR (with the FIFO bits) / FCR, LCR (DLAB),
 * MCR (loopback, OUT2), LSR, MSR (deltas clear on read), SCR, divisor latch. Interrupts in the IIR
 * priority order: receiver line status, received data (FIFO trigger level), character timeout,
 * THR empty, modem status. Reading IIR clears a THRE interrupt it reports; enabling ETBEI with
 * the THR empty raises one. On the PC the UART's interrupt reaches the PIC only while MCR OUT2 is
 * set (and loopback forces OUT2 inactive at the pin).
 *
 * Timing in virtual time from the divisor and LCR: a character takes (start + data + parity +
 * stop) bits * divisor * 16 / 1.8432 MHz. The transmitter shifts one character per character
 * time (timer `<name>.tx`) and hands it to `onTransmit` when it leaves the shift register. Host
 * input given to `receive` arrives one character per character time (`<name>.rx`) and waits
 * while the receiver is full, as if the remote end honoured flow control, so no input is lost to
 * an overrun. Loopback routes THR into the receiver (with real overruns) and the MCR outputs into
 * the MSR inputs. Outside loopback the modem inputs show a connected terminal: CTS, DSR and DCD
 * asserted, RI off.
 *
 * reset('hard') (the system RESET line on the UART's MR pin) restores the power-on registers but
 * keeps host input that has not arrived yet; reset('power') drops it too.
 */
import type { IoBus } from '../io/ioBus.js';
import type { IrqLine } from '../io/irq.js';
import {
  boolField,
  bytesField,
  expectState,
  hex,
  type Device,
  type DeviceState,
  type InspectNode,
  type ResetKind,
} from '../machine/device.js';
import type { Scheduler, Timer } from '../machine/scheduler.js';
import { ByteQueue } from './byteQueue.js';
import { intField } from './stateFields.js';

export interface SerialOptions {
  /** I/O base (3F8h for COM1, 2F8h for COM2). */
  readonly base?: number;
  /** Device and timer name prefix ('com1'). */
  readonly name?: string;
  readonly onTransmit?: (byte: number) => void;
}

/** The baud-rate generator's input clock. */
export const UART_CLOCK_HZ = 1_843_200;

const FIFO_SIZE = 16;
const HOST_QUEUE = 65536;
const TRIGGER_LEVELS = [1, 4, 8, 14];

const IER_RDA = 0x01;
const IER_THRE = 0x02;
const IER_RLS = 0x04;
const IER_MSI = 0x08;
const LSR_DR = 0x01;
const LSR_OE = 0x02;
const LSR_ERRORS = 0x1e;
const LSR_THRE = 0x20;
const LSR_TEMT = 0x40;
const MCR_DTR = 0x01;
const MCR_RTS = 0x02;
const MCR_OUT1 = 0x04;
const MCR_OUT2 = 0x08;
const MCR_LOOP = 0x10;
/** Modem inputs of a connected terminal: DCD, DSR, CTS. */
const EXTERNAL_MODEM_INPUTS = 0xb0;

const STATE_VERSION = 1;

export class Serial16550 implements Device {
  readonly name: string;
  readonly base: number;
  onTransmit: ((byte: number) => void) | null;
  private readonly rx = new ByteQueue(FIFO_SIZE);
  private readonly tx = new ByteQueue(FIFO_SIZE);
  private readonly host = new ByteQueue(HOST_QUEUE);
  private ier = 0;
  private lcr = 0;
  private mcr = 0;
  /** LSR error bits (OE, PE, FE, BI, FIFO error); DR, THRE, TEMT are derived. */
  private lsrErrors = 0;
  /** MSR input lines (bits 4-7) and deltas (bits 0-3). */
  private msr = 0;
  private scr = 0;
  private divisor = 12;
  private fifoEnabled = false;
  private triggerLevel = 1;
  private thrInterrupt = false;
  private timeoutInterrupt = false;
  private tsrBusy = false;
  private tsrByte = 0;
  /** Last received byte, what RBR reads once the receiver is empty. */
  private rbr = 0;
  private irqLevel = false;
  private readonly txTimer: Timer;
  private readonly rxTimer: Timer;
  private readonly timeoutTimer: Timer;

  constructor(
    io: IoBus,
    private readonly scheduler: Scheduler,
    private readonly irq: IrqLine,
    options: SerialOptions = {},
  ) {
    this.base = options.base ?? 0x3f8;
    this.name = options.name ?? 'com1';
    this.onTransmit = options.onTransmit ?? null;
    this.txTimer = scheduler.createTimer(`${this.name}.tx`, () => this.shiftOut());
    this.rxTimer = scheduler.createTimer(`${this.name}.rx`, () => this.hostByteArrives());
    this.timeoutTimer = scheduler.createTimer(`${this.name}.timeout`, () => this.characterTimeout());
    io.register(this.base, this.base + 7, { read8: (p) => this.read(p - this.base), write8: (p, v) => this.write(p - this.base, v) }, this.name, `${this.name.toUpperCase()} (16550A UART)`);
    this.reset('power');
  }

  /** Host input: queued and delivered at the line rate. */
  receive(bytes: Uint8Array | readonly number[]): void {
    for (const b of bytes) if (!this.host.push(b & 0xff)) break;
    if (!this.rxTimer.active && !this.receiverFull()) this.rxTimer.setIn(this.charTicks());
  }

  /** Bytes given to receive() that the guest has not been sent yet. */
  get pendingInput(): number {
    return this.host.length;
  }

  /** Line speed in bits per second. */
  get baud(): number {
    return UART_CLOCK_HZ / 16 / (this.divisor === 0 ? 0x10000 : this.divisor);
  }

  /** Virtual ticks one character takes with the current divisor and line format. */
  charTicks(): number {
    const data = 5 + (this.lcr & 3);
    const parity = this.lcr & 0x08 ? 1 : 0;
    const stop = this.lcr & 0x04 ? (data === 5 ? 1.5 : 2) : 1;
    return this.scheduler.ticksFromSeconds((1 + data + parity + stop) / this.baud);
  }

  private loopback(): boolean {
    return (this.mcr & MCR_LOOP) !== 0;
  }

  private rxCapacity(): number {
    return this.fifoEnabled ? FIFO_SIZE : 1;
  }

  private receiverFull(): boolean {
    return this.rx.length >= this.rxCapacity();
  }

  private lsr(): number {
    let v = this.lsrErrors;
    if (this.rx.length > 0) v |= LSR_DR;
    if (this.tx.length === 0) v |= LSR_THRE;
    if (this.tx.length === 0 && !this.tsrBusy) v |= LSR_TEMT;
    return v;
  }

  /** IIR bits 3-0 for the highest-priority pending interrupt (1 = none). */
  private interruptId(): number {
    if (this.ier & IER_RLS && this.lsrErrors & LSR_ERRORS) return 0x06;
    if (this.ier & IER_RDA) {
      if (this.fifoEnabled ? this.rx.length >= this.triggerLevel : this.rx.length > 0) return 0x04;
      if (this.timeoutInterrupt) return 0x0c;
    }
    if (this.ier & IER_THRE && this.thrInterrupt) return 0x02;
    if (this.ier & IER_MSI && this.msr & 0x0f) return 0x00;
    return 0x01;
  }

  private updateIrq(): void {
    // OUT2 gates the UART's interrupt onto the ISA bus; loopback forces the OUT2 pin inactive.
    const level = this.interruptId() !== 0x01 && (this.mcr & MCR_OUT2) !== 0 && !this.loopback();
    if (level === this.irqLevel) return;
    this.irqLevel = level;
    if (level) this.irq.raise();
    else this.irq.lower();
  }

  private read(reg: number): number {
    let v: number;
    switch (reg) {
      case 0:
        if (this.lcr & 0x80) return this.divisor & 0xff;
        v = this.readRbr();
        break;
      case 1:
        return this.lcr & 0x80 ? (this.divisor >> 8) & 0xff : this.ier;
      case 2: {
        const id = this.interruptId();
        if (id === 0x02) this.thrInterrupt = false;
        v = id | (this.fifoEnabled ? 0xc0 : 0);
        break;
      }
      case 3:
        return this.lcr;
      case 4:
        return this.mcr;
      case 5:
        v = this.lsr();
        this.lsrErrors = 0;
        break;
      case 6:
        v = this.msr;
        this.msr &= 0xf0;
        break;
      default:
        return this.scr;
    }
    this.updateIrq();
    return v;
  }

  private readRbr(): number {
    if (this.rx.length > 0) this.rbr = this.rx.shift();
    this.timeoutInterrupt = false;
    if (this.fifoEnabled && this.rx.length > 0) this.timeoutTimer.setIn(4 * this.charTicks());
    else this.timeoutTimer.cancel();
    if (this.host.length > 0 && !this.rxTimer.active) this.rxTimer.setIn(this.charTicks());
    return this.rbr;
  }

  private write(reg: number, v: number): void {
    switch (reg) {
      case 0:
        if (this.lcr & 0x80) this.divisor = (this.divisor & 0xff00) | v;
        else this.writeThr(v);
        break;
      case 1:
        if (this.lcr & 0x80) {
          this.divisor = (this.divisor & 0xff) | (v << 8);
        } else {
          // Enabling ETBEI with the transmitter holding register empty raises THRE at once.
          if (v & IER_THRE && !(this.ier & IER_THRE) && this.tx.length === 0) this.thrInterrupt = true;
          this.ier = v & 0x0f;
        }
        break;
      case 2:
        this.writeFcr(v);
        break;
      case 3:
        this.lcr = v;
        break;
      case 4:
        this.writeMcr(v & 0x1f);
        break;
      case 7:
        this.scr = v;
        break;
      default: // LSR and MSR are read-only (factory test writes are ignored)
    }
    this.updateIrq();
  }

  private writeThr(v: number): void {
    if (this.fifoEnabled) this.tx.push(v);
    else {
      this.tx.clear();
      this.tx.push(v);
    }
    this.thrInterrupt = false;
    if (!this.tsrBusy) this.loadShiftRegister();
  }

  private loadShiftRegister(): void {
    const b = this.tx.shift();
    if (b < 0) return;
    this.tsrByte = b;
    this.tsrBusy = true;
    this.txTimer.setIn(this.charTicks());
    if (this.tx.length === 0) this.thrInterrupt = true;
  }

  /** The character in the shift register has been sent. */
  private shiftOut(): void {
    this.tsrBusy = false;
    const b = this.tsrByte;
    if (this.loopback()) this.receiveChar(b, true);
    else if (this.onTransmit !== null) this.onTransmit(b);
    this.loadShiftRegister();
    this.updateIrq();
  }

  private writeFcr(v: number): void {
    const enable = (v & 1) !== 0;
    if (enable !== this.fifoEnabled) {
      // Switching FIFO mode clears both FIFOs.
      this.rx.clear();
      this.tx.clear();
      this.fifoEnabled = enable;
    }
    if (v & 2) {
      this.rx.clear();
      this.timeoutInterrupt = false;
      this.timeoutTimer.cancel();
    }
    if (v & 4) this.tx.clear();
    this.triggerLevel = TRIGGER_LEVELS[v >> 6];
    if (this.host.length > 0 && !this.rxTimer.active && !this.receiverFull()) this.rxTimer.setIn(this.charTicks());
  }

  private modemInputs(): number {
    if (!this.loopback()) return EXTERNAL_MODEM_INPUTS;
    const m = this.mcr;
    return (m & MCR_RTS ? 0x10 : 0) | (m & MCR_DTR ? 0x20 : 0) | (m & MCR_OUT1 ? 0x40 : 0) | (m & MCR_OUT2 ? 0x80 : 0);
  }

  private writeMcr(v: number): void {
    this.mcr = v;
    this.setModemInputs(this.modemInputs());
  }

  private setModemInputs(lines: number): void {
    const old = this.msr & 0xf0;
    const changed = old ^ lines;
    let delta = 0;
    if (changed & 0x10) delta |= 0x01; // DCTS
    if (changed & 0x20) delta |= 0x02; // DDSR
    if (old & 0x40 && !(lines & 0x40)) delta |= 0x04; // TERI: trailing edge of RI
    if (changed & 0x80) delta |= 0x08; // DDCD
    this.msr = lines | (this.msr & 0x0f) | delta;
  }

  /** A character completes at the receiver. From the host it waits for room; looped back it can overrun. */
  private receiveChar(b: number, canOverrun: boolean): boolean {
    if (this.receiverFull()) {
      if (!canOverrun) return false;
      this.lsrErrors |= LSR_OE;
      if (!this.fifoEnabled) {
        this.rx.clear();
        this.rx.push(b);
      }
      return true;
    }
    this.rx.push(b);
    if (this.fifoEnabled) this.timeoutTimer.setIn(4 * this.charTicks());
    return true;
  }

  private hostByteArrives(): void {
    const b = this.host.peek();
    if (b < 0) return;
    if (!this.receiveChar(b, false)) return; // resumes when the guest reads RBR
    this.host.shift();
    if (this.host.length > 0 && !this.receiverFull()) this.rxTimer.setIn(this.charTicks());
    this.updateIrq();
  }

  private characterTimeout(): void {
    if (this.fifoEnabled && this.rx.length > 0) this.timeoutInterrupt = true;
    this.updateIrq();
  }

  reset(kind: ResetKind): void {
    this.rx.clear();
    this.tx.clear();
    if (kind === 'power') this.host.clear();
    this.ier = 0;
    this.lcr = 0;
    this.mcr = 0;
    this.lsrErrors = 0;
    this.msr = EXTERNAL_MODEM_INPUTS;
    this.scr = 0;
    this.divisor = 12;
    this.fifoEnabled = false;
    this.triggerLevel = 1;
    this.thrInterrupt = false;
    this.timeoutInterrupt = false;
    this.tsrBusy = false;
    this.tsrByte = 0;
    this.rbr = 0;
    this.txTimer.cancel();
    this.rxTimer.cancel();
    this.timeoutTimer.cancel();
    this.irqLevel = false;
    this.irq.lower();
  }

  saveState(): DeviceState {
    return {
      device: this.name,
      version: STATE_VERSION,
      fields: {
        rx: this.rx.snapshot(),
        tx: this.tx.snapshot(),
        host: this.host.snapshot(),
        ier: this.ier,
        lcr: this.lcr,
        mcr: this.mcr,
        lsrErrors: this.lsrErrors,
        msr: this.msr,
        scr: this.scr,
        divisor: this.divisor,
        fifoEnabled: this.fifoEnabled,
        triggerLevel: this.triggerLevel,
        thrInterrupt: this.thrInterrupt,
        timeoutInterrupt: this.timeoutInterrupt,
        tsrBusy: this.tsrBusy,
        tsrByte: this.tsrByte,
        rbr: this.rbr,
        irq: this.irqLevel,
      },
    };
  }

  loadState(state: DeviceState): void {
    const f = expectState(state, this.name, STATE_VERSION);
    this.rx.restore(bytesField(f, 'rx'));
    this.tx.restore(bytesField(f, 'tx'));
    this.host.restore(bytesField(f, 'host'));
    this.ier = intField(f, 'ier', 0, 0x0f);
    this.lcr = intField(f, 'lcr', 0, 0xff);
    this.mcr = intField(f, 'mcr', 0, 0x1f);
    this.lsrErrors = intField(f, 'lsrErrors', 0, 0xff);
    this.msr = intField(f, 'msr', 0, 0xff);
    this.scr = intField(f, 'scr', 0, 0xff);
    this.divisor = intField(f, 'divisor', 0, 0xffff);
    this.fifoEnabled = boolField(f, 'fifoEnabled');
    this.triggerLevel = intField(f, 'triggerLevel', 1, 14);
    this.thrInterrupt = boolField(f, 'thrInterrupt');
    this.timeoutInterrupt = boolField(f, 'timeoutInterrupt');
    this.tsrBusy = boolField(f, 'tsrBusy');
    this.tsrByte = intField(f, 'tsrByte', 0, 0xff);
    this.rbr = intField(f, 'rbr', 0, 0xff);
    this.irqLevel = boolField(f, 'irq');
    if (this.irqLevel) this.irq.raise();
    else this.irq.lower();
  }

  inspect(): readonly InspectNode[] {
    const data = 5 + (this.lcr & 3);
    const parity = this.lcr & 0x08 ? ['O', 'E', 'M', 'S'][(this.lcr >> 4) & 3] : 'N';
    return [
      { name: 'line', value: `${Math.round(this.baud)} ${data}${parity}${this.lcr & 4 ? 2 : 1} (divisor ${this.divisor})` },
      { name: 'IER', value: hex(this.ier, 2) },
      { name: 'IIR', value: hex(this.interruptId() | (this.fifoEnabled ? 0xc0 : 0), 2) },
      { name: 'LCR', value: hex(this.lcr, 2) },
      { name: 'MCR', value: `${hex(this.mcr, 2)}${this.loopback() ? ' (loopback)' : ''}` },
      { name: 'LSR', value: hex(this.lsr(), 2) },
      { name: 'MSR', value: hex(this.msr, 2) },
      { name: 'FIFO', value: this.fifoEnabled ? `on, trigger ${this.triggerLevel}, rx ${this.rx.length}, tx ${this.tx.length}` : 'off' },
      { name: 'host input waiting', value: String(this.host.length) },
    ];
  }
}

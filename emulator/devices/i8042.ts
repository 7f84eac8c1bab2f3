/**
 * The AT keyboard controller (Intel 8042 with PS/2 auxiliary port) at 60h (data) and 64h
 * (status/command), with its PS/2 keyboard (IRQ1) and mouse (IRQ12).
 *
 * Wiring:
 *   const kbc = new I8042(io, scheduler, new WiredIrqLine(pic, 1), new WiredIrqLine(pic, 12), {
 *     onA20: (on) => a20.kbc(on),      // output port bit 1 (OR it with port 92h's bit, see systemControlA)
 *     onReset: () => machine.requestReset('hard'),   // output port bit 0 pulsed low
 *   });
 *   kbc.keyEvent('KeyA', true);          // host input, DOM KeyboardEvent.code
 *   kbc.mouseMove(3, -2, 1);             // dx right, dy down, DOM buttons
 * Both callbacks run synchronously inside the guest's OUT: the machine should act on a reset at
 * the next instruction boundary.
 *
 * Status register (64h read): bit 0 output buffer full, 1 input buffer full (always 0: commands
 * complete at once), 2 system flag, 3 last write was a command, 4 keyboard not inhibited,
 * 5 the output byte is mouse data, 6 timeout, 7 parity error.
 * Command byte (RAM 0): bit 0 IRQ1 enable, 1 IRQ12 enable, 2 system flag, 4 keyboard disabled,
 * 5 mouse disabled, 6 translate set 2 to set 1.
 * Commands: 20h-3Fh read RAM, 60h-7Fh write RAM, A4h-A6h password (none installed), A7h/A8h
 * mouse off/on, A9h mouse interface test, AAh self test (55h, sets the system flag), ABh keyboard
 * interface test, ADh/AEh keyboard off/on, C0h input port, C1h/C2h (accepted), D0h/D1h output
 * port (bit 0 reset, bit 1 A20), D2h/D3h write the output buffer as keyboard/mouse data, D4h send
 * to the mouse, E0h test inputs, F0h-FFh pulse output port bits (bit 0 clear = reset, so FEh
 * resets the CPU).
 *
 * Input is fed to the guest only as fast as it reads 60h: one byte in the output buffer at a time,
 * the next one `byteDelayUs` of virtual time after the read (the time a PS/2 byte takes on the
 * wire), so each byte raises its own IRQ. Replies of the controller come before keyboard data,
 * keyboard before mouse.
 *
 * The CPU-only reset (the 8042's own pulse, port 92h, a triple fault) never calls reset(): the
 * controller keeps its state and its system flag, which the BIOS reads to tell such a reset from
 * power-on. reset('hard') is the system RESET line: the controller restarts (system flag clear) while
 * the keyboard and mouse, which have no reset input, keep theirs; reset('power') resets all three.
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
import { Ps2Keyboard } from './ps2Keyboard.js';
import { Ps2Mouse } from './ps2Mouse.js';
import { SET2_TO_SET1 } from './scancodes.js';
import { fixedBytesField, intField, nest, nestedState } from './stateFields.js';

export interface I8042Options {
  /** Output port bit 1 changed: the A20 gate. */
  readonly onA20: (enabled: boolean) => void;
  /** The CPU reset line was pulsed (output port bit 0). */
  readonly onReset: () => void;
  /** Virtual time between delivering one byte and the next, in microseconds (default 1000). */
  readonly byteDelayUs?: number;
}

const ST_OBF = 0x01;
const ST_SYS = 0x04;
const ST_CMD = 0x08;
const ST_UNLOCKED = 0x10;
const ST_AUX = 0x20;

const CB_IRQ1 = 0x01;
const CB_IRQ12 = 0x02;
const CB_SYS = 0x04;
const CB_KBD_OFF = 0x10;
const CB_AUX_OFF = 0x20;
const CB_XLAT = 0x40;

/** Power-on command byte: both interrupts enabled, translation on, system flag clear. */
const POWER_ON_COMMAND_BYTE = CB_IRQ1 | CB_IRQ12 | CB_XLAT;
/** Power-on output port: reset line inactive, A20 enabled, clock/data lines idle high. */
const POWER_ON_OUTPUT_PORT = 0xcf;
/** Input port: keyboard not inhibited, no manufacturing jumper, 256K on board, colour display. */
const INPUT_PORT = 0xb0;

const STATE_VERSION = 1;

export class I8042 implements Device {
  readonly name = 'i8042';
  readonly keyboard: Ps2Keyboard;
  readonly mouse: Ps2Mouse;
  /** Internal RAM; byte 0 is the command byte. */
  private readonly ram = new Uint8Array(32);
  private outputPort = POWER_ON_OUTPUT_PORT;
  private status = ST_UNLOCKED;
  private outByte = 0;
  /** Pairs of (1 = mouse data / 0 = keyboard data, byte) produced by the controller itself. */
  private readonly ctrlQueue = new ByteQueue(32);
  /** Controller command waiting for its data byte, or 0. */
  private pendingCommand = 0;
  /** Translation saw F0h: the next translated byte is a break. */
  private xlatBreak = false;
  private irq1Level = false;
  private irq12Level = false;
  private readonly deliverTimer: Timer;
  private readonly byteDelay: number;

  constructor(
    io: IoBus,
    scheduler: Scheduler,
    private readonly irq1: IrqLine,
    private readonly irq12: IrqLine,
    private readonly options: I8042Options,
  ) {
    this.byteDelay = scheduler.ticksFromSeconds((options.byteDelayUs ?? 1000) / 1e6);
    this.deliverTimer = scheduler.createTimer('i8042.deliver', () => this.deliverNext());
    this.keyboard = new Ps2Keyboard(scheduler, () => this.tryDeliver());
    this.mouse = new Ps2Mouse(() => this.tryDeliver());
    io.register(0x60, 0x60, { read8: () => this.readData(), write8: (_p, v) => this.writeData(v) }, this.name, '8042 data');
    io.register(0x64, 0x64, { read8: () => this.readStatus(), write8: (_p, v) => this.writeCommand(v) }, this.name, '8042 status/command');
    this.reset('power');
  }

  /** Host keyboard input (DOM KeyboardEvent.code). Returns false for an unknown code. */
  keyEvent(code: string, pressed: boolean): boolean {
    return this.keyboard.keyEvent(code, pressed);
  }

  /** Host mouse input: dx right, dy down, DOM buttons bits, wheel clicks. */
  mouseMove(dx: number, dy: number, buttons: number, wheel = 0): void {
    this.mouse.mouseMove(dx, dy, buttons, wheel);
  }

  get commandByte(): number {
    return this.ram[0];
  }

  /** Output port bit 1. */
  get a20(): boolean {
    return (this.outputPort & 2) !== 0;
  }

  readStatus(): number {
    return this.status | (this.ram[0] & CB_SYS ? ST_SYS : 0);
  }

  readData(): number {
    const v = this.outByte;
    if (this.status & ST_OBF) {
      this.status &= ~(ST_OBF | ST_AUX);
      this.updateIrqs();
      if (this.hasPending()) this.deliverTimer.setIn(this.byteDelay);
    }
    return v;
  }

  private hasPending(): boolean {
    return (
      this.ctrlQueue.length > 0 ||
      ((this.ram[0] & CB_KBD_OFF) === 0 && this.keyboard.hasData()) ||
      ((this.ram[0] & CB_AUX_OFF) === 0 && this.mouse.hasData())
    );
  }

  /** Delivers at once when the output buffer is free and no delivery is already on its way. */
  private tryDeliver(): void {
    if ((this.status & ST_OBF) === 0 && !this.deliverTimer.active) this.deliverNext();
  }

  private deliverNext(): void {
    if (this.status & ST_OBF) return;
    if (this.ctrlQueue.length > 0) {
      const aux = this.ctrlQueue.shift() === 1;
      this.putOutput(this.ctrlQueue.shift(), aux);
      return;
    }
    if ((this.ram[0] & CB_KBD_OFF) === 0 && this.keyboard.hasData()) {
      let b = this.keyboard.readByte();
      if (this.ram[0] & CB_XLAT) {
        while (b === 0xf0) {
          this.xlatBreak = true;
          if (!this.keyboard.hasData()) return;
          b = this.keyboard.readByte();
        }
        b = SET2_TO_SET1[b] | (this.xlatBreak ? 0x80 : 0);
        this.xlatBreak = false;
      }
      this.putOutput(b, false);
      return;
    }
    if ((this.ram[0] & CB_AUX_OFF) === 0 && this.mouse.hasData()) this.putOutput(this.mouse.readByte(), true);
  }

  private putOutput(byte: number, aux: boolean): void {
    this.outByte = byte;
    this.status = (this.status & ~ST_AUX) | ST_OBF | (aux ? ST_AUX : 0);
    this.updateIrqs();
  }

  private updateIrqs(): void {
    const full = (this.status & ST_OBF) !== 0;
    const aux = (this.status & ST_AUX) !== 0;
    const l1 = full && !aux && (this.ram[0] & CB_IRQ1) !== 0;
    const l12 = full && aux && (this.ram[0] & CB_IRQ12) !== 0;
    if (l1 !== this.irq1Level) {
      this.irq1Level = l1;
      if (l1) this.irq1.raise();
      else this.irq1.lower();
    }
    if (l12 !== this.irq12Level) {
      this.irq12Level = l12;
      if (l12) this.irq12.raise();
      else this.irq12.lower();
    }
  }

  private reply(byte: number, aux = false): void {
    this.ctrlQueue.push(aux ? 1 : 0);
    this.ctrlQueue.push(byte);
    this.tryDeliver();
  }

  private writeCommandByte(value: number): void {
    this.ram[0] = value & 0x7f;
    this.updateIrqs();
    this.tryDeliver();
  }

  private writeOutputPort(value: number): void {
    const a20Changed = ((value ^ this.outputPort) & 2) !== 0;
    this.outputPort = value | 1;
    if (a20Changed) this.options.onA20((value & 2) !== 0);
    // Bit 0 low asserts the CPU reset line; the controller's firmware releases it again.
    if ((value & 1) === 0) this.options.onReset();
  }

  writeCommand(cmd: number): void {
    this.status |= ST_CMD;
    this.pendingCommand = 0;
    if (cmd >= 0x20 && cmd <= 0x3f) {
      this.reply(this.ram[cmd & 0x1f]);
      return;
    }
    if ((cmd >= 0x60 && cmd <= 0x7f) || cmd === 0xd1 || cmd === 0xd2 || cmd === 0xd3 || cmd === 0xd4 || cmd === 0xa5) {
      this.pendingCommand = cmd;
      return;
    }
    if (cmd >= 0xf0) {
      if ((cmd & 1) === 0) this.options.onReset();
      return;
    }
    switch (cmd) {
      case 0xa4: // password installed?
        this.reply(0xf1);
        return;
      case 0xa7:
        this.writeCommandByte(this.ram[0] | CB_AUX_OFF);
        return;
      case 0xa8:
        this.writeCommandByte(this.ram[0] & ~CB_AUX_OFF);
        return;
      case 0xa9: // mouse interface test: no error
      case 0xab: // keyboard interface test: no error
        this.reply(0x00);
        return;
      case 0xaa:
        this.ram[0] |= CB_SYS;
        this.reply(0x55);
        return;
      case 0xad:
        this.writeCommandByte(this.ram[0] | CB_KBD_OFF);
        return;
      case 0xae:
        this.writeCommandByte(this.ram[0] & ~CB_KBD_OFF);
        return;
      case 0xc0:
        this.reply(INPUT_PORT);
        return;
      case 0xd0: {
        const full = (this.status & ST_OBF) !== 0;
        const aux = (this.status & ST_AUX) !== 0;
        this.reply((this.outputPort & 0xcf) | (full && !aux ? 0x10 : 0) | (full && aux ? 0x20 : 0));
        return;
      }
      case 0xe0: // test inputs: keyboard clock and data
        this.reply(0x00);
        return;
      default: // A6h (enable password: none installed), C1h/C2h input port polling, undocumented
    }
  }

  writeData(value: number): void {
    this.status &= ~ST_CMD;
    const cmd = this.pendingCommand;
    this.pendingCommand = 0;
    if (cmd >= 0x60 && cmd <= 0x7f) {
      if (cmd === 0x60) this.writeCommandByte(value);
      else this.ram[cmd & 0x1f] = value;
      return;
    }
    switch (cmd) {
      case 0xd1:
        this.writeOutputPort(value);
        return;
      case 0xd2:
        this.reply(value, false);
        return;
      case 0xd3:
        this.reply(value, true);
        return;
      case 0xd4:
        this.mouse.write(value);
        return;
      case 0xa5:
        // Password load: bytes until a zero terminator are swallowed.
        if (value !== 0) this.pendingCommand = 0xa5;
        return;
      default:
        // To the keyboard; sending it a byte also enables the keyboard interface.
        if (this.ram[0] & CB_KBD_OFF) this.ram[0] &= ~CB_KBD_OFF;
        this.keyboard.write(value);
    }
  }

  reset(kind: ResetKind): void {
    this.ram.fill(0);
    this.ram[0] = POWER_ON_COMMAND_BYTE;
    this.outputPort = POWER_ON_OUTPUT_PORT;
    this.status = ST_UNLOCKED;
    this.outByte = 0;
    this.ctrlQueue.clear();
    this.pendingCommand = 0;
    this.xlatBreak = false;
    this.deliverTimer.cancel();
    if (kind === 'power') {
      this.keyboard.reset(kind);
      this.mouse.reset(kind);
    }
    this.irq1Level = false;
    this.irq12Level = false;
    this.irq1.lower();
    this.irq12.lower();
    this.options.onA20(true);
    this.tryDeliver(); // after a RESET-line restart the keyboard may still hold bytes
  }

  saveState(): DeviceState {
    return {
      device: this.name,
      version: STATE_VERSION,
      fields: {
        ram: this.ram.slice(),
        outputPort: this.outputPort,
        status: this.status,
        outByte: this.outByte,
        ctrlQueue: this.ctrlQueue.snapshot(),
        pendingCommand: this.pendingCommand,
        xlatBreak: this.xlatBreak,
        irq1: this.irq1Level,
        irq12: this.irq12Level,
        keyboard: nest(this.keyboard.saveState()),
        mouse: nest(this.mouse.saveState()),
      },
    };
  }

  loadState(state: DeviceState): void {
    const f = expectState(state, this.name, STATE_VERSION);
    this.keyboard.loadState(nestedState(f, 'keyboard'));
    this.mouse.loadState(nestedState(f, 'mouse'));
    this.ram.set(fixedBytesField(f, 'ram', 32));
    this.outputPort = intField(f, 'outputPort', 0, 0xff);
    this.status = intField(f, 'status', 0, 0xff);
    this.outByte = intField(f, 'outByte', 0, 0xff);
    this.ctrlQueue.restore(bytesField(f, 'ctrlQueue'));
    this.pendingCommand = intField(f, 'pendingCommand', 0, 0xff);
    this.xlatBreak = boolField(f, 'xlatBreak');
    this.irq1Level = boolField(f, 'irq1');
    this.irq12Level = boolField(f, 'irq12');
    if (this.irq1Level) this.irq1.raise();
    else this.irq1.lower();
    if (this.irq12Level) this.irq12.raise();
    else this.irq12.lower();
    this.options.onA20(this.a20);
  }

  inspect(): readonly InspectNode[] {
    const st = this.readStatus();
    return [
      { name: 'status', value: `${hex(st, 2)}${st & ST_OBF ? ` (output ${hex(this.outByte, 2)}${st & ST_AUX ? ' from mouse' : ''})` : ''}` },
      { name: 'command byte', value: hex(this.ram[0], 2) },
      { name: 'output port', value: `${hex(this.outputPort, 2)} (A20 ${this.a20 ? 'on' : 'off'})` },
      { name: 'pending command', value: this.pendingCommand ? hex(this.pendingCommand, 2) : 'none' },
      { name: 'keyboard', value: '', children: this.keyboard.inspect() },
      { name: 'mouse', value: '', children: this.mouse.inspect() },
    ];
  }
}

/**
 * The AT's two Intel 8237A DMA controllers and the 74LS612 page registers.
 *
 *   DMA1  00h-0Fh  channels 0-3, 8-bit transfers, 64 KiB pages
 *   DMA2  C0h-DFh  channels 4-7, 16-bit transfers (word addresses, 128 KiB pages); registers on
 *                  even ports (A0 is not decoded, so odd ports alias them); channel 4 cascades DMA1
 *   pages 81h-8Fh  87h ch0, 83h ch1, 81h ch2, 82h ch3, 8Fh ch4, 8Bh ch5, 89h ch6, 8Ah ch7; the
 *                  other page ports are plain storage (80h is the POST code port)
 *
 * Wiring:
 *   const dma = new Dma8237(io, memory);
 *   const fdc = new Fdc82077(io, irq6, dma, ...);   // the FDC moves sector data with
 *   dma.transferToMemory(2, sector)  /  dma.transferFromMemory(2, sector)
 *
 * Registers from the 8237A data sheet: base and current address/count with the byte-pointer
 * flip-flop, command (controller disable), mode (verify/write/read, auto-initialise, address
 * decrement, demand/single/block/cascade), request, single and all-mask, status (terminal count
 * and request bits; TC bits clear on read), temporary register, master clear and clear mask.
 * A transfer moves bytes at once (the machine's time does not advance during it); the count
 * register holds N-1 for N transfers, terminal count is reached when it rolls from 0 to FFFFh,
 * after which the channel is auto-initialised or masked, as the chip does. Addresses never carry
 * into the page register. DMA1 only runs while channel 4 is unmasked in cascade mode, as on the AT.
 * DMA addresses are ISA bus addresses: the CPU's A20 gate does not apply to them.
 * reset('hard') (the system RESET line, wired to the 8237s' RESET pins) equals reset('power').
 */
import type { IoBus } from '../io/ioBus.js';
import {
  expectState,
  hex,
  type Device,
  type DeviceState,
  type InspectNode,
  type ResetKind,
} from '../machine/device.js';
import type { PhysicalMemory } from '../memory/physicalMemory.js';
import { fixedBytesField, fixedWordsField, type StateFields } from './stateFields.js';

/** Mode register transfer types (bits 3-2). */
export const enum DmaTransfer {
  Verify = 0,
  /** Device to memory. */
  Write = 1,
  /** Memory to device. */
  Read = 2,
  Illegal = 3,
}

const PAGE_PORT_OF_CHANNEL = [0x87, 0x83, 0x81, 0x82, 0x8f, 0x8b, 0x89, 0x8a];

const MODE_AUTOINIT = 0x10;
const MODE_DECREMENT = 0x20;
const MODE_CASCADE = 0xc0;
const CMD_DISABLE = 0x04;

const STATE_VERSION = 1;

export class Dma8237 implements Device {
  readonly name = 'dma';
  private readonly baseAddr = new Uint16Array(8);
  private readonly baseCount = new Uint16Array(8);
  private readonly curAddr = new Uint16Array(8);
  private readonly curCount = new Uint16Array(8);
  private readonly mode = new Uint8Array(8);
  /** Page registers 80h-8Fh (index = port - 80h; entries 1-3, 7, 9-11, 15 belong to channels). */
  private readonly pages = new Uint8Array(16);
  /** Per controller: command, status, mask, request, flip-flop, temporary. */
  private readonly command = new Uint8Array(2);
  private readonly status = new Uint8Array(2);
  private readonly mask = new Uint8Array(2);
  private readonly request = new Uint8Array(2);
  private readonly flipflop = new Uint8Array(2);
  private readonly temp = new Uint8Array(2);
  /** Per channel: the last transfer call ended at terminal count (what the device's TC input saw). */
  private readonly tcSeen = new Uint8Array(8);

  constructor(
    io: IoBus,
    private readonly memory: PhysicalMemory,
  ) {
    io.register(0x00, 0x0f, { read8: (p) => this.readReg(0, p), write8: (p, v) => this.writeReg(0, p, v) }, this.name, 'DMA1 (8237A): channels 0-3');
    io.register(0xc0, 0xdf, { read8: (p) => this.readReg(1, (p - 0xc0) >> 1), write8: (p, v) => this.writeReg(1, (p - 0xc0) >> 1, v) }, this.name, 'DMA2 (8237A): channels 4-7');
    io.register(0x81, 0x8f, { read8: (p) => this.pages[p - 0x80], write8: (p, v) => (this.pages[p - 0x80] = v) }, this.name, 'DMA page registers');
    this.reset('power');
  }

  private page(channel: number): number {
    return this.pages[PAGE_PORT_OF_CHANNEL[channel] - 0x80];
  }

  private readReg(ctrl: number, reg: number): number {
    if (reg < 8) {
      const ch = ctrl * 4 + (reg >> 1);
      const v = reg & 1 ? this.curCount[ch] : this.curAddr[ch];
      const hi = this.flipflop[ctrl];
      this.flipflop[ctrl] ^= 1;
      return hi ? v >> 8 : v & 0xff;
    }
    switch (reg) {
      case 8: {
        const v = this.status[ctrl] | (this.request[ctrl] << 4);
        this.status[ctrl] = 0; // reading clears the terminal-count bits
        return v;
      }
      case 13:
        return this.temp[ctrl];
      case 15:
        return 0xf0 | this.mask[ctrl];
      default:
        return 0xff;
    }
  }

  private writeReg(ctrl: number, reg: number, v: number): void {
    if (reg < 8) {
      const ch = ctrl * 4 + (reg >> 1);
      const hi = this.flipflop[ctrl];
      this.flipflop[ctrl] ^= 1;
      // Writes load the base and the current register together.
      const base = reg & 1 ? this.baseCount : this.baseAddr;
      const cur = reg & 1 ? this.curCount : this.curAddr;
      base[ch] = hi ? (base[ch] & 0xff) | (v << 8) : (base[ch] & 0xff00) | v;
      cur[ch] = base[ch];
      return;
    }
    switch (reg) {
      case 8:
        this.command[ctrl] = v;
        return;
      case 9:
        if (v & 4) this.request[ctrl] |= 1 << (v & 3);
        else this.request[ctrl] &= ~(1 << (v & 3));
        return;
      case 10:
        if (v & 4) this.mask[ctrl] |= 1 << (v & 3);
        else this.mask[ctrl] &= ~(1 << (v & 3));
        return;
      case 11:
        this.mode[ctrl * 4 + (v & 3)] = v & 0xfc;
        return;
      case 12:
        this.flipflop[ctrl] = 0;
        return;
      case 13:
        this.masterClear(ctrl);
        return;
      case 14:
        this.mask[ctrl] = 0;
        return;
      default:
        this.mask[ctrl] = v & 0x0f;
    }
  }

  private masterClear(ctrl: number): void {
    this.command[ctrl] = 0;
    this.status[ctrl] = 0;
    this.request[ctrl] = 0;
    this.temp[ctrl] = 0;
    this.flipflop[ctrl] = 0;
    this.mask[ctrl] = 0x0f;
  }

  /** Whether a DREQ on `channel` would be served now. */
  channelReady(channel: number): boolean {
    const ctrl = channel >> 2;
    const i = channel & 3;
    if (this.command[ctrl] & CMD_DISABLE || this.mask[ctrl] & (1 << i)) return false;
    if ((this.mode[channel] & MODE_CASCADE) === MODE_CASCADE) return false;
    if (ctrl === 0) {
      // DMA1 reaches the bus only through DMA2's channel 4 in cascade mode.
      if (this.command[1] & CMD_DISABLE || this.mask[1] & 1 || (this.mode[4] & MODE_CASCADE) !== MODE_CASCADE) return false;
    }
    return true;
  }

  transferType(channel: number): DmaTransfer {
    return ((this.mode[channel] >> 2) & 3) as DmaTransfer;
  }

  /**
   * True when the last transfer call on `channel` ended at terminal count: the TC pulse a device
   * (the FDC) uses to end its command. Unlike the status register bit it is not left over from
   * earlier transfers.
   */
  terminalCount(channel: number): boolean {
    return this.tcSeen[channel] !== 0;
  }

  /** Bytes the channel will still transfer before terminal count. */
  remaining(channel: number): number {
    return (this.curCount[channel] + 1) * (channel >= 4 ? 2 : 1);
  }

  /**
   * Device to memory: moves up to `length` bytes of `data` (from `offset`) into memory through
   * the channel, stopping at terminal count. Returns the bytes taken. A channel programmed for
   * verify, or for the other direction, counts and moves its address without writing memory.
   */
  transferToMemory(channel: number, data: Uint8Array, offset = 0, length = data.length - offset): number {
    return this.run(channel, data, offset, length, true);
  }

  /**
   * Memory to device: fills up to `length` bytes of `buffer` (from `offset`) from memory,
   * stopping at terminal count. Returns the bytes delivered. A channel not programmed for a read
   * transfer delivers FFh (nothing drives the bus).
   */
  transferFromMemory(channel: number, buffer: Uint8Array, offset = 0, length = buffer.length - offset): number {
    return this.run(channel, buffer, offset, length, false);
  }

  private run(channel: number, buf: Uint8Array, offset: number, length: number, toMemory: boolean): number {
    this.tcSeen[channel] = 0;
    if (!this.channelReady(channel)) return 0;
    const ctrl = channel >> 2;
    const wide = ctrl === 1;
    const type = this.transferType(channel);
    const moves = toMemory ? type === DmaTransfer.Write : type === DmaTransfer.Read;
    const step = this.mode[channel] & MODE_DECREMENT ? 0xffff : 1;
    const page = this.page(channel);
    const unit = wide ? 2 : 1;
    let n = 0;
    while (n < length) {
      const addr = wide ? ((page & 0xfe) << 16) | (this.curAddr[channel] << 1) : (page << 16) | this.curAddr[channel];
      for (let b = 0; b < unit; b++) {
        const k = offset + n + b;
        if (toMemory) {
          if (moves && n + b < length) this.busWrite(addr + b, buf[k]);
        } else if (n + b < length) {
          buf[k] = moves ? this.busRead(addr + b) : 0xff;
        }
      }
      n += unit;
      this.curAddr[channel] = (this.curAddr[channel] + step) & 0xffff;
      if (this.curCount[channel] === 0) {
        this.status[ctrl] |= 1 << (channel & 3);
        this.tcSeen[channel] = 1;
        if (this.mode[channel] & MODE_AUTOINIT) {
          this.curAddr[channel] = this.baseAddr[channel];
          this.curCount[channel] = this.baseCount[channel];
        } else {
          this.curCount[channel] = 0xffff;
          this.mask[ctrl] |= 1 << (channel & 3);
        }
        break;
      }
      this.curCount[channel]--;
    }
    return Math.min(n, length);
  }

  /** ISA bus write: RAM directly (no A20 gate), the adapter hole through the memory map. */
  private busWrite(addr: number, v: number): void {
    if (addr >= 0xa0000 && addr < 0x100000) this.memory.write8(addr, v);
    else if (addr < this.memory.ramSize) this.memory.ram[addr] = v;
  }

  private busRead(addr: number): number {
    if (addr >= 0xa0000 && addr < 0x100000) return this.memory.read8(addr);
    return addr < this.memory.ramSize ? this.memory.ram[addr] : 0xff;
  }

  reset(_kind: ResetKind): void {
    this.baseAddr.fill(0);
    this.baseCount.fill(0);
    this.curAddr.fill(0);
    this.curCount.fill(0);
    this.mode.fill(0);
    this.pages.fill(0);
    this.tcSeen.fill(0);
    this.masterClear(0);
    this.masterClear(1);
  }

  saveState(): DeviceState {
    return {
      device: this.name,
      version: STATE_VERSION,
      fields: {
        baseAddr: this.baseAddr.slice(),
        baseCount: this.baseCount.slice(),
        curAddr: this.curAddr.slice(),
        curCount: this.curCount.slice(),
        mode: this.mode.slice(),
        pages: this.pages.slice(),
        command: this.command.slice(),
        status: this.status.slice(),
        mask: this.mask.slice(),
        request: this.request.slice(),
        flipflop: this.flipflop.slice(),
        temp: this.temp.slice(),
        tcSeen: this.tcSeen.slice(),
      },
    };
  }

  loadState(state: DeviceState): void {
    const f: StateFields = expectState(state, this.name, STATE_VERSION);
    this.baseAddr.set(fixedWordsField(f, 'baseAddr', 8));
    this.baseCount.set(fixedWordsField(f, 'baseCount', 8));
    this.curAddr.set(fixedWordsField(f, 'curAddr', 8));
    this.curCount.set(fixedWordsField(f, 'curCount', 8));
    this.mode.set(fixedBytesField(f, 'mode', 8));
    this.pages.set(fixedBytesField(f, 'pages', 16));
    this.command.set(fixedBytesField(f, 'command', 2));
    this.status.set(fixedBytesField(f, 'status', 2));
    this.mask.set(fixedBytesField(f, 'mask', 2));
    this.request.set(fixedBytesField(f, 'request', 2));
    this.flipflop.set(fixedBytesField(f, 'flipflop', 2));
    this.temp.set(fixedBytesField(f, 'temp', 2));
    this.tcSeen.set(fixedBytesField(f, 'tcSeen', 8));
  }

  inspect(): readonly InspectNode[] {
    const modeName = ['demand', 'single', 'block', 'cascade'];
    const typeName = ['verify', 'write (to memory)', 'read (from memory)', 'illegal'];
    const channels: InspectNode[] = [];
    for (let ch = 0; ch < 8; ch++) {
      const m = this.mode[ch];
      const ctrl = ch >> 2;
      channels.push({
        name: `channel ${ch}`,
        value: `${this.mask[ctrl] & (1 << (ch & 3)) ? 'masked' : 'unmasked'}, ${modeName[m >> 6]}, ${typeName[(m >> 2) & 3]}`,
        children: [
          { name: 'page', value: hex(this.page(ch), 2) },
          { name: 'address', value: `${hex(this.curAddr[ch], 4)} (base ${hex(this.baseAddr[ch], 4)})` },
          { name: 'count', value: `${hex(this.curCount[ch], 4)} (base ${hex(this.baseCount[ch], 4)})` },
          { name: 'flags', value: `${m & MODE_AUTOINIT ? 'auto-init ' : ''}${m & MODE_DECREMENT ? 'decrement' : 'increment'}` },
        ],
      });
    }
    return [
      { name: 'DMA1', value: `command ${hex(this.command[0], 2)}, status ${hex(this.status[0] | (this.request[0] << 4), 2)}, mask ${hex(this.mask[0], 1)}` },
      { name: 'DMA2', value: `command ${hex(this.command[1], 2)}, status ${hex(this.status[1] | (this.request[1] << 4), 2)}, mask ${hex(this.mask[1], 1)}` },
      ...channels,
    ];
  }
}

// 8237A DMA behaviour from the Intel 8237A data sheet (register addressing, byte-pointer
// flip-flop, mode register, auto-initialise, address decrement, terminal count, mask and status
// registers, master clear) and the AT's page registers and cascade (IBM AT Technical Reference).
import { describe, expect, it } from 'vitest';
import { IoBus } from '../io/ioBus.js';
import { PhysicalMemory } from '../memory/physicalMemory.js';
import { Dma8237 } from './dma8237.js';

function setup() {
  const io = new IoBus();
  const mem = new PhysicalMemory(4 << 20);
  const dma = new Dma8237(io, mem);
  // What every AT BIOS does first: channel 4 to cascade mode and unmasked.
  io.out8(0xd6, 0xc0);
  io.out8(0xd4, 0x00);
  return { io, mem, dma };
}

/** Programs an 8-bit channel the way the floppy BIOS does. */
function program8(io: IoBus, ch: number, mode: number, addr: number, count: number): void {
  const pagePort = [0x87, 0x83, 0x81, 0x82][ch];
  io.out8(0x0a, 0x04 | ch); // mask
  io.out8(0x0c, 0); // clear flip-flop
  io.out8(0x0b, mode | ch);
  io.out8(ch * 2, addr & 0xff);
  io.out8(ch * 2, (addr >> 8) & 0xff);
  io.out8(pagePort, addr >> 16);
  io.out8(ch * 2 + 1, (count - 1) & 0xff);
  io.out8(ch * 2 + 1, (count - 1) >> 8);
  io.out8(0x0a, ch); // unmask
}

describe('8237A DMA', () => {
  it('writes a sector to memory on channel 2, reaches terminal count and masks the channel', () => {
    const { io, mem, dma } = setup();
    program8(io, 2, 0x46, 0x12345, 512); // single, write (to memory), increment
    expect(dma.channelReady(2)).toBe(true);
    const data = Uint8Array.from({ length: 600 }, (_, i) => i & 0xff);
    expect(dma.transferToMemory(2, data)).toBe(512);
    expect(mem.ram.subarray(0x12345, 0x12345 + 512)).toEqual(data.subarray(0, 512));
    expect(mem.ram[0x12345 + 512]).toBe(0);
    expect(dma.terminalCount(2)).toBe(true);
    expect(io.in8(0x08) & 0x04).toBe(0x04);
    expect(io.in8(0x08) & 0x04).toBe(0); // status TC bits clear on read
    expect(dma.channelReady(2)).toBe(false); // masked at TC without auto-init
    expect(io.in8(0x0f) & 0x04).toBe(0x04);
    io.out8(0x0c, 0);
    expect(io.in8(0x04) | (io.in8(0x04) << 8)).toBe((0x2345 + 512) & 0xffff);
    expect(io.in8(0x05) | (io.in8(0x05) << 8)).toBe(0xffff);
  });

  it('reads memory for the device, wraps the address inside its 64 KiB page', () => {
    const { io, mem, dma } = setup();
    mem.ram.set([1, 2, 3], 0x2fffe);
    mem.ram[0x20000] = 4;
    program8(io, 2, 0x4a, 0x2fffe, 4); // read (from memory)
    const buf = new Uint8Array(4);
    expect(dma.transferFromMemory(2, buf)).toBe(4);
    expect(Array.from(buf)).toEqual([1, 2, 4, 0]);
  });

  it('auto-initialises at terminal count and can count addresses down', () => {
    const { io, mem, dma } = setup();
    program8(io, 1, 0x50 | 0x04 | 0x20, 0x1000, 3); // auto-init, decrement, write
    expect(dma.transferToMemory(1, Uint8Array.of(9, 8, 7, 6, 5))).toBe(3);
    expect(Array.from(mem.ram.subarray(0x0ffe, 0x1001))).toEqual([7, 8, 9]);
    expect(dma.channelReady(1)).toBe(true); // still unmasked
    expect(dma.transferToMemory(1, Uint8Array.of(1))).toBe(1);
    expect(mem.ram[0x1000]).toBe(1); // restarted from the base address
  });

  it('counts without touching memory in verify mode', () => {
    const { io, mem, dma } = setup();
    program8(io, 3, 0x40, 0x3000, 2);
    expect(dma.transferToMemory(3, Uint8Array.of(5, 5))).toBe(2);
    expect(mem.ram[0x3000]).toBe(0);
    expect(dma.terminalCount(3)).toBe(true);
  });

  it('moves words on 16-bit channels with word addresses and 128 KiB pages', () => {
    const { io, mem, dma } = setup();
    io.out8(0xd4, 0x05); // mask ch5
    io.out8(0xd8, 0);
    io.out8(0xd6, 0x45); // ch5 single write
    io.out8(0xc4, 0x00); // word address 8000h -> byte 10000h in page 2 (20000h)
    io.out8(0xc4, 0x80);
    io.out8(0x8b, 0x02);
    io.out8(0xc6, 1); // 2 words
    io.out8(0xc6, 0);
    io.out8(0xd4, 0x01);
    expect(dma.transferToMemory(5, Uint8Array.of(0xa, 0xb, 0xc, 0xd, 0xe))).toBe(4);
    expect(Array.from(mem.ram.subarray(0x30000, 0x30005))).toEqual([0xa, 0xb, 0xc, 0xd, 0]);
  });

  it('serves DMA1 only through cascade channel 4, and not while disabled or after master clear', () => {
    const { io, dma } = setup();
    program8(io, 2, 0x46, 0, 10);
    io.out8(0xd4, 0x04); // mask channel 4
    expect(dma.channelReady(2)).toBe(false);
    io.out8(0xd4, 0x00);
    io.out8(0x08, 0x04); // controller disable
    expect(dma.channelReady(2)).toBe(false);
    io.out8(0x08, 0x00);
    expect(dma.channelReady(2)).toBe(true);
    io.out8(0x0d, 0); // master clear masks everything
    expect(dma.channelReady(2)).toBe(false);
    io.out8(0x0e, 0); // clear mask register
    expect(dma.channelReady(2)).toBe(true);
    expect(dma.transferToMemory(6, new Uint8Array(2))).toBe(0); // masked since power-on
  });

  it('keeps spare page registers as storage and reports software requests in status', () => {
    const { io } = setup();
    io.out8(0x84, 0x5a);
    expect(io.in8(0x84)).toBe(0x5a);
    io.out8(0x09, 0x06); // request channel 2
    expect(io.in8(0x08) & 0xf0).toBe(0x40);
  });

  it('continues identically after save and load mid-transfer', () => {
    const a = setup();
    program8(a.io, 2, 0x56, 0x8000, 1000);
    const chunk = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);
    a.dma.transferToMemory(2, chunk);
    a.io.in8(0x04); // leave the flip-flop on the high byte
    const b = setup();
    b.dma.loadState(a.dma.saveState());
    b.mem.ram.set(a.mem.ram);
    for (const x of [a, b]) {
      x.dma.transferToMemory(2, chunk);
      x.dma.transferToMemory(2, chunk);
      x.dma.transferToMemory(2, chunk);
    }
    expect(Buffer.from(b.mem.ram).equals(Buffer.from(a.mem.ram))).toBe(true);
    expect(b.io.in8(0x04)).toBe(a.io.in8(0x04));
    expect(b.dma.saveState()).toEqual(a.dma.saveState());
  });
});

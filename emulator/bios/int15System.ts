/**
 * INT 15h system services (4Fh, 83h/86h event wait through the RTC periodic interrupt, 87h block
 * move, 88h, 90h/91h, C0h, C2h PS/2 mouse, E801h, E820h, 2400h-2403h), the RTC interrupt's
 * TypeScript half (INT 70h), the mouse interrupt's packet assembly (INT 74h), INT 14h and INT 17h.
 *
 * The event wait keeps its state where the IBM BIOS does: 40:98h user flag pointer, 40:9Ch the
 * remaining microseconds, 40:A0h bit 0 "wait active". The PS/2 mouse state lives in otherwise
 * unused BIOS data bytes (there is no EBDA): 40:D0h handler far pointer, 40:D4h flags (bit 0
 * enabled, bit 7 handler installed), 40:D5h packet size, 40:D6h bytes received, 40:D7h-40:D9h the
 * packet.
 */
import type { BiosContext } from './biosContext.js';
import { BIOS_SEGMENT } from './systemRom.js';

const WAIT_FLAG_PTR = 0x98;
const WAIT_COUNT = 0x9c;
const WAIT_ACTIVE = 0xa0;
const MOUSE_HANDLER = 0xd0;
const MOUSE_FLAGS = 0xd4;
const MOUSE_SIZE = 0xd5;
const MOUSE_INDEX = 0xd6;
const MOUSE_PACKET = 0xd7;
/** The RTC's periodic interrupt at the POST rate (1024 Hz) in microseconds. */
const PERIOD_US = 976;

export function int15(b: BiosContext): void {
  const ah = b.ah;
  switch (ah) {
    case 0x4f:
      b.carry = true;
      return;
    case 0x83:
      return eventWait(b, false);
    case 0x86:
      return eventWait(b, true);
    case 0x87:
      return b.jump('block_move');
    case 0x88: {
      const ext = Math.max(0, b.config.memoryBytes - 0x100000) >>> 10;
      b.ax = Math.min(ext, 0xfc00);
      b.carry = false;
      return;
    }
    case 0x90:
    case 0x91:
      b.ah = 0;
      b.carry = false;
      return;
    case 0xc0:
      b.es = BIOS_SEGMENT;
      b.bx = b.rom.addr('config_table');
      b.ah = 0;
      b.carry = false;
      return;
    case 0xc2:
      return mouse(b);
    case 0x24:
      return a20(b);
    case 0xe8:
      if (b.al === 0x01) return e801(b);
      if (b.al === 0x20 && b.edx === 0x534d4150) return e820(b);
      return b.status(0x86);
    default:
      return b.status(0x86);
  }
}

function eventWait(b: BiosContext, wait: boolean): void {
  if (!wait && b.al === 0x01) {
    b.setBda8(WAIT_ACTIVE, 0);
    b.carry = false;
    return;
  }
  if (b.bda8(WAIT_ACTIVE) & 0x01) return b.status(0x83);
  const us = ((b.cx << 16) | b.dx) >>> 0;
  if (wait) {
    b.setBda16(WAIT_FLAG_PTR, WAIT_ACTIVE);
    b.setBda16(WAIT_FLAG_PTR + 2, 0x40);
  } else {
    b.setBda16(WAIT_FLAG_PTR, b.bx);
    b.setBda16(WAIT_FLAG_PTR + 2, b.es);
  }
  b.setBda32(WAIT_COUNT, us);
  b.setBda8(WAIT_ACTIVE, 0x01);
  b.carry = false;
  b.ah = 0;
  b.cpu.setReg('bl', wait ? 1 : 0);
  b.jump('rtc_pie_on');
}

/** INT 70h: AH = status C, AL = status B. Answers CL = new status B (FFh: unchanged), CH bit 0 = call INT 4Ah. */
export function rtcIrq(b: BiosContext): void {
  const cpu = b.cpu;
  const c = cpu.getReg('ah');
  const regB = cpu.getReg('al');
  let newB = 0xff;
  let alarm = 0;
  if (c & 0x40 && regB & 0x40) {
    if (b.bda8(WAIT_ACTIVE) & 0x01) {
      const left = b.bda32(WAIT_COUNT) - PERIOD_US;
      if (left <= 0) {
        b.setBda32(WAIT_COUNT, 0);
        b.setBda8(WAIT_ACTIVE, 0);
        const off = b.bda16(WAIT_FLAG_PTR);
        const seg = b.bda16(WAIT_FLAG_PTR + 2);
        b.wr8(seg, off, b.rd8(seg, off) | 0x80);
        newB = regB & ~0x40;
      } else b.setBda32(WAIT_COUNT, left);
    } else newB = regB & ~0x40;
  }
  if (c & 0x20 && regB & 0x20) alarm = 1;
  cpu.setReg('cl', newB);
  cpu.setReg('ch', alarm);
}

function a20(b: BiosContext): void {
  switch (b.al) {
    case 0x00:
      b.status(0);
      return b.jump('a20_off');
    case 0x01:
      b.status(0);
      return b.jump('a20_on');
    case 0x02:
      return b.jump('a20_query');
    case 0x03:
      b.bx = 0x0003;
      return b.status(0);
    default:
      return b.status(0x86);
  }
}

/** INT15_STEP: the second half of 2402h (AL = port 92h), 87h (copy) and C2h (mouse replies). */
export function int15Step(b: BiosContext): void {
  const ah = b.ah;
  if (ah === 0x24) {
    b.al = (b.cpu.getReg('al') >> 1) & 1;
    return b.status(0);
  }
  if (ah === 0x87) return blockMove(b);
  if (ah === 0xc2) return mouseReply(b);
}

function blockMove(b: BiosContext): void {
  // ES:SI -> GDT: entry 2 source, entry 3 destination (24-bit base at +2, +4, +7 for the 386).
  const seg = b.es;
  const si = b.si;
  const words = b.cx;
  if (words > 0x8000) return b.status(0x01);
  const base = (d: number): number => (b.rd16(seg, si + d + 2) | (b.rd8(seg, si + d + 4) << 16) | (b.rd8(seg, si + d + 7) << 24)) >>> 0;
  const src = base(0x10);
  const dst = base(0x18);
  const cpu = b.cpu;
  // Reads everything before writing: a fault part-way through must leave memory untouched.
  const data = new Uint8Array(words * 2);
  for (let i = 0; i < data.length; i++) data[i] = cpu.readLinear8(src + i);
  for (let p = dst & ~0xfff; p < dst + data.length; p += 0x1000) {
    const a = Math.max(p, dst);
    cpu.writeLinear8(a, cpu.readLinear8(a));
  }
  for (let i = 0; i < data.length; i++) cpu.writeLinear8(dst + i, data[i]);
  b.status(0);
}

function e801(b: BiosContext): void {
  const mem = b.config.memoryBytes;
  const below16 = Math.min(Math.max(0, mem - 0x100000), 0xf00000) >>> 10;
  const above16 = Math.max(0, mem - 0x1000000) >>> 16;
  b.ax = below16;
  b.cx = below16;
  b.bx = above16;
  b.dx = above16;
  b.carry = false;
}

function e820(b: BiosContext): void {
  const mem = b.config.memoryBytes;
  const all: [number, number, number][] = [
    [0, 0xa0000, 1],
    [0xf0000, 0x10000, 2],
    [0x100000, mem - 0x100000, 1],
    [0xfffe0000, 0x20000, 2],
  ];
  const map = all.filter(([, len]) => len > 0);
  const i = b.ebx;
  if (i >= map.length || b.ecx < 20) return b.status(0x86);
  const [base, len, type] = map[i];
  const seg = b.es;
  const di = b.di;
  b.touch(seg, di, 20);
  b.wr32(seg, di, base);
  b.wr32(seg, di + 4, 0);
  b.wr32(seg, di + 8, len);
  b.wr32(seg, di + 12, 0);
  b.wr32(seg, di + 16, type);
  b.eax = 0x534d4150;
  b.ecx = 20;
  b.ebx = i + 1 < map.length ? i + 1 : 0;
  b.carry = false;
}

// ---------------------------------------------------------------- PS/2 mouse

function auxCommands(b: BiosContext, bytes: readonly number[], replies: number): void {
  bytes.forEach((v, i) => b.setScratch8(i, v));
  b.cpu.setReg('cx', bytes.length);
  b.cpu.setReg('di', replies);
  b.jump('aux_script');
}

function mouse(b: BiosContext): void {
  const al = b.al;
  const bh = b.bh;
  switch (al) {
    case 0x00:
      if (bh > 1) return b.status(0x01);
      if (bh === 1 && !(b.bda8(MOUSE_FLAGS) & 0x80)) return b.status(0x05);
      return auxCommands(b, [bh === 1 ? 0xf4 : 0xf5], 0);
    case 0x01:
      b.setBda8(MOUSE_INDEX, 0);
      return auxCommands(b, [0xff], 2);
    case 0x02: {
      const rates = [10, 20, 40, 60, 80, 100, 200];
      if (bh >= rates.length) return b.status(0x02);
      return auxCommands(b, [0xf3, rates[bh]], 0);
    }
    case 0x03:
      if (bh > 3) return b.status(0x02);
      return auxCommands(b, [0xe8, bh], 0);
    case 0x04:
      return auxCommands(b, [0xf2], 1);
    case 0x05:
      if (bh < 1 || bh > 8) return b.status(0x02);
      b.setBda8(MOUSE_SIZE, bh);
      b.setBda8(MOUSE_INDEX, 0);
      b.setBda8(MOUSE_FLAGS, b.bda8(MOUSE_FLAGS) & ~0x01);
      return auxCommands(b, [0xf6], 0);
    case 0x06:
      if (bh === 0) return auxCommands(b, [0xe9], 3);
      if (bh === 1 || bh === 2) return auxCommands(b, [bh === 1 ? 0xe6 : 0xe7], 0);
      return b.status(0x01);
    case 0x07: {
      const off = b.bx;
      const seg = b.es;
      b.setBda16(MOUSE_HANDLER, off);
      b.setBda16(MOUSE_HANDLER + 2, seg);
      const installed = off !== 0 || seg !== 0;
      b.setBda8(MOUSE_FLAGS, installed ? b.bda8(MOUSE_FLAGS) | 0x80 : b.bda8(MOUSE_FLAGS) & ~0x81);
      return b.status(0);
    }
    default:
      return b.status(0x01);
  }
}

function mouseReply(b: BiosContext): void {
  const result = b.cpu.getReg('al');
  if (result !== 0) return b.status(result);
  const al = b.al;
  const reply = (i: number): number => b.scratch8(16 + i);
  if (al === 0x00) {
    b.setBda8(MOUSE_FLAGS, b.bh === 1 ? b.bda8(MOUSE_FLAGS) | 0x01 : b.bda8(MOUSE_FLAGS) & ~0x01);
    b.setBda8(MOUSE_INDEX, 0);
  } else if (al === 0x01) {
    b.bl = reply(0);
    b.bh = reply(1);
  } else if (al === 0x04) b.bh = reply(0);
  else if (al === 0x06 && b.bh === 0) {
    b.bl = reply(0);
    b.cl = reply(1);
    b.dl = reply(2);
  }
  b.status(0);
}

/** INT 74h: AL = a byte from the mouse. A full packet goes to the handler through int74.call. */
export function mouseByte(b: BiosContext): void {
  const value = b.cpu.getReg('al');
  const flags = b.bda8(MOUSE_FLAGS);
  if ((flags & 0x81) !== 0x81) return;
  let index = b.bda8(MOUSE_INDEX);
  // A first byte always has bit 3 set: resynchronise on anything else.
  if (index === 0 && !(value & 0x08)) return;
  b.setBda8(MOUSE_PACKET + Math.min(index, 2), value);
  index++;
  const size = Math.max(3, b.bda8(MOUSE_SIZE) || 3);
  if (index < size) {
    b.setBda8(MOUSE_INDEX, index);
    return;
  }
  b.setBda8(MOUSE_INDEX, 0);
  const cpu = b.cpu;
  cpu.setReg('bx', b.bda8(MOUSE_PACKET));
  cpu.setReg('cx', b.bda8(MOUSE_PACKET + 1));
  cpu.setReg('dx', b.bda8(MOUSE_PACKET + 2));
  cpu.setReg('si', 0);
  b.jump('int74.call');
}

// ---------------------------------------------------------------- serial and printer

export function int14(b: BiosContext): void {
  const port = b.dx;
  const base = port < 4 ? b.bda16(port * 2) : 0;
  if (base === 0) {
    b.ah = 0x80;
    return;
  }
  const ah = b.ah;
  const cpu = b.cpu;
  if (ah === 0x00) {
    const al = b.al;
    const divisors = [0x417, 0x300, 0x180, 0xc0, 0x60, 0x30, 0x18, 0x0c];
    const div = divisors[al >> 5];
    const lcr = al & 0x1f;
    b.ioScript([
      [base + 3, 0x80 | lcr],
      [base, div & 0xff],
      [base + 1, div >> 8],
      [base + 3, lcr],
      [base + 1, 0],
      [base + 4, 0x03],
    ]);
    // The status read follows the initialisation on the next call; report "ready" now.
    b.ax = 0x6000;
    return;
  }
  if (ah < 1 || ah > 3) return;
  cpu.setReg('dx', base);
  cpu.setReg('bl', ah);
  cpu.setReg('ax', b.al);
  b.jump('com_io');
}

/** INT14_DONE: AH = line status, AL = modem status, CL = received byte, BL = 80h on timeout. */
export function int14Done(b: BiosContext): void {
  const cpu = b.cpu;
  const lsr = cpu.getReg('ah');
  const msr = cpu.getReg('al');
  const timeout = cpu.getReg('bl') === 0x80;
  const op = b.ah;
  if (op === 0x03) {
    b.ah = lsr;
    b.al = msr;
  } else if (op === 0x01) b.ah = lsr | (timeout ? 0x80 : 0);
  else {
    b.ah = (lsr & 0x1e) | (timeout ? 0x80 : 0);
    b.al = cpu.getReg('cl');
  }
}

export function int17(b: BiosContext): void {
  // No parallel ports are fitted (40:08h is zero): report a time-out.
  b.ah = 0x01;
}

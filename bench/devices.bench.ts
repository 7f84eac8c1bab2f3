// Chipset device benchmarks: the port paths a guest hammers (PIT counter reads in delay loops,
// the PIC's interrupt cycle, ATA PIO sector reads, 8042 key delivery) and the cost of the devices'
// virtual-time events (IRQ0 at 1 kHz plus the RTC's 1024 Hz periodic interrupt) per virtual second.
import { AtaChannel } from '../emulator/devices/ata.js';
import { I8042 } from '../emulator/devices/i8042.js';
import { DualPic8259 } from '../emulator/devices/pic8259.js';
import { Pit8254 } from '../emulator/devices/pit8254.js';
import { Rtc146818 } from '../emulator/devices/rtc146818.js';
import { MemoryDisk } from '../emulator/devices/testDisks.js';
import { IoBus } from '../emulator/io/ioBus.js';
import { WiredIrqLine } from '../emulator/io/irq.js';
import { Scheduler } from '../emulator/machine/scheduler.js';

function time(label: string, unit: string, count: number, body: () => void): void {
  body(); // warm-up
  const t0 = performance.now();
  let n = 0;
  let elapsed = 0;
  do {
    body();
    n++;
    elapsed = performance.now() - t0;
  } while (elapsed < 1500);
  const rate = (n * count) / (elapsed / 1000);
  console.log(`${label.padEnd(52)} ${rate.toFixed(rate > 1000 ? 0 : 1).padStart(12)} ${unit}`);
}

function rig() {
  const io = new IoBus();
  const s = new Scheduler(25_000_000);
  let intr = false;
  const pic = new DualPic8259(io, (l) => (intr = l));
  const line = (n: number) => new WiredIrqLine(pic, n);
  for (const [port, v] of [[0x20, 0x11], [0x21, 0x08], [0x21, 0x04], [0x21, 0x01], [0xa0, 0x11], [0xa1, 0x70], [0xa1, 0x02], [0xa1, 0x01], [0x21, 0], [0xa1, 0]]) io.out8(port, v);
  return { io, s, pic, line, intr: () => intr };
}

{
  const { io, s } = rig();
  new Pit8254(io, s, new WiredIrqLine({ setIrqLevel: () => {} }, 0));
  io.out8(0x43, 0x34);
  io.out8(0x40, 0);
  io.out8(0x40, 0);
  time('PIT counter 0 latch + LSB + MSB (one read)', 'reads/s', 10_000, () => {
    for (let i = 0; i < 10_000; i++) {
      s.advance(7);
      io.out8(0x43, 0);
      io.in8(0x40);
      io.in8(0x40);
    }
  });
}

{
  const { pic, io, line } = rig();
  const l = line(14);
  time('PIC IRQ14 raise, INTA, lower, EOI slave + master', 'interrupts/s', 10_000, () => {
    for (let i = 0; i < 10_000; i++) {
      l.raise();
      pic.acknowledge();
      l.lower();
      io.out8(0xa0, 0x20);
      io.out8(0x20, 0x20);
    }
  });
}

{
  const { io, line } = rig();
  const disk = new MemoryDisk(32 << 20);
  new AtaChannel(io, line(14), { master: { disk } });
  let lba = 0;
  time('ATA READ SECTORS x256 by 16-bit PIO (in16)', 'MB/s', (256 * 512) / 1e6, () => {
    io.out8(0x1f6, 0xe0);
    io.out8(0x1f2, 0);
    io.out8(0x1f3, lba & 0xff);
    io.out8(0x1f4, (lba >> 8) & 0xff);
    io.out8(0x1f5, 0);
    io.out8(0x1f7, 0x20);
    for (let sct = 0; sct < 256; sct++) {
      io.in8(0x1f7);
      for (let w = 0; w < 256; w++) io.in16(0x1f0);
    }
    lba = (lba + 256) % 60000;
  });
  time('ATA READ SECTORS x256 by 32-bit PIO (in32)', 'MB/s', (256 * 512) / 1e6, () => {
    io.out8(0x1f6, 0xe0);
    io.out8(0x1f2, 0);
    io.out8(0x1f3, 0);
    io.out8(0x1f4, 0);
    io.out8(0x1f5, 0);
    io.out8(0x1f7, 0x20);
    for (let sct = 0; sct < 256; sct++) {
      io.in8(0x1f7);
      for (let w = 0; w < 128; w++) io.in32(0x1f0);
    }
  });
}

{
  const { io, s, line } = rig();
  const kbc = new I8042(io, s, line(1), line(12), { onA20: () => {}, onReset: () => {} });
  time('8042 key press+release delivered and read (set 1)', 'keys/s', 100, () => {
    for (let i = 0; i < 100; i++) {
      kbc.keyEvent('KeyA', true);
      kbc.keyEvent('KeyA', false);
      for (let b = 0; b < 2; b++) {
        while ((io.in8(0x64) & 1) === 0) s.advance(25_000);
        io.in8(0x60);
      }
    }
  });
}

{
  const { io, s, pic, line, intr } = rig();
  new Pit8254(io, s, line(0));
  new Rtc146818(io, s, line(8), { startTime: new Date('2024-01-01T00:00:00Z') });
  io.out8(0x43, 0x34);
  io.out8(0x40, 0xa9); // 1193: 1000 Hz
  io.out8(0x40, 0x04);
  io.out8(0x70, 0x0b);
  io.out8(0x71, 0x42); // RTC periodic interrupt at 1024 Hz
  time('virtual second: IRQ0 1 kHz + IRQ8 1024 Hz, serviced', 'virtual s/s', 1, () => {
    for (let t = 0; t < 25_000_000; t += 20_000) {
      s.advance(20_000);
      while (intr()) {
        const v = pic.acknowledge();
        if (v === 0x70) {
          io.out8(0x70, 0x0c);
          io.in8(0x71);
          io.out8(0xa0, 0x20);
        }
        io.out8(0x20, 0x20);
      }
    }
  });
}

// Register-level cross-check of the chipset devices against QEMU (Debian qemu-system-i386 7.2 as
// the oracle). One port script (portScript.ts) programs the PIC, PIT, RTC/CMOS, DMA, 8042 with
// keyboard and mouse, the floppy controller, the ATA disk and the UART the way a BIOS or driver
// would, and prints everything it reads. QEMU runs the script from a boot floppy (after SeaBIOS,
// so every check first puts its chip into a known state); our devices run the same script
// directly; the outputs must agree section by section. Values that depend on wall-clock time in
// QEMU (running counters, the RTC's clock) are masked out in the script itself. Where QEMU departs
// from the data sheets the script masks that bit and the comment names the difference.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasTool, testdata } from '../../test/support/testdata.js';
import { IoBus } from '../io/ioBus.js';
import { WiredIrqLine } from '../io/irq.js';
import { Scheduler } from '../machine/scheduler.js';
import { PhysicalMemory } from '../memory/physicalMemory.js';
import { AtaChannel } from './ata.js';
import { Dma8237 } from './dma8237.js';
import { Fdc82077 } from './fdc82077.js';
import { I8042 } from './i8042.js';
import { DualPic8259 } from './pic8259.js';
import { Pit8254 } from './pit8254.js';
import { PORT_SCRIPT_BOOT_ASM, PortScript } from './portScript.js';
import { buildCmos, Rtc146818 } from './rtc146818.js';
import { Serial16550 } from './serial16550.js';
import { SystemControlB } from './systemControlB.js';
import { MemoryDisk } from './testDisks.js';

const FLOPPY_BYTES = 1_474_560;
const BUF = 0x3000; // segment of the DMA buffers (physical 30000h)

/** The sector pattern of the test floppy beyond the boot track: easy to recognise in dumps. */
function floppyImage(boot: Uint8Array, script: Uint8Array): Uint8Array {
  const img = new Uint8Array(FLOPPY_BYTES);
  for (let s = 18; s < FLOPPY_BYTES / 512; s++) {
    for (let j = 0; j < 512; j++) img[s * 512 + j] = (s * 7 + j) & 0xff;
    img[s * 512] = s & 0xff;
    img[s * 512 + 1] = s >> 8;
  }
  img.set(boot, 0);
  img.set(script, 512);
  return img;
}

function fdcCommand(p: PortScript, ...bytes: number[]): PortScript {
  for (const b of bytes) {
    p.wait(0x3f4, 0xc0, 0x80);
    p.out8(0x3f5, b);
  }
  return p;
}

function fdcResult(p: PortScript, n: number): PortScript {
  for (let i = 0; i < n; i++) {
    p.wait(0x3f4, 0xc0, 0xc0);
    p.in8(0x3f5);
  }
  return p.wait(0x3f4, 0xd0, 0x80);
}

/** Reads a result phase, printing each byte masked (0 hides a byte that legitimately differs). */
function fdcResultMasked(p: PortScript, masks: readonly number[]): PortScript {
  for (const m of masks) p.wait(0x3f4, 0xc0, 0xc0).in8m(0x3f5, m);
  return p.wait(0x3f4, 0xd0, 0x80);
}

function senseInterrupt(p: PortScript): PortScript {
  return fdcResult(fdcCommand(p, 0x08), 2);
}

function dmaChannel2(p: PortScript, bytes: number, mode: number): PortScript {
  return p.out8(0x0a, 0x06).out8(0x0c, 0).out8(0x0b, mode).outs(0x04, 0x00, 0x00).out8(0x81, BUF >> 12).outs(0x05, (bytes - 1) & 0xff, (bytes - 1) >> 8).out8(0x0a, 0x02);
}

function kbcRead(p: PortScript, mask = 0xff): PortScript {
  return p.wait(0x64, 0x01, 0x01).in8m(0x60, mask);
}

function kbcWrite(p: PortScript, port: number, value: number): PortScript {
  return p.wait(0x64, 0x02, 0x00).out8(port, value);
}

function ataWait(p: PortScript): PortScript {
  return p.wait(0x1f7, 0x80, 0x00);
}

function ataLba(p: PortScript, lba: number, count: number, cmd: number): PortScript {
  ataWait(p);
  return p.out8(0x1f6, 0xe0 | ((lba >> 24) & 15)).out8(0x1f2, count).out8(0x1f3, lba & 0xff).out8(0x1f4, (lba >> 8) & 0xff).out8(0x1f5, (lba >> 16) & 0xff).out8(0x1f7, cmd);
}

/**
 * IDENTIFY words that describe geometry, capacity and the multiple-sector setting, with masks:
 * word 53 bit 2 (word 88 valid) is QEMU's Ultra DMA claim, which our PIO-only drive does not make.
 */
const IDENTIFY_WORDS: readonly (readonly [number, number])[] = [
  [0, 0xffff],
  [1, 0xffff],
  [3, 0xffff],
  [6, 0xffff],
  [53, 0x0003],
  [54, 0xffff],
  [55, 0xffff],
  [56, 0xffff],
  [57, 0xffff],
  [58, 0xffff],
  [59, 0xffff],
  [60, 0xffff],
  [61, 0xffff],
];

/**
 * IDENTIFY DEVICE, printing IDENTIFY_WORDS. `current` false masks the words that describe the
 * current settings (54-59): QEMU builds its IDENTIFY data once and does not update them after
 * INITIALIZE DEVICE PARAMETERS or SET MULTIPLE MODE, as ATA requires (and our drive does).
 */
function identify(p: PortScript, current: boolean): PortScript {
  ataWait(p).out8(0x1f6, 0xa0).out8(0x1f7, 0xec).wait(0x1f7, 0x88, 0x08);
  let w = 0;
  for (const [want, mask] of IDENTIFY_WORDS) {
    if (want > w) p.skip16(0x1f0, want - w);
    p.in16m(0x1f0, !current && want >= 54 && want <= 59 ? 0 : mask);
    w = want + 1;
  }
  return p.skip16(0x1f0, 256 - w).in8(0x1f7);
}

function buildScript(): PortScript {
  const p = new PortScript();
  // PIC: re-initialise both (clears IRR/ISR), mask everything, then registers and ELCR.
  p.label(0x01).outs(0x20, 0x11).outs(0x21, 0x08, 0x04, 0x01).outs(0xa0, 0x11).outs(0xa1, 0x70, 0x02, 0x01);
  p.outs(0x21, 0xff).outs(0xa1, 0xff).in8(0x21).in8(0xa1);
  p.out8(0x20, 0x0b).in8(0x20).out8(0xa0, 0x0b).in8(0xa0);
  p.out8(0x21, 0x5a).in8(0x21).out8(0x21, 0xff);
  p.outs(0x4d0, 0xff).outs(0x4d1, 0xff).in8(0x4d0).in8(0x4d1).outs(0x4d0, 0).outs(0x4d1, 0);
  // Slave IRR with every line idle (IRQ8-15 masked, nothing raised since ICW1): 0.
  p.out8(0xa0, 0x0a).in8(0xa0);

  // PIT: read-back status after control words (counter 2, gate low). QEMU keeps no NULL COUNT bit
  // (bit 6 masked), and shows OUT of modes 2, 4 and 5 as the positive pulse it feeds the PIC rather
  // than the data sheet's "initially high" level (bit 7 masked there).
  p.label(0x02).out8(0x61, 0x00);
  for (const cw of [0xb0, 0xb2, 0xb4, 0xb6, 0xb8, 0xba, 0xb1, 0x90, 0xa4]) {
    const mode = (cw >> 1) & 7;
    const outMask = mode === 2 || mode === 4 || mode === 5 ? 0x00 : 0x80;
    p.out8(0x43, cw).out8(0x42, 0xff).out8(0x42, 0xff).out8(0x43, 0xe8).in8m(0x42, 0x3f | outMask);
  }
  // Count latch right after loading FFFFh: the high nibble of the MSB is Fh on both (QEMU's counter
  // runs on the host clock, so only a coarse part is compared).
  p.out8(0x43, 0xb0).outs(0x42, 0xff, 0xff).out8(0x43, 0x80).in8m(0x42, 0x00).in8m(0x42, 0xf0);
  // Port 61h: the gate/data bits read back; OUT2 of a stopped mode 0 counter is low.
  p.out8(0x61, 0x02).in8m(0x61, 0x2f).out8(0x61, 0x00);

  // RTC/CMOS: status registers (UIP masked), and the configuration bytes QEMU writes for
  // -m 16 with a 1.44 MB drive A: and the FreeDOS disk as primary master.
  p.label(0x03).out8(0x70, 0x0a).in8m(0x71, 0x7f).out8(0x70, 0x0b).in8(0x71).out8(0x70, 0x0d).in8(0x71);
  for (const a of [0x10, 0x12, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x30, 0x31, 0x34, 0x35]) {
    p.out8(0x70, a).in8(0x71);
  }
  // Equipment byte: floppy present and count (bits 0, 6-7) agree; QEMU also sets bit 1
  // (coprocessor, it always emulates one) and bit 2 (PS/2 mouse, an AMI-era bit), so only ours
  // are compared.
  p.out8(0x70, 0x14).in8m(0x71, 0xc1);
  // Scratch CMOS RAM.
  p.out8(0x70, 0x40).out8(0x71, 0xa5).out8(0x70, 0x40).in8(0x71);

  // DMA: address and count registers through the flip-flop, page register, status after a clear.
  p.label(0x04).out8(0x0a, 0x05).out8(0x0c, 0).outs(0x02, 0x34, 0x12).outs(0x03, 0x78, 0x56).out8(0x83, 0x9a);
  p.out8(0x0c, 0).in8(0x02, 2).in8(0x03, 2).in8(0x83);
  p.out8(0xd8, 0).outs(0xc4, 0xcd, 0xab).outs(0xc6, 0x01, 0x02).out8(0xd8, 0).in8(0xc4, 2).in8(0xc6, 2);
  // Status: the first read clears what the BIOS's own floppy transfers left; then nothing is set.
  p.in8m(0x08, 0x00).in8(0x08);

  // 8042 controller commands (data in the output buffer, polled as a BIOS does).
  p.label(0x05).in8m(0x60, 0x00);
  kbcWrite(p, 0x64, 0x60);
  kbcWrite(p, 0x60, 0x47);
  kbcWrite(p, 0x64, 0x20);
  kbcRead(p);
  kbcWrite(p, 0x64, 0xaa);
  kbcRead(p);
  kbcWrite(p, 0x64, 0xab);
  kbcRead(p);
  kbcWrite(p, 0x64, 0xd1);
  kbcWrite(p, 0x60, 0xdf);
  kbcWrite(p, 0x64, 0xd0);
  kbcRead(p, 0x03); // reset and A20 lines; the rest are clock/data and buffer-full lines
  kbcWrite(p, 0x64, 0xd2);
  kbcWrite(p, 0x60, 0x5c);
  p.wait(0x64, 0x01, 0x01).in8m(0x64, 0x25).in8(0x60);
  // Keyboard commands through the translation: identify, echo, LEDs, typematic, scancode set.
  for (const cmd of [[0xf2], [0xee], [0xed, 0x02], [0xf3, 0x20], [0xf4]]) {
    for (const b of cmd) {
      kbcWrite(p, 0x60, b);
      kbcRead(p);
    }
    if (cmd[0] === 0xf2) kbcRead(p).wait(0x64, 0x01, 0x01).in8(0x60);
  }
  // Mouse on the aux port: reset, identify, status, the IntelliMouse knock, identify again.
  kbcWrite(p, 0x64, 0xa8);
  const mouse = (b: number, replies: number) => {
    kbcWrite(p, 0x64, 0xd4);
    kbcWrite(p, 0x60, b);
    for (let i = 0; i < replies; i++) p.wait(0x64, 0x01, 0x01).in8m(0x64, 0x21).in8(0x60);
  };
  mouse(0xff, 3);
  mouse(0xf2, 2);
  mouse(0xe9, 4);
  for (const rate of [200, 100, 80]) {
    mouse(0xf3, 1);
    mouse(rate, 1);
  }
  mouse(0xf2, 2);
  mouse(0xe8, 1);
  mouse(0x03, 1);
  mouse(0xe9, 4);

  // Floppy controller: reset with polling interrupts, VERSION, SPECIFY/DUMPREG, recalibrate.
  p.label(0x06).out8(0x3f2, 0x00).out8(0x3f2, 0x1c).wait(0x3f4, 0x80, 0x80);
  for (let i = 0; i < 4; i++) senseInterrupt(p);
  fdcResult(fdcCommand(p, 0x10), 1);
  fdcCommand(p, 0x03, 0xaf, 0x02);
  // DUMPREG: QEMU keeps only SRT of the first SPECIFY byte, puts the DOR's DMA gate where the data
  // sheet has ND, keeps the BIOS's last EOT, and starts with implied seek enabled (the data sheet's
  // CONFIGURE default is off); those bytes and bits are masked.
  fdcResultMasked(fdcCommand(p, 0x0e), [0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0xff, 0xbf, 0xff]);
  // Implied seek off, FIFO off, polling on (the data sheet's defaults; QEMU starts with EIS on).
  fdcCommand(p, 0x13, 0x00, 0x20, 0x00);
  p.out8(0x3f7, 0x00);
  fdcCommand(p, 0x07, 0x00).wait(0x3f4, 0x8f, 0x80);
  senseInterrupt(p);
  fdcCommand(p, 0x0f, 0x00, 5).wait(0x3f4, 0x8f, 0x80);
  senseInterrupt(p).in8m(0x3f7, 0x80);
  // READ DATA C5 H0 R1, two sectors by DMA: results and data.
  p.label(0x07);
  dmaChannel2(p, 1024, 0x46);
  fdcResult(fdcCommand(p, 0xe6, 0x00, 5, 0, 1, 2, 18, 0x1b, 0xff), 7);
  p.dump(BUF, 0, 8).dump(BUF, 0x1fc, 8).dump(BUF, 0x3f8, 8);
  // Multi-track from R17 on side 0 into side 1.
  p.label(0x08);
  dmaChannel2(p, 2048, 0x46);
  fdcResult(fdcCommand(p, 0xc6, 0x00, 5, 0, 17, 2, 18, 0x1b, 0xff), 7);
  p.dump(BUF, 0x000, 2).dump(BUF, 0x200, 2).dump(BUF, 0x400, 2).dump(BUF, 0x600, 2);
  // READ ID, and a read at the wrong data rate.
  // (READ ID reports whichever ID passes the head first: the sector number is masked.)
  p.label(0x09);
  fdcResultMasked(fdcCommand(p, 0x4a, 0x00), [0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0xff]);
  // (A read naming another cylinder than the head's is not compared: QEMU always seeks there, as
  // if implied seek were on, where the data sheet reports "wrong cylinder".)
  p.out8(0x3f7, 0x02);
  dmaChannel2(p, 512, 0x46);
  fdcResultMasked(fdcCommand(p, 0xe6, 0x00, 5, 0, 1, 2, 18, 0x1b, 0xff), [0xff, 0xff, 0xff, 0, 0, 0, 0]);
  p.out8(0x3f7, 0x00);
  // WRITE DATA C5 H1 R3 from a poked buffer, then read it back elsewhere.
  p.label(0x0a);
  for (let i = 0; i < 512; i += 64) p.poke(BUF, 0x800 + i, 0x40 + i / 64);
  p.out8(0x0a, 0x06).out8(0x0c, 0).out8(0x0b, 0x4a).outs(0x04, 0x00, 0x08).out8(0x81, BUF >> 12).outs(0x05, 0xff, 0x01).out8(0x0a, 0x02);
  fdcResult(fdcCommand(p, 0xc5, 0x04, 5, 1, 3, 2, 18, 0x1b, 0xff), 7);
  dmaChannel2(p, 512, 0x46);
  fdcResult(fdcCommand(p, 0xe6, 0x04, 5, 1, 3, 2, 18, 0x1b, 0xff), 7);
  p.dump(BUF, 0x000, 2).dump(BUF, 0x040, 2).dump(BUF, 0x1c0, 2);
  // SENSE DRIVE STATUS, an invalid command; IRQ6 reached the PIC.
  p.label(0x0b);
  fdcResult(fdcCommand(p, 0x04, 0x04), 1);
  fdcResult(fdcCommand(p, 0x1f), 1);
  p.out8(0x20, 0x0a).in8m(0x20, 0x40);

  // ATA: IDENTIFY words, LBA and CHS reads of the boot sector, multiple mode, translation.
  // (QEMU powers up in multiple mode, 16 sectors; ATA drives, and ours, start with it off: the
  // current-settings words are compared only where both are defined.)
  p.label(0x0c).out8(0x3f6, 0x02);
  identify(p, false);
  p.label(0x0d);
  ataLba(p, 63, 2, 0x20).wait(0x1f7, 0x88, 0x08).in8(0x1f7).in16(0x1f0).skip16(0x1f0, 254).in16(0x1f0);
  p.wait(0x1f7, 0x88, 0x08).in16(0x1f0).skip16(0x1f0, 255).wait(0x1f7, 0x80, 0x00).in8(0x1f7).in8(0x1f1).in8(0x1f2).in8(0x1f3);
  ataWait(p).out8(0x1f6, 0xa1).out8(0x1f2, 1).out8(0x1f3, 1).out8(0x1f4, 0).out8(0x1f5, 0).out8(0x1f7, 0x20);
  p.wait(0x1f7, 0x88, 0x08).in16(0x1f0).skip16(0x1f0, 254).in16(0x1f0).wait(0x1f7, 0x80, 0x00).in8(0x1f7);
  p.label(0x0e);
  ataWait(p).out8(0x1f2, 4).out8(0x1f7, 0xc6).wait(0x1f7, 0x80, 0x00).in8(0x1f7);
  ataLba(p, 100, 8, 0xc4);
  for (let b = 0; b < 2; b++) p.wait(0x1f7, 0x88, 0x08).in8(0x1f7).skip16(0x1f0, 1024);
  p.wait(0x1f7, 0x80, 0x00).in8(0x1f7).in8(0x1f2);
  identify(p, false);
  p.label(0x0f);
  ataWait(p).out8(0x1f6, 0xa7).out8(0x1f2, 32).out8(0x1f7, 0x91).wait(0x1f7, 0x80, 0x00).in8(0x1f7);
  identify(p, false);
  // The new translation in use: CHS 1/7/32 is LBA (1*8+7)*32+31 = 511 under 8 heads, 32 sectors.
  ataWait(p).out8(0x1f6, 0xa7).out8(0x1f2, 1).out8(0x1f3, 32).out8(0x1f4, 1).out8(0x1f5, 0).out8(0x1f7, 0x20);
  p.wait(0x1f7, 0x88, 0x08).in16(0x1f0).skip16(0x1f0, 255).wait(0x1f7, 0x80, 0x00).in8(0x1f3).in8(0x1f6);
  // Errors: past the end of the disk, and a command the drive does not know (ABRT). QEMU clears
  // DSC with ERR where drives report 51h ("DriveReady SeekComplete Error"), and answers an address
  // past the end with ABRT where ATA has IDNF: DSC and that error byte are masked.
  p.label(0x10);
  ataLba(p, 65520, 1, 0x20).wait(0x1f7, 0x80, 0x00).in8m(0x1f7, 0xef).in8m(0x1f1, 0x00);
  ataWait(p).out8(0x1f7, 0x8f).wait(0x1f7, 0x80, 0x00).in8m(0x1f7, 0xef).in8(0x1f1);
  // Write two sectors, read them back.
  p.label(0x11);
  ataLba(p, 2000, 2, 0x30);
  for (let i = 0; i < 512; i++) {
    if (i % 256 === 0) p.wait(0x1f7, 0x88, 0x08); // each sector waits for its DRQ
    p.out16(0x1f0, i * 0x0101);
  }
  p.wait(0x1f7, 0x80, 0x00).in8(0x1f7);
  ataLba(p, 2001, 1, 0x20).wait(0x1f7, 0x88, 0x08).in16(0x1f0).in16(0x1f0).skip16(0x1f0, 254);
  // The absent slave (status 00h, the task file as written), soft reset and the signature,
  // EXECUTE DEVICE DIAGNOSTIC.
  p.label(0x12);
  ataWait(p).out8(0x1f6, 0xb0).in8(0x1f7).in8(0x1f2).in8(0x1f3).in8(0x3f6);
  // (BSY while SRST is held is masked: QEMU completes the reset at once, ATA shows BSY until SRST
  // is cleared.)
  p.out8(0x1f6, 0xa0).out8(0x3f6, 0x06).in8m(0x3f6, 0x00).out8(0x3f6, 0x02).wait(0x3f6, 0x80, 0x00).in8(0x1f7);
  p.in8(0x1f1).in8(0x1f2).in8(0x1f3).in8(0x1f4).in8(0x1f5).in8(0x1f6);
  ataWait(p).out8(0x1f6, 0xa0).out8(0x1f7, 0x90).wait(0x1f7, 0x80, 0x00).in8(0x1f1).in8(0x1f2).in8(0x1f3);

  // UART: scratch, divisor latch, IER/IIR with THRE, FIFO, loopback data and modem lines.
  p.label(0x13).out8(0x3fc, 0x00).out8(0x3f9, 0x00).out8(0x3fa, 0x00);
  p.out8(0x3ff, 0x5a).in8(0x3ff).out8(0x3fb, 0x83).outs(0x3f8, 0x0c).out8(0x3f9, 0x00).in8(0x3f8).in8(0x3f9).out8(0x3fb, 0x03);
  p.in8(0x3fd).out8(0x3f9, 0x02).in8(0x3f9).in8(0x3fa).in8(0x3fa).out8(0x3f9, 0x00);
  p.out8(0x3fa, 0x07).in8(0x3fa).out8(0x3fa, 0x00).in8(0x3fa);
  // Loopback maps RTS/DTR/OUT1/OUT2 onto CTS/DSR/RI/DCD. Dropping them sets the delta bits on
  // the chip (the classic loopback test of the modem status interrupt); QEMU computes the lines
  // without deltas, so those four bits are masked.
  p.out8(0x3fc, 0x1f).in8(0x3fe).in8(0x3fe).out8(0x3fc, 0x10).in8m(0x3fe, 0xf0).in8(0x3fe);
  p.out8(0x3f8, 0x41).wait(0x3fd, 0x01, 0x01).in8(0x3f8).wait(0x3fd, 0x40, 0x40).in8(0x3fd);
  p.out8(0x3fc, 0x00);
  return p;
}

/** Our side: the chips wired as the machine does, with copies of the same two disks. */
function runOurs(script: PortScript, floppy: Uint8Array, disk: Uint8Array): string {
  const io = new IoBus();
  const s = new Scheduler(25_000_000);
  const mem = new PhysicalMemory(16 << 20);
  const pic = new DualPic8259(io, () => {});
  const irq = (n: number) => new WiredIrqLine(pic, n);
  const pit = new Pit8254(io, s, irq(0));
  new SystemControlB(io, pit);
  const cmos = buildCmos({ memoryBytes: 16 << 20, floppies: ['1.44M'], hardDisks: [{ cylinders: 65, heads: 16, sectors: 63 }] });
  new Rtc146818(io, s, irq(8), { startTime: new Date('2024-01-01T00:00:00Z'), cmos });
  const dma = new Dma8237(io, mem);
  new I8042(io, s, irq(1), irq(12), { onA20: () => {}, onReset: () => {} });
  new Fdc82077(io, irq(6), dma, { drives: [{ type: '1.44M', disk: new MemoryDisk(floppy.slice()) }] });
  new AtaChannel(io, irq(14), { master: { disk: new MemoryDisk(disk.slice()), cylinders: 65, heads: 16, sectors: 63 } });
  new Serial16550(io, s, irq(4));
  // What the script finds after SeaBIOS in QEMU and does not set itself: DMA channel 4 cascading.
  io.out8(0xd6, 0xc0);
  io.out8(0xd4, 0x00);
  // Virtual time passes while the script polls, as wall-clock time does in QEMU.
  return script.run(io, mem, () => s.advance(2500));
}

async function runQemu(dir: string, floppy: Uint8Array, disk: Uint8Array): Promise<string> {
  const fimg = join(dir, 'floppy.img');
  const dimg = join(dir, 'disk.img');
  const out = join(dir, 'e9.txt');
  writeFileSync(fimg, floppy);
  writeFileSync(dimg, disk);
  const qemu = spawn(
    'qemu-system-i386',
    ['-machine', 'pc,accel=tcg', '-cpu', '486', '-m', '16', '-display', 'none', '-vga', 'std', '-parallel', 'none', '-monitor', 'none', '-serial', 'null',
      '-debugcon', `file:${out}`, '-drive', `if=floppy,index=0,format=raw,file=${fimg}`, '-drive', `if=ide,index=0,format=raw,file=${dimg}`, '-boot', 'a'],
    { stdio: 'ignore' },
  );
  try {
    const deadline = Date.now() + 90_000;
    for (;;) {
      await new Promise((r) => setTimeout(r, 250));
      const text = existsSync(out) ? readFileSync(out, 'latin1') : '';
      const start = text.indexOf('\n#01');
      if (start >= 0 && /END\n|F\n/.test(text.slice(start))) return text.slice(start);
      if (Date.now() > deadline) throw new Error(`QEMU did not finish the port script; output so far:\n${text}`);
    }
  } finally {
    qemu.kill('SIGKILL');
  }
}

function sections(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const part of text.split('\n#').slice(1)) {
    const id = part.slice(0, 2);
    m.set(id, part.slice(3).trim());
  }
  return m;
}

describe('chipset devices against QEMU, register by register', () => {
  const qcow = testdata('guests/freedos-hdd-32m.qcow2');
  const ready = qcow !== null && hasTool('qemu-system-i386') && hasTool('nasm') && hasTool('qemu-img');
  (ready ? it : it.skip)('prints what QEMU prints for the same port script', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xcheck-'));
    try {
      writeFileSync(join(dir, 'boot.asm'), PORT_SCRIPT_BOOT_ASM);
      execFileSync('nasm', ['-f', 'bin', '-o', join(dir, 'boot.bin'), join(dir, 'boot.asm')], { timeout: 30_000 });
      execFileSync('qemu-img', ['convert', '-O', 'raw', qcow as string, join(dir, 'hd.raw')], { timeout: 60_000 });
      const boot = new Uint8Array(readFileSync(join(dir, 'boot.bin')));
      const disk = new Uint8Array(readFileSync(join(dir, 'hd.raw')));
      const script = buildScript();
      const floppy = floppyImage(boot, script.bytes());
      const theirs = sections(await runQemu(dir, floppy, disk));
      const ours = sections(`\n${runOurs(script, floppy, disk)}`);
      expect([...ours.keys()]).toEqual([...theirs.keys()]);
      for (const [id, text] of ours) expect(text, `section #${id}`).toBe(theirs.get(id));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

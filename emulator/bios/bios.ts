/**
 * The BIOS: ROM images plus the TypeScript side of every trap. Design (see romCoreSource.ts): each
 * interrupt vector points at real x86 in the F000h ROM; services save the caller's registers on
 * its stack and trap (`0F 3F id`) into `trap()`, which reads and writes guest memory only through
 * the CPU's linear path (so paging applies under a virtual-8086 monitor) and leaves every hardware
 * access to x86 routines it jumps to. The BIOS keeps no state of its own between traps: all of it
 * is in the guest (BIOS data area, the caller's stack), so a machine snapshot can be taken at any
 * instruction boundary and the BIOS needs no saveState.
 *
 * Port I/O during POST also runs as x86 (the post routine); the TypeScript part of POST only fills
 * the interrupt vector table and the BIOS data area, before any guest code has run.
 */
import { TRAP } from './biosTraps.js';
import { BiosContext, type BiosConfig, type BiosCpu } from './biosContext.js';
import { int10, int10Step } from './int10Video.js';
import { ataDone, floppyDone, int13 } from './int13Disk.js';
import { int14, int14Done, int15, int15Step, int17, mouseByte, rtcIrq } from './int15System.js';
import { int1a, int1aDone } from './int1aTime.js';
import { int16, keyScancode } from './keyboardBios.js';
import { BIOS_SEGMENT, buildSystemRom, type SystemRom } from './systemRom.js';
import { VIDEO_ROM_SEGMENT, buildVideoRom, type VideoRom } from './videoRom.js';

export type { BiosConfig, BiosCpu } from './biosContext.js';

/** Vectors and the ROM labels they point at (others get dummy_iret). */
const VECTORS: readonly [number, string][] = [
  [0x08, 'int08'], [0x09, 'int09'], [0x0a, 'irq_master'], [0x0b, 'irq_master'], [0x0c, 'irq_master'],
  [0x0d, 'irq_master'], [0x0e, 'int0e'], [0x0f, 'irq_master'], [0x10, 'int10'], [0x11, 'int11'],
  [0x12, 'int12'], [0x13, 'int13'], [0x14, 'int14'], [0x15, 'int15'], [0x16, 'int16'], [0x17, 'int17'],
  [0x18, 'int18'], [0x19, 'int19'], [0x1a, 'int1a'], [0x70, 'int70'], [0x71, 'irq_slave'],
  [0x72, 'irq_slave'], [0x73, 'irq_slave'], [0x74, 'int74'], [0x75, 'int75'], [0x76, 'int76'],
  [0x77, 'irq_slave'],
];

export class Bios {
  readonly rom: SystemRom;
  readonly videoRom: VideoRom;
  private readonly ctx: BiosContext;
  /** Number of traps served (diagnostics). */
  traps = 0;

  /** Told when INT 16h finds no key waiting; `blocking` when the caller waits for one (AH=00h/10h). */
  set onKeyboardIdle(hook: ((blocking: boolean) => void) | null) {
    this.ctx.onKeyboardIdle = hook;
  }

  constructor(
    readonly config: BiosConfig,
    cpu: BiosCpu,
    /** Reads a CMOS byte through the I/O bus (POST only, before guest code runs). */
    private readonly readCmos: (index: number) => number,
  ) {
    this.rom = buildSystemRom();
    this.videoRom = buildVideoRom();
    this.writeDiskTables();
    this.ctx = new BiosContext(cpu, this.rom, this.videoRom, config);
  }

  /** Linear address of the ARPL (63h) byte in the F000h segment, for a V86 monitor's breakpoints. */
  get arplAddress(): number {
    return BIOS_SEGMENT * 16 + this.rom.addr('v86_breakpoint');
  }

  /** F000h offset of a ROM label (entry points for the debugger's symbols). */
  label(name: string): number {
    return this.rom.addr(name);
  }

  /**
   * The ROM's code labels as debugger symbols: `bios.int13`, `bios.ata_io.sector`, ... with their
   * linear addresses (F0000h + offset), in address order.
   */
  symbols(): readonly { readonly name: string; readonly linear: number }[] {
    return this.rom.labels().map((l) => ({ name: `bios.${l.name}`, linear: BIOS_SEGMENT * 16 + l.offset }));
  }

  /** INT 41h/46h fixed disk parameter tables, patched into the image before it is mapped. */
  private writeDiskTables(): void {
    const img = this.rom.image;
    this.config.hardDisks.slice(0, 2).forEach((d, i) => {
      const at = this.rom.addr(i === 0 ? 'fdpt0' : 'fdpt1');
      const cyl = Math.min(d.cylinders, 1024);
      img[at] = cyl & 0xff;
      img[at + 1] = cyl >> 8;
      img[at + 2] = d.heads;
      img[at + 5] = 0xff;
      img[at + 6] = 0xff;
      img[at + 8] = d.heads > 8 ? 0x08 : 0;
      img[at + 12] = cyl & 0xff;
      img[at + 13] = cyl >> 8;
      img[at + 14] = d.sectors;
    });
  }

  /** Handles trap `id` (the CPU calls this with IP past the trap). */
  trap(id: number): void {
    const b = this.ctx;
    this.traps++;
    b.enter();
    switch (id) {
      case TRAP.INT10: return int10(b);
      case TRAP.INT10_STEP: return int10Step(b);
      case TRAP.INT13: return int13(b);
      case TRAP.INT13_ATA_DONE: return ataDone(b);
      case TRAP.INT13_FLOPPY_DONE: return floppyDone(b);
      case TRAP.INT14: return int14(b);
      case TRAP.INT14_DONE: return int14Done(b);
      case TRAP.INT15: return int15(b);
      case TRAP.INT15_STEP: return int15Step(b);
      case TRAP.INT16: return int16(b);
      case TRAP.INT17: return int17(b);
      case TRAP.INT1A: return int1a(b);
      case TRAP.INT1A_DONE: return int1aDone(b);
      case TRAP.KEY_SCANCODE: return keyScancode(b);
      case TRAP.RTC_IRQ: return rtcIrq(b);
      case TRAP.MOUSE_BYTE: return mouseByte(b);
      case TRAP.BOOT_NEXT: return this.bootNext();
      case TRAP.POST: return this.post();
      case TRAP.POST_DONE:
        b.setBda16(0x72, 0);
        return;
      default:
        throw new Error(`unknown BIOS trap ${id.toString(16)}h`);
    }
  }

  /** INT 19h: SI = attempt index. Answers DL = the next boot drive (FFh: none left), SI advanced. */
  private bootNext(): void {
    const cpu = this.ctx.cpu;
    const order = this.config.bootOrder;
    let i = cpu.getReg('si');
    let drive = 0xff;
    while (i < order.length && drive === 0xff) {
      const kind = order[i++];
      if (kind === 'floppy' && this.config.floppies[0]) drive = 0x00;
      if (kind === 'hard' && this.config.hardDisks.length > 0) drive = 0x80;
    }
    cpu.setReg('si', i);
    cpu.setReg('dl', drive);
  }

  /** POST, TypeScript half: the interrupt vector table and the BIOS data area. */
  private post(): void {
    const b = this.ctx;
    const cpu = b.cpu;
    const rom = this.rom;
    const vr = this.videoRom;
    const warm = b.bda16(0x72) === 0x1234;
    const dummy = rom.addr('dummy_iret');
    for (let v = 0; v < 256; v++) {
      const user = v >= 0x60 && v <= 0x67;
      cpu.writeLinear16(v * 4, user ? 0 : dummy);
      cpu.writeLinear16(v * 4 + 2, user ? 0 : BIOS_SEGMENT);
    }
    for (const [v, label] of VECTORS) cpu.writeLinear16(v * 4, rom.addr(label));
    const far = (v: number, seg: number, off: number): void => {
      cpu.writeLinear16(v * 4, off);
      cpu.writeLinear16(v * 4 + 2, seg);
    };
    far(0x1d, VIDEO_ROM_SEGMENT, vr.modeTable(3));
    far(0x1e, BIOS_SEGMENT, rom.addr('diskette_params'));
    far(0x1f, VIDEO_ROM_SEGMENT, vr.font8 + 128 * 8);
    far(0x43, VIDEO_ROM_SEGMENT, vr.font8);
    far(0x41, this.config.hardDisks.length > 0 ? BIOS_SEGMENT : 0, this.config.hardDisks.length > 0 ? rom.addr('fdpt0') : 0);
    far(0x46, this.config.hardDisks.length > 1 ? BIOS_SEGMENT : 0, this.config.hardDisks.length > 1 ? rom.addr('fdpt1') : 0);

    for (let i = 0; i < 0x100; i++) cpu.writeLinear8(0x400 + i, 0);
    const c = this.config;
    c.serialPorts.slice(0, 4).forEach((p, i) => b.setBda16(i * 2, p));
    const floppies = c.floppies.filter((f) => f !== null).length;
    let equip = 0x0020 | 0x0004;
    if (floppies > 0) equip |= 0x0001 | ((floppies - 1) << 6);
    if (c.hasFpu) equip |= 0x0002;
    equip |= Math.min(c.serialPorts.length, 4) << 9;
    b.setBda16(0x10, equip);
    b.setBda16(0x13, 640);
    b.setBda16(0x1a, 0x1e);
    b.setBda16(0x1c, 0x1e);
    b.setBda16(0x80, 0x1e);
    b.setBda16(0x82, 0x3e);
    b.setBda8(0x75, c.hardDisks.length);
    b.setBda8(0x76, 0xc0);
    b.setBda8(0x89, 0x51);
    b.setBda8(0x96, 0x10);
    b.setBda8(0xd5, 3);
    for (let i = 0; i < 4; i++) b.setBda8(0x90 + i, i < 2 && c.floppies[i] ? 0x17 : 0);
    if (warm) b.setBda16(0x72, 0x1234);
    // The tick counter starts at the RTC's time of day, as DOS expects.
    const bcd = (v: number): number => (v >> 4) * 10 + (v & 0x0f);
    const binary = (this.readCmos(0x0b) & 0x04) !== 0;
    const val = (i: number): number => (binary ? this.readCmos(i) : bcd(this.readCmos(i)));
    const seconds = val(4) * 3600 + val(2) * 60 + val(0);
    b.setBda32(0x6c, Math.floor((seconds * 1193180) / 65536));
  }
}

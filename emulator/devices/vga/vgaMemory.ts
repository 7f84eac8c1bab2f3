/**
 * The VGA's 256 KiB of display memory as four 64 KiB planes, and the host (CPU) path into them:
 * latches, write modes 0-3, read modes 0-1, chain-4 and odd/even addressing.
 *
 * The planes are stored interleaved, one 32-bit word per plane offset with plane p in byte p
 * (little-endian), so the four latches are one number and every write-mode step works on all four
 * planes at once. The register fields the hot path needs are decoded into plain numbers by
 * `decode()` whenever the sequencer or graphics controller changes.
 */
import { GR_BIT_MASK, GR_COLOR_COMPARE, GR_COLOR_DONT_CARE, GR_DATA_ROTATE, GR_ENABLE_SET_RESET, GR_MODE, GR_READ_MAP, GR_SET_RESET, type GraphicsController } from './graphicsController.js';
import { SR_MAP_MASK, SR_MEMORY_MODE, type Sequencer } from './sequencer.js';

export const PLANE_SIZE = 0x10000;

/** Bit i of a 4-bit plane mask expanded to byte i of a 32-bit word. */
const EXPAND4 = new Int32Array(16);
for (let m = 0; m < 16; m++) EXPAND4[m] = (m & 1 ? 0xff : 0) | (m & 2 ? 0xff00 : 0) | (m & 4 ? 0xff0000 : 0) | (m & 8 ? 0xff000000 : 0);

/** Number of plane-offset pages (256 bytes each) tracked for the renderer's dirty detection. */
export const DIRTY_PAGES = PLANE_SIZE >>> 8;

export class VgaMemory {
  readonly words = new Int32Array(PLANE_SIZE);
  /** The same memory as bytes: plane p of offset o is bytes[o * 4 + p]. */
  readonly bytes = new Uint8Array(this.words.buffer);
  /** The four latches, plane p in byte p. */
  latch = 0;
  /** One byte per 256-byte page of plane offsets: set when the page changed since the renderer last looked. */
  readonly dirtyPages = new Uint8Array(DIRTY_PAGES);
  /** Set when plane 2 (the font plane in text modes) was written. */
  fontDirty = true;

  // Decoded register state for the hot paths.
  private writeMode = 0;
  private readMode = 0;
  private mapMask = 0xf;
  private setReset32 = 0;
  private enableSetReset32 = 0;
  private rotate = 0;
  private func = 0;
  private bitMask32 = -1;
  private colorCompare32 = 0;
  private dontCare32 = -1;
  private readPlane = 0;
  private chain4 = false;
  private oddEvenWrite = false;
  private oddEvenRead = false;
  /** Host window: physical start and size (bytes). */
  windowStart = 0xa0000;
  windowSize = 0x20000;

  constructor(
    private readonly seq: Sequencer,
    private readonly gc: GraphicsController,
  ) {}

  reset(): void {
    this.words.fill(0);
    this.latch = 0;
    this.dirtyPages.fill(1);
    this.fontDirty = true;
    this.decode();
  }

  /** Re-reads the sequencer and graphics controller fields used by host accesses. */
  decode(): void {
    const sr = this.seq.regs;
    const gr = this.gc.regs;
    this.mapMask = sr[SR_MAP_MASK] & 0x0f;
    this.chain4 = (sr[SR_MEMORY_MODE] & 0x08) !== 0;
    // SR4 bit 2 clear: host writes use odd/even addressing (A0 picks plane 0/2 or 1/3).
    this.oddEvenWrite = (sr[SR_MEMORY_MODE] & 0x04) === 0;
    this.oddEvenRead = (gr[GR_MODE] & 0x10) !== 0;
    this.writeMode = gr[GR_MODE] & 3;
    this.readMode = (gr[GR_MODE] >> 3) & 1;
    this.setReset32 = EXPAND4[gr[GR_SET_RESET] & 0xf];
    this.enableSetReset32 = EXPAND4[gr[GR_ENABLE_SET_RESET] & 0xf];
    this.rotate = gr[GR_DATA_ROTATE] & 7;
    this.func = (gr[GR_DATA_ROTATE] >> 3) & 3;
    this.bitMask32 = Math.imul(gr[GR_BIT_MASK], 0x01010101);
    this.colorCompare32 = EXPAND4[gr[GR_COLOR_COMPARE] & 0xf];
    this.dontCare32 = EXPAND4[gr[GR_COLOR_DONT_CARE] & 0xf];
    this.readPlane = gr[GR_READ_MAP] & 3;
    this.windowStart = this.gc.windowStart;
    this.windowSize = this.gc.windowSize;
  }

  /** True when the physical address falls in the current host window. */
  inWindow(addr: number): boolean {
    return addr >= this.windowStart && addr < this.windowStart + this.windowSize;
  }

  /** A host write at `addr`, a physical address inside the window. */
  write(addr: number, value: number): void {
    let a = (addr - this.windowStart) & 0xffff;
    let planes: number;
    if (this.chain4) {
      // The two low address bits pick the plane; the plane offset keeps the address as it is.
      planes = this.mapMask & (1 << (a & 3));
      a &= 0xfffc;
    } else if (this.oddEvenWrite) {
      planes = this.mapMask & (a & 1 ? 0x0a : 0x05);
      a &= 0xfffe;
    } else {
      planes = this.mapMask;
    }
    if (planes === 0) return;
    const latch = this.latch;
    let bitMask = this.bitMask32;
    let data: number;
    switch (this.writeMode) {
      case 0: {
        const r = this.rotate;
        const v = ((value >>> r) | (value << (8 - r))) & 0xff;
        data = Math.imul(v, 0x01010101);
        data = (data & ~this.enableSetReset32) | (this.setReset32 & this.enableSetReset32);
        data = this.alu(data, latch);
        break;
      }
      case 1:
        data = latch;
        bitMask = -1;
        break;
      case 2:
        data = this.alu(EXPAND4[value & 0xf], latch);
        break;
      default: {
        const r = this.rotate;
        const v = ((value >>> r) | (value << (8 - r))) & 0xff;
        bitMask &= Math.imul(v, 0x01010101);
        data = this.alu(this.setReset32, latch);
        break;
      }
    }
    data = (data & bitMask) | (latch & ~bitMask);
    const pm = EXPAND4[planes];
    const words = this.words;
    words[a] = (words[a] & ~pm) | (data & pm);
    this.dirtyPages[a >>> 8] = 1;
    if (planes & 4) this.fontDirty = true;
  }

  private alu(data: number, latch: number): number {
    switch (this.func) {
      case 0:
        return data;
      case 1:
        return data & latch;
      case 2:
        return data | latch;
      default:
        return data ^ latch;
    }
  }

  /** A host read at `addr` (inside the window): loads the latches, then applies the read mode. */
  read(addr: number): number {
    let a = (addr - this.windowStart) & 0xffff;
    let plane: number;
    if (this.chain4) {
      plane = a & 3;
      a &= 0xfffc;
    } else if (this.oddEvenRead) {
      plane = (this.readPlane & 2) | (a & 1);
      a &= 0xfffe;
    } else {
      plane = this.readPlane;
    }
    const latch = this.words[a];
    this.latch = latch;
    if (this.readMode === 0 || this.chain4) return (latch >>> (plane << 3)) & 0xff;
    return this.compare(latch);
  }

  /** Read mode 1: a bit is 1 where every plane selected by the don't-care mask matches the compare colour. */
  private compare(latch: number): number {
    const x = (latch ^ this.colorCompare32) & this.dontCare32;
    return ~(x | (x >>> 8) | (x >>> 16) | (x >>> 24)) & 0xff;
  }

  /** What a host read would return, without loading the latches (the debugger's view). */
  peek(addr: number): number {
    const saved = this.latch;
    const v = this.read(addr);
    this.latch = saved;
    return v;
  }

  /** Plane byte accessor for renderers and tests. */
  planeByte(plane: number, offset: number): number {
    return this.bytes[((offset & 0xffff) << 2) | (plane & 3)];
  }

  markAllDirty(): void {
    this.dirtyPages.fill(1);
    this.fontDirty = true;
  }
}

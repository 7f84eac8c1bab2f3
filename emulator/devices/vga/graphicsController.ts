/**
 * Graphics controller (3CEh index / 3CFh data): GR0 set/reset, GR1 enable set/reset, GR2 colour
 * compare, GR3 data rotate / function select, GR4 read map select, GR5 mode, GR6 miscellaneous,
 * GR7 colour don't care, GR8 bit mask.
 */
export const GR_SET_RESET = 0;
export const GR_ENABLE_SET_RESET = 1;
export const GR_COLOR_COMPARE = 2;
export const GR_DATA_ROTATE = 3;
export const GR_READ_MAP = 4;
export const GR_MODE = 5;
export const GR_MISC = 6;
export const GR_COLOR_DONT_CARE = 7;
export const GR_BIT_MASK = 8;

const WRITABLE = [0x0f, 0x0f, 0x0f, 0x1f, 0x03, 0x7b, 0x0f, 0x0f, 0xff];

export class GraphicsController {
  index = 0;
  readonly regs = new Uint8Array(9);

  reset(): void {
    this.index = 0;
    this.regs.fill(0);
    this.regs[GR_COLOR_DONT_CARE] = 0x0f;
    this.regs[GR_BIT_MASK] = 0xff;
  }

  writeIndex(v: number): void {
    this.index = v & 0x0f;
  }

  read(): number {
    return this.index < 9 ? this.regs[this.index] : 0xff;
  }

  write(v: number): number {
    if (this.index >= 9) return -1;
    this.regs[this.index] = v & WRITABLE[this.index];
    return this.index;
  }

  /** GR6 bit 0: graphics (all points addressable) rather than alphanumeric mode. */
  get graphicsMode(): boolean {
    return (this.regs[GR_MISC] & 1) !== 0;
  }

  /** GR6 bits 3-2: the host window. Returns [start, size]. */
  get windowStart(): number {
    return WINDOW_START[(this.regs[GR_MISC] >> 2) & 3];
  }

  get windowSize(): number {
    return WINDOW_SIZE[(this.regs[GR_MISC] >> 2) & 3];
  }

  /** GR5 bits 6-5: 0 planar, 1 CGA 2-bit interleave, 2 (or 3) 256-colour. */
  get shiftMode(): number {
    const m = (this.regs[GR_MODE] >> 5) & 3;
    return m === 3 ? 2 : m;
  }
}

const WINDOW_START = [0xa0000, 0xa0000, 0xb0000, 0xb8000];
const WINDOW_SIZE = [0x20000, 0x10000, 0x8000, 0x8000];

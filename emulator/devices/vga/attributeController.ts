/**
 * Attribute controller (3C0h index/data with a flip-flop, 3C1h data read). The flip-flop chooses
 * whether a write to 3C0h is an index or data; reading input status 1 resets it to "index".
 * Index bit 5 (palette address source) lets the display use the palette; while it is clear the
 * screen shows the overscan colour. Palette writes are accepted either way, as QEMU and Bochs do.
 */
export const AR_MODE = 0x10;
export const AR_OVERSCAN = 0x11;
export const AR_PLANE_ENABLE = 0x12;
export const AR_PANNING = 0x13;
export const AR_COLOR_SELECT = 0x14;

export const AR_REGISTERS = 0x15;

const WRITABLE_HIGH = [0xef, 0xff, 0x3f, 0x0f, 0x0f];

export class AttributeController {
  /** Index register including the palette address source bit (bit 5). */
  index = 0;
  /** false: the next 3C0h write is an index; true: it is data. */
  flipFlop = false;
  readonly regs = new Uint8Array(AR_REGISTERS);

  reset(): void {
    this.index = 0;
    this.flipFlop = false;
    this.regs.fill(0);
  }

  /** Returns the register written (0-14h), 0x100 for an index write, or -1. */
  write(v: number): number {
    if (!this.flipFlop) {
      this.flipFlop = true;
      this.index = v & 0x3f;
      return 0x100;
    }
    this.flipFlop = false;
    const i = this.index & 0x1f;
    if (i >= AR_REGISTERS) return -1;
    this.regs[i] = v & (i < 0x10 ? 0x3f : WRITABLE_HIGH[i - 0x10]);
    return i;
  }

  readData(): number {
    const i = this.index & 0x1f;
    return i < AR_REGISTERS ? this.regs[i] : 0;
  }

  get paletteEnabled(): boolean {
    return (this.index & 0x20) !== 0;
  }

  /** AR10 bit 6: 8-bit colour (two dot clocks per pixel, palette bypassed). */
  get eightBit(): boolean {
    return (this.regs[AR_MODE] & 0x40) !== 0;
  }

  /** AR10 bit 3: attribute bit 7 blinks the character instead of brightening the background. */
  get blinkEnabled(): boolean {
    return (this.regs[AR_MODE] & 0x08) !== 0;
  }

  /** AR10 bit 2: characters C0h-DFh repeat their 8th column into the 9th. */
  get lineGraphics(): boolean {
    return (this.regs[AR_MODE] & 0x04) !== 0;
  }

  /** AR10 bit 5: the part below a line-compare split ignores pixel panning. */
  get splitIgnoresPanning(): boolean {
    return (this.regs[AR_MODE] & 0x20) !== 0;
  }

  /**
   * The 8-bit DAC index for a 4-bit colour: through the palette register, then AR14 supplies bits
   * 7-6 and, when AR10 bit 7 is set, bits 5-4 instead of the palette's.
   */
  dacIndex(color4: number): number {
    const p = this.regs[color4 & 0x0f];
    const cs = this.regs[AR_COLOR_SELECT];
    const low = this.regs[AR_MODE] & 0x80 ? (p & 0x0f) | ((cs & 0x03) << 4) : p & 0x3f;
    return low | ((cs & 0x0c) << 4);
  }
}

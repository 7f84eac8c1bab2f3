/**
 * Sequencer (ports 3C4h index / 3C5h data). SR0 reset, SR1 clocking mode, SR2 map mask, SR3
 * character map select, SR4 memory mode. Indices 5-7 do not exist on the IBM VGA: they read back
 * FFh and ignore writes.
 */
export const SR_CLOCKING = 1;
export const SR_MAP_MASK = 2;
export const SR_CHAR_MAP = 3;
export const SR_MEMORY_MODE = 4;

/** Bits that exist in each register; the rest read as zero. */
const WRITABLE = [0x03, 0x3d, 0x0f, 0x3f, 0x0e];

export class Sequencer {
  index = 0;
  readonly regs = new Uint8Array(5);

  reset(): void {
    this.index = 0;
    this.regs.fill(0);
    this.regs[0] = 0x03;
  }

  readIndex(): number {
    return this.index;
  }

  writeIndex(v: number): void {
    this.index = v & 0x07;
  }

  read(): number {
    return this.index < 5 ? this.regs[this.index] : 0xff;
  }

  /** Returns the register written, or -1 when the write went nowhere. */
  write(v: number): number {
    if (this.index >= 5) return -1;
    this.regs[this.index] = v & WRITABLE[this.index];
    return this.index;
  }

  /** SR1 bit 0: 8-dot characters (else 9). */
  get eightDot(): boolean {
    return (this.regs[SR_CLOCKING] & 0x01) !== 0;
  }

  /** SR1 bit 3: dot clock divided by two (320/360-pixel modes). */
  get halfDotClock(): boolean {
    return (this.regs[SR_CLOCKING] & 0x08) !== 0;
  }

  /** SR1 bit 5: screen off (the display is blanked, memory stays fully accessible). */
  get screenOff(): boolean {
    return (this.regs[SR_CLOCKING] & 0x20) !== 0;
  }

  /**
   * Plane 2 offset of the font a character uses: attribute bit 3 = 1 picks map A (SR3 bits 5,3,2),
   * = 0 picks map B (SR3 bits 4,1,0).
   */
  charMapOffset(select: 0 | 1): number {
    const sr3 = this.regs[SR_CHAR_MAP];
    const n = select === 1 ? ((sr3 >> 2) & 3) | ((sr3 >> 3) & 4) : (sr3 & 3) | ((sr3 >> 2) & 4);
    // Maps 0-3 sit at 16 KiB steps, maps 4-7 in the 8 KiB gaps between them.
    return n < 4 ? n * 0x4000 : (n - 4) * 0x4000 + 0x2000;
  }
}

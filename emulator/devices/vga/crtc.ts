/**
 * CRT controller (3B4h/3B5h or 3D4h/3D5h per Misc Output bit 0). Holds the 25 timing and address
 * registers and decodes the fields the renderer and the retrace logic need. With CR11 bit 7 set,
 * CR00-CR07 are write-protected except the line compare bit 8 in CR07 bit 4.
 */
export const CR_H_TOTAL = 0x00;
export const CR_H_DISPLAY_END = 0x01;
export const CR_OVERFLOW = 0x07;
export const CR_PRESET_ROW_SCAN = 0x08;
export const CR_MAX_SCAN_LINE = 0x09;
export const CR_CURSOR_START = 0x0a;
export const CR_CURSOR_END = 0x0b;
export const CR_START_HIGH = 0x0c;
export const CR_START_LOW = 0x0d;
export const CR_CURSOR_HIGH = 0x0e;
export const CR_CURSOR_LOW = 0x0f;
export const CR_V_RETRACE_START = 0x10;
export const CR_V_RETRACE_END = 0x11;
export const CR_V_DISPLAY_END = 0x12;
export const CR_OFFSET = 0x13;
export const CR_UNDERLINE = 0x14;
export const CR_V_BLANK_START = 0x15;
export const CR_V_BLANK_END = 0x16;
export const CR_MODE_CONTROL = 0x17;
export const CR_LINE_COMPARE = 0x18;

export const CRTC_REGISTERS = 0x19;

export class Crtc {
  index = 0;
  readonly regs = new Uint8Array(CRTC_REGISTERS);

  reset(): void {
    this.index = 0;
    this.regs.fill(0);
  }

  writeIndex(v: number): void {
    this.index = v & 0x3f;
  }

  read(): number {
    return this.index < CRTC_REGISTERS ? this.regs[this.index] : 0xff;
  }

  /** Returns the register written, or -1 when the write was dropped. */
  write(v: number): number {
    const i = this.index;
    if (i >= CRTC_REGISTERS) return -1;
    if (i <= CR_OVERFLOW && (this.regs[CR_V_RETRACE_END] & 0x80) !== 0) {
      if (i !== CR_OVERFLOW) return -1;
      v = (this.regs[CR_OVERFLOW] & ~0x10) | (v & 0x10);
    }
    this.regs[i] = v;
    return i;
  }

  /** Character clocks displayed per line. */
  get hDisplay(): number {
    return this.regs[CR_H_DISPLAY_END] + 1;
  }

  /** Character clocks per whole line (the register holds the total minus 5). */
  get hTotal(): number {
    return this.regs[CR_H_TOTAL] + 5;
  }

  private tenBit(low: number, bit8: number, bit9: number): number {
    const ov = this.regs[CR_OVERFLOW];
    return this.regs[low] | (((ov >> bit8) & 1) << 8) | (((ov >> bit9) & 1) << 9);
  }

  /** Scan lines per frame. */
  get vTotal(): number {
    return this.tenBit(0x06, 0, 5) + 2;
  }

  /** Displayed scan lines. */
  get vDisplay(): number {
    return this.tenBit(CR_V_DISPLAY_END, 1, 6) + 1;
  }

  get vRetraceStart(): number {
    return this.tenBit(CR_V_RETRACE_START, 2, 7);
  }

  /** Scan line at which the line compare resets the address counter (bit 9 lives in CR09). */
  get lineCompare(): number {
    return this.regs[CR_LINE_COMPARE] | (((this.regs[CR_OVERFLOW] >> 4) & 1) << 8) | (((this.regs[CR_MAX_SCAN_LINE] >> 6) & 1) << 9);
  }

  get maxScanLine(): number {
    return this.regs[CR_MAX_SCAN_LINE] & 0x1f;
  }

  get doubleScan(): boolean {
    return (this.regs[CR_MAX_SCAN_LINE] & 0x80) !== 0;
  }

  get startAddress(): number {
    return (this.regs[CR_START_HIGH] << 8) | this.regs[CR_START_LOW];
  }

  get cursorAddress(): number {
    return (this.regs[CR_CURSOR_HIGH] << 8) | this.regs[CR_CURSOR_LOW];
  }

  /** Address counter units per character row. */
  get rowPitch(): number {
    return this.regs[CR_OFFSET] * 2;
  }

  /** 0 = byte, 1 = word, 2 = doubleword addressing (CR14 bit 6 wins over CR17 bit 6). */
  get addressShift(): number {
    if (this.regs[CR_UNDERLINE] & 0x40) return 2;
    return this.regs[CR_MODE_CONTROL] & 0x40 ? 0 : 1;
  }

  /**
   * Maps an address counter value to a plane offset: shifted by the addressing mode, with the bit
   * that falls off the top rotated into bit 0 (word mode: MA13 or MA15 per CR17 bit 5; doubleword:
   * MA13-12 into bits 1-0), then the CGA/Hercules row-scan substitutions of CR17 bits 0 and 1.
   */
  memoryAddress(ma: number, rowScan: number): number {
    const mode = this.regs[CR_MODE_CONTROL];
    let a: number;
    if (this.regs[CR_UNDERLINE] & 0x40) a = (ma << 2) | ((ma >> 14) & 3);
    else if (mode & 0x40) a = ma;
    else a = (ma << 1) | ((ma >> (mode & 0x20 ? 15 : 13)) & 1);
    if ((mode & 0x01) === 0) a = (a & ~0x2000) | ((rowScan & 1) << 13);
    if ((mode & 0x02) === 0) a = (a & ~0x4000) | ((rowScan & 2) << 13);
    return a & 0xffff;
  }
}

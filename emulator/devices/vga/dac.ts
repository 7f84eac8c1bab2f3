/**
 * The RAMDAC: 256 entries of three 6-bit components. 3C8h sets the write index, 3C7h the read
 * index; each 3C9h access moves one component and after the third (blue) the entry is committed
 * (writes) or the index advances (reads). 3C6h is the pixel mask ANDed with every pixel's index.
 * Reading 3C7h returns the DAC state (3 after a write index was set, 0 after a read index), 3C8h
 * the write index.
 */
export class Dac {
  readonly palette = new Uint8Array(256 * 3);
  pelMask = 0xff;
  writeIndex = 0;
  readIndex = 0;
  /** Component (0-2) the next 3C9h access moves. */
  component = 0;
  /** Components written so far for the pending entry (committed only after the third). */
  readonly pending = new Uint8Array(3);
  /** true after 3C7h (reads), false after 3C8h (writes). */
  reading = false;
  /** Bumped whenever a visible colour may have changed, so colour tables can be rebuilt lazily. */
  generation = 0;

  reset(): void {
    this.palette.fill(0);
    this.pelMask = 0xff;
    this.writeIndex = 0;
    this.readIndex = 0;
    this.component = 0;
    this.pending.fill(0);
    this.reading = false;
    this.generation++;
  }

  setWriteIndex(v: number): void {
    this.writeIndex = v & 0xff;
    this.component = 0;
    this.reading = false;
  }

  setReadIndex(v: number): void {
    this.readIndex = v & 0xff;
    this.component = 0;
    this.reading = true;
  }

  writeData(v: number): void {
    this.pending[this.component] = v & 0x3f;
    if (++this.component === 3) {
      this.palette.set(this.pending, this.writeIndex * 3);
      this.writeIndex = (this.writeIndex + 1) & 0xff;
      this.component = 0;
      this.generation++;
    }
  }

  readData(): number {
    const v = this.palette[this.readIndex * 3 + this.component];
    if (++this.component === 3) {
      this.readIndex = (this.readIndex + 1) & 0xff;
      this.component = 0;
    }
    return v;
  }

  /** Port 3C7h read: 3 in write mode, 0 in read mode. */
  get state(): number {
    return this.reading ? 0x00 : 0x03;
  }

  setPelMask(v: number): void {
    this.pelMask = v & 0xff;
    this.generation++;
  }
}

/**
 * A fixed-capacity FIFO of bytes in a ring buffer: the keyboard and mouse output queues, the
 * UART FIFOs, the 8042's pending controller replies. No allocation per byte; `snapshot()` and
 * `restore()` give the contents in order for saved states.
 */
import { StateError } from '../machine/device.js';

export class ByteQueue {
  private readonly buf: Uint8Array;
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.buf = new Uint8Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count === this.capacity;
  }

  /** Appends a byte; returns false (and drops it) when the queue is full. */
  push(byte: number): boolean {
    if (this.count === this.capacity) return false;
    this.buf[(this.head + this.count) % this.capacity] = byte;
    this.count++;
    return true;
  }

  /** Removes and returns the oldest byte, or -1 when empty. */
  shift(): number {
    if (this.count === 0) return -1;
    const b = this.buf[this.head];
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    return b;
  }

  /** The oldest byte without removing it, or -1 when empty. */
  peek(): number {
    return this.count === 0 ? -1 : this.buf[this.head];
  }

  /** The byte `i` places behind the oldest (0 = oldest), or -1 past the end. */
  at(i: number): number {
    return i < 0 || i >= this.count ? -1 : this.buf[(this.head + i) % this.capacity];
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }

  /** The contents, oldest first (a copy). */
  snapshot(): Uint8Array {
    const out = new Uint8Array(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.buf[(this.head + i) % this.capacity];
    return out;
  }

  restore(bytes: Uint8Array): void {
    if (bytes.length > this.capacity) throw new StateError(`queue state holds ${bytes.length} bytes, capacity is ${this.capacity}`);
    this.buf.set(bytes);
    this.head = 0;
    this.count = bytes.length;
  }
}

/**
 * Interrupt request lines. A device receives its IrqLine at wiring time and never sees the PIC or
 * the CPU. ISA lines are edge-triggered by default (the 8259 latches a rising edge); the ELCR can
 * make a line level-sensitive, which is the PIC's business, not the device's.
 */
export interface IrqLine {
  /** Drives the line high (asserted). Idempotent. */
  raise(): void;
  /** Drives the line low. Idempotent. */
  lower(): void;
  /** A low-high-low transition: an edge for edge-triggered inputs. */
  pulse(): void;
  readonly level: boolean;
}

/** What a line is connected to: the interrupt controller's input `irq` (0-15). */
export interface IrqSink {
  setIrqLevel(irq: number, level: boolean): void;
}

export class WiredIrqLine implements IrqLine {
  private high = false;
  constructor(
    private readonly sink: IrqSink,
    readonly irq: number,
  ) {}

  get level(): boolean {
    return this.high;
  }

  raise(): void {
    if (this.high) return;
    this.high = true;
    this.sink.setIrqLevel(this.irq, true);
  }

  lower(): void {
    if (!this.high) return;
    this.high = false;
    this.sink.setIrqLevel(this.irq, false);
  }

  pulse(): void {
    this.lower();
    this.raise();
    this.lower();
  }
}

/** The CPU's view of the interrupt controller: it reads the vector during the INTA cycle. */
export interface InterruptController {
  /** Performs the interrupt-acknowledge cycle and returns the vector (0-255). */
  acknowledge(): number;
}

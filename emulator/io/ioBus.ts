/**
 * The I/O port space (64 Ki byte ports). Devices claim port ranges with a label, so the debugger can
 * name every port. 16- and 32-bit accesses go to the device's wide handler when the whole access
 * lands on ports that device owns, else they split into byte accesses, low port first, as the
 * ISA bus does.
 */

export interface PortHandler {
  read8(port: number): number;
  write8(port: number, value: number): void;
  read16?(port: number): number;
  write16?(port: number, value: number): void;
  read32?(port: number): number;
  write32?(port: number, value: number): void;
}

export interface Disposable {
  dispose(): void;
}

export interface PortInfo {
  readonly owner: string;
  readonly label: string;
}

/** Observes every port access (debugger I/O watchpoints, traces). Costs one branch when unset. */
export type PortWatcher = (port: number, size: 1 | 2 | 4, value: number, isWrite: boolean) => void;

const PORTS = 0x10000;

export class IoBus {
  private readonly handlers: (PortHandler | undefined)[] = new Array<PortHandler | undefined>(PORTS).fill(undefined);
  private readonly info: (PortInfo | undefined)[] = new Array<PortInfo | undefined>(PORTS).fill(undefined);
  watcher: PortWatcher | null = null;

  /** Claims ports first..last (inclusive). Overlapping claims are a wiring bug and throw. */
  register(first: number, last: number, handler: PortHandler, owner: string, label: string): Disposable {
    if (first < 0 || last >= PORTS || last < first) throw new RangeError(`bad port range ${first}-${last}`);
    for (let p = first; p <= last; p++) {
      const held = this.info[p];
      if (held) throw new Error(`port ${p.toString(16)}h is already claimed by ${held.owner} (${held.label})`);
    }
    const info: PortInfo = { owner, label };
    for (let p = first; p <= last; p++) {
      this.handlers[p] = handler;
      this.info[p] = info;
    }
    return {
      dispose: () => {
        for (let p = first; p <= last; p++) {
          if (this.handlers[p] === handler) {
            this.handlers[p] = undefined;
            this.info[p] = undefined;
          }
        }
      },
    };
  }

  describe(port: number): PortInfo | undefined {
    return this.info[port & 0xffff];
  }

  in8(port: number): number {
    port &= 0xffff;
    const h = this.handlers[port];
    const v = h ? h.read8(port) & 0xff : 0xff;
    if (this.watcher !== null) this.watcher(port, 1, v, false);
    return v;
  }

  out8(port: number, value: number): void {
    port &= 0xffff;
    value &= 0xff;
    if (this.watcher !== null) this.watcher(port, 1, value, true);
    const h = this.handlers[port];
    if (h) h.write8(port, value);
  }

  in16(port: number): number {
    port &= 0xffff;
    const h = this.handlers[port];
    let v: number;
    if (h !== undefined && h.read16 !== undefined && this.handlers[(port + 1) & 0xffff] === h) v = h.read16(port) & 0xffff;
    else v = this.byteIn(port) | (this.byteIn((port + 1) & 0xffff) << 8);
    if (this.watcher !== null) this.watcher(port, 2, v, false);
    return v;
  }

  out16(port: number, value: number): void {
    port &= 0xffff;
    value &= 0xffff;
    if (this.watcher !== null) this.watcher(port, 2, value, true);
    const h = this.handlers[port];
    if (h !== undefined && h.write16 !== undefined && this.handlers[(port + 1) & 0xffff] === h) {
      h.write16(port, value);
      return;
    }
    this.byteOut(port, value & 0xff);
    this.byteOut((port + 1) & 0xffff, value >>> 8);
  }

  in32(port: number): number {
    port &= 0xffff;
    const h = this.handlers[port];
    let v: number;
    if (h !== undefined && h.read32 !== undefined && this.handlers[(port + 3) & 0xffff] === h) v = h.read32(port) >>> 0;
    else v = (this.word(port) | (this.word((port + 2) & 0xffff) << 16)) >>> 0;
    if (this.watcher !== null) this.watcher(port, 4, v, false);
    return v;
  }

  out32(port: number, value: number): void {
    port &= 0xffff;
    value >>>= 0;
    if (this.watcher !== null) this.watcher(port, 4, value, true);
    const h = this.handlers[port];
    if (h !== undefined && h.write32 !== undefined && this.handlers[(port + 3) & 0xffff] === h) {
      h.write32(port, value);
      return;
    }
    this.wordOut(port, value & 0xffff);
    this.wordOut((port + 2) & 0xffff, value >>> 16);
  }

  private byteIn(port: number): number {
    const h = this.handlers[port];
    return h ? h.read8(port) & 0xff : 0xff;
  }

  private byteOut(port: number, value: number): void {
    const h = this.handlers[port];
    if (h) h.write8(port, value);
  }

  private word(port: number): number {
    const h = this.handlers[port];
    if (h !== undefined && h.read16 !== undefined && this.handlers[(port + 1) & 0xffff] === h) return h.read16(port) & 0xffff;
    return this.byteIn(port) | (this.byteIn((port + 1) & 0xffff) << 8);
  }

  private wordOut(port: number, value: number): void {
    const h = this.handlers[port];
    if (h !== undefined && h.write16 !== undefined && this.handlers[(port + 1) & 0xffff] === h) {
      h.write16(port, value);
      return;
    }
    this.byteOut(port, value & 0xff);
    this.byteOut((port + 1) & 0xffff, value >>> 8);
  }
}

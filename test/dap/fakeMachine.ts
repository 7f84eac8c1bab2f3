/**
 * A deliberately tiny real-mode CPU that runs test/dap/fixture.asm and nothing else: just the
 * opcodes that program uses. It lets the adapter's session logic (stepping, breakpoints, hit
 * counts, memory) be tested in-process with exact expectations; the stdio suite runs the same
 * program on the real Machine.
 */
import type { CpuState, RegisterName, SegmentState } from '../../protocol/machineState.js';
import type { DebugTarget, TargetStop } from '../../emulator/worker/debugTarget.js';
import { FLAG_BITS } from '../../emulator/worker/expressionEval.js';

const REG16 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;
const SEG = ['es', 'cs', 'ss', 'ds'] as const;

function seg(selector: number): SegmentState {
  return { selector, base: selector << 4, limit: 0xffff, access: 0x93, big: false };
}

export class FakeMachine implements DebugTarget {
  readonly ram = new Uint8Array(0x100000);
  readonly regs = new Uint32Array(8);
  readonly sregs = new Uint16Array(4);
  ip = 0;
  flags = 0x0002;
  instructions = 0;
  stopDetail = '';
  readonly ticksPerSecond = 25_000_000;
  private readonly bps = new Set<number>();

  /** No timers here: virtual time is the instruction count. */
  get ticks(): number {
    return this.instructions;
  }

  constructor(image: Uint8Array, loadAt = 0x7c00) {
    this.ram.set(image, loadAt);
    this.ip = loadAt;
  }

  cpuState(): CpuState {
    const r = this.regs;
    const s = (i: number): SegmentState => seg(this.sregs[i]);
    const zero = seg(0);
    return {
      eax: r[0], ecx: r[1], edx: r[2], ebx: r[3], esp: r[4], ebp: r[5], esi: r[6], edi: r[7],
      eip: this.ip, eflags: this.flags,
      es: s(0), cs: s(1), ss: s(2), ds: s(3), fs: zero, gs: zero,
      cr0: 0, cr2: 0, cr3: 0, gdtr: { base: 0, limit: 0xffff }, idtr: { base: 0, limit: 0x3ff },
      ldtr: zero, tr: zero, cpl: 0, mode: 'real', a20: true,
      pcLinear: this.pc(), instructions: this.instructions,
    };
  }

  setRegister(name: RegisterName, value: number): void {
    const bit = FLAG_BITS[name];
    if (bit !== undefined) {
      this.flags = (this.flags & ~(1 << bit)) | ((value & 1) << bit);
      return;
    }
    const i32 = (REG16 as readonly string[]).indexOf(name);
    if (i32 >= 0) {
      this.regs[i32] = value;
      return;
    }
    const i16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'].indexOf(name);
    if (i16 >= 0) {
      this.regs[i16] = (this.regs[i16] & 0xffff0000) | (value & 0xffff);
      return;
    }
    const i8 = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'].indexOf(name);
    if (i8 >= 0) {
      const r = i8 & 3;
      const shift = i8 < 4 ? 0 : 8;
      this.regs[r] = (this.regs[r] & ~(0xff << shift)) | ((value & 0xff) << shift);
      return;
    }
    const si = (SEG as readonly string[]).indexOf(name);
    if (si >= 0) {
      this.sregs[si] = value;
      return;
    }
    if (name === 'ip' || name === 'eip') this.ip = value & 0xffff;
    else if (name === 'flags' || name === 'eflags') this.flags = (value & 0xffff) | 2;
    else throw new Error(`the fake CPU has no ${name}`);
  }

  peekPhysical(a: number): number {
    return a < this.ram.length ? this.ram[a] : -1;
  }

  pokePhysical(a: number, v: number): boolean {
    if (a >= this.ram.length) return false;
    this.ram[a] = v;
    return true;
  }

  translate(linear: number): number {
    return linear & 0xfffff;
  }

  addBreakpoint(l: number): void {
    this.bps.add(l);
  }

  removeBreakpoint(l: number): void {
    this.bps.delete(l);
  }

  clearBreakpoints(): void {
    this.bps.clear();
  }

  reset(): void {
    this.ip = 0x7c00;
    this.sregs.fill(0);
  }

  run(budget: number): TargetStop {
    for (let n = 0; n < budget; n++) {
      if (n > 0 && this.bps.has(this.pc())) return 'breakpoint';
      const r = this.step();
      if (r !== 'budget') return r;
    }
    return 'budget';
  }

  private pc(): number {
    return ((this.sregs[1] << 4) + this.ip) & 0xfffff;
  }

  private fetch8(): number {
    const v = this.ram[this.pc()];
    this.ip = (this.ip + 1) & 0xffff;
    return v;
  }

  private fetch16(): number {
    return this.fetch8() | (this.fetch8() << 8);
  }

  private push(v: number): void {
    const sp = (this.regs[4] - 2) & 0xffff;
    this.regs[4] = sp;
    const a = (this.sregs[2] << 4) + sp;
    this.ram[a] = v & 0xff;
    this.ram[a + 1] = (v >>> 8) & 0xff;
  }

  private pop(): number {
    const sp = this.regs[4] & 0xffff;
    const a = (this.sregs[2] << 4) + sp;
    this.regs[4] = (sp + 2) & 0xffff;
    return this.ram[a] | (this.ram[a + 1] << 8);
  }

  step(): TargetStop {
    const op = this.fetch8();
    this.instructions++;
    if (op >= 0xb8 && op <= 0xbf) this.regs[op - 0xb8] = this.fetch16();
    else if (op >= 0x40 && op <= 0x47) this.regs[op - 0x40] = (this.regs[op - 0x40] + 1) & 0xffff;
    else if (op >= 0x50 && op <= 0x57) this.push(this.regs[op - 0x50]);
    else if (op >= 0x58 && op <= 0x5f) this.regs[op - 0x58] = this.pop();
    else if (op === 0x8e) {
      const m = this.fetch8();
      this.sregs[(m >>> 3) & 3] = this.regs[m & 7] & 0xffff;
    } else if (op === 0x89) {
      const m = this.fetch8();
      this.regs[m & 7] = this.regs[(m >>> 3) & 7] & 0xffff;
    } else if (op === 0xc7) {
      this.fetch8();
      const a = (this.sregs[3] << 4) + this.fetch16();
      const v = this.fetch16();
      this.ram[a] = v & 0xff;
      this.ram[a + 1] = v >>> 8;
    } else if (op === 0xe8) {
      const d = this.fetch16();
      this.push(this.ip);
      this.ip = (this.ip + d) & 0xffff;
    } else if (op === 0x9a) {
      const off = this.fetch16();
      const s = this.fetch16();
      this.push(this.sregs[1]);
      this.push(this.ip);
      this.sregs[1] = s;
      this.ip = off;
    } else if (op === 0xcd) {
      const n = this.fetch8();
      this.push(this.flags);
      this.push(this.sregs[1]);
      this.push(this.ip);
      this.ip = this.ram[n * 4] | (this.ram[n * 4 + 1] << 8);
      this.sregs[1] = this.ram[n * 4 + 2] | (this.ram[n * 4 + 3] << 8);
    } else if (op === 0xc3) this.ip = this.pop();
    else if (op === 0xcb) {
      this.ip = this.pop();
      this.sregs[1] = this.pop();
    } else if (op === 0xcf) {
      this.ip = this.pop();
      this.sregs[1] = this.pop();
      this.flags = this.pop() | 2;
    } else if (op === 0xe2) {
      const d = (this.fetch8() << 24) >> 24;
      this.regs[1] = (this.regs[1] - 1) & 0xffff;
      if (this.regs[1] !== 0) this.ip = (this.ip + d) & 0xffff;
    } else if (op === 0xeb) {
      const d = (this.fetch8() << 24) >> 24;
      this.ip = (this.ip + d) & 0xffff;
    } else if (op === 0xf3 && this.ram[this.pc()] === 0xaa) {
      // rep stosb, all iterations in one step (the fixture's only REP)
      this.fetch8();
      while ((this.regs[1] & 0xffff) !== 0) {
        this.ram[(this.sregs[0] << 4) + (this.regs[7] & 0xffff)] = this.regs[0] & 0xff;
        this.regs[7] = (this.regs[7] + 1) & 0xffff;
        this.regs[1] = (this.regs[1] - 1) & 0xffff;
      }
    } else if (op === 0xfa) this.flags &= ~0x200;
    else if (op === 0x90) {
      // nop
    } else {
      this.stopDetail = `the fake CPU does not know opcode ${op.toString(16)}h`;
      return 'shutdown';
    }
    return 'budget';
  }
}

/**
 * Adapts the real Machine and its Cpu to the debugger's DebugTarget and the screen's
 * DisplayTarget. Reads are side-effect free (the CPU's translateLinear, PhysicalMemory.peek8);
 * frames copy only the rows the VGA renderer reports dirty.
 */
import type { Frame } from '../../protocol/frame.js';
import type { CpuState, RegisterName, SegmentState } from '../../protocol/machineState.js';
import type { Cpu, RegName, SegmentInfo } from '../cpu/cpu.js';
import type { Machine } from '../machine/machine.js';
import { PageKind } from '../memory/physicalMemory.js';
import { encodePng } from '../render/png.js';
import type { DebugTarget, DisplayTarget, TargetStop } from './debugTarget.js';
import { FLAG_BITS } from './expressionEval.js';

function seg(s: SegmentInfo): SegmentState {
  return { selector: s.selector, base: s.base >>> 0, limit: s.limit >>> 0, access: s.access & 0xff, big: s.big };
}

export class MachineTarget implements DebugTarget, DisplayTarget {
  stopDetail = '';
  private pixels = new Uint8ClampedArray(0);
  private lastWidth = 0;
  private lastHeight = 0;

  constructor(
    readonly machine: Machine,
    readonly cpu: Cpu,
  ) {}

  get instructions(): number {
    return this.cpu.instructionCount;
  }

  get ticks(): number {
    return this.machine.virtualTicks;
  }

  get ticksPerSecond(): number {
    return this.machine.scheduler.hz;
  }

  cpuState(): CpuState {
    const c = this.cpu;
    const g = (n: RegName): number => c.getReg(n) >>> 0;
    const cs = seg(c.getSegment(1));
    const eip = g('eip');
    return {
      eax: g('eax'), ecx: g('ecx'), edx: g('edx'), ebx: g('ebx'), esp: g('esp'), ebp: g('ebp'), esi: g('esi'), edi: g('edi'),
      eip, eflags: g('eflags'),
      es: seg(c.getSegment(0)), cs, ss: seg(c.getSegment(2)), ds: seg(c.getSegment(3)), fs: seg(c.getSegment(4)), gs: seg(c.getSegment(5)),
      cr0: g('cr0'), cr2: g('cr2'), cr3: g('cr3'),
      gdtr: c.gdtr, idtr: c.idtr, ldtr: seg(c.ldtr), tr: seg(c.tr),
      cpl: c.cpl, mode: c.mode(), a20: this.machine.memory.a20Enabled,
      pcLinear: (cs.base + eip) >>> 0,
      instructions: c.instructionCount,
    };
  }

  setRegister(name: RegisterName, value: number): void {
    const bit = FLAG_BITS[name];
    if (bit !== undefined) {
      const f = this.cpu.getReg('eflags');
      this.cpu.setReg('eflags', (f & ~(1 << bit)) | ((value & 1) << bit));
      return;
    }
    this.cpu.setReg(name as RegName, value);
  }

  peekPhysical(address: number): number {
    const m = this.machine.memory;
    if (m.pageKind((address & m.mask) >>> 0) === PageKind.None) return -1;
    return m.peek8(address);
  }

  pokePhysical(address: number, value: number): boolean {
    const m = this.machine.memory;
    const kind = m.pageKind((address & m.mask) >>> 0);
    if (kind === PageKind.None || kind === PageKind.Rom) return false;
    m.write8(address, value & 0xff);
    return true;
  }

  translate(linear: number): number {
    return this.cpu.translateLinear(linear >>> 0);
  }

  addBreakpoint(linear: number): void {
    this.cpu.addBreakpoint(linear);
  }

  removeBreakpoint(linear: number): void {
    this.cpu.removeBreakpoint(linear);
  }

  clearBreakpoints(): void {
    this.cpu.clearBreakpoints();
  }

  run(budget: number): TargetStop {
    const r = this.machine.run(budget);
    switch (r.stop) {
      case 'budget':
      case 'stop':
        return 'budget';
      case 'breakpoint':
        return 'breakpoint';
      case 'halt':
        this.stopDetail = 'HLT with interrupts disabled: nothing can wake the CPU';
        return 'halt';
      case 'shutdown':
        this.stopDetail = 'triple fault: the CPU shut down';
        return 'shutdown';
      case 'unsupported':
        this.stopDetail = `the CPU reached something it does not emulate yet: ${this.cpu.unsupportedReason}`;
        return 'halt';
    }
    return 'budget';
  }

  step(): TargetStop {
    // Machine.step keeps the slice bookkeeping of Machine.run (virtual time, resets after a triple
    // fault), so a run debugged step by step ends in the same state as one run straight through.
    const r = this.machine.step();
    switch (r.stop) {
      case 'shutdown':
        this.stopDetail = 'triple fault: the CPU shut down';
        return 'shutdown';
      case 'unsupported':
        this.stopDetail = `the CPU reached something it does not emulate yet: ${this.cpu.unsupportedReason}`;
        return 'halt';
      case 'halt':
        this.stopDetail = 'HLT with interrupts disabled: nothing can wake the CPU';
        return 'halt';
      default:
        return 'budget';
    }
  }

  reset(): void {
    this.machine.hardReset();
  }

  // ---- display ----

  frame(full: boolean): Frame | null {
    const vga = this.machine.vga;
    const geo = vga.frameGeometry();
    const need = geo.width * geo.height * 4;
    if (this.pixels.length < need) this.pixels = new Uint8ClampedArray(need);
    const r = vga.renderFrame(this.pixels);
    const resized = r.width !== this.lastWidth || r.height !== this.lastHeight;
    this.lastWidth = r.width;
    this.lastHeight = r.height;
    const whole = full || resized;
    const top = whole ? 0 : r.dirtyTop;
    const bottom = whole ? r.height : r.dirtyBottom;
    if (bottom <= top) return null;
    const row = r.width * 4;
    const rgba = new Uint8Array(this.pixels.buffer.slice(top * row, bottom * row));
    return {
      width: r.width,
      height: r.height,
      full: whole,
      spans: [{ y: top, rows: bottom - top, rgba }],
      text: r.text ? this.screenText() : '',
      mode: r.text ? 'text' : 'graphics',
    };
  }

  screenText(): string {
    return this.machine.screenText().join('\n');
  }

  screenshotPng(): Uint8Array {
    const geo = this.machine.vga.frameGeometry();
    const px = new Uint8ClampedArray(geo.width * geo.height * 4);
    const r = this.machine.vga.renderFrame(px);
    return encodePng(px, r.width, r.height);
  }

  keyEvent(code: string, pressed: boolean): void {
    this.machine.keyEvent(code, pressed);
  }

  typeText(text: string): void {
    this.machine.typeText(text);
  }

  mouseMove(dx: number, dy: number, buttons: number): void {
    this.machine.mouseMove(dx, dy, buttons);
  }
}

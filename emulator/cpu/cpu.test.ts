/**
 * The Cpu class as the machine, the BIOS and the debugger use it: reset states, the run loop's
 * stop reasons, interrupt acceptance (IF, the STI and MOV SS shadows, HLT), breakpoints and step,
 * the BIOS trap, guest faults from BIOS accesses, triple faults, state save/load. Instruction
 * semantics are proven elsewhere (test/cpu: SingleStepTests vectors and QEMU-compared programs).
 */
import { describe, expect, it } from 'vitest';
import type { InterruptController } from '../io/irq.js';
import { IoBus } from '../io/ioBus.js';
import { PhysicalMemory } from '../memory/physicalMemory.js';
import { Cpu } from './cpu.js';
import type { CpuModel } from './cpuModel.js';
import { FAULT } from './fault.js';

const CODE = 0x7c00;

/** A CPU with `code` at 0000:7C00, SS:SP = 0000:7000, and IVT entries pointing at `HLT`s. */
function setup(code: number[], model: CpuModel = '486', io = new IoBus()): { cpu: Cpu; memory: PhysicalMemory } {
  const memory = new PhysicalMemory(2 * 1024 * 1024);
  memory.ram.set(code, CODE);
  // Vector n -> 0000:0600+n, where a HLT waits; the tests read CS:IP to see which one ran.
  for (let v = 0; v < 256; v++) {
    memory.ram[0x600 + v] = 0xf4;
    memory.ram[v * 4] = (0x600 + v) & 0xff;
    memory.ram[v * 4 + 1] = (0x600 + v) >> 8;
  }
  const cpu = new Cpu({ model, memory, io });
  cpu.setReg('cs', 0);
  cpu.setReg('ip', CODE);
  cpu.setReg('ss', 0);
  cpu.setReg('sp', 0x7000);
  return { cpu, memory };
}

class FakePic implements InterruptController {
  acks = 0;
  constructor(readonly vector: number) {}
  acknowledge(): number {
    this.acks++;
    return this.vector;
  }
}

describe('reset state', () => {
  it('starts each model at its documented reset vector', () => {
    const mem = (): PhysicalMemory => new PhysicalMemory(1024 * 1024);
    const c86 = new Cpu({ model: '8086', memory: mem(), io: new IoBus() });
    expect([c86.getReg('cs'), c86.getReg('ip'), c86.getSegment(1).base]).toEqual([0xffff, 0, 0xffff0]);
    const c286 = new Cpu({ model: '286', memory: mem(), io: new IoBus() });
    expect([c286.getReg('cs'), c286.getReg('ip'), c286.getSegment(1).base]).toEqual([0xf000, 0xfff0, 0xff0000]);
    const c386 = new Cpu({ model: '386', memory: mem(), io: new IoBus() });
    expect([c386.getSegment(1).base, c386.getReg('edx')]).toEqual([0xffff0000, 0x0308]);
    const c486 = new Cpu({ model: '486', memory: mem(), io: new IoBus() });
    // QEMU's -cpu 486 resets CR0 to the same value.
    expect([c486.getReg('cr0'), c486.getReg('eflags'), c486.mode()]).toEqual([0x60000010, 2, 'real']);
  });

  it('sets the bus width of the memory it drives', () => {
    const memory = new PhysicalMemory(2 * 1024 * 1024);
    memory.write8(0x100005, 0x11);
    memory.write8(0x5, 0x22);
    new Cpu({ model: '8086', memory, io: new IoBus() });
    expect(memory.read8(0x100005)).toBe(0x22);
  });
});

describe('run loop', () => {
  it('stops at HLT and stays halted until an interrupt is accepted', () => {
    // sti; hlt; inc ax
    const { cpu } = setup([0xfb, 0xf4, 0x40]);
    expect(cpu.run(100)).toBe(2);
    expect(cpu.stopReason).toBe('halt');
    expect(cpu.halted).toBe(true);
    expect(cpu.run(100)).toBe(0);
    const pic = new FakePic(0x20);
    cpu.pic = pic;
    cpu.setIntr(true);
    expect(cpu.run(1)).toBe(1);
    expect(pic.acks).toBe(1);
    // The handler's HLT at 0000:0620 ran (and halted again), with the return address after our
    // HLT on the stack.
    expect(cpu.getReg('ip')).toBe(0x621);
    expect(cpu.readLinear16(cpu.getReg('sp'))).toBe(CODE + 2);
  });

  it('takes an interrupt only after the instruction that follows STI', () => {
    // cli is the reset state; sti; nop; nop
    const { cpu } = setup([0xfb, 0x90, 0x90]);
    cpu.pic = new FakePic(0x21);
    cpu.setIntr(true);
    cpu.run(2);
    expect(cpu.readLinear16(cpu.getReg('sp'))).toBe(CODE + 2);
    expect(cpu.getReg('ip')).toBe(0x621);
  });

  it('holds interrupts for one instruction after MOV SS and never while IF is clear', () => {
    // sti; nop; mov ss, ax; nop; cli; nop
    const { cpu } = setup([0xfb, 0x90, 0x8e, 0xd0, 0x90, 0xfa, 0x90]);
    cpu.run(2); // sti, nop: the shadow of STI covers the boundary after STI only
    const pic = new FakePic(0x22);
    cpu.pic = pic;
    cpu.setIntr(true);
    cpu.run(1); // mov ss, ax: no interrupt at the boundary after it
    expect(pic.acks).toBe(0);
    expect(cpu.getReg('ip')).toBe(CODE + 4);
    cpu.run(1); // nop, then the interrupt
    expect(pic.acks).toBe(1);
    expect(cpu.readLinear16(cpu.getReg('sp'))).toBe(CODE + 5);
  });

  it('stops on requestStop from a device at the next instruction boundary', () => {
    const io = new IoBus();
    let cpuRef: Cpu | null = null;
    io.register(0x80, 0x80, { read8: () => 0xff, write8: () => cpuRef?.requestStop() }, 'test', 'stop');
    // out 80h, al; inc ax; inc ax
    const { cpu } = setup([0xe6, 0x80, 0x40, 0x40], '486', io);
    cpuRef = cpu;
    expect(cpu.run(100)).toBe(1);
    expect(cpu.stopReason).toBe('stop');
    expect(cpu.getReg('ip')).toBe(CODE + 2);
  });

  it('counts each REP iteration as an instruction and keeps the budget exactly', () => {
    // mov cx, 100; rep stosb; hlt
    const { cpu } = setup([0xb9, 100, 0, 0xf3, 0xaa, 0xf4]);
    cpu.setReg('es', 0x1000);
    expect(cpu.run(5)).toBe(5);
    expect(cpu.getReg('cx')).toBe(96);
    expect(cpu.getReg('ip')).toBe(CODE + 3);
    expect(cpu.run(1000)).toBe(97);
    expect(cpu.instructionCount).toBe(102);
    expect(cpu.stopReason).toBe('halt');
  });
});

describe('breakpoints and step', () => {
  it('stops before a breakpoint and executes it on the next run', () => {
    // inc ax; inc ax; inc bx; inc ax
    const { cpu } = setup([0x40, 0x40, 0x43, 0x40]);
    cpu.addBreakpoint(CODE + 2);
    expect(cpu.run(100)).toBe(2);
    expect(cpu.stopReason).toBe('breakpoint');
    expect(cpu.getReg('ip')).toBe(CODE + 2);
    expect(cpu.run(2)).toBe(2);
    expect(cpu.getReg('bx')).toBe(1);
    expect(cpu.getReg('ax')).toBe(3);
  });

  it('steps one instruction over a breakpoint, and stops at one reached by the first', () => {
    const { cpu } = setup([0x40, 0x40, 0x40]);
    cpu.addBreakpoint(CODE);
    cpu.addBreakpoint(CODE + 1);
    expect(cpu.step()).toBe(1);
    expect(cpu.getReg('ax')).toBe(1);
    // The step lands on the second breakpoint: reported, and the next run executes it.
    expect(cpu.stopReason).toBe('breakpoint');
    expect(cpu.run(1)).toBe(1);
    expect(cpu.getReg('ax')).toBe(2);
    cpu.removeBreakpoint(CODE + 1);
    cpu.clearBreakpoints();
    expect(cpu.breakpoints.size).toBe(0);
    cpu.setReg('ip', CODE);
    expect(cpu.run(3)).toBe(3);
    expect(cpu.stopReason).toBe('budget');
  });

  it('does not stop again while a REP at a breakpoint continues', () => {
    const { cpu } = setup([0xb9, 0x00, 0x20, 0xf3, 0xaa, 0xf4]);
    cpu.setReg('es', 0x1000);
    cpu.addBreakpoint(CODE + 3);
    cpu.run(100_000);
    expect(cpu.stopReason).toBe('breakpoint');
    // 2000h iterations, then the HLT.
    expect(cpu.run(100_000)).toBe(0x2001);
    expect(cpu.stopReason).toBe('halt');
  });
});

describe('BIOS trap', () => {
  /** A ROM at F0000 with the trap at F000:0100 followed by HLT. */
  function romSetup(): { cpu: Cpu; ids: number[] } {
    const memory = new PhysicalMemory(2 * 1024 * 1024);
    const rom = new Uint8Array(0x10000).fill(0xf4);
    rom.set([0x0f, 0x3f, 0x34, 0x12, 0xf4], 0x100);
    memory.loadRom(0xf0000, rom);
    // Vector n -> F000:0200+n, a HLT.
    for (let v = 0; v < 256; v++) {
      memory.ram[v * 4] = (0x200 + v) & 0xff;
      memory.ram[v * 4 + 1] = (0x200 + v) >> 8;
      memory.ram[v * 4 + 2] = 0x00;
      memory.ram[v * 4 + 3] = 0xf0;
    }
    const cpu = new Cpu({ model: '486', memory, io: new IoBus() });
    const ids: number[] = [];
    cpu.setReg('cs', 0xf000);
    cpu.setReg('ip', 0x100);
    cpu.setReg('ss', 0);
    cpu.setReg('sp', 0x7000);
    return { cpu, ids };
  }

  it('calls the hook with the service id after EIP has passed the trap', () => {
    const { cpu, ids } = romSetup();
    let ipInHook = -1;
    cpu.biosTrap = (id) => {
      ids.push(id);
      ipInHook = cpu.getReg('ip');
      cpu.setReg('ax', 0xbeef);
    };
    cpu.run(10);
    expect(ids).toEqual([0x1234]);
    expect(ipInHook).toBe(0x104);
    expect(cpu.getReg('ax')).toBe(0xbeef);
    expect(cpu.stopReason).toBe('halt');
  });

  it('restarts the trap after a guest fault raised inside the hook', () => {
    const { cpu } = romSetup();
    cpu.biosTrap = () => cpu.writeVirt16(3, 0xffff, 1); // word at DS:FFFF: #GP on a 486
    cpu.run(10);
    // The #GP handler (vector 13 -> F000:020D) runs with the trap's own address pushed.
    expect(cpu.getReg('ip')).toBe(0x20e);
    expect(cpu.readLinear16(cpu.getReg('sp'))).toBe(0x100);
  });

  it('is an invalid opcode outside the system BIOS ROM', () => {
    const { cpu } = setup([0x0f, 0x3f, 0x34, 0x12]);
    let called = false;
    cpu.biosTrap = () => {
      called = true;
    };
    cpu.run(10);
    expect(called).toBe(false);
    expect(cpu.getReg('ip')).toBe(0x607);
  });
});

describe('guest memory for the BIOS and the debugger', () => {
  it('applies segment limits and raises guest faults', () => {
    const { cpu } = setup([]);
    cpu.setReg('ds', 0x2000);
    cpu.writeVirt16(3, 0x10, 0x1234);
    expect(cpu.readVirt16(3, 0x10)).toBe(0x1234);
    expect(cpu.readLinear16(0x20010)).toBe(0x1234);
    expect(() => cpu.readVirt16(3, 0xffff)).toThrow();
    try {
      cpu.readVirt32(3, 0xfffe);
    } catch (e) {
      expect(e).toBe(FAULT);
      expect(FAULT.vector).toBe(13);
    }
  });

  it('translates and peeks linear addresses without side effects, A20 included', () => {
    const { cpu, memory } = setup([]);
    memory.write8(0x12345, 0x77);
    expect(cpu.translateLinear(0x12345)).toBe(0x12345);
    memory.setA20(false);
    expect(cpu.translateLinear(0x112345)).toBe(0x12345);
    const buf = new Uint8Array(1);
    cpu.peekLinear(0x112345, buf);
    expect(buf[0]).toBe(0x77);
    cpu.pokeLinear(0x12346, Uint8Array.of(0x99));
    expect(memory.read8(0x12346)).toBe(0x99);
  });
});

describe('memory-mapped I/O', () => {
  it('sends every access to an MMIO page through the handler, REP STOS included', () => {
    // mov ax, 0B800h; mov es, ax; mov [es:0], al ... : stosw x3 with REP, then a read back
    const code = [0xb8, 0x00, 0xb8, 0x8e, 0xc0, 0xb8, 0x41, 0x07, 0x31, 0xff, 0xb9, 0x03, 0x00, 0xf3, 0xab, 0x26, 0x8a, 0x1e, 0x02, 0x00, 0xf4];
    const { cpu, memory } = setup(code);
    const vram = new Uint8Array(0x8000);
    const writes: number[] = [];
    memory.registerMmio(0xb8000, 0xc0000, {
      read8: (a) => vram[a - 0xb8000],
      write8: (a, v) => {
        writes.push(a);
        vram[a - 0xb8000] = v;
      },
      peek8: (a) => vram[a - 0xb8000],
    });
    cpu.run(100);
    expect(writes).toEqual([0xb8000, 0xb8001, 0xb8002, 0xb8003, 0xb8004, 0xb8005]);
    expect(cpu.getReg('bl')).toBe(0x41);
    expect(cpu.stopReason).toBe('halt');
  });
});

describe('faults', () => {
  it('shuts down on a triple fault', () => {
    // lidt [0x500] with a zero limit, then int3: #GP, #DF, shutdown.
    const { cpu, memory } = setup([0x0f, 0x01, 0x1e, 0x00, 0x05, 0xcc]);
    memory.ram.fill(0, 0x500, 0x506);
    cpu.run(10);
    expect(cpu.stopReason).toBe('shutdown');
    expect(cpu.run(10)).toBe(0);
  });

  it('translateLinear follows the page tables without touching their Accessed bits', () => {
    const { cpu, memory } = setup([0x90]);
    const dv = new DataView(memory.ram.buffer);
    // Directory at 10000h, one table at 11000h: linear 400000h-400FFFh -> physical 123000h.
    dv.setUint32(0x10000 + 1 * 4, 0x11000 | 0x7, true);
    dv.setUint32(0x11000, 0x123000 | 0x7, true);
    cpu.setReg('cr3', 0x10000);
    cpu.setReg('cr0', 0x80000001);
    expect(cpu.mode()).toBe('protected');
    expect(cpu.translateLinear(0x400abc)).toBe(0x123abc);
    expect(cpu.translateLinear(0x401000)).toBe(-1);
    expect(cpu.translateLinear(0x800000)).toBe(-1);
    expect(dv.getUint32(0x10004, true) & 0x20).toBe(0);
    expect(dv.getUint32(0x11000, true) & 0x20).toBe(0);
    // A real access through the CPU sets Accessed in both levels (and Dirty for a write).
    cpu.writeLinear8(0x400abc, 0x5a);
    expect(memory.ram[0x123abc]).toBe(0x5a);
    expect(dv.getUint32(0x10004, true) & 0x20).toBe(0x20);
    expect(dv.getUint32(0x11000, true) & 0x60).toBe(0x60);
  });
});

describe('state', () => {
  it('continues identically after saveState/loadState into another CPU', () => {
    // A loop of arithmetic and memory traffic: add ax, bx; adc [si], ax; inc si; loop
    const code = [0x01, 0xd8, 0x11, 0x04, 0x46, 0xe2, 0xf9, 0xf4];
    const a = setup(code);
    a.cpu.setReg('cx', 500);
    a.cpu.setReg('bx', 0x1357);
    a.cpu.run(700);
    const state = a.cpu.saveState();
    const ram = a.memory.ram.slice();
    const b = setup([]);
    b.memory.ram.set(ram);
    b.cpu.loadState(state);
    a.cpu.run(10_000);
    b.cpu.run(10_000);
    for (const r of ['eax', 'ebx', 'ecx', 'esi', 'eip', 'eflags', 'esp'] as const) expect(b.cpu.getReg(r)).toBe(a.cpu.getReg(r));
    expect(b.cpu.instructionCount).toBe(a.cpu.instructionCount);
    expect(Buffer.compare(b.memory.ram, a.memory.ram)).toBe(0);
  });

  it('refuses a state from another model', () => {
    const a = setup([], '386');
    const b = setup([], '486');
    expect(() => b.cpu.loadState(a.cpu.saveState())).toThrow(/386/);
  });

  it('exposes registers, segments and system registers by name', () => {
    const { cpu } = setup([]);
    cpu.setReg('eax', 0x12345678);
    expect([cpu.getReg('ax'), cpu.getReg('ah'), cpu.getReg('al')]).toEqual([0x5678, 0x56, 0x78]);
    cpu.setReg('es', 0x1234);
    expect(cpu.getSegment(0)).toMatchObject({ selector: 0x1234, base: 0x12340, limit: 0xffff });
    expect(cpu.gdtr).toEqual({ base: 0, limit: 0xffff });
    expect(cpu.inspect().find((n) => n.name === 'mode')?.value).toBe('real');
  });
});

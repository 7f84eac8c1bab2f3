/**
 * Protected-mode rules where QEMU 7.2 cannot be the oracle because it does not implement them
 * (see pm.test.ts): data-segment limit checks, writes through read-only segments, use of a null
 * selector, expand-down limits, and the EXT bit of an error code. Each expectation cites the
 * manual section it comes from (Intel 80386 Programmer's Reference Manual, 1986). Also the debug
 * features QEMU 7.2 leaves out: DR7.GD and the T bit of a TSS.
 *
 * The harness builds a flat 32-bit ring 0 environment by hand: a GDT, an IDT whose 32 interrupt
 * gates point at one-byte HLT stubs (the halted EIP names the vector), a stack, and the code under
 * test at CODE.
 */
import { describe, expect, it } from 'vitest';
import { Cpu } from '../../emulator/cpu/cpu.js';
import { IoBus } from '../../emulator/io/ioBus.js';
import { PhysicalMemory } from '../../emulator/memory/physicalMemory.js';

const GDT = 0x1000;
const IDT = 0x2000;
const STUBS = 0x3000;
const CODE = 0x4000;
const STACK_TOP = 0x9000;

const SEL_CODE = 0x08;
const SEL_DATA = 0x10;
const SEL_RO = 0x18; // read-only data
const SEL_SMALL = 0x20; // data, limit FFFh
const SEL_DOWN = 0x28; // expand-down data, limit 0FFFh (valid offsets 1000h-FFFFh)
const SEL_NP_CODE = 0x30; // code segment, not present
const SEL_TSS_A = 0x38; // 386 TSS at 5000h (the task the test starts in)
const SEL_TSS_B = 0x40; // 386 TSS at 5100h, T bit set
const TSS_A = 0x5000;
const TSS_B = 0x5100;
const TASK_B_EIP = 0x4800;

function descriptor(base: number, limit: number, access: number, flags: number): [number, number] {
  const lo = ((base & 0xffff) << 16) | (limit & 0xffff);
  const hi = (base & 0xff000000) | (flags << 20) | ((limit >>> 16 & 0xf) << 16) | (access << 8) | ((base >>> 16) & 0xff);
  return [lo >>> 0, hi >>> 0];
}

interface Outcome {
  vector: number;
  errorCode: number;
}

function run(code: number[], setup?: (dv: DataView) => void): { cpu: Cpu; outcome: Outcome | null } {
  const memory = new PhysicalMemory(1 << 20);
  const dv = new DataView(memory.ram.buffer);
  const put = (sel: number, d: [number, number]): void => {
    dv.setUint32(GDT + sel, d[0], true);
    dv.setUint32(GDT + sel + 4, d[1], true);
  };
  put(SEL_CODE, descriptor(0, 0xfffff, 0x9a, 0xc));
  put(SEL_DATA, descriptor(0, 0xfffff, 0x92, 0xc));
  put(SEL_RO, descriptor(0, 0xfffff, 0x90, 0xc));
  put(SEL_SMALL, descriptor(0, 0xfff, 0x92, 0x4));
  put(SEL_DOWN, descriptor(0, 0xfff, 0x96, 0x0));
  put(SEL_NP_CODE, descriptor(0, 0xfffff, 0x1a, 0xc));
  put(SEL_TSS_A, descriptor(TSS_A, 0x67, 0x89, 0));
  put(SEL_TSS_B, descriptor(TSS_B, 0x67, 0x89, 0));
  for (let v = 0; v < 32; v++) {
    const off = STUBS + v;
    memory.ram[off] = 0xf4;
    dv.setUint32(IDT + v * 8, (SEL_CODE << 16) | (off & 0xffff), true);
    dv.setUint32(IDT + v * 8 + 4, (off & 0xffff0000) | 0x8e00, true);
  }
  memory.ram.set(code, CODE);
  memory.ram[CODE + code.length] = 0xf4;
  setup?.(dv);
  const io = new IoBus();
  const cpu = new Cpu({ model: '486', memory, io });
  // Enter protected mode through the tables (LGDT/LIDT from a pseudo-descriptor at 500h).
  dv.setUint16(0x500, 0x47, true);
  dv.setUint32(0x502, GDT, true);
  dv.setUint16(0x508, 0x100, true);
  dv.setUint32(0x50a, IDT, true);
  memory.ram.set([0x0f, 0x01, 0x16, 0x00, 0x05, 0x0f, 0x01, 0x1e, 0x08, 0x05], 0x600); // lgdt [500h]; lidt [508h]
  cpu.setReg('cs', 0);
  cpu.setReg('eip', 0x600);
  cpu.run(2);
  cpu.setReg('cr0', 0x11);
  cpu.setReg('cs', SEL_CODE);
  cpu.setReg('ss', SEL_DATA);
  cpu.setReg('ds', SEL_DATA);
  cpu.setReg('es', SEL_DATA);
  cpu.setReg('esp', STACK_TOP);
  cpu.setReg('eip', CODE);
  cpu.run(100);
  expect(cpu.stopReason).toBe('halt');
  const eip = cpu.getReg('eip') - 1;
  if (eip === CODE + code.length) return { cpu, outcome: null };
  const vector = eip - STUBS;
  const hasCode = vector === 8 || (vector >= 10 && vector <= 14) || vector === 17;
  return { cpu, outcome: { vector, errorCode: hasCode ? cpu.readLinear32(cpu.getReg('esp')) : -1 } };
}

describe('protected-mode rules QEMU does not check (386 PRM)', () => {
  it('a read past a data segment limit is #GP(0) (6.3.1.3)', () => {
    // mov ax, 20h; mov ds, ax; mov eax, [1000h]
    const { outcome } = run([0x66, 0xb8, SEL_SMALL, 0, 0x8e, 0xd8, 0xa1, 0x00, 0x10, 0, 0]);
    expect(outcome).toEqual({ vector: 13, errorCode: 0 });
  });

  it('a dword read ending exactly at the limit is allowed, one byte further is not (6.3.1.3)', () => {
    // mov ax, 20h; mov ds, ax; mov eax, [0FFCh]; mov eax, [0FFDh]
    const { cpu, outcome } = run([0x66, 0xb8, SEL_SMALL, 0, 0x8e, 0xd8, 0xa1, 0xfc, 0x0f, 0, 0, 0xa1, 0xfd, 0x0f, 0, 0]);
    expect(outcome).toEqual({ vector: 13, errorCode: 0 });
    expect(cpu.readLinear32(cpu.getReg('esp') + 4)).toBe(CODE + 11);
  });

  it('a write through a read-only data segment is #GP(0) and changes nothing (6.3.1.1, table 6-1)', () => {
    // mov ax, 18h; mov es, ax; mov dword [es:7000h], 12345678h
    const { cpu, outcome } = run([0x66, 0xb8, SEL_RO, 0, 0x8e, 0xc0, 0x26, 0xc7, 0x05, 0x00, 0x70, 0, 0, 0x78, 0x56, 0x34, 0x12]);
    expect(outcome).toEqual({ vector: 13, errorCode: 0 });
    expect(cpu.readLinear32(0x7000)).toBe(0);
  });

  it('loading SS with a read-only data segment is #GP(selector) (6.3.1.1, MOV)', () => {
    // mov ax, 18h; mov ss, ax
    const { outcome } = run([0x66, 0xb8, SEL_RO, 0, 0x8e, 0xd0]);
    expect(outcome).toEqual({ vector: 13, errorCode: SEL_RO });
  });

  it('a null selector loads into DS, and using it is #GP(0) (5.1.3, 6.3.1.1)', () => {
    // xor eax, eax; mov ds, ax; mov ecx, [0]
    const { outcome } = run([0x31, 0xc0, 0x8e, 0xd8, 0x8b, 0x0d, 0, 0, 0, 0]);
    expect(outcome).toEqual({ vector: 13, errorCode: 0 });
  });

  it('an expand-down segment faults at and below its limit and allows offsets above it (6.3.1.3)', () => {
    // mov ax, 28h; mov ds, ax; mov eax, [1000h]; mov eax, [0FFFh]
    const { cpu, outcome } = run([0x66, 0xb8, SEL_DOWN, 0, 0x8e, 0xd8, 0xa1, 0x00, 0x10, 0, 0, 0xa1, 0xff, 0x0f, 0, 0]);
    expect(outcome).toEqual({ vector: 13, errorCode: 0 });
    expect(cpu.readLinear32(cpu.getReg('esp') + 4)).toBe(CODE + 11);
  });

  it('a fault while delivering an exception sets EXT in the error code (9.9)', () => {
    // ud2 (#UD, benign) whose gate names a not-present code segment: #NP(30h | EXT), delivered
    // in turn (a benign exception followed by a contributory one is no double fault, 9.8.8).
    const { outcome } = run([0x0f, 0x0b], (dv) => {
      dv.setUint32(IDT + 6 * 8, (SEL_NP_CODE << 16) | (STUBS & 0xffff), true);
    });
    expect(outcome).toEqual({ vector: 11, errorCode: SEL_NP_CODE | 1 });
  });

  it('a contributory fault while delivering #DE is a double fault with error code 0 (9.8.8)', () => {
    // xor ecx, ecx; div ecx, with the #DE gate naming a not-present code segment.
    const { outcome } = run([0x31, 0xc9, 0xf7, 0xf1], (dv) => {
      dv.setUint32(IDT, (SEL_NP_CODE << 16) | (STUBS & 0xffff), true);
    });
    expect(outcome).toEqual({ vector: 8, errorCode: 0 });
  });

  it('INT n through a gate that names a not-present code segment: #NP without EXT (9.9)', () => {
    // int 0; the gate's DPL 0 allows it at CPL 0.
    const { outcome } = run([0xcd, 0x00], (dv) => {
      dv.setUint32(IDT, (SEL_NP_CODE << 16) | (STUBS & 0xffff), true);
    });
    expect(outcome).toEqual({ vector: 11, errorCode: SEL_NP_CODE });
  });

  it('DR7.GD: the next MOV from a debug register is a #DB fault with DR6.BD, and GD is cleared (12.3.1.3)', () => {
    // mov eax, 2000h; mov dr7, eax; mov eax, dr0
    const { cpu, outcome } = run([0xb8, 0x00, 0x20, 0, 0, 0x0f, 0x23, 0xf8, 0x0f, 0x21, 0xc0]);
    expect(outcome).toEqual({ vector: 1, errorCode: -1 });
    expect(cpu.readLinear32(cpu.getReg('esp'))).toBe(CODE + 8);
    expect(cpu.getReg('dr6') & 0x2000).toBe(0x2000);
    expect(cpu.getReg('dr7') & 0x2000).toBe(0);
  });

  it('a task switch into a TSS with the T bit set traps (#DB, DR6.BT) before the first instruction (12.3.1.5)', () => {
    // mov ax, 38h; ltr ax; jmp 40h:0
    const { cpu, outcome } = run([0x66, 0xb8, SEL_TSS_A, 0, 0x0f, 0x00, 0xd8, 0xea, 0, 0, 0, 0, SEL_TSS_B, 0], (dv) => {
      dv.setUint32(TSS_B + 0x20, TASK_B_EIP, true);
      dv.setUint32(TSS_B + 0x24, 0x2, true);
      dv.setUint32(TSS_B + 0x38, 0x8000, true); // ESP
      for (const [at, sel] of [[0x48, SEL_DATA], [0x4c, SEL_CODE], [0x50, SEL_DATA], [0x54, SEL_DATA]] as const) dv.setUint16(TSS_B + at, sel, true);
      dv.setUint16(TSS_B + 0x64, 1, true);
      dv.setUint8(TASK_B_EIP, 0x90);
    });
    expect(outcome).toEqual({ vector: 1, errorCode: -1 });
    expect(cpu.readLinear32(cpu.getReg('esp'))).toBe(TASK_B_EIP);
    expect(cpu.tr.selector).toBe(SEL_TSS_B);
    expect(cpu.getReg('dr6') & 0x8000).toBe(0x8000);
  });
});

/**
 * The expression language: parsing and evaluation against a CPU state and memory. The memory
 * bytes come from a nasm-assembled data block, so the expected values of sized dereferences are
 * nasm's encoding of the constants, not hand-computed bytes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CpuState, SegmentState } from '../protocol/machineState.js';
import { evaluate, formatLog } from '../emulator/worker/expressionEval.js';
import { hasTool } from '../test/support/testdata.js';
import { parseCodeAddress, parseExpression, parseHitCondition, parseLogMessage } from './expressionParser.js';

const seg = (selector: number, base = selector << 4): SegmentState => ({ selector, base, limit: 0xffff, access: 0x93, big: false });
const state: CpuState = {
  eax: 0x12344c00, ecx: 3, edx: 0x80, ebx: 0x10, esp: 0xfff0, ebp: 0xfff8, esi: 0x20, edi: 4,
  eip: 0x7c00, eflags: 0x0246,
  es: seg(0x2000), cs: seg(0), ss: seg(0x3000), ds: seg(0x1000), fs: seg(0), gs: seg(0),
  cr0: 0x10, cr2: 0, cr3: 0, gdtr: { base: 0, limit: 0xffff }, idtr: { base: 0, limit: 0x3ff },
  ldtr: seg(0, 0), tr: seg(0, 0), cpl: 0, mode: 'real', a20: true, pcLinear: 0x7c00, instructions: 0,
};

function memoryWith(at: number, bytes: Uint8Array): { peekPhysical(a: number): number; translate(l: number): number } {
  const ram = new Uint8Array(0x100000);
  ram.set(bytes, at);
  return { peekPhysical: (a) => (a < ram.length ? ram[a] : -1), translate: (l) => l & 0xfffff };
}

describe('expression parser', () => {
  it('reads numbers in the notations debuggers use', () => {
    expect(parseExpression('1234h')).toEqual({ k: 'num', value: 0x1234 });
    expect(parseExpression('0x1234')).toEqual({ k: 'num', value: 0x1234 });
    expect(parseExpression('1234')).toEqual({ k: 'num', value: 1234 });
    expect(parseExpression('7C00')).toEqual({ k: 'num', value: 0x7c00 });
    expect(parseExpression('0FFFFh')).toEqual({ k: 'num', value: 0xffff });
  });

  it('reads seg:off with hex halves, and lin:/phys: addresses', () => {
    expect(parseCodeAddress('0000:0100')).toEqual({ kind: 'segoff', seg: { k: 'num', value: 0 }, offset: { k: 'num', value: 0x100 } });
    expect(parseCodeAddress('0x7C00')).toEqual({ kind: 'linear', value: { k: 'num', value: 0x7c00 } });
    expect(parseCodeAddress('phys:1000')).toEqual({ kind: 'physical', value: { k: 'num', value: 0x1000 } });
    expect(parseCodeAddress('lin:0x1000 + 2').kind).toBe('linear');
  });

  it('says what is wrong with a bad expression', () => {
    expect(() => parseExpression('')).toThrow(/empty/);
    expect(() => parseExpression('ax +')).toThrow(/ends too early/);
    expect(() => parseExpression('ax $ 1')).toThrow(/unexpected character '\$' at column 4/);
    expect(() => parseExpression('[si]')).toThrow(/needs a size/);
    expect(() => parseExpression('word [si')).toThrow(/expected '\]' at the end/);
    expect(() => parseExpression('qax')).toThrow(/unknown name 'qax'/);
    expect(() => parseExpression('12g')).toThrow(/bad number/);
    expect(() => parseExpression('1 2')).toThrow(/unexpected text at column 3/);
    expect(() => parseExpression('100000000h')).toThrow(/32 bits/);
    expect(() => parseHitCondition('>= x')).toThrow(/not one of/);
    expect(() => parseLogMessage('ax={ax')).toThrow(/unclosed/);
  });

  it('parses hit conditions and log messages', () => {
    expect(parseHitCondition('5')).toEqual({ op: '==', count: 5 });
    expect(parseHitCondition('>= 3')).toEqual({ op: '>=', count: 3 });
    expect(parseHitCondition('%2')).toEqual({ op: '%', count: 2 });
    expect(parseLogMessage('a {{b}} {ax}')).toEqual([{ text: 'a {b} ' }, { expr: { k: 'reg', name: 'ax' } }]);
  });
});

describe.skipIf(!hasTool('nasm'))('expression evaluation', () => {
  // DS=1000h, SI=20h: the block sits at linear 10020h.
  const dir = mkdtempSync(join(tmpdir(), 'win31-expr-'));
  writeFileSync(join(dir, 'd.asm'), 'db 0x11, 0x22\ndw 0xBEEF\ndd 0xCAFEBABE\n');
  if (hasTool('nasm')) execFileSync('nasm', ['-f', 'bin', '-o', join(dir, 'd.bin'), join(dir, 'd.asm')]);
  const bytes = hasTool('nasm') ? new Uint8Array(readFileSync(join(dir, 'd.bin'))) : new Uint8Array(0);
  const ctx = { state, ...memoryWith(0x10020, bytes) };
  const ev = (t: string): number => evaluate(parseExpression(t), ctx).value;

  it('reads registers, halves and flags', () => {
    expect(ev('ax')).toBe(0x4c00);
    expect(ev('eax')).toBe(0x12344c00);
    expect(ev('ah')).toBe(0x4c);
    expect(ev('zf')).toBe(1);
    expect(ev('cf')).toBe(0);
    expect(ev('ax == 4C00h')).toBe(1);
  });

  it('dereferences sized memory through segments', () => {
    expect(ev('byte [ds:si]')).toBe(0x11);
    expect(ev('word [si+2]')).toBe(0xbeef);
    expect(ev('dword [1000h:si+4]')).toBe(0xcafebabe);
    expect(ev('byte [lin:10021h]')).toBe(0x22);
    expect(ev('word [phys:10022h] + 1')).toBe(0xbef0);
    expect(ev('byte [ds:si] == 0')).toBe(0);
  });

  it('does arithmetic and reports evaluation errors', () => {
    expect(ev('(ax + 2) * 2')).toBe((0x4c00 + 2) * 2);
    expect(ev('-1')).toBe(0xff);
    expect(ev('cx << 4 | 1')).toBe(0x31);
    expect(ev('es:di')).toBe(0x20004);
    expect(() => ev('ax / (cx - 3)')).toThrow(/division by zero/);
    expect(() => ev('byte [phys:0FFFFFFFh]')).toThrow(/not readable/);
  });

  it('formats logpoint messages in hex of the natural width', () => {
    expect(formatLog(parseLogMessage('ax={ax} al={al} m={word [si+2]} bad={byte [phys:0FFFFFFFh]}'), ctx)).toBe(
      'ax=4C00 al=00 m=BEEF bad=<cannot read memory: physical FFFFFFFh is not readable>',
    );
  });
});

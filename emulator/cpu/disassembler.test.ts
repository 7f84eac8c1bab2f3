import { describe, expect, it } from 'vitest';
import { compareWithIced } from '../../test/cpu/disassemblerOracle.js';
import { disassemble } from './disassembler.js';

const dis = (hex: string, address = 0x100, bits: 16 | 32 = 16) =>
  disassemble(Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16)), address, { bits });

describe('disassembler against iced-x86 on random byte streams (486 instruction set)', () => {
  for (const bits of [16, 32] as const) {
    for (const biased of [false, true]) {
      it(`${bits}-bit code, ${biased ? 'prefix- and 0Fh-rich' : 'uniform'} bytes`, () => {
        const r = compareWithIced(bits, 25_000, biased ? 0x5eed + bits : 0xc0de + bits, biased);
        expect(r.compared).toBeGreaterThan(20_000);
        expect(r.differences.slice(0, 10)).toEqual([]);
      });
    }
  }
});

describe('disassembler results for the debugger', () => {
  it('reports length, text and kind', () => {
    const r = dis('8B4612');
    expect(r).toMatchObject({ length: 3, text: 'mov ax, [bp+12h]', mnemonic: 'mov', operands: ['ax', '[bp+12h]'], valid: true, kind: 'plain' });
  });

  it('gives static branch targets as offsets, wrapping at 64 KiB in 16-bit code', () => {
    expect(dis('EBFE', 0x100)).toMatchObject({ isJump: true, target: 0x100, text: 'jmp 100h' });
    expect(dis('E80000', 0xfffd)).toMatchObject({ isCall: true, target: 0 });
    expect(dis('7403', 0x10)).toMatchObject({ isJump: true, kind: 'jcc', target: 0x15 });
    expect(dis('E2FE', 0x20)).toMatchObject({ isLoop: true, target: 0x20 });
  });

  it('reports far targets, returns, interrupts and REP', () => {
    expect(dis('EA0000FFFF')).toMatchObject({ isJump: true, farTarget: { segment: 0xffff, offset: 0 }, text: 'jmp 0FFFFh:0' });
    expect(dis('9A78563412')).toMatchObject({ isCall: true, farTarget: { segment: 0x1234, offset: 0x5678 } });
    expect(dis('CD21')).toMatchObject({ isInt: true, text: 'int 21h' });
    expect(dis('CF')).toMatchObject({ isRet: true, kind: 'iret' });
    expect(dis('F3A4')).toMatchObject({ isRep: true, text: 'rep movsb', length: 2 });
    expect(dis('FF1F')).toMatchObject({ isCall: true, target: null, text: 'call far [bx]' });
  });

  it('decodes 32-bit code and 66h/67h prefixes', () => {
    expect(dis('8B4424FC', 0, 32).text).toBe('mov eax, [esp-4]');
    expect(dis('66678B0424').text).toBe('mov eax, [esp]');
    expect(dis('660F84FAFFFFFF', 0x100)).toMatchObject({ length: 7, target: 0x101 });
  });

  it('marks invalid bytes and truncated instructions as one-byte db', () => {
    expect(dis('C4C0')).toMatchObject({ valid: false, length: 1, text: 'db 0C4h' });
    expect(dis('8B')).toMatchObject({ valid: false, length: 1 });
    expect(dis('F090')).toMatchObject({ valid: false });
  });

  it('shows the product BIOS trap and FPU escapes with their lengths', () => {
    expect(dis('0F3F3412')).toMatchObject({ length: 4, text: 'bioscall 1234h' });
    expect(dis('D94712')).toMatchObject({ length: 3, mnemonic: 'esc' });
  });

  it('takes a reader function instead of an array', () => {
    const bytes = [0xb8, 0x34, 0x12];
    expect(disassemble((i) => (i < bytes.length ? bytes[i] : -1), 0, { bits: 16 }).text).toBe('mov ax, 1234h');
  });

  it('decodes 8086 aliases when asked for that model', () => {
    expect(disassemble(Uint8Array.of(0x60, 0x02), 0, { bits: 16, model: '8086' }).text).toBe('jo 4');
    expect(disassemble(Uint8Array.of(0x60), 0, { bits: 16, model: '286' }).text).toBe('pusha');
    expect(disassemble(Uint8Array.of(0xff, 0xf8), 0, { bits: 16, model: '8086' }).text).toBe('push ax');
    expect(disassemble(Uint8Array.of(0x8e, 0xcb), 0, { bits: 16, model: '8086' }).text).toBe('mov cs, bx');
    expect(disassemble(Uint8Array.of(0x8e, 0xcb), 0, { bits: 16, model: '286' }).valid).toBe(false);
  });
});

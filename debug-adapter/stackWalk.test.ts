/**
 * Return-address validation: every 16-bit CALL and INT encoding, as nasm assembles it, is
 * recognised right before its return address, and as the right kind only.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasTool } from '../test/support/testdata.js';
import { endsWithCall } from './stackWalk.js';

const forms: [string, 'near' | 'far' | 'int'][] = [
  ['call near $+100', 'near'],
  ['call bx', 'near'],
  ['call [bx]', 'near'],
  ['call [bx+4]', 'near'],
  ['call [bp+200h]', 'near'],
  ['call [1234h]', 'near'],
  ['call 1234h:5678h', 'far'],
  ['call far [bx]', 'far'],
  ['call far [bp+6]', 'far'],
  ['call far [si+1234h]', 'far'],
  ['int 21h', 'int'],
  ['int3', 'int'],
  ['into', 'int'],
];

describe.skipIf(!hasTool('nasm'))('return address validation', () => {
  it.each(forms)('%s ends with a %s call', (asm, kind) => {
    const dir = mkdtempSync(join(tmpdir(), 'win31-call-'));
    // Five NOPs before the instruction, so the 5-byte window never reaches outside the block.
    writeFileSync(join(dir, 'c.asm'), `bits 16\norg 100h\ntimes 5 nop\n${asm}\n`);
    execFileSync('nasm', ['-f', 'bin', '-o', join(dir, 'c.bin'), join(dir, 'c.asm')]);
    const code = new Uint8Array(readFileSync(join(dir, 'c.bin')));
    const pre = code.slice(code.length - 5);
    expect(endsWithCall(pre, kind)).toBe(true);
    for (const other of ['near', 'far', 'int'] as const) if (other !== kind) expect(endsWithCall(pre, other)).toBe(false);
  });

  it('rejects plain data', () => {
    const nops = new Uint8Array([0x90, 0x90, 0x90, 0x90, 0x90]);
    expect(endsWithCall(nops, 'near')).toBe(false);
    expect(endsWithCall(nops, 'far')).toBe(false);
    expect(endsWithCall(nops, 'int')).toBe(false);
  });
});

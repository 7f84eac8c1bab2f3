/**
 * The debugger's decoder (the CPU's disassembler behind the adapter's interface) against two
 * oracles: nasm says where each instruction starts and how long it is (its listing), iced-x86 says
 * which instruction it is and how it transfers control (what step over relies on). Every line of
 * the corpus is checked in 16-bit and in 32-bit code.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasTool } from '../test/support/testdata.js';
import { IcedDecoder } from '../test/dap/icedDecoder.js';
import { CpuDecoder } from './cpuDecoder.js';

const CORPUS = `
add al, 5
add word [bx+si+4], 1234h
add eax, ebx
sub byte [bp-2], 7Fh
xor cx, cx
cmp dword [es:di], 1
mov ax, 0FFFFh
mov bl, [1234h]
mov [si], ax
mov es, ax
mov ax, ds
mov al, [0FFh]
mov [0200h], ax
lea dx, [bp+di+100h]
les bx, [si]
push es
pop ds
push 1234h
push byte -2
pusha
popa
inc dx
dec byte [bx]
imul ax, bx, 10
shl ax, 1
shr byte [bx], cl
rol edx, 5
test al, 80h
not word [di]
neg eax
mul cx
div byte [bx+2]
xchg ax, bx
cbw
cwd
call 1234h:5678h
call word [bx]
call far [bx]
jmp far [bp+6]
ret
ret 4
retf
iret
int 21h
int3
into
loop $
jcxz $+10
jz $+20
jmp short $+2
movsb
rep movsw
repne scasb
rep stosd
lodsb
in al, 60h
out dx, al
in ax, dx
cli
sti
hlt
clc
cld
lahf
nop
enter 10h, 0
leave
aam
xlatb
lock inc word [bx]
movzx ax, byte [bx]
movsx eax, word [si]
setnz al
bt ax, 3
bswap eax
shld ax, bx, 4
mov eax, cr0
mov cr3, eax
lgdt [bx]
lidt [bp]
ltr ax
jnz near $+300h
push fs
pop gs
mov eax, [ebx+ecx*4+8]
mov [esp+4], eax
mov al, [ebp-1]
mov ecx, [12345678h]
inc dword [eax*2+10h]
fld dword [bx]
fadd st0, st3
`.trim().split('\n');

function assemble(bits: 16 | 32): { code: Uint8Array; starts: { offset: number; length: number; src: string }[] } {
  const dir = mkdtempSync(join(tmpdir(), 'win31-dis-'));
  writeFileSync(join(dir, 'c.asm'), `bits ${bits}\norg 0\n${CORPUS.join('\n')}\n`);
  execFileSync('nasm', ['-f', 'bin', '-o', join(dir, 'c.bin'), '-l', join(dir, 'c.lst'), join(dir, 'c.asm')]);
  const code = new Uint8Array(readFileSync(join(dir, 'c.bin')));
  const starts: { offset: number; length: number; src: string }[] = [];
  for (const line of readFileSync(join(dir, 'c.lst'), 'utf8').split('\n')) {
    const m = /^\s*\d+\s+([0-9A-F]{8})\s+([0-9A-F[\]()]+)\s+(\S.*)$/.exec(line);
    if (m) starts.push({ offset: parseInt(m[1], 16), length: m[2].replace(/[^0-9A-F]/g, '').length / 2, src: m[3].trim() });
  }
  return { code, starts };
}

// Same instruction, other spelling (the operand size is shown by the mnemonic in one and implied in the other).
const ALIAS: { readonly [k: string]: string } = { pushad: 'pusha', popad: 'popa', iretd: 'iret', sal: 'shl', xlat: 'xlatb', int: 'int', jne: 'jnz', je: 'jz', setne: 'setnz', pushaw: 'pusha', popaw: 'popa', iretw: 'iret', retw: 'ret', retfw: 'retf' };
const mnemonicOf = (text: string): string => {
  const words = text.replace(/^(lock|rep|repne|repe) /, '').replace(/^ret far/, 'retf').split(/\s+/);
  const m = words[0].toLowerCase();
  return ALIAS[m] ?? m;
};

describe.skipIf(!hasTool('nasm'))('debugger decoder', () => {
  for (const bits of [16, 32] as const) {
    it(`agrees with nasm on lengths and with iced-x86 on mnemonics (${bits}-bit code)`, () => {
      const { code, starts } = assemble(bits);
      expect(starts.length).toBe(CORPUS.length);
      const ours = new CpuDecoder();
      const iced = new IcedDecoder();
      const problems: string[] = [];
      for (const s of starts) {
        const a = ours.decode(code, s.offset, code.length, bits, s.offset);
        const b = iced.decode(code, s.offset, code.length, bits, s.offset);
        if (!s.src.startsWith('f') && !a.valid) problems.push(`${s.src}: invalid`);
        if (a.length !== s.length) problems.push(`${s.src}: length ${a.length}, nasm ${s.length}`);
        if (!s.src.startsWith('f') && mnemonicOf(a.text) !== mnemonicOf(b.text)) problems.push(`${s.src}: '${a.text}' vs iced '${b.text}'`);
        if (a.kind !== b.kind && !(b.kind === 'jump' && a.kind === 'loop')) problems.push(`${s.src}: kind ${a.kind} vs iced ${b.kind}`);
      }
      expect(problems).toEqual([]);
    });
  }

  it('shows branch targets as CS offsets and marks undecodable bytes', () => {
    const d = new CpuDecoder();
    const dec = (bytes: number[], ip = 0x7c00) => d.decode(new Uint8Array(bytes), 0, bytes.length, 16, ip);
    expect(dec([0xe8, 0x1c, 0x00]).text).toMatch(/^call 7C1Fh$/);
    expect(dec([0xe8, 0x1c, 0x00]).kind).toBe('call');
    expect(dec([0xf3, 0xa5]).kind).toBe('rep');
    expect(dec([0xe2, 0xfe]).kind).toBe('loop');
    expect(dec([0xcd, 0x21]).kind).toBe('int');
    expect(dec([0xb8, 0x00]).valid).toBe(false);
    expect(dec([0xb8, 0x00]).length).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { hasTool } from '../../test/support/testdata.js';
import { AsmError, assemble } from './romAssembler.js';
import { firstDifference, nasmAssemble } from './nasmOracle.js';

// Every instruction form the ROM sources use, plus jumps that straddle the short/near boundary.
const FORMS = `
bits 16
org 0x100
start:
  cmp ax, 1
  add ax, 5
  and ax, 0xff00
  and ax, 0x00ff
  or ax, 0xffff
  sub word [bx+si+4], 0x1234
  add byte [es:di], 7
  xor eax, eax
  test al, bl
  test ax, [bx]
  test byte [es:0x417], 0x40
  test dx, 0x8000
  xchg al, ah
  xchg bx, ax
  xchg cx, [bp+2]
  mov al, [0x10]
  mov [es:0x10], ax
  mov ax, [bx+2]
  mov ax, [bp]
  mov ax, [bp+di-2]
  mov bx, [ss:bp+300]
  mov word [bx+data], 0x55aa
  mov byte [bx], 3
  mov eax, 0x12345678
  mov cl, 'A'
  mov ds, ax
  mov ax, ds
  mov es, [cs:data]
  mov [ds:bx], al
  mov edx, [bx]
  push 5
  push 0x1234
  push ds
  push fs
  pop gs
  push word [es:bx+2]
  pop word [data]
  push eax
  pop esi
  pusha
  popad
  shl ax, 1
  shl ax, 4
  shr byte [bx], cl
  rol eax, 8
  sar dx, 1
  in al, dx
  in ax, 0x60
  out 0x20, al
  out dx, ax
  in eax, dx
  inc si
  dec byte [bx]
  inc word [es:0x6c]
  dec ecx
  not ax
  neg byte [bx+1]
  mul cx
  div bl
  imul word [bx]
  movzx ax, byte [si]
  movzx ecx, word [es:bx]
  movsx eax, al
  lea si, [bx+di+4]
  les di, [bp+6]
  lds si, [cs:data]
  lidt [cs:data]
  lgdt [bx+4]
  cmp byte [es:bx+si+0x300], 4
  rep insw
  rep stosw
  es lodsb
  cs movsb
  o32 stosw
  rep outsb
  int 0x10
  int 3
  iret
  retf 2
  ret 4
  retf
  ret
  jmp 0xf000:0xe05b
  call 0xc000:3
  call far [es:bx]
  jmp far [cs:data]
  jmp word [bx]
  call near [cs:data]
  call start
  jcxz .local
  loop .local
.local:
  je .local
  jnz start
  jmp short .local
  jmp near .local
  ja far_away
  jmp far_away
  biostrap 0x1013
  stc
  cld
  hlt
data:
  dw 0x1234, data, $-start
  db 'Hello', 13, 10, 0
  db "x", 'y', 0xff, -1
  dd 0x12345678, data
  times 200 db 0x90
far_away:
  jb start
  jmp start
  times 0x400-($-$$) db 0
NUM equ 3*4+(1<<4)
  mov ax, NUM
  mov al, NUM & 0xf
  dw NUM / 2, NUM % 5
`;

describe('romAssembler', () => {
  it('assembles every supported form exactly as nasm does', () => {
    if (!hasTool('nasm')) return;
    const ours = assemble(FORMS).bytes;
    const theirs = nasmAssemble(FORMS);
    const at = firstDifference(ours, theirs);
    expect(at, `first difference at byte ${at}`).toBe(-1);
  });

  it('picks short and near jumps at the range boundary like nasm', () => {
    if (!hasTool('nasm')) return;
    for (const n of [120, 125, 126, 127, 128, 129, 130]) {
      const src = `bits 16\nback:\n  times ${n} db 0x90\n  jmp back\n  jne fwd\n  times ${n} db 0x90\nfwd:\n  ret\n`;
      expect(firstDifference(assemble(src).bytes, nasmAssemble(src)), `n=${n}`).toBe(-1);
    }
  });

  it('reports labels, including local ones', () => {
    const r = assemble('bits 16\norg 0x7c00\nmain:\n  nop\n.loop:\n  jmp .loop\n');
    expect(r.labels.get('main')).toBe(0x7c00);
    expect(r.labels.get('main.loop')).toBe(0x7c01);
  });

  it('names the line of an error', () => {
    expect(() => assemble('bits 16\n  mov ax, [eax]\n')).toThrow(AsmError);
    expect(() => assemble('bits 16\n  frobnicate ax\n')).toThrow(/line 2/);
    expect(() => assemble('bits 16\n  jmp nowhere\n')).toThrow(/undefined label 'nowhere'/);
  });
});

import { describe, expect, it } from 'vitest';
import { assemble } from '../../emulator/bios/romAssembler.js';
import { createMachine } from '../../emulator/machine/createMachine.js';
import { startAfterPost } from './machineHarness.js';

const image = new Uint8Array(1_474_560);

describe('INT 15h extended memory services', () => {
  it('AH=87h copies to and from memory above 1 MiB; E820h, E801h and 88h describe the RAM', () => {
    const p = assemble(`bits 16
org 0x7c00
main:
  xor ax, ax
  mov ds, ax
  mov es, ax
  ; source 0:0700 (8 bytes of text), destination 200000h
  mov si, gdt
  mov cx, 4
  mov ah, 0x87
  int 0x15
  mov [0x600], ax
  ; back from 200000h to 0:0800
  mov word [gdt+0x12], 0x0000
  mov byte [gdt+0x14], 0x20
  mov word [gdt+0x1a], 0x0800
  mov byte [gdt+0x1c], 0x00
  mov si, gdt
  mov cx, 4
  mov ah, 0x87
  int 0x15
  mov [0x602], ax
  ; E820h: the memory map, 20 bytes per entry, into 0:0900
  xor ebx, ebx
  mov di, 0x900
.map:
  mov eax, 0xe820
  mov edx, 0x534d4150
  mov ecx, 20
  int 0x15
  jc .mapped
  add di, 20
  test ebx, ebx
  jnz .map
.mapped:
  mov [0x604], di
  mov ah, 0x88
  int 0x15
  mov [0x606], ax
  mov ax, 0xe801
  int 0x15
  mov [0x608], ax
  mov [0x60a], bx
  cli
  hlt
gdt:
  times 16 db 0
  dw 0xffff, 0x0700
  db 0x00, 0x93, 0, 0
  dw 0xffff, 0x0000
  db 0x20, 0x93, 0, 0
  times 16 db 0
`);
    const m = createMachine({
      memoryMiB: 32,
      floppy: { image: { size: image.length, readOnly: true, read: (o, b) => b.set(image.subarray(o, o + b.length)), write: () => {}, flush: () => {}, close: () => {} } },
      rtcStart: new Date(Date.UTC(2024, 0, 1)),
    });
    startAfterPost(m, p.bytes, p.labels.get('main') as number);
    const text = [...'EXTENDED'].map((c) => c.charCodeAt(0));
    m.memory.ram.set(text, 0x700);
    expect(m.run(m.scheduler.hz).stop).toBe('halt');
    const ram = m.memory.ram;
    const word = (a: number): number => ram[a] | (ram[a + 1] << 8);
    expect(word(0x600) >> 8).toBe(0);
    expect(word(0x602) >> 8).toBe(0);
    expect(Array.from(ram.subarray(0x200000, 0x200008))).toEqual(text);
    expect(Array.from(ram.subarray(0x800, 0x808))).toEqual(text);
    // The map: conventional memory, the BIOS ROM, RAM above 1 MiB to the top of the 32 MiB, the ROM alias.
    const entries = (word(0x604) - 0x900) / 20;
    const dv = new DataView(ram.buffer, 0x900, entries * 20);
    const map = Array.from({ length: entries }, (_, i) => [dv.getUint32(i * 20, true), dv.getUint32(i * 20 + 8, true), dv.getUint32(i * 20 + 16, true)]);
    expect(map).toContainEqual([0, 0xa0000, 1]);
    expect(map).toContainEqual([0x100000, 31 * 0x100000, 1]);
    const usable = map.filter(([, , t]) => t === 1).reduce((s, [, len]) => s + len, 0);
    expect(usable).toBe(0xa0000 + 31 * 0x100000);
    expect(word(0x606)).toBe(31 * 1024);
    expect(word(0x608)).toBe(15 * 1024);
    expect(word(0x60a)).toBe(256); // 64 KiB blocks above 16 MiB
  });
});

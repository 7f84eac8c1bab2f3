import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble } from '../../emulator/bios/romAssembler.js';
import { runCommand } from '../../cli/runCommand.js';
import { CliError } from '../../cli/cliError.js';
import { parseKeys } from '../../emulator/machine/keyTypist.js';

describe('win31 run arguments', () => {
  it('rejects bad arguments with one-line errors', async () => {
    await expect(runCommand.run([])).rejects.toThrow(/no image given/);
    await expect(runCommand.run(['x.img', '--memory', '100'])).rejects.toThrow(/--memory must be .* 1 to 64/);
    await expect(runCommand.run(['x.img', '--cpu', '286'])).rejects.toThrow(/--cpu must be 386 or 486/);
    await expect(runCommand.run(['x.img', '--timeout', '-3'])).rejects.toThrow(CliError);
    await expect(runCommand.run(['x.img', '--type', '{Nope}'])).rejects.toThrow(/unknown key name \{Nope\}/);
    await expect(runCommand.run(['x.img', '--frobnicate'])).rejects.toThrow(/unknown option/);
    await expect(runCommand.run(['/nonexistent/disk.img'])).rejects.toThrow(/nonexistent/);
  });

  it('parses typed keys: characters, Enter and named keys', () => {
    expect(parseKeys('aB\n{F5}{{')).toEqual([
      { code: 'KeyA', shift: false },
      { code: 'KeyB', shift: true },
      { code: 'Enter', shift: false },
      { code: 'F5', shift: false },
      { code: 'BracketLeft', shift: true },
    ]);
  });
});

describe('win31 run end to end', () => {
  it('boots a raw hard disk image, streams COM1 to a file, stops when the guest halts, leaves the image unchanged', async () => {
    const p = assemble(`bits 16
org 0x7c00
main:
  mov ax, 0x00e3
  xor dx, dx
  int 0x14
  mov si, text
.next:
  cs lodsb
  test al, al
  jz .drain
  mov ah, 0x01
  xor dx, dx
  int 0x14
  jmp .next
.drain:
  mov ah, 0x03
  xor dx, dx
  int 0x14
  test ah, 0x40
  jz .drain
  ; change the boot sector and write it back: the image file must not change
  xor ax, ax
  mov es, ax
  mov ds, ax
  mov byte [0x7c00+0x1fd], 0xa5
  mov ax, 0x0301
  mov bx, 0x7c00
  mov cx, 0x0001
  mov dx, 0x0080
  int 0x13
  mov ax, 0x0e21
  int 0x10
  cli
  hlt
text:
  db 'hello from the guest', 13, 10, 0
  times 510-($-$$) db 0
  dw 0xaa55
`);
    const dir = mkdtempSync(join(tmpdir(), 'win31-run-'));
    try {
      const disk = join(dir, 'disk.img');
      const image = new Uint8Array(16 * 63 * 512);
      image.set(p.bytes);
      image[0x1fd] = 0x5a; // the guest overwrites this byte with A5h on its disk
      writeFileSync(disk, image);
      const serial = join(dir, 'com1.txt');
      const code = await runCommand.run([disk, '--serial', serial, '--timeout', '30']);
      expect(code).toBe(0);
      expect(readFileSync(serial, 'utf8')).toBe('hello from the guest\r\n');
      expect(new Uint8Array(readFileSync(disk))).toEqual(image);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

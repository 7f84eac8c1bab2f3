import { describe, expect, it } from 'vitest';
import { assemble } from '../../emulator/bios/romAssembler.js';
import { createMachine } from '../../emulator/machine/createMachine.js';
import type { Machine } from '../../emulator/machine/machine.js';
import { runUntilText, screen, startAfterPost } from './machineHarness.js';

const image = new Uint8Array(1_474_560);

function machine(): Machine {
  return createMachine({
    floppy: { image: { size: image.length, readOnly: true, read: (o, b) => b.set(image.subarray(o, o + b.length)), write: () => {}, flush: () => {}, close: () => {} } },
    rtcStart: new Date(Date.UTC(2024, 0, 1)),
  });
}

/**
 * Sets the CMOS shutdown byte to 0Ah and 40:67 to `resume`, leaves a marker in RAM, then resets
 * the CPU the way `how` says; `resume` prints whether the marker survived.
 */
function resetProgram(how: string): string {
  return `bits 16
org 0x7c00
main:
  xor ax, ax
  mov ds, ax
  mov word [0x500], 0x1234
  mov word [0x467], resume
  mov word [0x469], 0
  mov al, 0x0f
  out 0x70, al
  mov al, 0x0a
  out 0x71, al
${how}
.hang:
  jmp .hang
resume:
  xor ax, ax
  mov ds, ax
  mov ss, ax
  mov sp, 0x7c00
  mov si, msg_lost
  cmp word [0x500], 0x1234
  jne .print
  mov si, msg_kept
.print:
  lodsb
  test al, al
  jz .done
  mov ah, 0x0e
  mov bx, 7
  int 0x10
  jmp .print
.done:
  cli
  hlt
msg_kept:
  db 'RESUMED, RAM KEPT', 0
msg_lost:
  db 'RESUMED, RAM LOST', 0
`;
}

function runReset(how: string): Machine {
  const p = assemble(resetProgram(how));
  const m = machine();
  startAfterPost(m, p.bytes, p.labels.get('main') as number);
  runUntilText(m, 'RESUMED', 5);
  return m;
}

describe('resets', () => {
  it('an 8042 reset pulse resumes through the CMOS shutdown byte with RAM kept', () => {
    const m = runReset('  mov al, 0xfe\n  out 0x64, al');
    expect(screen(m).join('\n')).toContain('RESUMED, RAM KEPT');
  });

  it('a port 92h fast reset does the same', () => {
    const m = runReset('  in al, 0x92\n  or al, 1\n  out 0x92, al');
    expect(screen(m).join('\n')).toContain('RESUMED, RAM KEPT');
  });

  it('a triple fault resets the CPU and resumes the same way', () => {
    // An IDT limit of 0 makes INT 3 fault, the #GP fault again, the #DF shut the CPU down.
    const m = runReset('  lidt [cs:empty_idt]\n  int 3\nempty_idt:\n  dw 0, 0, 0');
    expect(screen(m).join('\n')).toContain('RESUMED, RAM KEPT');
  });

  it('Ctrl+Alt+Del warm-boots through POST', () => {
    const p = assemble(`bits 16
org 0x7c00
main:
  mov ax, 0x0003
  int 0x10
  mov ax, 0x0e57
  int 0x10
.wait:
  xor ah, ah
  int 0x16
  jmp .wait
`);
    const m = machine();
    startAfterPost(m, p.bytes, p.labels.get('main') as number);
    m.run(m.scheduler.hz / 10);
    expect(screen(m)[0]).toBe('W');
    m.keyEvent('ControlLeft', true);
    m.keyEvent('AltLeft', true);
    m.keyEvent('Delete', true);
    m.keyEvent('Delete', false);
    m.keyEvent('AltLeft', false);
    m.keyEvent('ControlLeft', false);
    expect(runUntilText(m, 'win31-debug BIOS', 5)).toBe(true);
    expect(screen(m)[0]).toBe('win31-debug BIOS');
  });
});

import { describe, expect, it } from 'vitest';
import { assemble } from '../../emulator/bios/romAssembler.js';
import { createMachine } from '../../emulator/machine/createMachine.js';
import type { Machine } from '../../emulator/machine/machine.js';
import { startAfterPost } from './machineHarness.js';

const image = new Uint8Array(1_474_560);

function machine(): Machine {
  return createMachine({
    floppy: { image: { size: image.length, readOnly: true, read: (o, b) => b.set(image.subarray(o, o + b.length)), write: () => {}, flush: () => {}, close: () => {} } },
    rtcStart: new Date(Date.UTC(2024, 0, 1)),
  });
}

function press(m: Machine, code: string): void {
  m.keyEvent(code, true);
  m.keyEvent(code, false);
  m.run(m.scheduler.hz / 20);
}

describe('keyboard BIOS', () => {
  it('turns the lock LEDs on the keyboard with Caps Lock and Num Lock, and sets the typematic rate', () => {
    const p = assemble(`bits 16
org 0x7c00
main:
  mov ax, 0x0305
  mov bx, 0x0110
  int 0x16
.wait:
  sti
  hlt
  jmp .wait
`);
    const m = machine();
    startAfterPost(m, p.bytes, p.labels.get('main') as number);
    m.run(m.scheduler.hz / 10);
    const leds = (): number => m.kbc.keyboard.ledState; // bit 0 Scroll, 1 Num, 2 Caps
    const typematic = JSON.stringify(m.kbc.keyboard.saveState().fields.typematic);
    expect(typematic).toBe(String(0x30));
    expect(leds()).toBe(0);
    press(m, 'CapsLock');
    expect(leds()).toBe(4);
    press(m, 'NumLock');
    expect(leds()).toBe(6);
    press(m, 'CapsLock');
    expect(leds()).toBe(2);
    expect(m.memory.ram[0x497] & 7).toBe(2);
    expect(m.memory.ram[0x417] & 0x60).toBe(0x20);
  });
});

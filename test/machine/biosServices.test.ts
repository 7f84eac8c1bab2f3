import { describe, expect, it } from 'vitest';
import { assemble } from '../../emulator/bios/romAssembler.js';
import { createMachine } from '../../emulator/machine/createMachine.js';
import type { Machine } from '../../emulator/machine/machine.js';
import { hasTool } from '../support/testdata.js';
import { BIOS_PROBE_SOURCE } from './biosProbe.js';
import { runUntilText, screen, startAfterPost } from './machineHarness.js';
import { qemuTextDump, textDumpLines } from './qemuScreen.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const probe = assemble(BIOS_PROBE_SOURCE);

function floppyOf(program: Uint8Array): Uint8Array {
  const img = new Uint8Array(1_474_560);
  img.set(program);
  return img;
}

function probeMachine(): Machine {
  const img = floppyOf(probe.bytes);
  const m = createMachine({
    floppy: { image: { size: img.length, readOnly: true, read: (o, b) => b.set(img.subarray(o, o + b.length)), write: () => {}, flush: () => {}, close: () => {} } },
    // QEMU runs with -serial none: no COM port in the equipment word either.
    serial: false,
    rtcStart: new Date(Date.UTC(2024, 0, 1, 12, 0, 0)),
  });
  startAfterPost(m, probe.bytes, probe.labels.get('main') as number);
  m.typeText('aB\n{ArrowUp}');
  return m;
}

/**
 * Lines that legitimately differ from SeaBIOS: it keeps a 1 KiB extended BIOS data area under
 * 640K (INT 12h says 639; the issue asks for no EBDA here), and reserves the top 128 KiB of RAM for
 * its own tables, which INT 15h AH=88h and E801h then leave out.
 */
const DIFFERING = ['int12 ', '1588  ', 'E801  '];

describe('BIOS services against SeaBIOS (QEMU)', () => {
  it('returns the same registers, text and attributes for the probe program', async () => {
    if (!hasTool('qemu-system-i386')) return;
    const m = probeMachine();
    expect(runUntilText(m, 'DONE', 30), screen(m).join('\n')).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'win31-probe-'));
    let dump: Uint8Array;
    try {
      const file = join(dir, 'probe.img');
      writeFileSync(file, floppyOf(probe.bytes));
      dump = await qemuTextDump({
        drives: ['-drive', `if=floppy,index=0,format=raw,file=${file},readonly=on`, '-boot', 'a'],
        steps: [{ when: 'keys?', keys: ['a', 'shift-b', 'ret', 'up'] }],
        until: 'DONE',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const theirs = textDumpLines(dump);
    const ours = screen(m);
    const snap = m.vga.textSnapshot();
    for (let r = 0; r < 25; r++) {
      const named = DIFFERING.find((d) => theirs[r].startsWith(d));
      if (named !== undefined) {
        expect(ours[r].startsWith(named), `row ${r}: ${ours[r]}`).toBe(true);
        continue;
      }
      expect(ours[r], `row ${r}`).toBe(theirs[r]);
      for (let c = 0; c < 80; c++) {
        expect(snap.attrs[r * 80 + c], `attribute at row ${r} column ${c}`).toBe(dump[(r * 80 + c) * 2 + 1]);
      }
    }
  }, 120_000);
});

import { describe, expect, it } from 'vitest';
import { DEMO_FLOPPY_BYTES, assembleDemo, buildDemoFloppy } from '../../demo/demoDisk.js';
import { DEMO_SOURCE } from '../../demo/demoSource.js';
import { firstDifference, nasmAssemble } from '../../emulator/bios/nasmOracle.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoCommand } from '../../cli/demoCommand.js';
import { createMachine } from '../../emulator/machine/createMachine.js';
import { decodePng } from '../../emulator/render/png.js';
import { hasTool } from '../support/testdata.js';
import { runUntilText, screen, startAfterPost } from './machineHarness.js';

describe('demo disk', () => {
  it('is the program nasm assembles from the committed source', () => {
    if (!hasTool('nasm')) return;
    expect(firstDifference(assembleDemo().bytes, nasmAssemble(DEMO_SOURCE))).toBe(-1);
  });

  it('is a bootable 1.44 MB floppy whose program fits the first track', () => {
    const img = buildDemoFloppy();
    expect(img.length).toBe(DEMO_FLOPPY_BYTES);
    expect(img[510]).toBe(0x55);
    expect(img[511]).toBe(0xaa);
    const { labels } = assembleDemo();
    expect(labels.get('checksum')).toBeGreaterThan(0x7e00);
    expect((labels.get('payload_end') ?? 0) - 0x7c00).toBeLessThanOrEqual(18 * 512);
  });
});

describe('demo program on the machine', () => {
  it('prints its Fletcher-16, then halts in mode 13h with its picture', () => {
    const img = buildDemoFloppy();
    const { bytes, labels } = assembleDemo();
    const m = createMachine({
      floppy: { image: { size: img.length, readOnly: true, read: (o, b) => b.set(img.subarray(o, o + b.length)), write: () => {}, flush: () => {}, close: () => {} } },
      rtcStart: new Date(Date.UTC(2024, 0, 1)),
    });
    // The whole program is placed at 0:7C00 (what its boot sector would load) and started at main.
    startAfterPost(m, bytes, labels.get('main') as number);
    expect(runUntilText(m, 'Switching to mode 13h', 10)).toBe(true);
    let s1 = 0;
    let s2 = 0;
    for (const b of bytes) {
      s1 = (s1 + b) % 255;
      s2 = (s2 + s1) % 255;
    }
    const expected = ((s2 << 8) | s1).toString(16).toUpperCase().padStart(4, '0');
    expect(screen(m).some((l) => l.includes(`Fletcher-16 of this program: ${expected}`)), screen(m).join('\n')).toBe(true);
    let stop = 'budget';
    for (let i = 0; i < 100 && stop === 'budget'; i++) stop = m.run(m.scheduler.hz / 10).stop;
    expect(stop).toBe('halt');
    const { frame } = m.renderFrame();
    expect([frame.width, frame.height]).toEqual([320, 200]);
  });
});

describe('win31 demo', () => {
  it('boots the demo disk through the BIOS and writes a 320x200 screenshot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'win31-demo-'));
    const chunks: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((s: string | Uint8Array) => {
      chunks.push(String(s));
      return true;
    }) as typeof process.stdout.write;
    try {
      const out = join(dir, 'shot.png');
      const code = await demoCommand.run(['--screenshot', out]);
      expect(code).toBe(0);
      const png = decodePng(new Uint8Array(readFileSync(out)));
      expect([png.width, png.height]).toEqual([320, 200]);
      expect(chunks.join('')).toContain('Switching to mode 13h');
    } finally {
      process.stdout.write = write;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

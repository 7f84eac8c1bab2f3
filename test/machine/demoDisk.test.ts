import { describe, expect, it } from 'vitest';
import { DEMO_FLOPPY_BYTES, assembleDemo, buildDemoFloppy } from '../../demo/demoDisk.js';
import { DEMO_SOURCE } from '../../demo/demoSource.js';
import { firstDifference, nasmAssemble } from '../../emulator/bios/nasmOracle.js';
import { hasTool } from '../support/testdata.js';

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

import { describe, expect, it } from 'vitest';
import { hasTool } from '../../test/support/testdata.js';
import { firstDifference, nasmAssemble } from './nasmOracle.js';
import { assemble } from './romAssembler.js';
import { buildSystemRom, systemRomSource } from './systemRom.js';
import { buildVideoRom, videoRomSource } from './videoRom.js';

describe('BIOS ROM images', () => {
  it('the system ROM source assembles to the same bytes with nasm', () => {
    if (!hasTool('nasm')) return;
    const src = systemRomSource();
    const at = firstDifference(assemble(src).bytes, nasmAssemble(src));
    expect(at, `first difference at F000:${at.toString(16)}`).toBe(-1);
  });

  it('the video ROM source assembles to the same bytes with nasm', () => {
    if (!hasTool('nasm')) return;
    const src = videoRomSource();
    expect(firstDifference(assemble(src).bytes, nasmAssemble(src))).toBe(-1);
  });

  it('has the reset vector, date, model byte and an ARPL byte in the F000h segment', () => {
    const rom = buildSystemRom();
    const img = rom.image;
    expect(img[0xfff0]).toBe(0xea);
    expect(img[0xfff1] | (img[0xfff2] << 8)).toBe(rom.addr('post'));
    expect(img[0xfff3] | (img[0xfff4] << 8)).toBe(0xf000);
    expect(String.fromCharCode(...img.subarray(0xfff5, 0xfffd))).toMatch(/^\d\d\/\d\d\/\d\d$/);
    expect(img[0xfffe]).toBe(0xfc);
    expect(img[rom.addr('v86_breakpoint')]).toBe(0x63);
  });

  it('gives the video ROM a valid option-ROM header and checksum', () => {
    const v = buildVideoRom();
    expect(v.image[0]).toBe(0x55);
    expect(v.image[1]).toBe(0xaa);
    expect(v.image[2] * 512).toBe(v.image.length);
    let sum = 0;
    for (const x of v.image) sum = (sum + x) & 0xff;
    expect(sum).toBe(0);
    expect(v.modeTable(0x03)).toBeGreaterThan(0);
    expect(v.modeTable(0x13)).toBeGreaterThan(0);
  });
});

describe('BIOS symbols', () => {
  it('names the service entry points at their vector addresses', () => {
    const rom = buildSystemRom();
    const names = rom.labels().map((l) => l.name);
    for (const n of ['int10', 'int13', 'int16', 'int19', 'post', 'ata_io', 'fd_io', 'reset_vector']) expect(names).toContain(n);
    expect(names.some((n) => n.startsWith('T_'))).toBe(false);
    const offsets = rom.labels().map((l) => l.offset);
    expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);
    expect(rom.labels().find((l) => l.name === 'reset_vector')?.offset).toBe(0xfff0);
  });
});

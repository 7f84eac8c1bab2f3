// Port 80h (POST codes) and port E9h (debug console, the Bochs/QEMU convention: writes go to the
// host, reads return E9h).
import { describe, expect, it } from 'vitest';
import { IoBus } from '../io/ioBus.js';
import { DebugConsolePort } from './debugConsole.js';
import { POST_HISTORY, PostCodePort } from './postCodes.js';

describe('POST code port (80h)', () => {
  it('keeps the last code, a short history, and reads it back', () => {
    const io = new IoBus();
    const post = new PostCodePort(io);
    const seen: number[] = [];
    post.onPostCode = (c) => seen.push(c);
    for (let c = 1; c <= 20; c++) io.out8(0x80, c);
    expect(post.lastCode).toBe(20);
    expect(io.in8(0x80)).toBe(20);
    expect(post.recentCodes).toEqual(Array.from({ length: POST_HISTORY }, (_, i) => 20 - POST_HISTORY + 1 + i));
    expect(seen.length).toBe(20);
    const other = new PostCodePort(new IoBus());
    other.loadState(post.saveState());
    expect(other.saveState()).toEqual(post.saveState());
  });
});

describe('debug console port (E9h)', () => {
  it('streams written bytes to the host and reads E9h', () => {
    const io = new IoBus();
    const out: number[] = [];
    new DebugConsolePort(io, (b) => out.push(b));
    for (const ch of 'OK\n') io.out8(0xe9, ch.charCodeAt(0));
    expect(String.fromCharCode(...out)).toBe('OK\n');
    expect(io.in8(0xe9)).toBe(0xe9);
  });
});

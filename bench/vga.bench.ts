// VGA benchmarks: full-frame render cost in modes 3, 12h and 13h (every line redrawn each frame),
// the steady-state cost when nothing changed, and host write throughput into planar memory
// through the physical memory bus in write modes 0 (set/reset), 2 and 1 (latch copy).
import { VgaRig } from '../emulator/devices/vga/testRig.js';

function time(label: string, unit: string, count: number, body: () => void): void {
  body(); // warm-up
  const t0 = performance.now();
  let n = 0;
  let elapsed = 0;
  do {
    body();
    n++;
    elapsed = performance.now() - t0;
  } while (elapsed < 1500);
  const rate = (n * count) / (elapsed / 1000);
  console.log(`${label.padEnd(44)} ${rate.toFixed(rate > 1000 ? 0 : 1).padStart(12)} ${unit}`);
}

function renderBench(mode: number): void {
  const r = new VgaRig();
  r.setMode(mode);
  if (mode === 3) {
    r.loadFont();
    for (let i = 0; i < 4000; i += 2) {
      r.write(0xb8000 + i, 0x20 + ((i >> 1) % 95));
      r.write(0xb8001 + i, (i >> 1) & 0x7f);
    }
  } else {
    for (let i = 0; i < 0x10000; i++) r.write(0xa0000 + i, (i * 37) & 0xff);
  }
  const g = r.vga.frameGeometry();
  const buf = new Uint8ClampedArray(g.width * g.height * 4);
  const name = `mode ${mode.toString(16)}h ${g.width}x${g.height}`;
  time(`render ${name}, full frame`, 'frames/s', 1, () => {
    r.vga.mem.markAllDirty();
    r.vga.renderFrame(buf);
  });
  time(`render ${name}, nothing changed`, 'frames/s', 1, () => r.vga.renderFrame(buf));
}

for (const mode of [0x03, 0x12, 0x13]) renderBench(mode);

const r = new VgaRig();
r.setMode(0x12);
r.gc(1, 0x0f);
time('planar write mode 0 + set/reset (byte writes)', 'MB/s', 38400 / 1e6, () => {
  for (let a = 0xa0000; a < 0xa0000 + 38400; a++) r.memory.write8(a, 0);
});
r.gc(1, 0x00);
r.gc(5, 0x02);
time('planar write mode 2 (byte writes)', 'MB/s', 38400 / 1e6, () => {
  for (let a = 0xa0000; a < 0xa0000 + 38400; a++) r.memory.write8(a, a & 15);
});
r.gc(5, 0x01);
time('planar latch copy: read + write mode 1', 'MB/s', 19200 / 1e6, () => {
  for (let a = 0xa0000; a < 0xa0000 + 19200; a++) r.memory.write8(a + 19200, r.memory.read8(a));
});

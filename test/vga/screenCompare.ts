/**
 * Compares our frame with QEMU's screendump. QEMU draws low-resolution modes at their dot-clock
 * size (mode 13h as 640x400: each pixel 2 dots wide and 2 scan lines high), we at the logical
 * size, so QEMU's image is first checked to be an exact integer enlargement and reduced. Colours
 * are compared on the 6 bits the DAC holds: both sides expand 6-bit components to 8 bits by
 * shifting left 2 and filling the low 2 bits, differently (see `expansion`).
 */
import type { Image } from '../../emulator/render/png.js';

export interface ScreenComparison {
  readonly scaleX: number;
  readonly scaleY: number;
  /** QEMU pixels inside one enlarged pixel that differ from its top-left one. */
  readonly nonUniform: number;
  /** Our pixels whose 6-bit colour differs from QEMU's. */
  readonly mismatches: number;
  readonly firstMismatch: string | null;
  /** How QEMU filled the low 2 bits, judged over every component seen. */
  readonly expansion: 'lsb-replicated' | 'msb-replicated' | 'zero' | 'mixed';
}

/** `ignore(x, y)` true skips one of our pixels (a documented QEMU deviation). */
export function compareScreens(ours: Image, qemu: Image, ignore?: (x: number, y: number) => boolean): ScreenComparison {
  const scaleX = qemu.width / ours.width;
  const scaleY = qemu.height / ours.height;
  if (!Number.isInteger(scaleX) || !Number.isInteger(scaleY) || scaleX < 1 || scaleY < 1) {
    throw new Error(`QEMU's ${qemu.width}x${qemu.height} is no integer enlargement of our ${ours.width}x${ours.height}`);
  }
  let nonUniform = 0;
  let mismatches = 0;
  let firstMismatch: string | null = null;
  let lsb = true;
  let msb = true;
  let zero = true;
  for (let y = 0; y < ours.height; y++) {
    for (let x = 0; x < ours.width; x++) {
      const q = ((y * scaleY) * qemu.width + x * scaleX) * 4;
      for (let dy = 0; dy < scaleY; dy++) {
        for (let dx = 0; dx < scaleX; dx++) {
          const o = (((y * scaleY + dy) * qemu.width) + x * scaleX + dx) * 4;
          if (qemu.rgba[o] !== qemu.rgba[q] || qemu.rgba[o + 1] !== qemu.rgba[q + 1] || qemu.rgba[o + 2] !== qemu.rgba[q + 2]) nonUniform++;
        }
      }
      const p = (y * ours.width + x) * 4;
      if (ignore?.(x, y)) continue;
      let same = true;
      for (let c = 0; c < 3; c++) {
        const v = qemu.rgba[q + c];
        const six = v >> 2;
        if (six !== ours.rgba[p + c] >> 2) same = false;
        if ((v & 3) !== ((six & 1) << 1 | (six & 1))) lsb = false;
        if ((v & 3) !== six >> 4) msb = false;
        if ((v & 3) !== 0) zero = false;
      }
      if (!same) {
        mismatches++;
        firstMismatch ??= `(${x},${y}): ours ${Array.from(ours.rgba.subarray(p, p + 3)).join(',')} QEMU ${Array.from(qemu.rgba.subarray(q, q + 3)).join(',')}`;
      }
    }
  }
  const expansion = lsb ? 'lsb-replicated' : msb ? 'msb-replicated' : zero ? 'zero' : 'mixed';
  return { scaleX, scaleY, nonUniform, mismatches, firstMismatch, expansion };
}

/**
 * Draws machine frames onto the canvas: RGBA spans land in one ImageData and only the changed
 * rows are put back. The canvas keeps the guest's resolution; CSS scales it to a 4:3 box (a CRT's
 * shape, whatever the mode's pixel aspect) with nearest-neighbour sampling so text stays crisp.
 */
import type { Frame } from '../protocol/frame.js';

export class Screen {
  private readonly ctx: CanvasRenderingContext2D;
  private image: ImageData | null = null;
  /** The last text screen, for tests and screen readers. */
  text = '';

  constructor(private readonly canvas: HTMLCanvasElement) {
    const ctx = canvas.getContext('2d', { alpha: false, willReadFrequently: true });
    if (!ctx) throw new Error('no 2D canvas context');
    this.ctx = ctx;
    this.ctx.imageSmoothingEnabled = false;
  }

  draw(frame: Frame): void {
    if (!this.image || this.image.width !== frame.width || this.image.height !== frame.height) {
      this.canvas.width = frame.width;
      this.canvas.height = frame.height;
      this.image = this.ctx.createImageData(frame.width, frame.height);
    }
    const img = this.image;
    const rowBytes = frame.width * 4;
    for (const span of frame.spans) {
      img.data.set(span.rgba.subarray(0, span.rows * rowBytes), span.y * rowBytes);
      this.ctx.putImageData(img, 0, 0, 0, span.y, frame.width, span.rows);
    }
    this.text = frame.text;
    this.canvas.dataset.mode = frame.mode;
  }
}

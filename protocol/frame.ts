/**
 * One screen update from the machine to a display. Graphics and text alike arrive as RGBA rows
 * rendered by the emulated VGA (so fonts, palettes and odd modes look as the card draws them);
 * only rows that changed since the previous frame are sent, in buffers the sender may transfer.
 */

export interface FrameSpan {
  /** First row of the span. */
  readonly y: number;
  readonly rows: number;
  /** rows * width * 4 bytes of RGBA. */
  readonly rgba: Uint8Array;
}

export interface Frame {
  readonly width: number;
  readonly height: number;
  /** True when `spans` cover the whole screen (a mode change or a full request). */
  readonly full: boolean;
  readonly spans: readonly FrameSpan[];
  /** The text screen (80x25 lines) in text modes, '' in graphics modes: a readable hook for tests and screen readers. */
  readonly text: string;
  /** `text` or `graphics`, for the status line. */
  readonly mode: 'text' | 'graphics';
}

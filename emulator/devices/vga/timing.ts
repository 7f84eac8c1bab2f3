/**
 * Where the beam is, in virtual time. The frame period follows the programmed timings: the dot
 * clock from Misc Output bits 3-2 (25.175 or 28.322 MHz), halved by SR1 bit 3, 8 or 9 dots per
 * character clock, CR00 character clocks per line and CR06/CR07 lines per frame. Mode 3 comes out
 * at 70.1 Hz (28.322 MHz / 900 dots / 449 lines), mode 12h at 59.9 Hz.
 */
import { CR_V_RETRACE_END, type Crtc } from './crtc.js';
import type { Sequencer } from './sequencer.js';

const DOT_CLOCKS = [25_175_000, 28_322_000, 25_175_000, 28_322_000];

export interface BeamTiming {
  /** Ticks per frame and per line (fractional). */
  readonly frameTicks: number;
  readonly lineTicks: number;
  readonly vTotal: number;
  readonly vDisplay: number;
  readonly vRetraceStart: number;
  /** First line after the retrace (exclusive end). */
  readonly vRetraceEnd: number;
  /** Fraction of a line during which display enable is active. */
  readonly hActive: number;
}

export function computeTiming(crtc: Crtc, seq: Sequencer, misc: number, ticksPerSecond: number): BeamTiming {
  const dotsPerChar = (seq.eightDot ? 8 : 9) * (seq.halfDotClock ? 2 : 1);
  const hTotal = Math.max(crtc.hTotal, crtc.hDisplay + 1);
  const vTotal = Math.max(crtc.vTotal, 2);
  const vDisplay = Math.min(crtc.vDisplay, vTotal);
  const clock = DOT_CLOCKS[(misc >> 2) & 3];
  const lineSeconds = (hTotal * dotsPerChar) / clock;
  const lineTicks = lineSeconds * ticksPerSecond;
  const vrs = crtc.vRetraceStart;
  // The retrace ends at the first line whose low 4 bits equal CR11 bits 3-0.
  const endLow = crtc.regs[CR_V_RETRACE_END] & 0x0f;
  let vre = vrs + 1;
  while ((vre & 0x0f) !== endLow) vre++;
  return {
    frameTicks: lineTicks * vTotal,
    lineTicks,
    vTotal,
    vDisplay,
    vRetraceStart: vrs,
    vRetraceEnd: vre,
    hActive: Math.min(1, crtc.hDisplay / hTotal),
  };
}

/** Input status 1 bits 3 (vertical retrace) and 0 (display disabled: horizontal or vertical blank). */
export function beamStatus(t: BeamTiming, now: number): number {
  const inFrame = now % t.frameTicks;
  const line = Math.floor(inFrame / t.lineTicks);
  const inLine = (inFrame - line * t.lineTicks) / t.lineTicks;
  let v = 0;
  if (line >= t.vRetraceStart && line < t.vRetraceEnd) v |= 0x08;
  if (line >= t.vDisplay || inLine >= t.hActive) v |= 0x01;
  return v;
}

/** Frames elapsed since time 0: drives the cursor (16-frame) and text (32-frame) blink. */
export function frameNumber(t: BeamTiming, now: number): number {
  return Math.floor(now / t.frameTicks);
}

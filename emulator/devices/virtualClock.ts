/**
 * Conversions between the Scheduler's virtual ticks and the edges of a device clock of an integer
 * rate (the PIT's 1.193182 MHz, the RTC's periodic taps, a UART's bit clock). Exact integer
 * arithmetic: the tick count is split into whole virtual seconds and a remainder, so products stay
 * far below 2^53 even after years of virtual time.
 */

/** Edges of a `rateHz` clock that have occurred `ticks` virtual ticks after its epoch (`hz` ticks a second). */
export function clockEdgesAt(ticks: number, rateHz: number, hz: number): number {
  const q = Math.floor(ticks / hz);
  const r = ticks - q * hz;
  return q * rateHz + Math.floor((r * rateHz) / hz);
}

/** The first tick (after the epoch) by which `edges` edges of a `rateHz` clock have occurred. */
export function tickOfClockEdge(edges: number, rateHz: number, hz: number): number {
  const q = Math.floor(edges / rateHz);
  const r = edges - q * rateHz;
  return q * hz + Math.ceil((r * hz) / rateHz);
}

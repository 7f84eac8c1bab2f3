/**
 * Compares our final text screen with QEMU's. Lines above the first line both screens share (the
 * BIOS banners, which legitimately differ) are skipped; from there on every line must be equal
 * unless a named pattern says why it may differ (memory sizes, for instance).
 */

export interface NamedDifference {
  /** What the line is and why it differs. */
  readonly why: string;
  /** Matches the line in both screens. */
  readonly pattern: RegExp;
}

export interface ScreenComparison {
  readonly equal: boolean;
  readonly report: string;
}

function trimmedEnd(lines: readonly string[]): string[] {
  const out = lines.map((l) => l.trimEnd());
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

export function compareScreens(ours: readonly string[], theirs: readonly string[], anchor: RegExp, named: readonly NamedDifference[] = []): ScreenComparison {
  const a = trimmedEnd(ours);
  const b = trimmedEnd(theirs);
  const ia = a.findIndex((l) => anchor.test(l));
  const ib = b.findIndex((l) => anchor.test(l));
  const show = (): string => `ours:\n${a.join('\n')}\n---- QEMU:\n${b.join('\n')}`;
  if (ia < 0 || ib < 0) return { equal: false, report: `anchor ${anchor} not on ${ia < 0 ? 'our' : "QEMU's"} screen\n${show()}` };
  const ra = a.slice(ia);
  const rb = b.slice(ib);
  if (ra.length !== rb.length) return { equal: false, report: `${ra.length} lines from the anchor on ours, ${rb.length} on QEMU's\n${show()}` };
  for (let i = 0; i < ra.length; i++) {
    if (ra[i] === rb[i]) continue;
    const n = named.find((d) => d.pattern.test(ra[i]) && d.pattern.test(rb[i]));
    if (n) continue;
    return { equal: false, report: `line ${ia + i + 1} differs:\n  ours: ${ra[i]}\n  QEMU: ${rb[i]}\n${show()}` };
  }
  return { equal: true, report: '' };
}

/**
 * A readable line-by-line comparison of two program outputs: the first differing lines with a few
 * lines of context, numbered, expected (QEMU) above actual (ours).
 */

export function diffOutputs(expected: string, actual: string, context = 3, maxHunks = 5): string | null {
  const want = expected.split('\n');
  const got = actual.split('\n');
  const n = Math.max(want.length, got.length);
  const parts: string[] = [];
  let hunks = 0;
  let i = 0;
  while (i < n && hunks < maxHunks) {
    if (want[i] === got[i]) {
      i++;
      continue;
    }
    hunks++;
    const from = Math.max(0, i - context);
    for (let k = from; k < i; k++) parts.push(`  ${String(k + 1).padStart(4)}   ${want[k]}`);
    let end = i;
    while (end < n && want[end] !== got[end]) end++;
    // Once the outputs are out of step every later line differs: show the start of it only.
    const shown = Math.min(end, i + 12);
    for (let k = i; k < shown; k++) {
      parts.push(`  ${String(k + 1).padStart(4)} - ${want[k] ?? '<missing>'}`);
      parts.push(`  ${String(k + 1).padStart(4)} + ${got[k] ?? '<missing>'}`);
    }
    if (shown < end) parts.push(`         ... ${end - shown} more differing lines`);
    i = end;
  }
  if (hunks === 0) return null;
  return `output differs from QEMU (- QEMU, + ours):\n${parts.join('\n')}`;
}

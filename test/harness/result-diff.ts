// A small line diff (longest common subsequence) for readable expected-vs-actual query results.

/** Above this many lines on either side, show both blocks instead of computing an LCS. */
const MAX_DIFF_LINES = 2000;

/**
 * Renders `expected` vs `actual` lines: `  ` unchanged, `- ` only expected, `+ ` only actual.
 * Long runs of unchanged lines are shortened to keep failures readable.
 */
export function diffLines(expected: readonly string[], actual: readonly string[]): string {
  if (expected.length > MAX_DIFF_LINES || actual.length > MAX_DIFF_LINES) {
    return ['expected:', ...expected.map((l) => `- ${l}`), 'actual:', ...actual.map((l) => `+ ${l}`)].join('\n');
  }
  const n = expected.length;
  const m = actual.length;
  // lcs[i * (m + 1) + j]: LCS length of expected[i..] and actual[j..].
  const lcs = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * (m + 1) + j] = expected[i] === actual[j]
        ? lcs[(i + 1) * (m + 1) + j + 1]! + 1
        : Math.max(lcs[(i + 1) * (m + 1) + j]!, lcs[i * (m + 1) + j + 1]!);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && expected[i] === actual[j]) {
      out.push(`  ${expected[i]}`);
      i++;
      j++;
    } else if (j < m && (i >= n || lcs[i * (m + 1) + j + 1]! >= lcs[(i + 1) * (m + 1) + j]!)) {
      out.push(`+ ${actual[j]}`);
      j++;
    } else {
      out.push(`- ${expected[i]}`);
      i++;
    }
  }
  return elideUnchanged(out).join('\n');
}

/** Keeps 3 unchanged lines of context around changes; longer unchanged runs become "  ...". */
function elideUnchanged(lines: string[]): string[] {
  const keep = new Uint8Array(lines.length);
  for (let k = 0; k < lines.length; k++) {
    if (lines[k]!.startsWith('  ')) continue;
    for (let c = Math.max(0, k - 3); c <= Math.min(lines.length - 1, k + 3); c++) keep[c] = 1;
  }
  const out: string[] = [];
  for (let k = 0; k < lines.length; k++) {
    if (keep[k] === 1) out.push(lines[k]!);
    else if (out[out.length - 1] !== '  ...') out.push('  ...');
  }
  return out;
}

// Redshift query syntax PostgreSQL's grammar lacks, rewritten before parsing:
// - `QUALIFY cond` (also Snowflake's) becomes a WINDOW definition under a reserved name whose
//   PARTITION BY holds the condition, `WINDOW "colonnade.qualify" AS (PARTITION BY (cond))`; the
//   binder takes it back out (bind-select.ts) and filters the rows after the window functions.
// - `APPROXIMATE COUNT(DISTINCT x)` becomes `approx_count_distinct(x)` (HyperLogLog), and
//   `APPROXIMATE PERCENTILE_DISC(f)` becomes `approx_percentile_disc(f)` (a quantile sketch).
import { SourceMap } from './source-map.ts';
import { scanSegments, type SqlToken } from './sql-tokens.ts';

/** The WINDOW name that carries a QUALIFY condition through the parser. */
export const QUALIFY_WINDOW = 'colonnade.qualify';

const REWRITTEN_WORDS = /\b(?:qualify|approximate)\b/i;

/** Words that end a QUALIFY condition at its own nesting level. */
const ENDS = new Set(['order', 'limit', 'offset', 'fetch', 'union', 'intersect', 'except', 'for', 'window']);

/** One insertion into the text: `delta` more code points from code point `at` of the rewritten text on. */
export interface TextEdit {
  readonly at: number;
  readonly delta: number;
}

/** The text with every QUALIFY, APPROXIMATE COUNT(DISTINCT and APPROXIMATE PERCENTILE_DISC rewritten, and the edits (to map rewritten offsets back); null when there is none. */
export function rewriteQuerySyntax(text: string): { text: string; edits: TextEdit[] } | null {
  if (!REWRITTEN_WORDS.test(text)) return null;
  const map = new SourceMap(text);
  const segments = scanSegments(text, map);
  if (segments === null) return null;
  // Replacements in original code points: [start, end, new text].
  const reps: [number, number, string][] = [];
  for (const seg of segments) {
    const toks = seg.tokens;
    // Per open parenthesis level: whether this level's query already has a WINDOW clause.
    const windowSeen: boolean[] = [false];
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i]!;
      if (t.kind === 'punct' && t.value === '(') { windowSeen.push(false); continue; }
      if (t.kind === 'punct' && t.value === ')') { if (windowSeen.length > 1) windowSeen.pop(); continue; }
      if (t.kind !== 'word') continue;
      const level = windowSeen.length - 1;
      if (t.value === 'select') windowSeen[level] = false;
      else if (t.value === 'window') windowSeen[level] = true;
      else if (t.value === 'approximate' && toks[i + 1]?.value === 'count' && toks[i + 2]?.value === '(' && toks[i + 3]?.value === 'distinct') {
        reps.push([t.cp, toks[i + 3]!.cpEnd, 'approx_count_distinct(']);
        windowSeen.push(false);
        i += 3;
      } else if (t.value === 'approximate' && toks[i + 1]?.value === 'percentile_disc' && toks[i + 2]?.value === '(') {
        reps.push([t.cp, toks[i + 2]!.cpEnd, 'approx_percentile_disc(']);
        windowSeen.push(false);
        i += 2;
      } else if (t.value === 'qualify' && i + 1 < toks.length) {
        const end = conditionEnd(toks, i + 1);
        const head = windowSeen[level] ? `, "${QUALIFY_WINDOW}" AS (PARTITION BY (` : `WINDOW "${QUALIFY_WINDOW}" AS (PARTITION BY (`;
        reps.push([t.cp, t.cpEnd, head], [end, end, ')) ']);
      }
    }
  }
  if (reps.length === 0) return null;
  reps.sort((a, b) => a[0] - b[0]);
  const cps = Array.from(text);
  let out = '';
  let copied = 0;
  let shift = 0;
  const edits: TextEdit[] = [];
  for (const [start, end, repl] of reps) {
    out += cps.slice(copied, start).join('') + repl;
    copied = end;
    const delta = Array.from(repl).length - (end - start);
    edits.push({ at: start + shift, delta });
    shift += delta;
  }
  return { text: out + cps.slice(copied).join(''), edits };
}

/** The code point where a condition starting at toks[from] ends: the next clause of its level, or a closing parenthesis. */
function conditionEnd(toks: readonly SqlToken[], from: number): number {
  let depth = 0;
  for (let i = from; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.kind === 'punct' && t.value === '(') depth++;
    else if (t.kind === 'punct' && t.value === ')') {
      if (depth === 0) return t.cp;
      depth--;
    } else if (depth === 0 && t.kind === 'word' && ENDS.has(t.value)) {
      if (t.value !== 'order' || toks[i + 1]?.value === 'by') return t.cp;
    }
  }
  return toks[toks.length - 1]!.cpEnd;
}

/** Maps a code point offset of the rewritten text back to the original text. */
export function originalOffset(cp: number, edits: readonly TextEdit[]): number {
  let back = cp;
  for (const e of edits) {
    if (e.at >= cp) break;
    back -= Math.min(e.delta, cp - e.at);
  }
  return back;
}

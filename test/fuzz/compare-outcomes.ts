// Compares two query outcomes: rows as multisets (or sequences under ORDER BY), errors by SQLSTATE.
import type { Outcome, TextRow } from './fuzz-engines.ts';

const SHOWN_ROWS = 20;

function rowKey(row: TextRow): string {
  return JSON.stringify(row);
}

/** Multiset difference: rows of `a` not matched by a row of `b`, as keys. */
function missingFrom(a: readonly TextRow[], b: readonly TextRow[]): string[] {
  const counts = new Map<string, number>();
  for (const row of b) counts.set(rowKey(row), (counts.get(rowKey(row)) ?? 0) + 1);
  const out: string[] = [];
  for (const row of a) {
    const key = rowKey(row);
    const n = counts.get(key) ?? 0;
    if (n > 0) counts.set(key, n - 1);
    else out.push(key);
  }
  return out;
}

/** A short text of an outcome for a failure message. */
export function describeOutcome(o: Outcome): string {
  if (!o.ok) return `ERROR ${o.code}: ${o.message}`;
  const shown = o.rows.slice(0, SHOWN_ROWS).map(rowKey).join('\n  ');
  return `${o.rows.length} rows\n  ${shown}${o.rows.length > SHOWN_ROWS ? '\n  ...' : ''}`;
}

/**
 * Undefined when `ours` and `theirs` agree, else what differs. Rows are compared as exact text;
 * as multisets unless `ordered`. Two errors agree only with the same SQLSTATE.
 */
export function compareOutcomes(ours: Outcome, theirs: Outcome, ordered: boolean): string | undefined {
  if (!ours.ok || !theirs.ok) {
    if (!ours.ok && !theirs.ok && ours.code === theirs.code) return undefined;
    return 'one side failed (or the SQLSTATEs differ)';
  }
  const extra = missingFrom(ours.rows, theirs.rows);
  const missing = missingFrom(theirs.rows, ours.rows);
  if (extra.length > 0 || missing.length > 0) {
    const cap = (keys: string[]): string => keys.slice(0, SHOWN_ROWS).join('\n  ') + (keys.length > SHOWN_ROWS ? `\n  ... (${keys.length})` : '');
    return `rows differ: ${ours.rows.length} vs ${theirs.rows.length} rows\n only first:\n  ${cap(extra)}\n only second:\n  ${cap(missing)}`;
  }
  if (ordered) {
    for (let rowIdx = 0; rowIdx < ours.rows.length; rowIdx++) {
      if (rowKey(ours.rows[rowIdx]!) !== rowKey(theirs.rows[rowIdx]!)) return `same rows, different order from row ${rowIdx}`;
    }
  }
  return undefined;
}

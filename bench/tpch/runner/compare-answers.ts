// Compares two engines' answers to one query with the spec's validation tolerances (clause 2.1.3.5), order-aware only where the query orders.
import type { QueryAnswer } from './engine.ts';

/** A normalized cell: a number, or trimmed text (CHAR(n) padding differs between engines), or null. */
type Cell = number | string | null;

const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function normalizeCell(v: string | null): Cell {
  if (v === null) return null;
  const t = v.trimEnd();
  return NUMERIC.test(t) ? Number(t) : t;
}

/**
 * Numbers agree when they differ by at most 0.01 (answers are reported to 2 decimal places) or by
 * a relative 1e-9 (double-precision sums of large values).
 */
export function numbersAgree(a: number, b: number): boolean {
  const diff = Math.abs(a - b);
  return diff <= 0.01 + 1e-12 || diff <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

function cellsAgree(a: Cell, b: Cell): boolean {
  if (typeof a === 'number' && typeof b === 'number') return numbersAgree(a, b);
  return a === b;
}

/** Sort key of a row: numbers rounded to 2 places so tiny differences do not reorder rows. */
function rowKey(row: readonly Cell[]): string {
  return row.map((c) => (c === null ? '\u0000' : typeof c === 'number' ? c.toFixed(2) : c)).join('\u0001');
}

function sameMultiset(a: readonly Cell[][], b: readonly Cell[][]): string | undefined {
  const sa = [...a].sort((x, y) => (rowKey(x) < rowKey(y) ? -1 : rowKey(x) > rowKey(y) ? 1 : 0));
  const sb = [...b].sort((x, y) => (rowKey(x) < rowKey(y) ? -1 : rowKey(x) > rowKey(y) ? 1 : 0));
  for (let rowIdx = 0; rowIdx < sa.length; rowIdx++) {
    const ra = sa[rowIdx]!;
    const rb = sb[rowIdx]!;
    for (let colIdx = 0; colIdx < ra.length; colIdx++) {
      if (!cellsAgree(ra[colIdx]!, rb[colIdx]!)) {
        return `row ${JSON.stringify(ra)} vs ${JSON.stringify(rb)} (column ${colIdx + 1})`;
      }
    }
  }
  return undefined;
}

/**
 * Compares answers `a` and `b`. Without order columns the rows are compared as multisets; with
 * them, the rows are split into runs that tie on the order columns, the runs must come in the
 * same order, and each run is compared as a multiset. Returns undefined when they agree, else
 * a one-line reason.
 */
export function compareAnswers(a: QueryAnswer, b: QueryAnswer, orderColumns: readonly number[]): string | undefined {
  if (a.rows.length !== b.rows.length) return `row counts differ: ${a.rows.length} vs ${b.rows.length}`;
  const na = a.rows.map((r) => r.map(normalizeCell));
  const nb = b.rows.map((r) => r.map(normalizeCell));
  for (let rowIdx = 0; rowIdx < na.length; rowIdx++) {
    if (na[rowIdx]!.length !== nb[rowIdx]!.length) return `column counts differ: ${na[rowIdx]!.length} vs ${nb[rowIdx]!.length}`;
  }
  if (orderColumns.length === 0) return sameMultiset(na, nb);
  let start = 0;
  while (start < na.length) {
    let end = start + 1;
    const tiesWithStart = (row: readonly Cell[]): boolean => orderColumns.every((c) => cellsAgree(row[c]!, na[start]![c]!));
    while (end < na.length && tiesWithStart(na[end]!)) end++;
    for (let rowIdx = start; rowIdx < end; rowIdx++) {
      if (!tiesWithStart(nb[rowIdx]!)) {
        return `row ${rowIdx + 1} out of order: ${JSON.stringify(na[rowIdx])} vs ${JSON.stringify(nb[rowIdx])}`;
      }
    }
    const diff = sameMultiset(na.slice(start, end), nb.slice(start, end));
    if (diff !== undefined) return diff;
    start = end;
  }
  return undefined;
}

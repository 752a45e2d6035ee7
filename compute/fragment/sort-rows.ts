// Sorting rows of Datums by ORDER BY keys with PostgreSQL's NULL placement.
import { compareCodePoints, compareDatums } from '../../sql/expr/compare.ts';
import type { Datum } from '../../sql/types/datum.ts';
import type { SortKey, TopNSpec } from './fragment.ts';

/**
 * Orders two values of one ORDER BY item: `nullsFirst` is the resolved placement (the binder
 * applies ASC → LAST, DESC → FIRST).
 */
export function compareSortValues(x: Datum, y: Datum, desc: boolean, nullsFirst: boolean): number {
  if (x === null || y === null) {
    if (x === y) return 0;
    return (x === null) === nullsFirst ? -1 : 1;
  }
  const c = compareDatums(x, y);
  return desc ? -c : c;
}

/** Compares two rows by `keys`. */
export function compareRows(a: readonly Datum[], b: readonly Datum[], keys: readonly SortKey[]): number {
  for (const k of keys) {
    const c = compareSortValues(a[k.index] ?? null, b[k.index] ?? null, k.desc, k.nullsFirst);
    if (c !== 0) return c;
  }
  return 0;
}

/** Sorts `rows` in place (stable). */
export function sortRows(rows: Datum[][], keys: readonly SortKey[]): Datum[][] {
  if (keys.length > 0) rows.sort(rowComparator(rows, keys));
  return rows;
}

/**
 * How one key's values compare, as found in the rows: all numbers, all bigints, all strings
 * ('bmp': none with a surrogate, so UTF-16 order is code point order), or mixed.
 */
type KeyValues = 'number' | 'bigint' | 'string' | 'bmp' | 'any';

const SURROGATE = /[\uD800-\uDFFF]/;

function keyValues(rows: readonly Datum[][], index: number): KeyValues {
  let seen: KeyValues | null = null;
  let surrogates = false;
  for (const r of rows) {
    const v = r[index] ?? null;
    if (v === null) continue;
    const t = typeof v === 'number' ? 'number' : typeof v === 'bigint' ? 'bigint' : typeof v === 'string' ? 'string' : 'any';
    if (t === 'any' || (seen !== null && t !== seen)) return 'any';
    seen = t;
    if (t === 'string' && !surrogates) surrogates = SURROGATE.test(v as string);
  }
  return seen === 'string' && !surrogates ? 'bmp' : seen ?? 'any';
}

/**
 * compareRows specialised to the values `rows` hold per key (one typeof check per row and key
 * first, then no dispatch per comparison): sorting the leader's final rows is then mostly
 * native comparisons. Orders exactly as compareRows.
 */
function rowComparator(rows: readonly Datum[][], keys: readonly SortKey[]): (a: Datum[], b: Datum[]) => number {
  const kinds = keys.map((k) => keyValues(rows, k.index));
  return (a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const x = a[k.index] ?? null;
      const y = b[k.index] ?? null;
      if (x === null || y === null) {
        if (x === y) continue;
        return (x === null) === k.nullsFirst ? -1 : 1;
      }
      let c: number;
      switch (kinds[i]) {
        // NaN (neither smaller, larger nor equal) goes to compareDatums, which puts it last.
        case 'number': c = (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : x === y ? 0 : compareDatums(x, y); break;
        case 'bigint': c = (x as bigint) < (y as bigint) ? -1 : (x as bigint) > (y as bigint) ? 1 : 0; break;
        case 'bmp': c = (x as string) < (y as string) ? -1 : (x as string) > (y as string) ? 1 : 0; break;
        case 'string': c = x === y ? 0 : compareCodePoints(x as string, y as string); break;
        default: c = compareDatums(x, y);
      }
      if (c !== 0) return k.desc ? -c : c;
    }
    return 0;
  };
}

/** Keeps the first `limit` rows by `keys` of a growing set, bounded in memory. */
export class TopN {
  private rows: Datum[][] = [];

  constructor(private readonly keys: readonly SortKey[], private readonly limit: number) {}

  add(row: Datum[]): void {
    this.rows.push(row);
    // Compact when the buffer doubles: sort and cut keeps memory O(limit) and time O(n log limit).
    if (this.rows.length >= Math.max(2 * this.limit, 1024)) this.compact();
  }

  result(): Datum[][] {
    this.compact();
    return this.rows;
  }

  private compact(): void {
    sortRows(this.rows, this.keys);
    if (this.rows.length > this.limit) this.rows.length = this.limit;
  }
}

/** `rows` cut to the first `spec.limit` by its keys (all of them, unsorted, without a spec). */
export function topRows(rows: Datum[][], spec: TopNSpec | null | undefined): Datum[][] {
  if (!spec) return rows;
  const t = new TopN(spec.keys, spec.limit);
  for (const r of rows) t.add(r);
  return t.result();
}

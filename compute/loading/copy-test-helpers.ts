// Test helpers for the COPY parser: parse strings into rows of Datums and collect rejected rows.
import { rowsFromBatch } from '../batch/row-conversion.ts';
import type { Datum } from '../../sql/types/datum.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';
import type { CopyOptions } from './copy-options.ts';
import { createCopyParser, type CopyColumn, type CopyParseSummary, type CopyParserConfig } from './copy-parser.ts';
import type { LoadErrorRecord } from './load-error.ts';
import { normalizeCopyOptions } from './parse-copy-options.ts';
import type { RawCopyOption, RawCopyValue } from './copy-options.ts';

/** What {@link parseAll} returns. */
export interface ParsedCopy {
  readonly rows: Datum[][];
  readonly rejected: LoadErrorRecord[];
  readonly batches: number;
  readonly summary: CopyParseSummary;
}

/** Parses `input` fed as the given chunks (default: one chunk) and returns every row. */
export function parseAll(options: CopyOptions, columns: readonly CopyColumn[], input: string | Uint8Array,
  config: Partial<CopyParserConfig> = {}, chunkSizes?: readonly number[]): ParsedCopy {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  const rows: Datum[][] = [];
  const rejected: LoadErrorRecord[] = [];
  let batches = 0;
  const parser = createCopyParser(options, columns, {
    batch: (b) => { batches++; rows.push(...rowsFromBatch(b)); },
    rejected: (r) => rejected.push(r),
  }, { tableName: 't', ...config });
  if (chunkSizes === undefined) parser.write(bytes);
  else {
    let pos = 0;
    for (let k = 0; pos < bytes.length; k++) {
      const n = chunkSizes[k % chunkSizes.length]!;
      parser.write(bytes.subarray(pos, pos + n));
      pos += n;
    }
  }
  const summary = parser.end();
  return { rows, rejected, batches, summary };
}

/** Columns from [name, type] pairs (nullable unless the name ends with '!'). */
export function cols(...defs: [string, SqlType][]): CopyColumn[] {
  return defs.map(([name, type]) => ({ name: name.replace(/!$/, ''), type, notNull: name.endsWith('!') }));
}

/** CopyOptions from a compact list: ['format', 'csv'], ['header'], ['maxerror', 3] ... */
export function opts(...items: ([string] | [string, string | number | boolean | string[]])[]): CopyOptions {
  const raw: RawCopyOption[] = items.map(([name, v]) => ({ name, value: rawValue(v), origin: 'postgres' }));
  return normalizeCopyOptions(raw, { isFrom: true });
}

function rawValue(v: string | number | boolean | string[] | undefined): RawCopyValue {
  if (v === undefined) return { kind: 'none' };
  if (typeof v === 'string') return { kind: 'string', value: v };
  if (typeof v === 'number') return { kind: 'number', value: v, text: String(v) };
  if (typeof v === 'boolean') return { kind: 'boolean', value: v };
  return { kind: 'list', items: v };
}

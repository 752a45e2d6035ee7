// Tests for COPY TO output: escaping, quoting, NULLs, headers, batches with selection, round trips.
import { describe, expect, it } from 'vitest';
import { batchFromRows } from '../batch/row-conversion.ts';
import { Decimal } from '../../sql/types/decimal.ts';
import type { Datum } from '../../sql/types/datum.ts';
import { T } from '../../sql/types/sql-type.ts';
import { cols, opts, parseAll } from './copy-test-helpers.ts';
import { formatCopyHeader, formatCopyRows, type CopyOutputColumn } from './format-copy-rows.ts';
import { defaultCopyOptions, normalizeCopyOptions } from './parse-copy-options.ts';

const columns: CopyOutputColumn[] = [{ name: 'id', type: T.int4 }, { name: 'txt', type: T.text }, { name: 'amt', type: T.numeric(10, 2) }];
const rows: Datum[][] = [
  [1, 'plain', new Decimal(150n, 2)],
  [2, 'tab\there\nnew\\line|pipe', null],
  [null, '', new Decimal(-5n, 2)],
  [4, 'say "hi", ok', new Decimal(0n, 2)],
  [5, '\\N', new Decimal(1n, 2)],
];
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('formatCopyRows', () => {
  it('text format escapes like PostgreSQL', () => {
    expect(text(formatCopyRows(rows, columns, defaultCopyOptions('text', false), { header: true }))).toBe(
      'id\ttxt\tamt\n1\tplain\t1.50\n2\ttab\\there\\nnew\\\\line|pipe\t\\N\n\\N\t\t-0.05\n4\tsay "hi", ok\t0.00\n5\t\\\\N\t0.01\n');
    const pipe = normalizeCopyOptions([{ name: 'delimiter', value: { kind: 'string', value: '|' }, origin: 'postgres' }], { isFrom: false });
    expect(text(formatCopyRows([rows[1]!], columns, pipe))).toBe('2|tab\\there\\nnew\\\\line\\|pipe|\\N\n');
  });

  it('CSV quotes only when needed, NULL stays unquoted', () => {
    expect(text(formatCopyRows(rows, columns, defaultCopyOptions('csv', false)))).toBe(
      '1,plain,1.50\n2,"tab\there\nnew\\line|pipe",\n,"",-0.05\n4,"say ""hi"", ok",0.00\n5,\\N,0.01\n');
    const forced = normalizeCopyOptions([
      { name: 'format', value: { kind: 'string', value: 'csv' }, origin: 'postgres' },
      { name: 'force_quote', value: { kind: 'list', items: ['id'] }, origin: 'postgres' },
    ], { isFrom: false });
    expect(text(formatCopyRows([rows[0]!, rows[2]!], columns, forced))).toBe('"1",plain,1.50\n,"",-0.05\n');
  });

  it('formats a batch, honoring its selection vector', () => {
    const types = columns.map((c) => c.type);
    const batch = { ...batchFromRows(types, rows), selection: new Uint32Array([0, 3]) };
    expect(text(formatCopyRows(batch, columns, defaultCopyOptions('csv', false)))).toBe('1,plain,1.50\n4,"say ""hi"", ok",0.00\n');
    expect(text(formatCopyHeader(columns, defaultCopyOptions('csv', false)))).toBe('id,txt,amt\n');
  });

  it('round-trips through the parser in both formats', () => {
    const c = cols(['id', T.int4], ['txt', T.text], ['amt', T.numeric(10, 2)]);
    for (const format of ['text', 'csv'] as const) {
      const out = formatCopyRows(rows, columns, defaultCopyOptions(format, false), { header: true });
      expect(parseAll(opts(['format', format], ['header', true]), c, out).rows, format).toEqual(rows);
    }
  });
});

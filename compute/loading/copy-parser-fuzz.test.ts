// Chunk-split fuzz: the same input split at every byte position (and into random pieces) parses identically.
import { describe, expect, it } from 'vitest';
import { SqlError } from '../../common/errors/index.ts';
import { T } from '../../sql/types/sql-type.ts';
import type { CopyOptions } from './copy-options.ts';
import type { CopyColumn } from './copy-parser.ts';
import { cols, opts, parseAll } from './copy-test-helpers.ts';
import { normalizeCopyOptions } from './parse-copy-options.ts';

/** Everything observable about a parse, as a comparable string (or the error). */
function outcome(o: CopyOptions, c: readonly CopyColumn[], bytes: Uint8Array, chunks: number[][] | undefined): string {
  try {
    if (chunks === undefined) {
      const r = parseAll(o, c, bytes, { batchRows: 3 });
      return JSON.stringify([r.rows, r.rejected, r.summary], replacer);
    }
    // Feed the exact pieces.
    const sizes = chunks.map((p) => p[1]! - p[0]!);
    const r = parseAll(o, c, bytes, { batchRows: 3 }, sizes);
    return JSON.stringify([r.rows, r.rejected, r.summary], replacer);
  } catch (err) {
    if (err instanceof SqlError) return `error ${err.code} ${err.message} ${err.fields.where ?? ''}`;
    throw err;
  }
}

function replacer(_key: string, v: unknown): unknown {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return v;
}

function splitsAtEveryByte(o: CopyOptions, c: readonly CopyColumn[], text: string | Uint8Array): void {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  const whole = outcome(o, c, bytes, undefined);
  expect(whole).not.toMatch(/^error/);
  for (let p = 0; p <= bytes.length; p++) {
    const got = outcome(o, c, bytes, [[0, p], [p, bytes.length]]);
    if (got !== whole) expect(got, `split at byte ${p}`).toBe(whole);
  }
  // One byte at a time.
  expect(outcome(o, c, bytes, Array.from({ length: bytes.length }, (_, i) => [i, i + 1]))).toBe(whole);
  // Random pieces.
  let seed = 7;
  for (let round = 0; round < 30; round++) {
    const pieces: number[][] = [];
    for (let pos = 0; pos < bytes.length;) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const n = 1 + (seed % 17);
      pieces.push([pos, Math.min(pos + n, bytes.length)]);
      pos += n;
    }
    const got = outcome(o, c, bytes, pieces);
    if (got !== whole) expect(got, `pieces ${JSON.stringify(pieces)}`).toBe(whole);
  }
}

describe('chunk boundaries anywhere give the same result', () => {
  it('text format with escapes, multi-byte UTF-8, NULLs, trailing delimiters and bad rows', () => {
    const c = cols(['a', T.int4], ['b', T.text], ['n', T.numeric(8, 2)], ['d', T.date]);
    const input = '1|é€😀|1.25|2020-01-02|\n'
      + '2|a\\|b\\\\c\\nd\\x41\\101|\\N|\\N|\n'
      + 'x|bad int|1|2020-01-01\n'
      + '3|\\\\|-0.5|2021-12-31\n'
      + '4|short\n'
      + '5|ü|99999999|2020-01-01\n'
      + '6|last|7|1999-09-09';
    splitsAtEveryByte(opts(['delimiter', '|'], ['maxerror', 10]), c, input);
  });

  it('CRLF and CR line ends', () => {
    const c = cols(['a', T.int4], ['b', T.text]);
    splitsAtEveryByte(opts(), c, '1\tx\r\n2\ty\r\n3\t\\r\\n\r\n');
    splitsAtEveryByte(opts(), c, '1\tx\r2\ty\r3\tz\r');
  });

  it('CSV with quotes, doubled quotes, embedded line ends and a header', () => {
    const c = cols(['a', T.int4], ['b', T.text], ['c', T.text]);
    const input = 'a,b,c\r\n1,"x,""y""","multi\r\nline"\r\n2,,""\r\n3,"é""",a"b"c\r\n4,"""",""""""\r\nz,bad,row\r\n5,"end"';
    splitsAtEveryByte(opts(['format', 'csv'], ['header', 'match'], ['maxerror', 3]), c, input);
  });

  it('CSV with a separate escape character', () => {
    const c = cols(['a', T.int4], ['b', T.text]);
    splitsAtEveryByte(opts(['format', 'csv'], ['escape', '\\'], ['quote', "'"]), c, "1,'it\\'s'\n2,'back\\\\slash'\n3,'a\\b'\n");
  });

  it('Redshift REMOVEQUOTES, ESCAPE, IGNOREHEADER, ACCEPTINVCHARS', () => {
    const o = normalizeCopyOptions([
      { name: 'delimiter', value: { kind: 'string', value: '|' }, origin: 'redshift' },
      { name: 'removequotes', value: { kind: 'none' }, origin: 'redshift' },
      { name: 'escape', value: { kind: 'none' }, origin: 'redshift' },
      { name: 'ignoreheader', value: { kind: 'number', value: 1, text: '1' }, origin: 'redshift' },
      { name: 'acceptinvchars', value: { kind: 'none' }, origin: 'redshift' },
    ], { isFrom: true });
    const c = cols(['a', T.text], ['b', T.int4]);
    const head = new TextEncoder().encode('header|line\n"a|b"|1\n\'x\\\'y\'|2\nbad');
    const input = new Uint8Array([...head, 0xe2, 0x82, ...new TextEncoder().encode('|3\nok|\n')]);
    splitsAtEveryByte(o, c, input);
  });
});

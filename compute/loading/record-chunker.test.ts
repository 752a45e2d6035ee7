// Tests for the record chunker: chunks parsed one by one give the same rows and line numbers as
// the whole input parsed at once, for text and CSV with escapes, quotes and embedded line breaks.
import { describe, expect, it } from 'vitest';
import { SqlError } from '../../common/errors/index.ts';
import { T } from '../../sql/types/sql-type.ts';
import type { CopyOptions } from './copy-options.ts';
import { rowsFromBatch } from '../batch/row-conversion.ts';
import { createCopyParser } from './copy-parser.ts';
import { cols, opts, parseAll } from './copy-test-helpers.ts';
import type { LoadErrorRecord } from './load-error.ts';
import { RecordChunker, type InputChunk } from './record-chunker.ts';

const c = cols(['a', T.int4], ['b', T.text]);
const enc = new TextEncoder();

/** Random rows whose text field may hold tabs, commas, quotes, backslashes and line breaks. */
function randomRows(seed: number, n: number): [number, string][] {
  let s = seed;
  const rnd = (k: number): number => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s % k; };
  const alphabet = ['x', 'y', ',', '"', '\\', '\n', '\t', 'é', ' '];
  const rows: [number, string][] = [];
  for (let i = 0; i < n; i++) {
    let t = '';
    const len = rnd(12);
    for (let k = 0; k < len; k++) t += alphabet[rnd(alphabet.length)];
    rows.push([i, t]);
  }
  return rows;
}

function asText(rows: [number, string][]): string {
  return rows.map(([a, b]) => `${a}\t${b.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, (m, off: number) => (off % 2 === 0 ? '\\n' : '\\\n'))}\n`).join('');
}

function asCsv(rows: [number, string][]): string {
  return rows.map(([a, b]) => `${a},"${b.replace(/"/g, '""')}"\n`).join('');
}

function chunked(o: CopyOptions, input: string, size: number, pieces: number): InputChunk[] {
  const chunker = new RecordChunker(o, size);
  const bytes = enc.encode(input);
  const out: InputChunk[] = [];
  const step = Math.max(1, Math.ceil(bytes.length / pieces));
  for (let at = 0; at < bytes.length; at += step) out.push(...chunker.push(bytes.subarray(at, at + step)));
  const last = chunker.end();
  if (last) out.push(last);
  return out;
}

function parseChunks(o: CopyOptions, chunks: InputChunk[]): { rows: unknown[][]; rejected: LoadErrorRecord[] } {
  const rows: unknown[][] = [];
  const rejected: LoadErrorRecord[] = [];
  for (const ch of chunks) {
    const r = parseAll(o, c, ch.bytes, { startLine: ch.firstLine, atFileStart: ch.atStart });
    rows.push(...r.rows);
    rejected.push(...r.rejected);
    expect(r.summary.linesRead).toBe(ch.firstLine + ch.records);
  }
  return { rows, rejected };
}

describe('record chunker', () => {
  for (const [name, o, fmt] of [
    ['text', opts(), asText],
    ['csv', opts(['format', 'csv']), asCsv],
    ['csv with a backslash escape', opts(['format', 'csv'], ['escape', '\\']), (rows: [number, string][]) => rows.map(([a, b]) => `${a},"${b.replace(/["\\]/g, (m) => '\\' + m)}"\n`).join('')],
  ] as const) {
    it(`splits ${name} input into chunks that parse to the same rows`, () => {
      for (const seed of [1, 2, 3]) {
        const rows = randomRows(seed, 400);
        const input = fmt(rows);
        const whole = parseAll(o, c, input).rows;
        expect(whole).toEqual(rows);
        for (const size of [16, 100, 1000]) {
          const chunks = chunked(o, input, size, 37);
          expect(chunks.length).toBeGreaterThan(1);
          expect(Buffer.concat(chunks.map((ch) => ch.bytes)).toString()).toBe(input);
          expect(parseChunks(o, chunks).rows).toEqual(whole);
        }
      }
    });
  }

  it('applies the header to the first chunk only and keeps line numbers exact', () => {
    const o = opts(['format', 'csv'], ['header', true], ['reject_limit', 10], ['on_error', 'ignore']);
    const input = 'a,b\n' + Array.from({ length: 50 }, (_v, i) => (i % 7 === 3 ? `bad${i},"q\nq"\n` : `${i},"v${i}"\n`)).join('');
    const whole = parseAll(o, c, input);
    const parts = parseChunks(o, chunked(o, input, 40, 11));
    expect(parts.rows).toEqual(whole.rows);
    expect(parts.rejected.map((r) => r.lineNumber)).toEqual(whole.rejected.map((r) => r.lineNumber));
    expect(whole.rejected.length).toBe(7);
  });

  it('reports the same line number for the first bad row', () => {
    const o = opts();
    const input = Array.from({ length: 100 }, (_v, i) => (i === 77 ? 'x\ty\n' : `${i}\tv\n`)).join('');
    const line = (fn: () => unknown): string => {
      try { fn(); } catch (err) { return (err as SqlError).fields.where ?? (err as SqlError).message; }
      return 'no error';
    };
    expect(line(() => parseChunks(o, chunked(o, input, 50, 9)))).toBe(line(() => parseAll(o, c, input)));
  });

  it('gives the same rows through one restarted parser that reuses its batch memory', () => {
    const o = opts(['format', 'csv']);
    const input = asCsv(randomRows(9, 3000));
    const chunks = chunked(o, input, 500, 13);
    const rows: unknown[][] = [];
    // Small batches, so a chunk emits several and each overwrites the last one's arrays.
    const parser = createCopyParser(o, c, { batch: (b) => rows.push(...rowsFromBatch(b)) }, { tableName: 't', batchRows: 7, reuseBatchMemory: true });
    chunks.forEach((ch, i) => {
      if (i > 0) parser.restart({ startLine: ch.firstLine, atFileStart: ch.atStart });
      parser.write(ch.bytes);
      expect(parser.end().linesRead).toBe(ch.firstLine + ch.records);
    });
    expect(rows).toEqual(parseAll(o, c, input).rows);
  });

  it('keeps a last record without a line break, and CR line ends', () => {
    const o = opts();
    const chunks = chunked(o, '1\ta\r2\tb\r3\tc', 4, 3);
    expect(parseChunks(o, chunks).rows).toEqual([[1, 'a'], [2, 'b'], [3, 'c']]);
  });
});

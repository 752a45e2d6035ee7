// The 22 queries answer the same on DuckDB and PostgreSQL (PGlite) at SF 0.01, with validation and seeded parameters.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTableFiles } from '../gen/generate.ts';
import { compareAnswers } from '../runner/compare-answers.ts';
import { DuckDbEngine } from '../runner/duckdb-engine.ts';
import type { Engine } from '../runner/engine.ts';
import { loadEngine } from '../runner/load-engine.ts';
import { PgliteEngine } from '../runner/pglite-engine.ts';
import { randomParams, renderQuery, tpchQueries, validationParams } from './parameters.ts';
import { STREAM_ORDER } from './stream-order.ts';
import { queryTemplate } from './templates.ts';

const SF = 0.01;
let dir = '';
let duck: Engine;
let pglite: Engine;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tpch-q-'));
  await writeTableFiles(dir, { sf: SF });
  duck = await DuckDbEngine.create();
  pglite = await PgliteEngine.create();
  const [d, p] = [await loadEngine(duck, dir), await loadEngine(pglite, dir)];
  expect(d.tables.map((t) => t.rows)).toEqual(p.tables.map((t) => t.rows));
  expect(d.tables.find((t) => t.table === 'orders')?.rows).toBe(15_000);
});

afterAll(async () => {
  await duck?.close();
  await pglite?.close();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

async function sameAnswers(minNonEmpty: number, seed?: number): Promise<void> {
  const problems: string[] = [];
  let nonEmpty = 0;
  for (const q of tpchQueries(SF, seed)) {
    const a = await duck.query(q.sql);
    const b = await pglite.query(q.sql);
    if (a.rows.length > 0) nonEmpty++;
    const diff = compareAnswers(a, b, queryTemplate(q.id).orderColumns);
    if (diff !== undefined) problems.push(`Q${q.id}: ${diff}`);
  }
  expect(problems).toEqual([]);
  // Most queries must return rows, or the comparison proves little. (At SF 0.01 a random nation
  // may have no qualifying supplier for Q20/Q21, and Q18's 312+ quantity is rare.)
  expect(nonEmpty).toBeGreaterThanOrEqual(minNonEmpty);
}

describe('TPC-H queries on DuckDB vs PostgreSQL (PGlite), SF 0.01', () => {
  it('agree with the validation parameters', async () => {
    await sameAnswers(22);
  });

  it('agree with a seeded substitution set', async () => {
    await sameAnswers(18, 42);
  });

  it('Q1 matches hand-computed aggregates over the loaded data', async () => {
    const q1 = await duck.query(renderQuery(1, validationParams(1, SF)));
    const check = await duck.query(`select count(*) from lineitem where l_shipdate <= date '1998-09-02'`);
    const total = q1.rows.reduce((sum, r) => sum + Number(r[9]), 0);
    expect(total).toBe(Number(check.rows[0]![0]));
    expect(q1.rows.map((r) => `${r[0]}${r[1]}`)).toEqual(['AF', 'NF', 'NO', 'RF']);
  });
});

describe('substitution parameters', () => {
  it('render every query for many seeds without leftover placeholders, deterministically', () => {
    for (let seed = 0; seed < 50; seed++) {
      for (let id = 1; id <= 22; id++) {
        const sql = renderQuery(id, randomParams(id, seed, 1));
        expect(sql).not.toMatch(/\[[A-Z0-9]+\]/);
        expect(renderQuery(id, randomParams(id, seed, 1))).toBe(sql);
      }
    }
  });

  it('stay within the spec ranges', () => {
    for (let seed = 0; seed < 200; seed++) {
      const delta = Number(randomParams(1, seed, 1).DELTA);
      expect(delta >= 60 && delta <= 120).toBe(true);
      const q18 = Number(randomParams(18, seed, 1).QUANTITY);
      expect(q18 >= 312 && q18 <= 315).toBe(true);
      const q16 = randomParams(16, seed, 1);
      const sizes = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => Number(q16[`SIZE${n}`]));
      expect(new Set(sizes).size).toBe(8);
      expect(q16.BRAND).toMatch(/^Brand#[1-5][1-5]$/);
      const q22 = randomParams(22, seed, 1);
      const codes = [1, 2, 3, 4, 5, 6, 7].map((n) => Number(q22[`I${n}`]));
      expect(new Set(codes).size).toBe(7);
      for (const c of codes) expect(c >= 10 && c <= 34).toBe(true);
      const q4 = randomParams(4, seed, 1).DATE!;
      expect(q4 >= '1993-01-01' && q4 <= '1997-10-01' && q4.endsWith('-01')).toBe(true);
      const q7 = randomParams(7, seed, 1);
      expect(q7.NATION1).not.toBe(q7.NATION2);
    }
  });

  it('use 0.0001 / SF as Q11 fraction and the spec validation values', () => {
    expect(validationParams(11, 0.1).FRACTION).toBe('0.001');
    expect(validationParams(11, 1).FRACTION).toBe('0.0001');
    expect(renderQuery(6, validationParams(6, 1))).toContain('between 0.06 - 0.01 and 0.06 + 0.01');
  });

  it('stream orders are permutations of 1..22', () => {
    expect(STREAM_ORDER.length).toBe(41);
    for (const order of STREAM_ORDER) expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 22 }, (_v, i) => i + 1));
  });
});

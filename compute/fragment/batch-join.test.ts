// The vectorized join gives exactly the row-at-a-time join's rows: random tables with NULLs, keys
// of every layout (int4, int8, text, numeric, two columns), inner / left / semi / anti / NOT IN /
// cross steps, residual conditions, broadcast / co-located / replicated inputs, two steps chained,
// and the broadcast rows a flipped LEFT JOIN reports as matched.
import { describe, expect, it } from 'vitest';
import { toTaggedJson } from '../../common/tagged-json.ts';
import type { Expr } from '../../sql/expr/expr.ts';
import { Decimal, type Datum } from '../../sql/types/datum.ts';
import { T, type SqlType } from '../../sql/types/sql-type.ts';
import type { Batch } from '../batch/batch.ts';
import { batchFromRows } from '../batch/row-conversion.ts';
import { TEST_CTX } from '../codegen/test-support.ts';
import { planBatchJoin } from './batch-join.ts';
import type { Fragment } from './fragment.ts';
import { runJoinFragment, type JoinFragment, type JoinInput, type JoinSources, type JoinStep } from './join-fragment.ts';
import { chunkAsRows, type FragmentChunk } from '../exchange/fragment-chunks.ts';
import { packJoinFragment, unpackJoinFragment } from '../exchange/join-request.ts';

const NUM: SqlType = { id: 'numeric', precision: 10, scale: 2 };
/** id, k, k8, s, dec, f */
const TYPES: SqlType[] = [T.int4, T.int4, T.int8, T.text, NUM, T.float8];
const W = TYPES.length;
/** The columns of a table in another order: s, k8, f, id, dec, k. */
const PERMUTE = [3, 2, 5, 0, 4, 1];
const PERMUTED_TYPES = PERMUTE.map((c) => TYPES[c]!);
const SLICES = [0, 1];

const col = (index: number): Expr => ({ kind: 'Column', index, type: TYPES[index % W]! });
const call = (fn: string, a: Expr, b: Expr): Expr => ({ kind: 'Call', fn, args: [a, b], type: T.bool });

function randomRows(n: number, rnd: (k: number) => number): Datum[][] {
  const rows: Datum[][] = [];
  for (let i = 0; i < n; i++) {
    const k = rnd(8) === 0 ? null : rnd(30);
    rows.push([
      i,
      k,
      rnd(8) === 0 ? null : BigInt(rnd(30)) * 4_000_000_000n,
      rnd(8) === 0 ? null : `s${rnd(25)}é`,
      rnd(8) === 0 ? null : new Decimal(BigInt(rnd(20) - 10) * 25n, 2),
      rnd(10) === 0 ? null : rnd(6) === 0 ? -0 : (rnd(40) - 20) / 4,
    ]);
  }
  return rows;
}

/** A table's fragment: every column, optionally filtered. */
function tableFragment(oid: number, filter: Expr | null): Fragment {
  return {
    tableOid: oid, scanColumns: TYPES.map((_t, i) => i), scanTypes: TYPES, zoneFilters: [], filter,
    mode: { kind: 'project', exprs: TYPES.map((_t, i) => col(i)), topN: null },
  };
}

/** In-memory sources: table oid → rows per slice (the node copy is every slice's rows). */
function sources(tables: Map<number, Datum[][][]>): JoinSources {
  const scan = (f: Fragment, parts: Datum[][][]): AsyncIterable<Batch> => (async function* () {
    for (const rows of parts) {
      for (let i = 0; i < rows.length; i += 700) yield batchFromRows(f.scanTypes, rows.slice(i, i + 700));
    }
  })();
  return {
    slices: SLICES,
    scanSlice: (f, slice) => scan(f, [tables.get(f.tableOid)![slice]!]),
    scanNodeCopy: (f) => scan(f, tables.get(f.tableOid)!),
  };
}

async function drain(it: AsyncIterable<FragmentChunk>): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of it) for (const r of chunkAsRows(chunk)) out.push(toTaggedJson(r.map((v) => (v instanceof Decimal ? v.toString() : v))));
  return out.sort();
}

/** Key pairs (joined-row position on the left, input-local column on the right). */
const KEY_CHOICES: readonly (readonly [number, number][])[] = [[[1, 1]], [[2, 2]], [[3, 3]], [[4, 4]], [[1, 1], [3, 3]], [[5, 5]], []];
const TYPES_OF_STEP: readonly JoinStep['type'][] = ['inner', 'left', 'semi', 'anti', 'anti_na'];

describe('vectorized join on the slices', () => {
  it('matches the row-at-a-time join on random data', async () => {
    let seed = 11;
    const rnd = (k: number): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) % k; };
    let covered = 0;
    for (let trial = 0; trial < 120; trial++) {
      const split = (rows: Datum[][]): Datum[][][] => [rows.filter((_r, i) => i % 2 === 0), rows.filter((_r, i) => i % 2 === 1)];
      const a = randomRows(300 + rnd(900), rnd);
      const bRows = randomRows(rnd(4) === 0 ? 0 : 20 + rnd(200), rnd);
      const cRows = randomRows(5 + rnd(40), rnd);
      const tables = new Map([[1, split(a)], [2, split(bRows)], [3, split(cRows)]]);
      const type = TYPES_OF_STEP[rnd(TYPES_OF_STEP.length)]!;
      let keys = KEY_CHOICES[rnd(KEY_CHOICES.length)]!;
      if (keys.length === 0 && (type === 'anti_na' || bRows.length > 60)) keys = KEY_CHOICES[0]!;
      const residual = type !== 'anti_na' && rnd(3) === 0 ? call('lt', col(5), col(W + 5)) : null;
      const bKind = (['broadcast', 'colocated', 'replicated'] as const)[rnd(3)];
      const inputB: JoinInput = bKind === 'broadcast'
        ? { kind: 'broadcast', rows: bRows, offset: W, width: W, types: TYPES }
        : { kind: bKind, fragment: tableFragment(2, rnd(2) === 0 ? call('gt', col(0), { kind: 'Const', value: 10, type: T.int4 }) : null), offset: W, width: W };
      const track = type === 'inner' && bKind === 'broadcast' && rnd(2) === 0;
      const steps: JoinStep[] = [{
        type, input: 0, leftKeys: keys.map(([l]) => col(l)), rightKeys: keys.map(([, r]) => col(r)), residual,
        ...(track ? { trackMatches: true } : {}),
      }];
      const inputs: JoinInput[] = [inputB];
      // Sometimes a second step: an inner join of C to B's int8 key (a position the first step added),
      // or after a semi / anti join, C at B's positions (a semi join keeps only its left side).
      const chain = rnd(2) === 0 ? (type === 'inner' || type === 'left' ? 'after' : 'overlap') : null;
      if (chain === 'after') {
        inputs.push({ kind: 'broadcast', rows: cRows, offset: 2 * W, width: W, types: TYPES });
        steps.push({ type: 'inner', input: 1, leftKeys: [col(W + 2)], rightKeys: [col(2)], residual: rnd(2) === 0 ? call('ne', col(3), col(2 * W + 3)) : null });
      } else if (chain === 'overlap') {
        // C's columns in another order, so its types differ from B's at the shared positions.
        inputs.push({ kind: 'broadcast', rows: cRows.map((r) => PERMUTE.map((c) => r[c]!)), offset: W, width: W, types: PERMUTED_TYPES });
        const cRef = (local: number): Expr => ({ kind: 'Column', index: W + local, type: PERMUTED_TYPES[local]! });
        steps.push({
          type: rnd(2) === 0 ? 'inner' : 'left', input: 1, leftKeys: [col(2)], rightKeys: [{ kind: 'Column', index: 1, type: T.int8 }],
          residual: rnd(2) === 0 ? call('ne', col(3), cRef(0)) : null,
        });
      }
      const width = chain === 'after' ? 3 * W : 2 * W;
      const finalTypes = Array.from({ length: width }, (_v, i) => (chain === 'overlap' && i >= W ? PERMUTED_TYPES[i - W]! : TYPES[i % W]!));
      const post: Fragment = rnd(2) === 0
        ? { tableOid: 0, scanColumns: Array.from({ length: width }, (_v, i) => i), scanTypes: finalTypes, zoneFilters: [], filter: null,
          mode: { kind: 'project', exprs: finalTypes.map((type, index) => ({ kind: 'Column', index, type })), topN: null } }
        : { tableOid: 0, scanColumns: [1, W + 4], scanTypes: [T.int4, finalTypes[W + 4]!], zoneFilters: [], filter: null,
          mode: { kind: 'aggregate', groupBy: [{ kind: 'Column', index: 0, type: T.int4 }], aggs: [{ name: 'count', arg: null, distinct: false }, { name: 'sum', arg: { kind: 'Column', index: 1, type: finalTypes[W + 4]! }, distinct: false }] } };
      const jf: JoinFragment = {
        probe: tableFragment(1, rnd(3) === 0 ? call('lt', col(0), { kind: 'Const', value: 500, type: T.int4 }) : null),
        probeOffset: 0, width, probeResidual: rnd(4) === 0 ? call('ge', col(5), { kind: 'Const', value: -2, type: T.float8 }) : null,
        inputs, steps, post,
      };
      expect(planBatchJoin(jf, TEST_CTX), `trial ${trial}`).not.toBeNull();
      covered++;
      const src = sources(tables);
      const rowMatched = new Set<number>();
      const batchMatched = new Set<number>();
      const expected = await drain(runJoinFragment(jf, src, TEST_CTX, undefined, rowMatched, { rowPath: true }));
      // Half the time as a compute node gets it: broadcast rows shipped as Arrow batches.
      const shipped = rnd(2) === 0 ? jf : (({ fragment, body }) => unpackJoinFragment(fragment, body ?? new Uint8Array(0)))(packJoinFragment(jf));
      const actual = await drain(runJoinFragment(shipped, src, TEST_CTX, undefined, batchMatched));
      if (shipped !== jf) expect(await drain(runJoinFragment(shipped, src, TEST_CTX, undefined, undefined, { rowPath: true }))).toEqual(expected);
      expect(actual, `trial ${trial}: ${type} on ${JSON.stringify(keys)} (${bKind}${residual ? ', residual' : ''}${chain ? `, ${chain}` : ''})`).toEqual(expected);
      expect([...batchMatched].sort((x, y) => x - y)).toEqual([...rowMatched].sort((x, y) => x - y));
      if (track) {
        // Only which input rows matched (a semi / anti join's small side): the same set, no pairs formed.
        const onlyMatches: JoinFragment = { ...shipped, steps: shipped.steps.map((st, k) => (k === 0 ? { ...st, matchesOnly: true } : st)) };
        const onlyMatched = new Set<number>();
        await drain(runJoinFragment(onlyMatches, src, TEST_CTX, undefined, onlyMatched));
        expect([...onlyMatched].sort((x, y) => x - y), `trial ${trial} matches only`).toEqual([...rowMatched].sort((x, y) => x - y));
      }
      // With too little memory for the inputs' hash tables, an input is joined in passes: same rows.
      // (A cross join step, or one tracking its input's matches by row, needs it whole: 53200.)
      const splittable = steps.every((st) => st.trackMatches !== true && st.rightKeys.length > 0);
      const inPasses = drain(runJoinFragment(shipped, src, TEST_CTX, undefined, undefined, { memoryCells: 1000 }));
      if (splittable) expect(await inPasses.catch((err: unknown) => `${String(err)} ${JSON.stringify(steps.map((x) => [x.type, x.rightKeys.length]))} ${bKind}`), `trial ${trial} in passes`).toEqual(expected);
      else await inPasses.catch((err: unknown) => expect(err).toMatchObject({ code: '53200' }));
    }
    expect(covered).toBe(120);
  });

  it('passes a batch on as it is only when its pairs are exactly its rows in order', async () => {
    // Three probe rows, as many pairs: row 0 twice, row 1 never, row 2 once (not the rows in order).
    const probeRows: Datum[][] = [0, 1, 2].map((i) => [i, i + 1, null, `p${i}`, null, null]);
    const inputRows: Datum[][] = [[10, 1, null, 'a', null, null], [11, 1, null, 'b', null, null], [12, 3, null, 'c', null, null]];
    const twice: JoinFragment = {
      probe: tableFragment(1, null), probeOffset: 0, width: 2 * W, probeResidual: null,
      inputs: [{ kind: 'broadcast', rows: inputRows, offset: W, width: W, types: TYPES }],
      steps: [{ type: 'inner', input: 0, leftKeys: [col(1)], rightKeys: [col(1)], residual: null }],
      post: { ...tableFragment(0, null), scanColumns: [0, 3, W, W + 3], scanTypes: [T.int4, T.text, T.int4, T.text],
        mode: { kind: 'project', exprs: [0, 1, 2, 3].map((index) => ({ kind: 'Column', index, type: index % 2 === 0 ? T.int4 : T.text })), topN: null } },
    };
    const src = sources(new Map([[1, [probeRows, []]]]));
    const rows = await drain(runJoinFragment(twice, src, TEST_CTX, undefined, new Set()));
    expect(rows).toEqual(await drain(runJoinFragment(twice, src, TEST_CTX, undefined, new Set(), { rowPath: true })));
    expect(rows).toEqual(['[0,"p0",10,"a"]', '[0,"p0",11,"b"]', '[2,"p2",12,"c"]']);
  });

  it('joins a dense int4 key whose rows outnumber a chunk of pairs, with NULLs and keys outside its range', async () => {
    // The input: 5,000 rows of key 7 (more than one chunk of pairs per probe row), keys -3..40, NULLs.
    const inputRows: Datum[][] = [];
    for (let i = 0; i < 5000; i++) inputRows.push([i, 7, null, null, null, null]);
    for (let k = -3; k <= 40; k++) inputRows.push([10_000 + k, k % 5 === 0 ? null : k, null, null, null, null]);
    const probeRows: Datum[][] = [[0, 7], [1, 7], [2, null], [3, -4], [4, 41], [5, -3], [6, 40], [7, 7], [8, 39]].map(([id, k]) => [id!, k!, null, null, null, null]);
    for (const type of ['inner', 'left', 'semi', 'anti'] as const) {
      for (const kind of ['broadcast', 'colocated'] as const) {
        const input: JoinInput = kind === 'broadcast' ? { kind, rows: inputRows, offset: W, width: W, types: TYPES } : { kind, fragment: tableFragment(2, null), offset: W, width: W };
        const jf: JoinFragment = {
          probe: tableFragment(1, null), probeOffset: 0, width: 2 * W, probeResidual: null, inputs: [input],
          steps: [{ type, input: 0, leftKeys: [col(1)], rightKeys: [col(1)], residual: null }],
          post: { tableOid: 0, scanColumns: [0], scanTypes: [T.int4], zoneFilters: [], filter: null,
            mode: { kind: 'aggregate', groupBy: [{ kind: 'Column', index: 0, type: T.int4 }], aggs: [{ name: 'count', arg: null, distinct: false }] } },
        };
        const src = sources(new Map([[1, [probeRows, []]], [2, [inputRows, []]]]));
        const expected = await drain(runJoinFragment(jf, src, TEST_CTX, undefined, new Set(), { rowPath: true }));
        expect(await drain(runJoinFragment(jf, src, TEST_CTX, undefined, new Set())), `${type} ${kind}`).toEqual(expected);
        if (type === 'inner') expect(expected).toContain('[0,{"$b":"5001"}]');
      }
    }
  });

  it('leaves keys of different layouts and NOT IN with extra conditions to the row join', () => {
    const base: JoinFragment = {
      probe: tableFragment(1, null), probeOffset: 0, width: 2 * W, probeResidual: null,
      inputs: [{ kind: 'broadcast', rows: [], offset: W, width: W, types: TYPES }],
      steps: [{ type: 'inner', input: 0, leftKeys: [col(1)], rightKeys: [col(2)], residual: null }],
      post: tableFragment(0, null),
    };
    expect(planBatchJoin(base, TEST_CTX)).toBeNull();
    const notIn: JoinFragment = { ...base, steps: [{ type: 'anti_na', input: 0, leftKeys: [col(1)], rightKeys: [col(1)], residual: call('lt', col(5), col(W + 5)) }] };
    expect(planBatchJoin(notIn, TEST_CTX)).toBeNull();
    const ok: JoinFragment = { ...base, steps: [{ type: 'inner', input: 0, leftKeys: [col(1)], rightKeys: [col(1)], residual: null }] };
    expect(planBatchJoin(ok, TEST_CTX)).not.toBeNull();
  });
});

// Runs a fragment over a stream of input rows: filter, then project (optionally top-N) or
// partially aggregate. The same code serves compute slices and leader-local sources.
import { evaluate } from '../../sql/expr/evaluate.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import type { Datum } from '../../sql/types/datum.ts';
import type { Fragment } from './fragment.ts';
import { HashAggregate, fragmentAggSlots } from './hash-aggregate.ts';
import { TopN, topRows } from './sort-rows.ts';

/** Output rows per yielded chunk. */
const CHUNK_ROWS = 2048;

/** A fragment's output row: Datums, or for partial aggregates also DISTINCT value lists. */
export type FragmentRow = (Datum | Datum[])[];

/** Runs `f` over `input` (rows shaped as f.scanColumns) and yields output rows in chunks. */
export async function* runFragment(
  f: Fragment,
  input: AsyncIterable<Datum[][]>,
  ctx: EvalContext,
  signal?: AbortSignal,
): AsyncGenerator<FragmentRow[]> {
  const filter = f.filter;
  const mode = f.mode;
  if (mode.kind === 'aggregate') {
    const table = new HashAggregate(fragmentAggSlots(mode.aggs), mode.groupBy.length);
    const args: Datum[] = new Array<Datum>(mode.aggs.length);
    const args2: Datum[] = new Array<Datum>(mode.aggs.length).fill(null);
    for await (const rows of input) {
      signal?.throwIfAborted();
      for (const row of rows) {
        if (filter && evaluate(filter, row, ctx) !== true) continue;
        const keys: Datum[] = new Array<Datum>(mode.groupBy.length);
        for (let g = 0; g < keys.length; g++) keys[g] = evaluate(mode.groupBy[g]!, row, ctx);
        for (let a = 0; a < mode.aggs.length; a++) {
          const { arg, arg2 } = mode.aggs[a]!;
          args[a] = arg ? evaluate(arg, row, ctx) : null;
          if (arg2) args2[a] = evaluate(arg2, row, ctx);
        }
        table.accumulate(keys, args, args2);
      }
    }
    if (mode.finish) {
      // Every group is complete here: HAVING and the final projection, as the slices' batch path does.
      const { having, project, topN } = mode.finish;
      const rows: Datum[][] = [];
      for (const r of table.finalRows()) {
        if (having && evaluate(having, r, ctx) !== true) continue;
        rows.push(project.map((e) => evaluate(e, r, ctx)));
      }
      yield* chunks(topRows(rows, topN));
      return;
    }
    yield* chunks(table.partialRows());
    return;
  }
  const topN = mode.topN ? new TopN(mode.topN.keys, mode.topN.limit) : null;
  let out: FragmentRow[] = [];
  for await (const rows of input) {
    signal?.throwIfAborted();
    for (const row of rows) {
      if (filter && evaluate(filter, row, ctx) !== true) continue;
      const o: Datum[] = new Array<Datum>(mode.exprs.length);
      for (let e = 0; e < o.length; e++) o[e] = evaluate(mode.exprs[e]!, row, ctx);
      if (topN) topN.add(o);
      else {
        out.push(o);
        if (out.length >= CHUNK_ROWS) {
          yield out;
          out = [];
        }
      }
    }
  }
  if (topN) yield* chunks(topN.result());
  else if (out.length > 0) yield out;
}

function* chunks(rows: FragmentRow[]): Generator<FragmentRow[]> {
  for (let i = 0; i < rows.length; i += CHUNK_ROWS) yield rows.slice(i, i + CHUNK_ROWS);
}

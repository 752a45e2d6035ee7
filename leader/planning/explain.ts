// EXPLAIN: the distributed plan of a SELECT as text, one line per operator, with Redshift's
// data-movement labels for joins (DS_DIST_NONE, DS_DIST_ALL_NONE, DS_BCAST_INNER, DS_DIST_INNER,
// DS_DIST_OUTER and DS_DIST_BOTH on the slices; DS_DIST_BOTH (on the leader) when both inputs go there) and row counts of the tables read. Join order among the inputs of a
// slice join is chosen when the query runs (by fan-out), so the inputs are listed in query order.
import type { Fragment } from '../../compute/fragment/fragment.ts';
import type { TableDef } from '../catalog/catalog-types.ts';
import { classifySliceJoin, hashColumnName, isFlippedJoin } from '../execution/slice-join.ts';
import { onePhaseAggregate, slicesMergeAggregate, windowsOnSlices } from '../execution/run-select.ts';
import type { JoinPlan, SelectPlan } from './select-plan.ts';

/** What EXPLAIN needs to know about tables. */
export interface ExplainEnv {
  table(tableOid: number): TableDef | undefined;
  tableRowCount(tableOid: number): Promise<number>;
}

class PlanText {
  readonly lines: string[] = [];

  add(depth: number, text: string): void {
    this.lines.push(depth === 0 ? text : `${'      '.repeat(depth - 1)}  ->  ${text}`);
  }

  detail(depth: number, text: string): void {
    this.lines.push(`${'      '.repeat(depth)}  ${text}`);
  }
}

function columnNames(t: TableDef | undefined, cols: readonly number[]): string {
  return cols.map((c) => t?.columns[c]?.name ?? `#${c}`).join(', ');
}

/** The slice side of a fragment over a table: scan with its filter, then partial aggregate or projection. */
async function fragmentLines(out: PlanText, depth: number, f: Fragment, env: ExplainEnv, label = ''): Promise<void> {
  const t = env.table(f.tableOid);
  let d = depth;
  if (f.mode.kind === 'aggregate') {
    // GROUP BY with the DISTKEY (or over an ALL table): the slices finish, HAVING included.
    const phase = f.mode.finish ? `final, per slice: each group lies on one slice${f.mode.finish.having ? '; having' : ''}` : 'partial, per slice';
    out.add(d, `XN HashAggregate (${phase})  groups=${f.mode.groupBy.length} aggregates=${f.mode.aggs.map((a) => a.name).join(',') || 'none'}`);
    d++;
  } else if (f.mode.topN) {
    out.add(d, `XN Top-N (per slice)  limit=${f.mode.topN.limit}`);
    d++;
  }
  const rows = t ? await env.tableRowCount(t.oid) : 0;
  out.add(d, `XN Seq Scan on ${t ? `${t.schema}.${t.name}` : `table ${f.tableOid}`}${label}  (rows=${rows})`);
  out.detail(d, `Columns: ${columnNames(t, f.scanColumns) || '(none)'}`);
  if (f.filter) out.detail(d, 'Filter: compiled WHERE kernel');
  if (f.zoneFilters.length > 0) out.detail(d, `Zone maps: ${columnNames(t, [...new Set(f.zoneFilters.map((z) => f.scanColumns[z.column] ?? z.column))])}`);
}

async function joinLines(out: PlanText, depth: number, j: JoinPlan, env: ExplainEnv): Promise<void> {
  if (j.kind === 'leaf') {
    await selectLines(out, depth, j.plan, env);
    return;
  }
  out.add(depth, `XN Hash ${j.joinType === 'inner' ? 'Join' : `${j.joinType.replace('_na', ' (NOT IN)')} Join`} DS_DIST_BOTH (on the leader)`);
  await joinLines(out, depth + 1, j.left, env);
  await joinLines(out, depth + 1, j.right, env);
}

async function selectLines(out: PlanText, depth: number, planned: SelectPlan, env: ExplainEnv): Promise<void> {
  const onePhase = await onePhaseAggregate(planned, env);
  const twoPhase = onePhase ? null : slicesMergeAggregate(planned, env);
  const plan = onePhase ?? twoPhase?.plan ?? planned;
  const fin = plan.final;
  let d = depth;
  if (fin.limit || fin.offset) { out.add(d, 'XN Limit'); d++; }
  if (fin.sortKeys.length > 0) { out.add(d, `XN Merge/Sort  keys=${fin.sortKeys.length}`); d++; }
  if (fin.distinct) { out.add(d, 'XN Unique'); d++; }
  if (fin.aggregate) { out.add(d, `XN HashAggregate (final, on the leader)  groups=${fin.aggregate.groupCount}${fin.having ? ' having' : ''}`); d++; }
  const src = plan.source;
  switch (src.kind) {
    case 'none': out.add(d, 'XN Result'); return;
    case 'system': out.add(d, `XN System View ${src.name} (on the leader)`); return;
    case 'series': out.add(d, 'XN Function Scan generate_series (on the leader)'); return;
    case 'table': {
      const mode = plan.fragment.mode;
      if (twoPhase) {
        // Partial per slice, redistributed by group key node to node, final per slice.
        out.add(d, 'XN Network  Send to leader (final rows)');
        out.add(d + 1, `XN HashAggregate (final, per slice, after redistribution by group key${twoPhase.merge.having ? '; having' : ''})  groups=${twoPhase.merge.groupCount}`);
        out.add(d + 2, 'XN Network  Distribute by group key (partial aggregates, node to node)');
        await fragmentLines(out, d + 3, plan.fragment, env);
        return;
      }
      out.add(d, `XN Network  Send to leader${mode.kind !== 'aggregate' ? '' : mode.finish ? ' (final rows)' : ' (partial aggregates)'}`);
      await fragmentLines(out, d + 1, plan.fragment, env);
      return;
    }
    case 'window': {
      const onSlices = windowsOnSlices(plan, env);
      if (onSlices === null) {
        out.add(d, `XN Window (on the leader)  functions=${src.windows.length}`);
        await selectLines(out, d + 1, plan.subplan!, env);
        return;
      }
      const sub = plan.subplan!;
      const table = env.table((sub.source as { tableOid: number }).tableOid);
      const key = sub.fragment.mode.kind === 'project' ? sub.fragment.mode.exprs[onSlices.keyIndex] : undefined;
      const keyName = key?.kind === 'Column' && table ? table.columns[sub.fragment.scanColumns[key.index]!]?.name ?? 'a key' : 'an expression';
      out.add(d, 'XN Network  Send to leader');
      out.add(d + 1, `XN Window (per slice: each partition lies on one slice)  functions=${src.windows.length}`);
      out.add(d + 2, `XN Network  Distribute by ${keyName} (PARTITION BY key, node to node)`);
      await fragmentLines(out, d + 3, sub.fragment, env);
      return;
    }
    case 'subquery':
      out.add(d, 'XN Subquery Scan (on the leader)');
      await selectLines(out, d + 1, plan.subplan!, env);
      return;
    case 'setop':
      out.add(d, `XN ${src.op.toUpperCase()}${src.all ? ' ALL' : ''} (on the leader)`);
      await selectLines(out, d + 1, plan.setPlans![0], env);
      await selectLines(out, d + 1, plan.setPlans![1], env);
      return;
    case 'join': {
      const sj = await classifySliceJoin(plan, env);
      if (sj === null || (sj.bigBroadcast && !isFlippedJoin(sj))) {
        await joinLines(out, d, plan.joinPlan!, env);
        return;
      }
      if (sj.bigBroadcast) {
        const type = sj.tail[0]!.joinType;
        if (type === 'left') {
          out.add(d, `XN Network  Send to leader${plan.fragment.mode.kind === 'aggregate' ? ' (partial aggregates)' : ''}; unmatched rows added on the leader`);
          out.add(d + 1, 'XN Hash Left Join on the slices (the big side probes; the preserved side is broadcast)');
        } else {
          out.add(d, `XN ${type === 'semi' ? 'Matched' : 'Unmatched'} rows of the broadcast side (on the leader)`);
          out.add(d + 1, `XN Hash ${type} Join on the slices (the big side probes; the nodes report which broadcast rows matched)`);
        }
        await fragmentLines(out, d + 2, sj.units[1]!.leaf!.fragment, env, ' (probe, stays on its slices)');
        out.add(d + 2, 'XN Hash DS_BCAST_INNER (preserved side, computed on the leader, sent to every node)');
        await joinLines(out, d + 3, sj.units[0]!.plan, env);
        return;
      }
      const joinMode = plan.fragment.mode;
      out.add(d, `XN Network  Send to leader${joinMode.kind !== 'aggregate' ? '' : joinMode.finish ? ' (final rows)' : ' (partial aggregates)'}`);
      d++;
      if (joinMode.kind === 'aggregate') {
        // Grouped by the probe's DISTKEY (or a column joined to it): the slices finish, HAVING included.
        const phase = joinMode.finish ? `final, per slice: each group lies on one slice${joinMode.finish.having ? '; having' : ''}` : 'partial, per slice';
        out.add(d, `XN HashAggregate (${phase})  groups=${joinMode.groupBy.length}`);
        d++;
      }
      out.add(d, `XN Hash Join on the slices  inputs=${sj.units.length}`);
      const probe = sj.units[sj.probe]!;
      if (sj.probeMoves) {
        out.add(d + 1, `XN Network  Distribute by ${hashColumnName(sj, sj.probe)} (probe, node to node)`);
        await fragmentLines(out, d + 2, probe.leaf!.fragment, env, ' (probe)');
      } else await fragmentLines(out, d + 1, probe.leaf!.fragment, env, ' (probe, stays on its slices)');
      for (let i = 0; i < sj.units.length; i++) {
        if (i === sj.probe) continue;
        const u = sj.units[i]!;
        const kind = sj.kinds[i]!;
        const type = i >= sj.innerCount ? ` ${sj.tail[i - sj.innerCount]!.joinType.replace('_na', ' (NOT IN)')}` : '';
        // Redshift labels the step by what moves: the inner input, the outer (probe), or both.
        const label = kind === 'colocated' ? (sj.probeMoves ? 'DS_DIST_OUTER' : 'DS_DIST_NONE')
          : kind === 'redistributed' ? (sj.probeMoves ? 'DS_DIST_BOTH' : 'DS_DIST_INNER')
          : kind === 'replicated' ? 'DS_DIST_ALL_NONE' : 'DS_BCAST_INNER';
        const how = kind === 'broadcast' ? ' (computed on the leader, sent to every node)'
          : kind === 'redistributed' ? ` (distributed by ${hashColumnName(sj, i)}, node to node)` : '';
        out.add(d + 1, `XN Hash${type} ${label}${how}`);
        if (u.leaf) await fragmentLines(out, d + 2, u.leaf.fragment, env);
        else await joinLines(out, d + 2, u.plan, env);
      }
      return;
    }
  }
}

/** The lines of EXPLAIN's output for a planned SELECT. */
export async function explainSelect(plan: SelectPlan, env: ExplainEnv): Promise<string[]> {
  const out = new PlanText();
  await selectLines(out, 0, plan, env);
  return out.lines;
}

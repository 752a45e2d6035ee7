// Prints a run as a per-query table (median ms, ratio to Colonnade, answer check) and writes its JSON and SVG.
import { queryLabel } from '../queries/window-queries.ts';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchResult, EngineRun } from './bench-result.ts';
import { barChartSvg } from './svg-chart.ts';

const fmtMs = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const fmtRatio = (r: number): string => `x${r >= 0.1 ? r.toFixed(2) : r.toPrecision(2)}`;

function pad(cells: string[][]): string {
  const widths = cells[0]!.map((_c, colIdx) => Math.max(...cells.map((row) => (row[colIdx] ?? '').length)));
  return cells.map((row) => row.map((c, colIdx) => (colIdx === 0 ? c.padEnd(widths[colIdx]!) : c.padStart(widths[colIdx]!))).join('  ')).join('\n');
}

/**
 * The per-query table: each engine's median ms, and for engines other than Colonnade the ratio
 * engine / Colonnade (above 1: Colonnade is faster). Errors show as "error: <SQLSTATE> ...".
 */
export function formatResultTable(result: BenchResult): string {
  const ran = result.engines.filter((e) => e.skipped === undefined);
  const colonnade = ran.find((e) => e.engine === 'colonnade');
  const header = ['query', ...ran.map((e) => `${e.engine} ms`), 'answers'];
  const rows: string[][] = [header];
  const ids = ran[0]?.queries.map((q) => q.id) ?? [];
  const errors: string[] = [];
  for (const id of ids) {
    const row = [queryLabel(id)];
    const checks: string[] = [];
    for (const e of ran) {
      const q = e.queries.find((x) => x.id === id);
      const base = colonnade?.queries.find((x) => x.id === id)?.medianMs;
      if (q?.medianMs === undefined) {
        row.push('error');
        if (q?.error !== undefined) errors.push(`${queryLabel(id)} ${e.engine}: ${q.error}`);
      } else if (colonnade !== undefined && e !== colonnade && base !== undefined && base > 0) {
        row.push(`${fmtMs(q.medianMs)} (${fmtRatio(q.medianMs / base)})`);
      } else {
        row.push(fmtMs(q.medianMs));
      }
      if (q?.check !== undefined && q.check !== 'reference') checks.push(`${e.engine}:${q.check.startsWith('mismatch') ? 'MISMATCH' : q.check}`);
    }
    row.push(checks.join(' ') || '-');
    rows.push(row);
  }
  const geo = ['geomean'];
  for (const e of ran) {
    const g = result.geomeans.find((x) => x.engine === e.engine);
    const base = result.geomeans.find((x) => x.engine === 'colonnade');
    if (g === undefined || !Number.isFinite(g.ms)) geo.push('-');
    else if (base !== undefined && e.engine !== 'colonnade' && base.ms > 0) geo.push(`${fmtMs(g.ms)} (${fmtRatio(g.ms / base.ms)})`);
    else geo.push(fmtMs(g.ms));
  }
  geo.push(`over ${result.geomeans[0]?.queries ?? 0} queries all engines ran`);
  rows.push(geo);
  const lines = [
    `TPC-H SF ${result.sf}: median of ${result.runs} run(s) after ${result.warmup} warm-up, ms`
      + (colonnade !== undefined ? ' (xN = engine time / Colonnade time; above 1 Colonnade is faster)' : ''),
    pad(rows),
  ];
  for (const e of result.engines) {
    if (e.skipped !== undefined) lines.push(`${e.engine}: skipped: ${e.skipped}`);
    else if (e.load !== undefined) {
      lines.push(`${e.engine}: load ${(e.load.totalMs / 1000).toFixed(1)} s (after-load ${(e.load.afterLoadMs / 1000).toFixed(1)} s)`
        + (e.load.method !== undefined ? ` via ${e.load.method}` : ''));
    }
  }
  for (const e of ran) {
    for (const q of e.queries) if (q.check?.startsWith('mismatch') === true) lines.push(`${queryLabel(q.id)} ${e.engine} vs ${result.referenceEngine}: ${q.check}`);
  }
  lines.push(...errors);
  return lines.join('\n');
}

/** Throughput-test lines, labelled as not an official result. */
export function formatThroughput(engines: readonly EngineRun[]): string {
  const lines: string[] = [];
  for (const e of engines) {
    const t = e.throughput;
    if (t === undefined) continue;
    lines.push(`${e.engine}: power@SF ${t.powerAtSize.toFixed(1)}, throughput@SF ${t.throughputAtSize.toFixed(1)} `
      + `(${t.streams} streams in ${(t.throughputElapsedMs / 1000).toFixed(1)} s), QphH-style composite ${t.qphh.toFixed(1)} `
      + `(${t.errors} failed statements) — not an official TPC-H result`);
  }
  return lines.join('\n');
}

/** Writes `<stem>.json` and `<stem>.svg` under `dir`; returns their paths. */
export async function writeResultFiles(result: BenchResult, dir: string): Promise<{ json: string; svg: string }> {
  await mkdir(dir, { recursive: true });
  const stamp = result.startedAt.replace(/[:.]/g, '-');
  const stem = join(dir, `tpch-sf${result.sf}-${stamp}`);
  const ran = result.engines.filter((e) => e.skipped === undefined);
  const ids = ran[0]?.queries.map((q) => q.id) ?? [];
  const svg = barChartSvg(
    `TPC-H SF ${result.sf}: median query time`,
    ids.map((id) => queryLabel(id)),
    ran.map((e) => ({ name: e.engine, values: ids.map((id) => e.queries.find((q) => q.id === id)?.medianMs) })),
  );
  await writeFile(`${stem}.json`, `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(`${stem}.svg`, svg);
  return { json: `${stem}.json`, svg: `${stem}.svg` };
}

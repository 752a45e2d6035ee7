// Power and throughput tests (clauses 5.3.3, 5.3.4): query streams in Appendix A order plus RF1/RF2 refresh pairs, and a QphH-style figure.
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { refreshDeleteKeys, refreshInsertChunks } from '../gen/refresh.ts';
import { randomParams, renderQuery } from '../queries/parameters.ts';
import { streamOrder } from '../queries/stream-order.ts';
import { describeError, type Engine, type EngineSession } from './engine.ts';
import { geometricMean } from './bench-result.ts';
import { Progress } from './progress.ts';

/** Power and throughput figures of one engine. Not an official TPC-H result. */
export interface ThroughputResult {
  streams: number;
  /** Power test: RF1, the 22 queries in stream 0 order, RF2; ms each. */
  powerQueryMs: Record<string, number>;
  powerRefreshMs: { rf1: number; rf2: number };
  /** 3600 * SF / geometric mean (seconds) of the 22 queries and 2 refresh functions. */
  powerAtSize: number;
  /** Wall time of the throughput test (all streams and the refresh stream). */
  throughputElapsedMs: number;
  /** S * 22 * 3600 / Ts * SF. */
  throughputAtSize: number;
  /** sqrt(power * throughput). */
  qphh: number;
  /** Statements that failed (their time still counts). */
  errors: number;
  errorSamples: string[];
}

async function writeChunks(file: string, chunks: Iterable<Buffer>): Promise<void> {
  const out = createWriteStream(file);
  for (const chunk of chunks) if (!out.write(chunk)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

/** Refresh data files for set `set` under `dir` (orders.u<set>.tbl, lineitem.u<set>.tbl). */
async function refreshFiles(dir: string, sf: number, set: number): Promise<{ orders: string; lineitem: string }> {
  await mkdir(dir, { recursive: true });
  const orders = join(dir, `orders.u${set}.tbl`);
  const lineitem = join(dir, `lineitem.u${set}.tbl`);
  await writeChunks(orders, refreshInsertChunks(sf, set, 'orders'));
  await writeChunks(lineitem, refreshInsertChunks(sf, set, 'lineitem'));
  return { orders, lineitem };
}

/** RF1: loads the new orders and their line items. */
async function rf1(engine: Engine, files: { orders: string; lineitem: string }): Promise<void> {
  await engine.loadTable('orders', files.orders);
  await engine.loadTable('lineitem', files.lineitem);
}

/** RF2: deletes the old orders and their line items. */
async function rf2(engine: Engine, sf: number, set: number): Promise<void> {
  const keys = refreshDeleteKeys(sf, set).join(', ');
  await engine.exec(`DELETE FROM lineitem WHERE l_orderkey IN (${keys})`);
  await engine.exec(`DELETE FROM orders WHERE o_orderkey IN (${keys})`);
}

class ErrorLog {
  count = 0;
  samples: string[] = [];
  add(what: string, err: unknown): void {
    this.count++;
    if (this.samples.length < 10) this.samples.push(`${what}: ${describeError(err)}`);
  }
}

async function timed(errors: ErrorLog, what: string, fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  try {
    await fn();
  } catch (err) {
    errors.add(what, err);
  }
  return performance.now() - t0;
}

async function runStream(session: EngineSession, sf: number, stream: number, seed: number, errors: ErrorLog, onQuery: () => void): Promise<void> {
  for (const id of streamOrder(stream)) {
    const sql = renderQuery(id, randomParams(id, seed + stream, sf));
    await timed(errors, `stream ${stream} Q${id}`, () => session.query(sql));
    onQuery();
  }
}

/**
 * Runs the power test then the throughput test with `streams` query streams (1..S, each on its
 * own session, in Appendix A order with seeded parameters) and one refresh stream doing S
 * RF1/RF2 pairs. Changes the data (each pair leaves the row counts as they were).
 */
export async function runThroughputTest(
  engine: Engine, sf: number, streams: number, seed: number, workDir: string,
): Promise<ThroughputResult> {
  const errors = new ErrorLog();
  const refreshDir = join(workDir, 'refresh');
  // Power test: refresh set 1.
  const files1 = await refreshFiles(refreshDir, sf, 1);
  const powerQueryMs: Record<string, number> = {};
  const progress = new Progress(`${engine.name} power test`, 24);
  const rf1Ms = await timed(errors, 'power RF1', () => rf1(engine, files1));
  let done = 1;
  progress.update(done);
  for (const id of streamOrder(0)) {
    const sql = renderQuery(id, randomParams(id, seed, sf));
    powerQueryMs[`Q${id}`] = await timed(errors, `power Q${id}`, () => engine.query(sql));
    progress.update(++done, `Q${id}`);
  }
  const rf2Ms = await timed(errors, 'power RF2', () => rf2(engine, sf, 1));
  progress.finish();
  const powerSecs = [...Object.values(powerQueryMs), rf1Ms, rf2Ms].map((ms) => ms / 1000);
  const powerAtSize = (3600 * sf) / geometricMean(powerSecs);

  // Throughput test: S sessions plus the refresh stream on the main session (sets 2..S+1).
  const refreshSets: { orders: string; lineitem: string }[] = [];
  for (let s = 1; s <= streams; s++) refreshSets.push(await refreshFiles(refreshDir, sf, s + 1));
  const sessions: EngineSession[] = [];
  for (let s = 1; s <= streams; s++) sessions.push(await engine.openSession());
  const tp = new Progress(`${engine.name} throughput test (${streams} streams)`, streams * 22 + streams * 2);
  let finished = 0;
  const tick = (): void => tp.update(++finished);
  const start = performance.now();
  try {
    const queryStreams = sessions.map((session, idx) => runStream(session, sf, idx + 1, seed, errors, tick));
    const refreshStream = (async () => {
      for (let s = 1; s <= streams; s++) {
        await timed(errors, `refresh RF1 set ${s + 1}`, () => rf1(engine, refreshSets[s - 1]!));
        tick();
        await timed(errors, `refresh RF2 set ${s + 1}`, () => rf2(engine, sf, s + 1));
        tick();
      }
    })();
    await Promise.all([...queryStreams, refreshStream]);
  } finally {
    for (const session of sessions) await session.close().catch(() => undefined);
  }
  const elapsed = performance.now() - start;
  tp.finish();
  const throughputAtSize = ((streams * 22 * 3600) / (elapsed / 1000)) * sf;
  return {
    streams,
    powerQueryMs,
    powerRefreshMs: { rf1: rf1Ms, rf2: rf2Ms },
    powerAtSize,
    throughputElapsedMs: elapsed,
    throughputAtSize,
    qphh: Math.sqrt(powerAtSize * throughputAtSize),
    errors: errors.count,
    errorSamples: errors.samples,
  };
}

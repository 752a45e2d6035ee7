// The shape of one benchmark run as the runner records it (also the JSON written under bench/results/).
import type { LoadResult } from './load-engine.ts';
import type { ThroughputResult } from './throughput.ts';

/** One query on one engine. */
export interface QueryRun {
  id: number;
  /** Timed runs after warm-up, in ms. */
  timesMs: number[];
  medianMs?: number;
  /** "error: <SQLSTATE> message" when any run failed. */
  error?: string;
  rows?: number;
  /** Answer check against the reference engine: 'reference', 'match', 'mismatch: ...', or 'n/a'. */
  check?: string;
}

/** One engine's whole run. */
export interface EngineRun {
  engine: string;
  /** Why the engine did not run at all. */
  skipped?: string;
  load?: LoadResult;
  queries: QueryRun[];
  throughput?: ThroughputResult;
}

/** Geometric mean of an engine's medians over the queries every engine answered. */
export interface GeoMean {
  engine: string;
  ms: number;
  queries: number;
}

/** A whole run. */
export interface BenchResult {
  sf: number;
  startedAt: string;
  runs: number;
  warmup: number;
  seed?: number;
  referenceEngine?: string;
  machine: { cpus: number; node: string; platform: string };
  generation: { dir: string; generatedMs?: number; rows: Record<string, number> };
  engines: EngineRun[];
  geomeans: GeoMean[];
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Geometric mean of positive values. */
export function geometricMean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return Math.exp(values.reduce((sum, v) => sum + Math.log(Math.max(v, 1e-3)), 0) / values.length);
}

// Gathers the facts (integer view, runs, deltas, dictionary) that the encoding chooser and the
// codecs need, in one place per block so nothing is computed twice.
import type { Vector } from '../../compute/batch/vector.ts';
import type { BlockStats } from './codec.ts';
import { toIntDomain, isIntKind, type IntDomain } from './int-domain.ts';
import { bitWidth } from './bit-pack.ts';
import { gatherVector } from '../vector-ops.ts';
import { buildDictionary, compareStringBytes, type DictionaryParts } from './dictionary-builder.ts';

/** Stats plus the dictionary built while counting distinct values (reused by DICT's encoder). */
export interface FullBlockStats extends BlockStats {
  readonly dictionary: DictionaryParts | null;
}

/** Counts runs of equal adjacent values and the longest run. Floats compare by value identity (NaN = NaN, −0 ≠ 0). */
export function countRuns(v: Vector, d: IntDomain | null): { runs: number; maxRun: number } {
  const n = v.length;
  if (n === 0) return { runs: 0, maxRun: 0 };
  let runs = 1;
  let cur = 1;
  let maxRun = 1;
  if (d !== null) {
    const o = d.offsets;
    for (let i = 1; i < n; i++) {
      if (o[i] === o[i - 1]) cur++; else { runs++; if (cur > maxRun) maxRun = cur; cur = 1; }
    }
  } else if (v.kind === 'float64' || v.kind === 'int64' || v.kind === 'decimal') {
    // Compare the bit patterns, two 32-bit words per value.
    const w = new Int32Array(v.values.buffer, v.values.byteOffset, n * 2);
    for (let i = 1; i < n; i++) {
      if (w[i * 2] === w[i * 2 - 2] && w[i * 2 + 1] === w[i * 2 - 1]) cur++; else { runs++; if (cur > maxRun) maxRun = cur; cur = 1; }
    }
  } else if (v.kind === 'string') {
    const off = v.offsets;
    for (let i = 1; i < n; i++) {
      if (compareStringBytes(v.bytes, off[i]!, off[i + 1]!, v.bytes, off[i - 1]!, off[i]!) === 0) cur++;
      else { runs++; if (cur > maxRun) maxRun = cur; cur = 1; }
    }
  } else if (v.kind === 'bigdecimal') {
    for (let i = 1; i < n; i++) {
      if (v.values[i] === v.values[i - 1] && v.scales[i] === v.scales[i - 1]) cur++;
      else { runs++; if (cur > maxRun) maxRun = cur; cur = 1; }
    }
  } else {
    const s = v.values;
    for (let i = 1; i < n; i++) {
      if (s[i] === s[i - 1]) cur++; else { runs++; if (cur > maxRun) maxRun = cur; cur = 1; }
    }
  }
  if (cur > maxRun) maxRun = cur;
  return { runs, maxRun };
}

/** Rows sampled to rule out a dictionary before building one for the whole block. */
const DICT_SAMPLE = 2048;

/**
 * True when a strided sample of a big block is almost all distinct values (keys, comments,
 * prices): its dictionary would exceed the n/2 cap or not pay, so building it is wasted work.
 */
function mostlyDistinct(v: Vector): boolean {
  const n = v.length;
  if (n < DICT_SAMPLE * 4) return false;
  const idx = new Uint32Array(DICT_SAMPLE);
  const step = Math.floor(n / DICT_SAMPLE);
  for (let i = 0; i < DICT_SAMPLE; i++) idx[i] = i * step;
  const sample = gatherVector(v, idx, DICT_SAMPLE);
  const domain = isIntKind(sample.kind) ? toIntDomain(sample) : null;
  return buildDictionary(sample, domain, Math.floor(DICT_SAMPLE * 0.9)) === null;
}

/** Computes the stats of a placeholder-filled block. */
export function computeBlockStats(v: Vector): FullBlockStats {
  const n = v.length;
  const intDomain = isIntKind(v.kind) ? toIntDomain(v) : null;
  const { runs, maxRun } = countRuns(v, intDomain);
  let minDelta = NaN;
  let maxDelta = NaN;
  if (intDomain !== null && n >= 2) {
    const o = intDomain.offsets;
    minDelta = o[1]! - o[0]!;
    maxDelta = minDelta;
    for (let i = 2; i < n; i++) {
      const dlt = o[i]! - o[i - 1]!;
      if (dlt < minDelta) minDelta = dlt; else if (dlt > maxDelta) maxDelta = dlt;
    }
  }
  // A dictionary only pays when codes are narrower than the frame-of-reference offsets.
  let dictionary: DictionaryParts | null = null;
  const tryDict = v.kind === 'string' || v.kind === 'float64'
    || (intDomain !== null && v.kind !== 'bool' && bitWidth(intDomain.maxOffset) > 8);
  if (tryDict && n > 0 && !mostlyDistinct(v)) dictionary = buildDictionary(v, intDomain, Math.max(1, Math.min(65536, n >>> 1)));
  let distinctBytes = 0;
  if (dictionary !== null) {
    const dv = dictionary.dict;
    distinctBytes = dv.kind === 'string' ? dv.offsets[dv.length]! - dv.offsets[0]! : dv.length * 8;
  }
  return {
    n, intDomain, runs, maxRunLength: maxRun,
    distinct: dictionary === null ? -1 : dictionary.dict.length,
    distinctBytes, minDelta, maxDelta, dictionary,
  };
}

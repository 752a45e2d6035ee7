// Counter-based pseudo-random numbers: value = hash(stream, index), so any row can be generated without its predecessors.
import { fmix32 } from '../../../common/sketch/value-hash.ts';

/**
 * Stream identifiers, one per table column (or per independent draw of a column). Each is a
 * 32-bit key; drawing index `i` of stream `s` is a pure function of (s, i), which is what lets
 * `--parts n --part k` start in the middle of a table and still produce the same bytes.
 */
export const Stream = {
  P_NAME: 0x1001, P_MFGR: 0x1002, P_BRAND: 0x1003, P_TYPE: 0x1004, P_SIZE: 0x1005,
  P_CONTAINER: 0x1006, P_COMMENT: 0x1007,
  PS_QTY: 0x1101, PS_COST: 0x1102, PS_COMMENT: 0x1103,
  S_ADDRESS: 0x1201, S_NATION: 0x1202, S_PHONE: 0x1203, S_ACCTBAL: 0x1204, S_COMMENT: 0x1205,
  S_BBB: 0x1206,
  C_ADDRESS: 0x1301, C_NATION: 0x1302, C_PHONE: 0x1303, C_ACCTBAL: 0x1304, C_SEGMENT: 0x1305,
  C_COMMENT: 0x1306,
  O_CUSTKEY: 0x1401, O_DATE: 0x1402, O_PRIORITY: 0x1403, O_CLERK: 0x1404, O_COMMENT: 0x1405,
  O_LINECOUNT: 0x1406,
  L_PARTKEY: 0x1501, L_SUPPIDX: 0x1502, L_QTY: 0x1503, L_DISCOUNT: 0x1504, L_TAX: 0x1505,
  L_SHIPDAYS: 0x1506, L_COMMITDAYS: 0x1507, L_RECEIPTDAYS: 0x1508, L_RFLAG: 0x1509,
  L_INSTRUCT: 0x150a, L_MODE: 0x150b, L_COMMENT: 0x150c,
  N_COMMENT: 0x1601, R_COMMENT: 0x1701,
  TEXT_POOL: 0x1801,
} as const;


/**
 * A uniformly distributed unsigned 32-bit value for draw `index` (0 .. 2^53) of `stream`.
 * Two rounds of mixing so that nearby streams and nearby indices are uncorrelated.
 */
export function rand32(stream: number, index: number): number {
  const lo = index >>> 0;
  const hi = (index / 4294967296) >>> 0;
  const a = fmix32((lo ^ Math.imul(stream, 0x9e3779b1)) >>> 0);
  return fmix32((a ^ Math.imul(hi + 0x7f4a7c15, 0x85ebca77) ^ stream) >>> 0);
}

/**
 * A uniform integer in [lo, hi] (inclusive) for draw `index` of `stream`. Ranges wider than
 * 2^31 combine two draws so that SF 100000 key ranges stay uniform.
 */
export function randInt(stream: number, index: number, lo: number, hi: number): number {
  const range = hi - lo + 1;
  if (range <= 0x80000000) {
    return lo + Math.floor((rand32(stream, index) * range) / 4294967296);
  }
  const wide = rand32(stream, index) * 2097152 + (rand32(stream ^ 0x5bd1e995, index) >>> 11);
  return lo + Math.floor((wide / 9007199254740992) * range);
}

/** A small sequential PRNG (xorshift32) for bulk data that is always generated whole: the text pool. */
export class SequentialRandom {
  private state: number;

  constructor(seed: number) {
    this.state = fmix32(seed >>> 0) || 0x9e3779b9;
  }

  /** Next unsigned 32-bit value. */
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor((this.next() * n) / 4294967296);
  }
}

// HyperLogLog distinct-count sketch with 4096 one-byte registers, mergeable across slices.
//
// Layout: `registers[j]` (j = the top 12 bits of a 32-bit hash) holds the largest rank seen, where
// rank = 1 + leading zeros of the remaining 20 bits (1..21). Merging is a register-wise max, so a
// sketch built per slice and merged equals one sketch built over all rows.
// @see Flajolet, Fusy, Gandouet, Meunier: "HyperLogLog: the analysis of a near-optimal cardinality
//      estimation algorithm" (2007), figure 3.
import { internalError } from '../errors/index.ts';

export { fmix32, hash64, hashBytes, hashInt32 } from './value-hash.ts';

/** Register-index bits. Standard error is 1.04 / sqrt(2^12) ≈ 1.6%. */
export const HLL_PRECISION = 12;
/** Number of registers (2^HLL_PRECISION). */
export const HLL_REGISTERS = 1 << HLL_PRECISION;

const REST_BITS = 32 - HLL_PRECISION;
const MAX_RANK = REST_BITS + 1;
const TWO_POW_32 = 4294967296;
const ALPHA_M = 0.7213 / (1 + 1.079 / HLL_REGISTERS);

/** 2^-rank for every possible rank, so estimate() does no Math.pow. */
const INV_POW2 = new Float64Array(MAX_RANK + 1);
for (let r = 0; r <= MAX_RANK; r++) INV_POW2[r] = 2 ** -r;

/** A HyperLogLog sketch over 32-bit hashes (precision 12). */
export class HyperLogLog {
  /** The 4096 registers, exposed for transport between nodes. */
  readonly registers: Uint8Array;

  /** An empty sketch, or one over `registers` (taken as is, not copied; must hold 4096 bytes). */
  constructor(registers?: Uint8Array) {
    if (registers === undefined) {
      this.registers = new Uint8Array(HLL_REGISTERS);
    } else {
      if (registers.length !== HLL_REGISTERS) {
        throw internalError(`HyperLogLog needs ${HLL_REGISTERS} registers, got ${registers.length}`);
      }
      this.registers = registers;
    }
  }

  /** Records one value by its 32-bit hash (from value-hash.ts; must be well mixed). */
  add(hash32: number): void {
    const idx = hash32 >>> REST_BITS;
    const rest = hash32 << HLL_PRECISION;
    // clz32(0) is 32; the remaining bits are only 20 wide, so cap the rank at 21.
    const z = Math.clz32(rest);
    const rank = z >= REST_BITS ? MAX_RANK : z + 1;
    const regs = this.registers;
    if (rank > regs[idx]!) regs[idx] = rank;
  }

  /** Folds `other` into this sketch (register-wise max): afterwards it counts the union. */
  merge(other: HyperLogLog): void {
    const a = this.registers;
    const b = other.registers;
    for (let j = 0; j < HLL_REGISTERS; j++) if (b[j]! > a[j]!) a[j] = b[j]!;
  }

  /**
   * Estimated number of distinct hashes added. Uses the raw estimator alpha_m·m²/Σ2^-M[j], with
   * linear counting (m·ln(m/V)) below 2.5·m when some registers are empty, and the paper's
   * large-range correction −2^32·ln(1 − E/2^32) above 2^32/30 for hash collisions in 32 bits
   * (capped at 2^32 when E reaches 2^32, where the correction has no value).
   */
  estimate(): number {
    const regs = this.registers;
    let sum = 0;
    let zeros = 0;
    for (let j = 0; j < HLL_REGISTERS; j++) {
      const r = regs[j]!;
      sum += INV_POW2[r]!;
      if (r === 0) zeros++;
    }
    const m = HLL_REGISTERS;
    const raw = (ALPHA_M * m * m) / sum;
    if (raw <= 2.5 * m) return zeros > 0 ? m * Math.log(m / zeros) : raw;
    if (raw <= TWO_POW_32 / 30) return raw;
    if (raw >= TWO_POW_32) return TWO_POW_32;
    return -TWO_POW_32 * Math.log(1 - raw / TWO_POW_32);
  }
}

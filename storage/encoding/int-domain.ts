// The integer domain shared by FOR, DELTA, RLE and DICT codes: any integer-like vector seen as
// base + offsets, where base is the block minimum and every offset is an exact integer in [0, 2^53).
//
// bool (0/1), int32, decimal (exact scaled integers in a Float64Array) and int64 (read as lo/hi
// int32 pairs, so no BigInt per value) all map here when their range is below 2^53; int64 blocks
// spanning more than that (e.g. both int64 extremes) are left to RAW.
import type { Vector } from '../../compute/batch/vector.ts';
import type { ColumnLayout } from '../column-kind.ts';
import { zeroVector } from '../vector-ops.ts';

const TWO32 = 4294967296;
const TWO53 = 9007199254740992;

/** A vector in the integer domain. */
export interface IntDomain {
  /** The minimum value. */
  readonly base: bigint;
  /** v[i] − base, exact. */
  readonly offsets: Float64Array;
  readonly maxOffset: number;
}

/** The vector as base + offsets, or null when it is not an integer vector with range below 2^53. */
export function toIntDomain(v: Vector): IntDomain | null {
  const n = v.length;
  const offsets = new Float64Array(n);
  if (n === 0) return { base: 0n, offsets, maxOffset: 0 };
  switch (v.kind) {
    case 'bool': {
      const s = v.values;
      let max = 0;
      for (let i = 0; i < n; i++) { offsets[i] = s[i]!; if (s[i]! > max) max = s[i]!; }
      return { base: 0n, offsets, maxOffset: max };
    }
    case 'int32': {
      const s = v.values;
      let min = s[0]!;
      let max = min;
      for (let i = 1; i < n; i++) { const x = s[i]!; if (x < min) min = x; else if (x > max) max = x; }
      for (let i = 0; i < n; i++) offsets[i] = s[i]! - min;
      return { base: BigInt(min), offsets, maxOffset: max - min };
    }
    case 'decimal': {
      const s = v.values;
      let min = s[0]!;
      let max = min;
      for (let i = 0; i < n; i++) {
        const x = s[i]!;
        // Non-integers or -0 would not survive base + offset; such blocks stay RAW.
        if (x !== Math.floor(x) || (x === 0 && 1 / x < 0) || Math.abs(x) > TWO53) return null;
        if (x < min) min = x; else if (x > max) max = x;
      }
      if (max - min >= TWO53) return null;
      for (let i = 0; i < n; i++) offsets[i] = s[i]! - min;
      return { base: BigInt(min), offsets, maxOffset: max - min };
    }
    case 'int64': {
      const s32 = new Int32Array(v.values.buffer, v.values.byteOffset, n * 2);
      let minH = s32[1]!; let minL = s32[0]! >>> 0;
      let maxH = minH; let maxL = minL;
      for (let i = 1; i < n; i++) {
        const h = s32[i * 2 + 1]!; const l = s32[i * 2]! >>> 0;
        if (h < minH || (h === minH && l < minL)) { minH = h; minL = l; }
        if (h > maxH || (h === maxH && l > maxL)) { maxH = h; maxL = l; }
      }
      const range = (maxH - minH) * TWO32 + (maxL - minL);
      if (maxH - minH >= 2097152 || range >= TWO53) return null;
      for (let i = 0; i < n; i++) offsets[i] = (s32[i * 2 + 1]! - minH) * TWO32 + ((s32[i * 2]! >>> 0) - minL);
      return { base: (BigInt(minH) << 32n) + BigInt(minL), offsets, maxOffset: range };
    }
    default:
      return null;
  }
}

/** out[i] = base + offsets[i] for an int64 vector, via lo/hi words. */
export function writeInt64Offsets(base: bigint, offsets: Float64Array, n: number, out: BigInt64Array): void {
  const o32 = new Int32Array(out.buffer, out.byteOffset, n * 2);
  const bLo = Number(BigInt.asUintN(32, base));
  const bHi = Number(BigInt.asIntN(32, base >> 32n));
  for (let i = 0; i < n; i++) {
    const o = offsets[i]!;
    let oHi = Math.floor(o / TWO32);
    let lo = bLo + (o - oHi * TWO32);
    if (lo >= TWO32) { lo -= TWO32; oHi++; }
    o32[i * 2] = lo | 0;
    o32[i * 2 + 1] = (bHi + oHi) | 0;
  }
}

/** A new vector of the layout holding base + offsets[i]. */
export function fromOffsets(layout: ColumnLayout, base: bigint, offsets: Float64Array, n: number): Vector {
  const out = zeroVector(layout, n, null);
  switch (out.kind) {
    case 'bool': { const o = out.values; for (let i = 0; i < n; i++) o[i] = offsets[i]!; break; }
    case 'int32': { const b = Number(base); const o = out.values; for (let i = 0; i < n; i++) o[i] = (b + offsets[i]!) | 0; break; }
    case 'decimal': { const b = Number(base); const o = out.values; for (let i = 0; i < n; i++) o[i] = b + offsets[i]!; break; }
    case 'int64': writeInt64Offsets(base, offsets, n, out.values); break;
    default: break;
  }
  return out;
}

/** True for kinds that can be in the integer domain. */
export function isIntKind(kind: Vector['kind']): boolean {
  return kind === 'bool' || kind === 'int32' || kind === 'int64' || kind === 'decimal';
}

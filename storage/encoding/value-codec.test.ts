// Round-trips every encoding on random and edge-case blocks of every vector kind.
import { describe, it, expect } from 'vitest';
import type { Vector } from '../../compute/batch/vector.ts';
import type { ColumnLayout } from '../column-kind.ts';
import { encodeValues, plainSection, decodeValues } from './value-codec.ts';
import { EncodingId, type EncodingIdValue } from './codec.ts';
import type { EncodingPolicy } from './encoding-policy.ts';
import { policyForEncodingName } from './encoding-policy.ts';
import { stringVector, vectorDiff, rng } from '../testing/vector-fixtures.ts';
import type { VectorAllocator } from '../vector-allocator.ts';

const L = (kind: ColumnLayout['kind'], scale = 0, float4 = false): ColumnLayout => ({ kind, scale, float4 });

const POLICIES: EncodingPolicy[] = [
  { kind: 'auto' },
  ...([EncodingId.RAW, EncodingId.DICT, EncodingId.RLE, EncodingId.DELTA, EncodingId.FOR] as EncodingIdValue[])
    .flatMap((e) => [{ kind: 'forced' as const, encoding: e, lz4: false }, { kind: 'forced' as const, encoding: e, lz4: true }]),
];

/** Hands out arrays full of junk, as recycled scan buffers are: decoders must write every element. */
const POISON: VectorAllocator = {
  int32: (n) => new Int32Array(n).fill(0x5a5a5a5a),
  uint32: (n) => new Uint32Array(n).fill(0xdeadbeef),
  float64: (n) => new Float64Array(n).fill(-123.25),
  uint8: (n) => new Uint8Array(n).fill(0x5a),
  bigInt64: (n) => new BigInt64Array(n).fill(-77n),
};

function roundTrip(v: Vector, layout: ColumnLayout): Set<string> {
  const used = new Set<string>();
  for (const p of POLICIES) {
    const e = encodeValues(v, layout, p);
    const back = decodeValues(plainSection(e.bytes, e.lz4, e.plainLength), e.encoding, v.length, layout);
    const diff = vectorDiff(v, back);
    if (diff !== null) throw new Error(`${JSON.stringify(p)} → ${e.encoding}${e.lz4 ? '+lz4' : ''}: ${diff}`);
    const poisoned = vectorDiff(v, decodeValues(plainSection(e.bytes, e.lz4, e.plainLength), e.encoding, v.length, layout, POISON));
    if (poisoned !== null) throw new Error(`${JSON.stringify(p)} with recycled buffers: ${poisoned}`);
    used.add(`${e.encoding}${e.lz4 ? '+lz4' : ''}`);
  }
  return used;
}

const int32 = (a: ArrayLike<number>): Vector => ({ kind: 'int32', length: a.length, nulls: null, values: Int32Array.from(a) });
const int64 = (a: readonly bigint[]): Vector => ({ kind: 'int64', length: a.length, nulls: null, values: BigInt64Array.from(a) });
const f64 = (a: ArrayLike<number>): Vector => ({ kind: 'float64', length: a.length, nulls: null, values: Float64Array.from(a) });
const dec = (a: ArrayLike<number>, scale: number): Vector => ({ kind: 'decimal', length: a.length, nulls: null, values: Float64Array.from(a), scale });
const bigdec = (a: readonly bigint[], scales: readonly number[]): Vector => ({ kind: 'bigdecimal', length: a.length, nulls: null, values: [...a], scales: Uint16Array.from(scales) });
const bool = (a: ArrayLike<number>): Vector => ({ kind: 'bool', length: a.length, nulls: null, values: Uint8Array.from(a) });

describe('value codecs round-trip', () => {
  const r = rng(42);
  const N = 5000;

  it('int32: empty, one, constant, extremes, sorted, random, small range', () => {
    for (const a of [
      [], [7], new Array(N).fill(-3), [-2147483648, 2147483647, 0, -1, 1],
      Array.from({ length: N }, (_, i) => Math.floor(i / 7) + 10000),
      Array.from({ length: N }, () => (r() * 4294967296) | 0),
      Array.from({ length: N }, () => Math.floor(r() * 100) - 50),
      Array.from({ length: N }, (_, i) => (i % 3 === 0 ? 1e9 : 5)),
    ]) roundTrip(int32(a), L('int32'));
  });

  it('int32 sorted dates pick a compact encoding', () => {
    const a = Array.from({ length: 65536 }, (_, i) => 8000 + Math.floor(i / 2400));
    const e = encodeValues(int32(a), L('int32'), { kind: 'auto' });
    expect(e.bytes.length).toBeLessThan(2000);
  });

  it('int64: full range extremes, timestamps, random', () => {
    const min = -(1n << 63n);
    const max = (1n << 63n) - 1n;
    for (const a of [
      [], [min], [max], [min, max, 0n, -1n, 1n, max, min],
      Array.from({ length: N }, (_, i) => 1_700_000_000_000_000n + BigInt(i) * 1_000_000n),
      Array.from({ length: N }, () => BigInt(Math.floor(r() * 2 ** 52)) * (r() < 0.5 ? -1n : 1n)),
      Array.from({ length: N }, () => BigInt.asIntN(64, BigInt(Math.floor(r() * 2 ** 32)) << 31n)),
      Array.from({ length: N }, (_, i) => (i % 2 === 0 ? max - BigInt(i) : max - 5n)),
      // Offsets within 32 bits whose sums with the base's low word carry into the high word.
      Array.from({ length: N }, () => (5n << 32n) + 0xfffffff0n + BigInt(Math.floor(r() * 2 ** 31))),
      Array.from({ length: N }, () => -(3n << 32n) + 0xffffff00n + BigInt(Math.floor(r() * 2 ** 20))),
      Array.from({ length: N }, () => BigInt(1 + Math.floor(r() * 6_000_000))),
    ]) roundTrip(int64(a), L('int64'));
  });

  it('decimal: numeric(15,2) extremes and prices', () => {
    const big = 999999999999999;
    for (const a of [
      [], [big], [-big, big, 0, 1, -1],
      Array.from({ length: N }, () => Math.round(r() * 10_000_000) + 90_000),
      Array.from({ length: N }, (_, i) => (i % 11) * 100),
    ]) roundTrip(dec(a, 2), L('decimal', 2));
  });

  it('float64: NaN, ±Infinity, −0, random; float4 stored in 4 bytes', () => {
    for (const a of [
      [], [NaN], [-0], [0, -0, NaN, Infinity, -Infinity, 1e308, -5e-324, 5e-324],
      Array.from({ length: N }, () => r() * 1e6 - 5e5),
      Array.from({ length: N }, (_, i) => [0, -0, NaN, 1.5][i % 4]!),
      Array.from({ length: N }, (_, i) => Math.floor(i / 100) * 0.25),
    ]) roundTrip(f64(a), L('float64'));
    const f4 = Array.from({ length: N }, () => Math.fround(r() * 1000));
    roundTrip(f64([...f4, NaN, -0, Infinity].map(Math.fround)), L('float64', 0, true));
    const e = encodeValues(f64(f4), L('float64', 0, true), { kind: 'forced', encoding: EncodingId.RAW, lz4: false });
    expect(e.bytes.length).toBeLessThanOrEqual(N * 4 + 8);
  });

  it('bool', () => {
    for (const a of [[], [1], new Array(N).fill(0), Array.from({ length: N }, () => (r() < 0.5 ? 1 : 0))]) roundTrip(bool(a), L('bool'));
  });

  it('bigdecimal: numeric(38,x) extremes, mixed scales, beyond int64', () => {
    const max38 = 10n ** 38n - 1n;
    for (const [a, s] of [
      [[], []],
      [[max38, -max38, 0n, 1n], [0, 0, 0, 38]],
      [[max38, -max38], [10, 37]],
      [Array.from({ length: N }, (_, i) => BigInt(i * 12345 - 1000)), Array.from({ length: N }, () => 2)],
      [Array.from({ length: N }, (_, i) => 10n ** BigInt(i % 60) * (i % 2 === 0 ? 1n : -1n)), Array.from({ length: N }, (_, i) => i % 40)],
    ] as [bigint[], number[]][]) roundTrip(bigdec(a, s), L('bigdecimal', 2));
  });

  it('strings: empty, long, non-ASCII, low and high cardinality', () => {
    const words = ['AIR', 'MAIL', 'SHIP', 'TRUCK', 'RAIL', 'FOB', 'REG AIR'];
    for (const a of [
      [], [''], ['', '', ''], ['x'.repeat(200_000), 'é', ''],
      Array.from({ length: N }, () => words[Math.floor(r() * words.length)]!),
      Array.from({ length: N }, (_, i) => `customer#${i.toString().padStart(9, '0')} ünïcødé ✓ 日本`),
      Array.from({ length: N }, () => String.fromCodePoint(...Array.from({ length: Math.floor(r() * 20) }, () => 32 + Math.floor(r() * 0x2fff)))),
      Array.from({ length: N }, (_, i) => (i < N / 2 ? 'aaa' : 'zzz')),
    ]) roundTrip(stringVector(a), L('string'));
  });

  it('uses dictionary, run-length, delta and FOR where they fit', () => {
    const auto: EncodingPolicy = { kind: 'auto' };
    const runs = encodeValues(int32(Array.from({ length: N }, (_, i) => Math.floor(i / 500) * 1_000_000)), L('int32'), auto);
    expect(runs.encoding).toBe(EncodingId.RLE);
    const words = ['AIR', 'MAIL', 'SHIP', 'TRUCK'];
    const dict = encodeValues(stringVector(Array.from({ length: N }, (_, i) => words[(i * 7919) % 4]!)), L('string'), auto);
    expect([EncodingId.DICT, EncodingId.RAW]).toContain(dict.encoding);
    const seq = encodeValues(int64(Array.from({ length: N }, (_, i) => 1_700_000_000_000_000n + BigInt(i) * 1_000_003n)), L('int64'), auto);
    expect(seq.encoding).toBe(EncodingId.DELTA);
    const small = encodeValues(int32(Array.from({ length: N }, (_, i) => (i * 7919) % 50)), L('int32'), auto);
    expect(small.encoding).toBe(EncodingId.FOR);
  });

  it('maps Redshift encoding names and rejects unknown ones', () => {
    expect(policyForEncodingName('AZ64')).toEqual({ kind: 'forced', encoding: EncodingId.FOR, lz4: false });
    expect(policyForEncodingName('zstd')).toEqual({ kind: 'forced', encoding: EncodingId.RAW, lz4: true });
    expect(() => policyForEncodingName('brotli')).toThrow(/invalid encoding/);
  });
});

import { describe, expect, it } from 'vitest';
import type { StringVector } from '../compute/batch/vector.ts';
import { concatVectors, DictionaryStringVector } from './vector-ops.ts';
import { layoutOf } from './column-kind.ts';

const enc = new TextEncoder();

function plain(values: readonly string[]): StringVector {
  const offsets = new Int32Array(values.length + 1);
  const chunks = values.map((v) => enc.encode(v));
  chunks.forEach((c, i) => { offsets[i + 1] = offsets[i]! + c.length; });
  const bytes = new Uint8Array(offsets[values.length]!);
  chunks.forEach((c, i) => bytes.set(c, offsets[i]!));
  return { kind: 'string', length: values.length, nulls: null, offsets, bytes };
}

function texts(v: StringVector): string[] {
  const dec = new TextDecoder();
  return Array.from({ length: v.length }, (_, i) => (v.nulls?.[i] ? 'NULL' : dec.decode(v.bytes.subarray(v.offsets[i]!, v.offsets[i + 1]!))));
}

describe('concatVectors on dictionary-encoded strings', () => {
  it('keeps a dictionary when many small batches share one block\'s entries', () => {
    // 40 batches of 4 rows cut from one block with 30 entries: 40 × 30 entries would exceed the
    // rows, but the 30 distinct entries do not.
    const entries = plain(Array.from({ length: 30 }, (_, e) => `type ${e}`));
    const parts = Array.from({ length: 40 }, (_, b) => new DictionaryStringVector(4, null, {
      codes: Int32Array.from([b % 30, (b * 7) % 30, 0, 29]), entries,
    }));
    const out = concatVectors(parts, layoutOf({ id: 'text' })) as StringVector;
    expect(out.length).toBe(160);
    expect(out.dictionary?.entries.length).toBe(30);
    expect(texts(out)).toEqual(parts.flatMap((p) => texts(p)));
  });

  it('merges different entries vectors, each distinct string once', () => {
    const a = plain(['x', 'y']);
    const b = plain(['y', 'z']);
    const nulls = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 1]);
    const parts = [
      new DictionaryStringVector(8, null, { codes: Int32Array.from([0, 1, 1, 0, 0, 0, 1, 1]), entries: a }),
      new DictionaryStringVector(8, nulls, { codes: Int32Array.from([1, 0, 0, 1, 1, 1, 0, 0]), entries: b }),
    ];
    const out = concatVectors(parts, layoutOf({ id: 'text' })) as StringVector;
    expect(out.dictionary?.entries.length).toBe(3);
    expect(texts(out)).toEqual([...texts(parts[0]!), ...texts(parts[1]!)]);
  });
});

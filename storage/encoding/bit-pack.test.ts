// Bit packing round trips at every width, with counts around the unrolled 32-value runs.
import { describe, it, expect } from 'vitest';
import { ByteWriter } from '../io/byte-writer.ts';
import { ByteReader } from '../io/byte-reader.ts';
import { readPacked, unpackToFloat64, unpackToInt32, writePacked } from './bit-pack.ts';

function packed(values: Float64Array, width: number): ReturnType<typeof readPacked> {
  const w = new ByteWriter();
  writePacked(w, values, values.length, width);
  return readPacked(new ByteReader(w.finish()), values.length);
}

describe('bit packing', () => {
  it('unpacks what it packs at every width and count', () => {
    let seed = 11;
    const rnd = (): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 2 ** 32; };
    for (let width = 0; width <= 53; width++) {
      for (const count of [0, 1, 31, 32, 33, 64, 95, 1000, 1024 + 17]) {
        const max = 2 ** width;
        // Random values, the largest the width holds, and zeros.
        const values = Float64Array.from({ length: count }, (_, i) => (i % 7 === 0 ? max - 1 : i % 5 === 0 ? 0 : Math.floor(rnd() * max)));
        const s = packed(values, width);
        const asFloat = new Float64Array(count).fill(-1);
        unpackToFloat64(s, -3, asFloat);
        for (let i = 0; i < count; i++) if (asFloat[i] !== values[i]! - 3) expect.fail(`float64 width ${width} count ${count} value ${i}: ${asFloat[i]} ≠ ${values[i]! - 3}`);
        if (width > 32) continue;
        const asInt = new Int32Array(count).fill(0x5a5a5a5a);
        unpackToInt32(s, 7, asInt);
        for (let i = 0; i < count; i++) if (asInt[i] !== ((values[i]! + 7) | 0)) expect.fail(`int32 width ${width} count ${count} value ${i}: ${asInt[i]} ≠ ${(values[i]! + 7) | 0}`);
      }
    }
  });
});

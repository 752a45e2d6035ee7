// PART: SF * 200,000 rows; name of 5 distinct colors, Manufacturer#M, Brand#MN, type, size, container, retail price formula.
import { COLORS, CONTAINERS, TYPES, pickIndex } from '../distributions.ts';
import { Stream, randInt } from '../random-stream.ts';
import { retailPriceCents } from '../scale.ts';
import type { TableSpec } from '../table-spec.ts';

const COLOR_BYTES = COLORS.map((c) => Buffer.from(c, 'latin1'));
const MFGR = Buffer.from('Manufacturer#', 'latin1');
const BRAND = Buffer.from('Brand#', 'latin1');
const NAME_WORDS = 5;

/**
 * Picks 5 distinct color indices for part `key` into `chosen` (sorted scratch) and `order`
 * (in draw order): draw j is uniform over the 92 - j colors not yet chosen.
 */
function pickColors(key: number, chosen: Int32Array, order: Int32Array): void {
  for (let wordIdx = 0; wordIdx < NAME_WORDS; wordIdx++) {
    let color = randInt(Stream.P_NAME, key * NAME_WORDS + wordIdx, 0, COLORS.length - 1 - wordIdx);
    // Map the r-th unchosen color: step over every chosen index at or below it (chosen is sorted).
    let insertAt = 0;
    for (; insertAt < wordIdx; insertAt++) {
      if (chosen[insertAt]! <= color) color++;
      else break;
    }
    for (let shiftIdx = wordIdx; shiftIdx > insertAt; shiftIdx--) chosen[shiftIdx] = chosen[shiftIdx - 1]!;
    chosen[insertAt] = color;
    order[wordIdx] = color;
  }
}

/** PART generator: unit = row, P_PARTKEY = unit + 1. */
export const partTable: TableSpec = {
  name: 'part',
  units: (scale) => scale.parts,
  rowCount: (_scale, from, to) => to - from,
  *write(ctx, from, to, out) {
    const chosen = new Int32Array(NAME_WORDS);
    const order = new Int32Array(NAME_WORDS);
    for (let unit = from; unit < to; unit++) {
      const key = unit + 1;
      out.int(key);
      pickColors(key, chosen, order);
      for (let wordIdx = 0; wordIdx < NAME_WORDS; wordIdx++) {
        if (wordIdx > 0) out.byte(0x20);
        out.bytes(COLOR_BYTES[order[wordIdx]!]!);
      }
      out.sep();
      const mfgr = randInt(Stream.P_MFGR, key, 1, 5);
      out.bytes(MFGR);
      out.int(mfgr);
      out.bytes(BRAND);
      out.padded(mfgr, 1);
      out.int(randInt(Stream.P_BRAND, key, 1, 5));
      out.bytes(TYPES.bytes[pickIndex(TYPES, randInt(Stream.P_TYPE, key, 0, TYPES.total - 1))]!);
      out.sep();
      out.int(randInt(Stream.P_SIZE, key, 1, 50));
      out.bytes(CONTAINERS.bytes[pickIndex(CONTAINERS, randInt(Stream.P_CONTAINER, key, 0, CONTAINERS.total - 1))]!);
      out.sep();
      out.cents(retailPriceCents(key));
      ctx.pool.write(out, Stream.P_COMMENT, key, 5, 22);
      out.sep();
      out.eol();
      if (out.full) yield out.takeChunk();
    }
  },
};

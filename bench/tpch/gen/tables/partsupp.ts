// PARTSUPP: 4 rows per part; suppliers by the spec's formula, availqty [1..9999], supplycost [1.00..1000.00], comment [49,198].
import { Stream, randInt } from '../random-stream.ts';
import { suppKeyOf } from '../scale.ts';
import type { TableSpec } from '../table-spec.ts';

/** Suppliers per part. */
export const SUPPLIERS_PER_PART = 4;

/** PARTSUPP generator: unit = part (4 rows). */
export const partsuppTable: TableSpec = {
  name: 'partsupp',
  units: (scale) => scale.parts,
  rowCount: (_scale, from, to) => (to - from) * SUPPLIERS_PER_PART,
  *write(ctx, from, to, out) {
    const suppliers = ctx.scale.suppliers;
    for (let unit = from; unit < to; unit++) {
      const partKey = unit + 1;
      for (let suppIdx = 0; suppIdx < SUPPLIERS_PER_PART; suppIdx++) {
        const rowIdx = unit * SUPPLIERS_PER_PART + suppIdx;
        out.int(partKey);
        out.int(suppKeyOf(partKey, suppIdx, suppliers));
        out.int(randInt(Stream.PS_QTY, rowIdx, 1, 9999));
        out.cents(randInt(Stream.PS_COST, rowIdx, 100, 100_000));
        ctx.pool.write(out, Stream.PS_COMMENT, rowIdx, 49, 198);
        out.sep();
        out.eol();
      }
      if (out.full) yield out.takeChunk();
    }
  },
};

// REGION: the 5 fixed regions with a text comment [31,115]; all rows belong to part 1.
import { REGIONS } from '../distributions.ts';
import { Stream } from '../random-stream.ts';
import type { TableSpec } from '../table-spec.ts';

const NAMES = REGIONS.map((r) => Buffer.from(r, 'latin1'));

/** REGION generator. */
export const regionTable: TableSpec = {
  name: 'region',
  units: () => NAMES.length,
  rowCount: (_scale, from, to) => to - from,
  *write(ctx, from, to, out) {
    for (let key = from; key < to; key++) {
      out.int(key);
      out.bytes(NAMES[key]!);
      out.sep();
      ctx.pool.write(out, Stream.R_COMMENT, key, 31, 115);
      out.sep();
      out.eol();
      if (out.full) yield out.takeChunk();
    }
  },
};

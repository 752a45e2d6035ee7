// NATION: the 25 fixed nations with their regions and a text comment [31,114]; all rows belong to part 1.
import { NATIONS } from '../distributions.ts';
import { Stream } from '../random-stream.ts';
import type { TableSpec } from '../table-spec.ts';

const NAMES = NATIONS.map((n) => Buffer.from(n.name, 'latin1'));

/** NATION generator. */
export const nationTable: TableSpec = {
  name: 'nation',
  units: () => NAMES.length,
  rowCount: (_scale, from, to) => to - from,
  *write(ctx, from, to, out) {
    for (let key = from; key < to; key++) {
      out.int(key);
      out.bytes(NAMES[key]!);
      out.sep();
      out.int(NATIONS[key]!.regionKey);
      ctx.pool.write(out, Stream.N_COMMENT, key, 31, 114);
      out.sep();
      out.eol();
      if (out.full) yield out.takeChunk();
    }
  },
};

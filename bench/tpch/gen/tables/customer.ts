// CUSTOMER: SF * 150,000 rows; Customer#key, v-string address, nation, phone, balance, segment, comment [29,116].
import { SEGMENTS } from '../distributions.ts';
import { acctbalCents, writeKeyName, writePhone, writeVString } from '../gen-fields.ts';
import { Stream, randInt } from '../random-stream.ts';
import type { TableSpec } from '../table-spec.ts';

const PREFIX = Buffer.from('Customer#', 'latin1');

/** CUSTOMER generator: unit = row, C_CUSTKEY = unit + 1. */
export const customerTable: TableSpec = {
  name: 'customer',
  units: (scale) => scale.customers,
  rowCount: (_scale, from, to) => to - from,
  *write(ctx, from, to, out) {
    for (let unit = from; unit < to; unit++) {
      const key = unit + 1;
      out.int(key);
      writeKeyName(out, PREFIX, key);
      writeVString(out, Stream.C_ADDRESS, key, 10, 40);
      out.sep();
      const nation = randInt(Stream.C_NATION, key, 0, 24);
      out.int(nation);
      writePhone(out, Stream.C_PHONE, key, nation);
      out.cents(acctbalCents(Stream.C_ACCTBAL, key));
      out.bytes(SEGMENTS.bytes[randInt(Stream.C_SEGMENT, key, 0, SEGMENTS.words.length - 1)]!);
      out.sep();
      ctx.pool.write(out, Stream.C_COMMENT, key, 29, 116);
      out.sep();
      out.eol();
      if (out.full) yield out.takeChunk();
    }
  },
};

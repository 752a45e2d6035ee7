// Our binary encodings byte-for-byte against real PostgreSQL (PGlite), for every supported type.
import { PGlite } from '@electric-sql/pglite';
import { serialize } from 'pg-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Datum } from '../../../sql/types/datum.ts';
import { T, type SqlType } from '../../../sql/types/sql-type.ts';
import { DEFAULT_TEXT_IO, formatDatum, parseDatum } from '../../../sql/types/text-io.ts';
import { MessageWriter } from '../message-writer.ts';
import { BINARY_CODECS } from './index.ts';

/** [SQL type name, our type, text input values]. */
const CASES: Array<[string, SqlType, string[]]> = [
  ['int2', T.int2, ['0', '-32768', '32767']],
  ['int4', T.int4, ['42', '-2147483648', '2147483647']],
  ['int8', T.int8, ['-9223372036854775808', '9007199254740993', '0']],
  // oids above 2^31 are left out: sql/types parseDatum reads oid with int4's range (PostgreSQL allows 0..4294967295).
  ['oid', { id: 'oid' }, ['0', '2147483647', '1259']],
  ['float4', T.float4, ['1.5', '-0', '3.4028235e38', 'NaN', 'Infinity', '0.1']],
  ['float8', T.float8, ['0.1', '-1e308', '5e-324', 'NaN', '-Infinity', '123456.789']],
  ['numeric', T.numeric(), ['0', '0.00', '-12345.678900', '0.00000000000000000001', '123456789012345678901234567890.12345', '10000', '-0.5', '9999.9999']],
  ['bool', T.bool, ['t', 'f']],
  ['text', T.text, ['héllo wörld', '', 'a\tb']],
  ['varchar', T.varchar(), ['abc']],
  ['bpchar(5)', T.char(5), ['ab']],
  ['name', { id: 'name' }, ['pg_class']],
  ['date', T.date, ['2000-01-01', '1970-01-01', '1999-12-31', '0001-01-01', '2262-04-11', '0044-03-15 BC']],
  ['timestamp', T.timestamp, ['2000-01-01 00:00:00', '1970-01-01 00:00:00.000001', '1900-05-06 07:08:09.5', '2038-01-19 03:14:08']],
  ['timestamptz', T.timestamptz, ['2020-01-02 03:04:05.123456+00', '1999-12-31 23:59:59.999999-05']],
  ['interval', T.interval, ['1 year 2 mons 3 days 04:05:06.5', '-3 days', '00:00:00.000001', '100 hours']],
];

let db: PGlite;

/** Runs `select $1::type` in PostgreSQL with a text parameter; returns the binary and text results. */
async function pgRoundTrip(typeName: string, text: string): Promise<{ binary: Buffer; text: string }> {
  const msgs = Buffer.concat([
    serialize.parse({ text: `select $1::${typeName}`, types: [] }),
    serialize.bind({ values: [text], binary: true }),
    serialize.execute({}),
    serialize.bind({ values: [text], binary: false }),
    serialize.execute({}),
    serialize.sync(),
  ]);
  const out = Buffer.from(await db.execProtocolRaw(msgs));
  const cols: Buffer[] = [];
  for (let i = 0; i < out.length;) {
    const code = String.fromCharCode(out[i]!);
    const len = out.readInt32BE(i + 1);
    const body = out.subarray(i + 5, i + 1 + len);
    if (code === 'E') throw new Error(`PostgreSQL error for ${typeName} '${text}': ${body.toString('utf8')}`);
    if (code === 'D') cols.push(body.subarray(6, 6 + body.readInt32BE(2)));
    i += 1 + len;
  }
  return { binary: cols[0]!, text: cols[1]!.toString('utf8') };
}

function encode(t: SqlType, v: Datum): Buffer {
  const w = new MessageWriter();
  BINARY_CODECS[t.id].encode(w, t, v!);
  return w.take() ?? Buffer.alloc(0);
}

beforeAll(async () => {
  db = await PGlite.create();
  await db.exec("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres'");
}, 60_000);

afterAll(async () => {
  await db?.close();
});

describe('binary format matches PostgreSQL', () => {
  for (const [typeName, t, values] of CASES) {
    it(typeName, async () => {
      for (const text of values) {
        const pg = await pgRoundTrip(typeName, text);
        const ours = parseDatum(t, text, DEFAULT_TEXT_IO);
        expect(encode(t, ours).toString('hex'), `${typeName} '${text}' send`).toBe(pg.binary.toString('hex'));
        const received = BINARY_CODECS[t.id].decode(pg.binary, t);
        expect(encode(t, received).toString('hex'), `${typeName} '${text}' receive`).toBe(pg.binary.toString('hex'));
        expect(formatDatum(t, received, DEFAULT_TEXT_IO), `${typeName} '${text}' text`).toBe(pg.text);
      }
    });
  }
});

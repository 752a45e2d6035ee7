// Binary send/receive per type: hand-built bytes, round trips, and the 22P03 size checks.
import { describe, expect, it } from 'vitest';
import { SqlError } from '../../../common/errors/index.ts';
import type { Datum } from '../../../sql/types/datum.ts';
import { Decimal } from '../../../sql/types/decimal.ts';
import { Interval } from '../../../sql/types/interval.ts';
import { T, type SqlType } from '../../../sql/types/sql-type.ts';
import { MessageWriter } from '../message-writer.ts';
import { BINARY_CODECS } from './index.ts';

function enc(t: SqlType, v: Exclude<Datum, null>): number[] {
  const w = new MessageWriter();
  BINARY_CODECS[t.id].encode(w, t, v);
  return [...(w.take() ?? [])];
}
const dec = (t: SqlType, b: number[]): Datum => BINARY_CODECS[t.id].decode(Buffer.from(b), t);

describe('binary codecs', () => {
  it('integers, oid, bool and floats', () => {
    expect(enc(T.int2, -2)).toEqual([0xff, 0xfe]);
    expect(enc(T.int4, 258)).toEqual([0, 0, 1, 2]);
    expect(enc(T.int8, -1n)).toEqual([255, 255, 255, 255, 255, 255, 255, 255]);
    expect(enc({ id: 'oid' }, 0xfffffffe)).toEqual([255, 255, 255, 254]);
    expect(dec({ id: 'oid' }, [255, 255, 255, 254])).toBe(0xfffffffe);
    expect(dec(T.int8, [0x80, 0, 0, 0, 0, 0, 0, 0])).toBe(-9223372036854775808n);
    expect(enc(T.bool, true)).toEqual([1]);
    expect(dec(T.bool, [0])).toBe(false);
    expect(enc(T.float8, 1.5)).toEqual([0x3f, 0xf8, 0, 0, 0, 0, 0, 0]);
    expect(enc(T.float4, 1.5)).toEqual([0x3f, 0xc0, 0, 0]);
    expect(dec(T.float4, [0x3f, 0xc0, 0, 0])).toBe(1.5);
  });

  it('numeric: base-10000 digits, weight, sign and dscale', () => {
    // -12345.678900 as PostgreSQL 15 sends it: ndigits 3, weight 1, NEG, dscale 6, 1 2345 6789.
    const pgBytes = [0, 3, 0, 1, 0x40, 0, 0, 6, 0, 1, 0x09, 0x29, 0x1a, 0x85];
    expect(enc(T.numeric(), Decimal.parse('-12345.678900')!)).toEqual(pgBytes);
    expect((dec(T.numeric(), pgBytes) as Decimal).toString()).toBe('-12345.678900');
    // 0.0001: weight -1, one digit 1, dscale 4.
    expect(enc(T.numeric(), Decimal.parse('0.0001')!)).toEqual([0, 1, 0xff, 0xff, 0, 0, 0, 4, 0, 1]);
    // Zero with scale 2: no digits.
    expect(enc(T.numeric(), Decimal.parse('0.00')!)).toEqual([0, 0, 0, 0, 0, 0, 0, 2]);
    // 10000000: one digit 1000 at weight 1.
    expect(enc(T.numeric(), Decimal.parse('10000000')!)).toEqual([0, 1, 0, 1, 0, 0, 0, 0, 0x03, 0xe8]);
    for (const s of ['0', '1', '-1', '123456789012345678901234567890.000000001', '0.5', '99999999.9999', '-0.000123']) {
      expect((dec(T.numeric(), enc(T.numeric(), Decimal.parse(s)!)) as Decimal).toString()).toBe(s);
    }
    expect(enc(T.numeric(), NaN)).toEqual([0, 0, 0, 0, 0xc0, 0, 0, 0]);
    expect(() => dec(T.numeric(), [0, 1, 0, 0, 0, 0, 0, 0, 0x27, 0x10])).toThrow(/invalid digit/);
  });

  it('date and timestamps count from 2000-01-01', () => {
    expect(enc(T.date, 10_957)).toEqual([0, 0, 0, 0]);
    expect(dec(T.date, [0xff, 0xff, 0xff, 0xff])).toBe(10_956);
    expect(enc(T.timestamp, 946_684_800_000_001n)).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(dec(T.timestamptz, [0, 0, 0, 0, 0, 0, 0, 0])).toBe(946_684_800_000_000n);
    expect(() => dec(T.date, [0x7f, 0xff, 0xff, 0xff])).toThrow(SqlError);
  });

  it('interval: micros, days, months', () => {
    const v = new Interval(14, 3, 14_706_500_000n);
    const b = enc(T.interval, v);
    expect(b).toEqual([0, 0, 0, 3, 0x6c, 0x93, 0x61, 0xa0, 0, 0, 0, 3, 0, 0, 0, 14]);
    expect(dec(T.interval, b)).toEqual(v);
  });

  it('text types are UTF-8, bpchar padded, invalid UTF-8 is 22021', () => {
    expect(enc(T.text, 'é')).toEqual([0xc3, 0xa9]);
    expect(enc(T.char(3), 'a')).toEqual([0x61, 0x20, 0x20]);
    expect(dec(T.varchar(), [0x68, 0x69])).toBe('hi');
    try {
      dec(T.text, [0xff]);
      expect.unreachable();
    } catch (err) {
      expect((err as SqlError).code).toBe('22021');
    }
  });

  it('a wrong size is 22P03', () => {
    for (const t of [T.int2, T.int4, T.int8, T.float4, T.float8, T.bool, T.date, T.timestamp, T.interval]) {
      try {
        dec(t, [1, 2, 3]);
        expect.unreachable();
      } catch (err) {
        expect((err as SqlError).code).toBe('22P03');
      }
    }
  });
});

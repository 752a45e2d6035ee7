// Encoding backend messages, checked against hand-built bytes.
import { describe, expect, it } from 'vitest';
import { SqlError, SqlState } from '../../../common/errors/index.ts';
import { Decimal } from '../../../sql/types/decimal.ts';
import { T } from '../../../sql/types/sql-type.ts';
import { DEFAULT_TEXT_IO } from '../../../sql/types/text-io.ts';
import { BackendCode } from '../message-codes.ts';
import { MessageWriter } from '../message-writer.ts';
import { writeAuthenticationMd5Password, writeAuthenticationOk, writeAuthenticationSasl } from './authentication.ts';
import { writeBackendKeyData } from './backend-key-data.ts';
import { writeCommandComplete } from './command-complete.ts';
import { writeCopyInResponse } from './copy-response.ts';
import { rowEncoding, writeDataRow } from './data-row.ts';
import { writeEmptyBody } from './empty-body.ts';
import { writeErrorResponse, writeNoticeResponse } from './error-response.ts';
import { writeParameterDescription } from './parameter-description.ts';
import { writeParameterStatus } from './parameter-status.ts';
import { writeReadyForQuery } from './ready-for-query.ts';
import { writeRowDescription } from './row-description.ts';

function bytes(fn: (w: MessageWriter) => void): number[] {
  const w = new MessageWriter();
  fn(w);
  return [...w.take()!];
}
const cstr = (s: string): number[] => [...Buffer.from(s, 'utf8'), 0];

describe('backend message encoding', () => {
  it('fixed messages', () => {
    expect(bytes((w) => writeAuthenticationOk(w))).toEqual([0x52, 0, 0, 0, 8, 0, 0, 0, 0]);
    expect(bytes((w) => writeReadyForQuery(w, 'T'))).toEqual([0x5a, 0, 0, 0, 5, 0x54]);
    expect(bytes((w) => writeEmptyBody(w, BackendCode.ParseComplete))).toEqual([0x31, 0, 0, 0, 4]);
    expect(bytes((w) => writeBackendKeyData(w, 258, -1))).toEqual([0x4b, 0, 0, 0, 12, 0, 0, 1, 2, 255, 255, 255, 255]);
    expect(bytes((w) => writeAuthenticationMd5Password(w, Uint8Array.of(1, 2, 3, 4)))).toEqual([0x52, 0, 0, 0, 12, 0, 0, 0, 5, 1, 2, 3, 4]);
  });

  it('string-carrying messages', () => {
    expect(bytes((w) => writeParameterStatus(w, 'a', 'b'))).toEqual([0x53, 0, 0, 0, 8, ...cstr('a'), ...cstr('b')]);
    expect(bytes((w) => writeCommandComplete(w, 'SELECT 1'))).toEqual([0x43, 0, 0, 0, 13, ...cstr('SELECT 1')]);
    expect(bytes((w) => writeAuthenticationSasl(w, ['SCRAM-SHA-256'])))
      .toEqual([0x52, 0, 0, 0, 23, 0, 0, 0, 10, ...cstr('SCRAM-SHA-256'), 0]);
    expect(bytes((w) => writeParameterDescription(w, [T.int4, T.text]))).toEqual([0x74, 0, 0, 0, 14, 0, 2, 0, 0, 0, 23, 0, 0, 0, 25]);
    expect(bytes((w) => writeCopyInResponse(w, 'text', 2))).toEqual([0x47, 0, 0, 0, 11, 0, 0, 2, 0, 0, 0, 0]);
  });

  it('RowDescription with type OID, typlen, typmod and format', () => {
    const got = bytes((w) => writeRowDescription(w, [{ name: 'n', type: T.numeric(15, 2), tableOid: 7, columnNumber: 3 }], Uint8Array.of(1)));
    expect(got).toEqual([
      0x54, 0, 0, 0, 26, 0, 1, ...cstr('n'),
      0, 0, 0, 7, 0, 3, 0, 0, 0x06, 0xa4, 0xff, 0xff, 0x00, 0x0f, 0x00, 0x06, 0, 1, // table 7, col 3, numeric, -1, (15,2)+4, binary
    ]);
  });

  it('DataRow in text and binary, with NULL and multibyte text', () => {
    const enc = rowEncoding([T.int4, T.text, T.numeric(), T.int8], Uint8Array.of(0, 0, 1, 1), DEFAULT_TEXT_IO);
    const got = bytes((w) => writeDataRow(w, [42, 'é', new Decimal(15n, 1), null], enc));
    expect(got).toEqual([
      0x44, 0, 0, 0, 38, 0, 4,
      0, 0, 0, 2, 0x34, 0x32, // '42'
      0, 0, 0, 2, 0xc3, 0xa9, // 'é'
      0, 0, 0, 12, 0, 2, 0, 0, 0, 0, 0, 1, 0, 1, 0x13, 0x88, // 1.5: digits [1, 5000], weight 0, +, dscale 1
      0xff, 0xff, 0xff, 0xff, // NULL
    ]);
  });

  it('ErrorResponse carries every field; NoticeResponse defaults to NOTICE', () => {
    const err = new SqlError(SqlState.UNDEFINED_COLUMN, 'column "x" does not exist', {
      detail: 'd', hint: 'h', position: 8, schema: 's', table: 't', column: 'c', dataType: 'dt', constraint: 'n', where: 'w',
    });
    const got = Buffer.from(bytes((w) => writeErrorResponse(w, err)));
    expect(got[0]).toBe(0x45);
    const body = got.subarray(5).toString('utf8');
    expect(body).toBe(['SERROR', 'VERROR', 'C42703', 'Mcolumn "x" does not exist', 'Dd', 'Hh', 'P8', 'Ww', 'ss', 'tt', 'cc', 'ddt', 'nn', '', ''].join('\0'));
    const notice = Buffer.from(bytes((w) => writeNoticeResponse(w, new SqlError(SqlState.WARNING, 'hi'))));
    expect(notice[0]).toBe(0x4e);
    expect(notice.subarray(5).toString('utf8').startsWith('SNOTICE\0VNOTICE\0C01000\0Mhi\0')).toBe(true);
  });

  it('MessageWriter grows past its initial buffer and take() hands off stable chunks', () => {
    const w = new MessageWriter();
    const long = 'x'.repeat(200_000);
    writeCommandComplete(w, long);
    const first = w.take()!;
    writeCommandComplete(w, 'SELECT 1');
    expect(first.length).toBe(5 + 200_001);
    expect(first.readInt32BE(1)).toBe(4 + 200_001);
    expect(first[5]).toBe(0x78);
    expect(w.take()!.length).toBe(14);
    expect(w.take()).toBeNull();
  });
});

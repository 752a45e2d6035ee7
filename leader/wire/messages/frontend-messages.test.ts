// Decoding frontend messages from hand-built bytes, including one split across two TCP chunks.
import { describe, expect, it } from 'vitest';
import { SqlError } from '../../../common/errors/index.ts';
import { FrameDecoder } from '../frame-decoder.ts';
import { decodeBind } from './bind.ts';
import { decodeClose } from './close.ts';
import { decodeCopyFail } from './copy-fail.ts';
import { decodeDescribe } from './describe.ts';
import { decodeExecute } from './execute.ts';
import { decodeParse } from './parse.ts';
import { decodePasswordMessage, decodeSaslInitialResponse } from './password-message.ts';
import { decodeQuery } from './query.ts';
import { decodeStartupPacket } from './startup-message.ts';

const cstr = (s: string): number[] => [...Buffer.from(s, 'utf8'), 0];
const i16 = (v: number): number[] => [(v >> 8) & 0xff, v & 0xff];
const i32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];

/** Frames a typed message: code, Int32 length including itself, body. */
function frame(code: string, body: number[]): Buffer {
  return Buffer.from([code.charCodeAt(0), ...i32(body.length + 4), ...body]);
}

function codeOf(fn: () => unknown): string {
  try { fn(); } catch (err) { if (err instanceof SqlError) return err.code; throw err; }
  return 'no error';
}

describe('frontend message decoding', () => {
  it('Parse: name, text and parameter OIDs', () => {
    const body = Buffer.from([...cstr('s1'), ...cstr('select $1::int + 1'), ...i16(2), ...i32(23), ...i32(0)]);
    expect(decodeParse(body)).toEqual({ name: 's1', sql: 'select $1::int + 1', paramOids: [23, 0] });
  });

  it('Bind split across two chunks decodes formats, NULL and values', () => {
    const body = [
      ...cstr('p'), ...cstr('s1'),
      ...i16(2), ...i16(0), ...i16(1), // param formats
      ...i16(3), ...i32(2), ...Buffer.from('42'), ...i32(-1), ...i32(4), ...i32(7),
      ...i16(1), ...i16(1), // result formats: all binary
    ];
    const bytes = frame('B', body);
    const d = new FrameDecoder(1 << 20);
    d.startupPhase = false;
    d.push(bytes.subarray(0, 11));
    expect(d.next()).toBeNull();
    d.push(bytes.subarray(11));
    const f = d.next()!;
    expect(String.fromCharCode(f.code)).toBe('B');
    const m = decodeBind(f.body);
    expect(m.portal).toBe('p');
    expect(m.statement).toBe('s1');
    expect(m.paramFormats).toEqual([0, 1]);
    expect(m.params.map((p) => (p === null ? null : [...p]))).toEqual([[0x34, 0x32], null, [0, 0, 0, 7]]);
    expect(m.resultFormats).toEqual([1]);
  });

  it('Bind rejects a value running past the end and a bad format code', () => {
    expect(codeOf(() => decodeBind(Buffer.from([...cstr(''), ...cstr(''), ...i16(0), ...i16(1), ...i32(10), 1, 2])))).toBe('08P01');
    expect(codeOf(() => decodeBind(Buffer.from([...cstr(''), ...cstr(''), ...i16(1), ...i16(2), ...i16(0), ...i16(0)])))).toBe('08P01');
  });

  it('Describe, Close, Execute, Query, CopyFail', () => {
    expect(decodeDescribe(Buffer.from([0x53, ...cstr('s1')]))).toEqual({ target: 'S', name: 's1' });
    expect(decodeDescribe(Buffer.from([0x50, ...cstr('')]))).toEqual({ target: 'P', name: '' });
    expect(codeOf(() => decodeDescribe(Buffer.from([0x58, ...cstr('')])))).toBe('08P01');
    expect(decodeClose(Buffer.from([0x50, ...cstr('p1')]))).toEqual({ target: 'P', name: 'p1' });
    expect(decodeExecute(Buffer.from([...cstr(''), ...i32(100)]))).toEqual({ portal: '', maxRows: 100 });
    expect(decodeQuery(Buffer.from(cstr('select 1; select 2')))).toBe('select 1; select 2');
    expect(codeOf(() => decodeQuery(Buffer.from('no terminator')))).toBe('08P01');
    expect(codeOf(() => decodeQuery(Buffer.from([...cstr('a'), 0x41])))).toBe('08P01');
    expect(decodeCopyFail(Buffer.from(cstr('boom')))).toBe('boom');
  });

  it('password and SASL messages', () => {
    expect(decodePasswordMessage(Buffer.from(cstr('md5abc')))).toBe('md5abc');
    const first = Buffer.from('n,,n=,r=abc');
    const m = decodeSaslInitialResponse(Buffer.from([...cstr('SCRAM-SHA-256'), ...i32(first.length), ...first]));
    expect(m.mechanism).toBe('SCRAM-SHA-256');
    expect(m.data.toString()).toBe('n,,n=,r=abc');
  });

  it('startup packets: 3.0 parameters, SSL, GSSENC, cancel, unsupported versions', () => {
    const startup = Buffer.from([...i32(196608), ...cstr('user'), ...cstr('alice'), ...cstr('database'), ...cstr('db'), 0]);
    const s = decodeStartupPacket(startup);
    expect(s.kind).toBe('startup');
    if (s.kind === 'startup') expect([...s.parameters]).toEqual([['user', 'alice'], ['database', 'db']]);
    expect(decodeStartupPacket(Buffer.from(i32(80877103)))).toEqual({ kind: 'ssl' });
    expect(decodeStartupPacket(Buffer.from(i32(80877104)))).toEqual({ kind: 'gssenc' });
    expect(decodeStartupPacket(Buffer.from([...i32(80877102), ...i32(1234), ...i32(-5)])))
      .toEqual({ kind: 'cancel', processId: 1234, secretKey: -5 });
    expect(codeOf(() => decodeStartupPacket(Buffer.from([...i32(0x20000), 0])))).toBe('0A000');
    expect(codeOf(() => decodeStartupPacket(Buffer.from([...i32(196608), ...cstr('user')])))).toBe('08P01');
  });
});

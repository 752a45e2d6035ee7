// Framing of frontend bytes: split and coalesced chunks, bogus lengths, unknown types, startup packets.
import { describe, expect, it } from 'vitest';
import { SqlError } from '../../common/errors/index.ts';
import { FrameDecoder, MAX_STARTUP_PACKET_BYTES } from './frame-decoder.ts';

/** 'Q' "select 1\0" built by hand. */
const QUERY = Buffer.from([0x51, 0, 0, 0, 13, ...Buffer.from('select 1'), 0]);
const SYNC = Buffer.from([0x53, 0, 0, 0, 4]);

function typed(): FrameDecoder {
  const d = new FrameDecoder(1024);
  d.startupPhase = false;
  return d;
}

function fatalOf(fn: () => unknown): SqlError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SqlError) return err;
    throw err;
  }
  throw new Error('expected a SqlError');
}

describe('FrameDecoder', () => {
  it('decodes one message in one chunk without copying', () => {
    const d = typed();
    d.push(QUERY);
    const f = d.next()!;
    expect(f.code).toBe(0x51);
    expect(f.body.toString('latin1')).toBe('select 1\0');
    expect(f.body.buffer).toBe(QUERY.buffer);
    expect(d.next()).toBeNull();
    expect(d.bufferedBytes).toBe(0);
  });

  it('reassembles a message split across two chunks at every possible point', () => {
    for (let cut = 1; cut < QUERY.length; cut++) {
      const d = typed();
      d.push(QUERY.subarray(0, cut));
      expect(d.next()).toBeNull();
      d.push(QUERY.subarray(cut));
      const f = d.next()!;
      expect(f.code).toBe(0x51);
      expect(f.body.toString('latin1')).toBe('select 1\0');
      expect(d.next()).toBeNull();
    }
  });

  it('reassembles a message fed one byte at a time', () => {
    const d = typed();
    for (let i = 0; i < QUERY.length - 1; i++) {
      d.push(QUERY.subarray(i, i + 1));
      expect(d.next()).toBeNull();
    }
    d.push(QUERY.subarray(QUERY.length - 1));
    expect(d.next()!.body.toString('latin1')).toBe('select 1\0');
  });

  it('splits many messages arriving in one chunk', () => {
    const d = typed();
    const parts: Buffer[] = [];
    for (let i = 0; i < 1000; i++) parts.push(QUERY, SYNC);
    d.push(Buffer.concat(parts));
    let n = 0;
    for (let f = d.next(); f !== null; f = d.next()) n++;
    expect(n).toBe(2000);
    expect(d.bufferedBytes).toBe(0);
  });

  it('rejects a 2 GB length at once, before its bytes arrive', () => {
    const d = typed();
    d.push(Buffer.from([0x51, 0x7f, 0xff, 0xff, 0xff]));
    const e = fatalOf(() => d.next());
    expect(e.code).toBe('08P01');
    expect(e.severity).toBe('FATAL');
  });

  it('rejects lengths below 4 and above the limit', () => {
    for (const len of [0, 3, 1024 + 5, 0xffffffff]) {
      const d = typed();
      const b = Buffer.alloc(5);
      b[0] = 0x51;
      b.writeUInt32BE(len, 1);
      d.push(b);
      expect(fatalOf(() => d.next()).code).toBe('08P01');
    }
  });

  it('rejects an unknown message type from its first byte', () => {
    const d = typed();
    d.push(Buffer.from([0x21, 0, 0, 0, 4]));
    expect(fatalOf(() => d.next()).message).toMatch(/invalid frontend message type 33/);
  });

  it('reads untyped startup packets and bounds their length', () => {
    const d = new FrameDecoder(1024);
    const ssl = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
    d.push(ssl.subarray(0, 3));
    expect(d.next()).toBeNull();
    d.push(ssl.subarray(3));
    const f = d.next()!;
    expect(f.code).toBe(0);
    expect(f.body.readUInt32BE(0)).toBe(80877103);

    const garbage = typedGarbage();
    const g = new FrameDecoder(1024);
    g.push(garbage);
    expect(fatalOf(() => g.next()).message).toBe('invalid length of startup packet');

    const big = new FrameDecoder(1024);
    const hdr = Buffer.alloc(4);
    hdr.writeUInt32BE(MAX_STARTUP_PACKET_BYTES + 1);
    big.push(hdr);
    expect(fatalOf(() => big.next()).code).toBe('08P01');
  });
});

function typedGarbage(): Buffer {
  return Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
}

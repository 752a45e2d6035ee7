// A bounds-checked cursor over one message body: every overrun is a protocol violation, never a RangeError.
import { SqlError, SqlState } from '../../common/errors/index.ts';

/** Malformed message: PostgreSQL ends the connection with FATAL 08P01. */
export function malformedMessage(what: string): SqlError {
  return new SqlError(SqlState.PROTOCOL_VIOLATION, `invalid message format: ${what}`, { severity: 'FATAL' });
}

/**
 * Reads PostgreSQL wire fields (Int16/Int32 big-endian, NUL-terminated UTF-8 strings, byte runs)
 * from one message body. pg-protocol's BufferReader is not used because it accepts an unterminated
 * string silently and throws RangeError (our bug, XX000) on a short message.
 */
export class MessageReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  /** Bytes not read yet. */
  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.buf.length) throw malformedMessage(`message too short reading ${what}`);
  }

  byte(): number {
    this.need(1, 'a byte');
    return this.buf[this.pos++]!;
  }

  int16(): number {
    this.need(2, 'an Int16');
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  uint16(): number {
    this.need(2, 'an Int16');
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4, 'an Int32');
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  uint32(): number {
    this.need(4, 'an Int32');
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A NUL-terminated UTF-8 string. */
  cstring(): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw malformedMessage('unterminated string');
    const s = this.buf.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return s;
  }

  /** `n` raw bytes as a view into the message (no copy). */
  bytes(n: number): Buffer {
    if (n < 0) throw malformedMessage('negative length');
    this.need(n, `${n} bytes`);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** Everything left, as a view. */
  rest(): Buffer {
    const v = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return v;
  }

  /** Throws unless the whole body was consumed (PostgreSQL's pq_getmsgend). */
  end(): void {
    if (this.pos !== this.buf.length) throw malformedMessage('unexpected bytes at end of message');
  }
}

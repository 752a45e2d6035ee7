// Splits the incoming byte stream into messages: untyped startup packets first, then typed messages.
import { SqlError, SqlState } from '../../common/errors/index.ts';
import { KNOWN_FRONTEND_CODES, codeName } from './message-codes.ts';

/** One complete frontend message. `code` is 0 for an untyped startup-phase packet. */
export interface Frame {
  readonly code: number;
  /** The body after the length word; a view into the received bytes when they arrived in one chunk. */
  readonly body: Buffer;
}

/** PostgreSQL's MAX_STARTUP_PACKET_LENGTH. */
export const MAX_STARTUP_PACKET_BYTES = 10_000;

function fatal(message: string): SqlError {
  return new SqlError(SqlState.PROTOCOL_VIOLATION, message, { severity: 'FATAL' });
}

/**
 * Incremental framing. Received chunks are queued as they are (no concatenation); a message is copied
 * only when it straddles chunks, and only once all its bytes have arrived, so a bogus length never
 * causes an allocation. Lengths are checked as soon as the header is complete: below 4 or above
 * the current limit is FATAL 08P01, as is a type byte that no frontend message uses.
 * @see https://www.postgresql.org/docs/15/protocol-overview.html#PROTOCOL-MESSAGE-CONCEPTS
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private head = 0; // index of the first chunk still holding unread bytes
  private offset = 0; // read position inside chunks[head]
  private buffered = 0;
  /** True until the startup packet was accepted: packets then carry no type byte. */
  startupPhase = true;
  /** Largest body (bytes after the length word) accepted now; lowered before authentication. */
  maxBodyBytes: number;

  constructor(maxBodyBytes: number) {
    this.maxBodyBytes = maxBodyBytes;
  }

  /** Bytes received and not yet returned as frames. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Queues a received chunk. */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  private byteAt(i: number): number {
    let idx = this.head;
    let off = this.offset + i;
    while (off >= this.chunks[idx]!.length) {
      off -= this.chunks[idx]!.length;
      idx++;
    }
    return this.chunks[idx]![off]!;
  }

  private uint32At(i: number): number {
    return ((this.byteAt(i) << 24) | (this.byteAt(i + 1) << 16) | (this.byteAt(i + 2) << 8) | this.byteAt(i + 3)) >>> 0;
  }

  /**
   * The next complete message, or null when more bytes are needed. Throws FATAL 08P01 on a bogus
   * length or unknown type byte; the connection must then be closed.
   */
  next(): Frame | null {
    const typed = !this.startupPhase;
    const headerLen = typed ? 5 : 4;
    if (this.buffered < headerLen) return null;
    const code = typed ? this.byteAt(0) : 0;
    if (typed && KNOWN_FRONTEND_CODES[code] !== 1) throw fatal(`invalid frontend message type ${code} (${codeName(code)})`);
    const len = this.uint32At(typed ? 1 : 0);
    if (!typed) {
      if (len < 8 || len > MAX_STARTUP_PACKET_BYTES) throw fatal('invalid length of startup packet');
    } else if (len < 4 || len - 4 > this.maxBodyBytes) {
      throw fatal(`invalid message length ${len} for message type ${codeName(code)}`);
    }
    const total = (typed ? 1 : 0) + len;
    if (this.buffered < total) return null;
    const body = this.take(total).subarray(headerLen);
    return { code, body };
  }

  /** Removes `n` buffered bytes (n ≤ buffered), copying only when they straddle chunks. */
  private take(n: number): Buffer {
    const first = this.chunks[this.head]!;
    let out: Buffer;
    if (first.length - this.offset >= n) {
      out = first.subarray(this.offset, this.offset + n);
      this.offset += n;
    } else {
      out = Buffer.allocUnsafe(n);
      let copied = 0;
      while (copied < n) {
        const c = this.chunks[this.head]!;
        const avail = c.length - this.offset;
        const k = Math.min(avail, n - copied);
        c.copy(out, copied, this.offset, this.offset + k);
        copied += k;
        this.offset += k;
        if (this.offset === c.length && copied < n) { this.head++; this.offset = 0; }
      }
    }
    if (this.offset === this.chunks[this.head]!.length) { this.head++; this.offset = 0; }
    this.buffered -= n;
    // Compact the chunk list now and then instead of shifting on every message.
    if (this.head === this.chunks.length) { this.chunks = []; this.head = 0; }
    else if (this.head > 64) { this.chunks = this.chunks.slice(this.head); this.head = 0; }
    return out;
  }

  /** Everything still buffered (used to detect bytes sent after SSLRequest before the TLS handshake). */
  drain(): Buffer {
    const rest = this.buffered === 0 ? Buffer.alloc(0) : this.take(this.buffered);
    return rest;
  }
}

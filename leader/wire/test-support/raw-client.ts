// A byte-level PostgreSQL client for tests that need to send malformed or hand-built messages.
import { connect, type Socket } from 'node:net';
import { serialize } from 'pg-protocol';

/** One backend message as received. */
export interface BackendMessage {
  readonly code: string;
  readonly body: Buffer;
}

/** Decoded ErrorResponse/NoticeResponse fields keyed by their type letter. */
export function errorFields(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < body.length && body[i] !== 0) {
    const key = String.fromCharCode(body[i]!);
    const end = body.indexOf(0, i + 1);
    out[key] = body.toString('utf8', i + 1, end);
    i = end + 1;
  }
  return out;
}

/** A raw socket plus a parser for backend messages. */
export class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  /** True once the server closed the socket. */
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => { this.buf = Buffer.concat([this.buf, d]); this.wake(); });
    socket.on('close', () => { this.closed = true; this.wake(); });
    socket.on('error', () => undefined);
  }

  static async connect(port: number): Promise<RawClient> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
    return new RawClient(socket);
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  private async waitData(ms: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('RawClient: timed out waiting for data')), ms);
      this.waiters.push(() => { clearTimeout(t); resolve(); });
    });
  }

  send(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Reads a single unframed byte (the answer to SSLRequest/GSSENCRequest). */
  async readByte(ms = 2_000): Promise<string> {
    while (this.buf.length < 1) {
      if (this.closed) throw new Error('closed');
      await this.waitData(ms);
    }
    const b = this.buf[0]!;
    this.buf = this.buf.subarray(1);
    return String.fromCharCode(b);
  }

  /** The next backend message, or null when the server closed the connection. */
  async next(ms = 2_000): Promise<BackendMessage | null> {
    for (;;) {
      if (this.buf.length >= 5) {
        const len = this.buf.readInt32BE(1);
        if (this.buf.length >= 1 + len) {
          const msg = { code: String.fromCharCode(this.buf[0]!), body: this.buf.subarray(5, 1 + len) };
          this.buf = this.buf.subarray(1 + len);
          return msg;
        }
      }
      if (this.closed) return null;
      await this.waitData(ms);
    }
  }

  /** Reads messages up to and including one with `code`; returns them all. */
  async until(code: string, ms = 2_000): Promise<BackendMessage[]> {
    const out: BackendMessage[] = [];
    for (;;) {
      const m = await this.next(ms);
      if (m === null) throw new Error(`closed before '${code}'; got ${out.map((x) => x.code).join('')}`);
      out.push(m);
      if (m.code === code) return out;
    }
  }

  /** Resolves once the server closed the socket. */
  async waitClosed(ms = 2_000): Promise<void> {
    const until = Date.now() + ms;
    while (!this.closed) {
      if (Date.now() > until) throw new Error('RawClient: server did not close');
      await this.waitData(until - Date.now()).catch(() => undefined);
    }
  }

  /** Sends a StartupMessage and reads through the first ReadyForQuery (trust auth). */
  async startup(user = 'tester', database = 'db'): Promise<BackendMessage[]> {
    this.send(serialize.startup({ user, database }));
    return this.until('Z');
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A startup-phase packet: Int32 length, Int32 code, extra Int32s. */
export function startupPacket(code: number, ...ints: number[]): Buffer {
  const b = Buffer.alloc(8 + ints.length * 4);
  b.writeInt32BE(b.length, 0);
  b.writeUInt32BE(code, 4);
  ints.forEach((v, i) => b.writeInt32BE(v, 8 + i * 4));
  return b;
}

// Writes encoded backend messages to the socket in large chunks and waits for 'drain' when asked.
import type { Duplex } from 'node:stream';
import { MessageWriter } from './message-writer.ts';

/** Hand buffered output to the socket once this much has accumulated mid-result. */
const FLUSH_THRESHOLD_BYTES = 64 * 1024;

/**
 * The output side of a connection. Messages accumulate in `w` and go to the socket on `flush()`
 * (ReadyForQuery, Flush, CopyInResponse, authentication requests) or `maybeFlush()` (mid-result,
 * past 64 KiB). When `socket.write` returns false the next `maybeFlush`/`flush` awaits 'drain', so a
 * client that reads slowly makes the producer (the session's cursor) wait instead of buffering the
 * whole result in memory. After the socket closes, writes are dropped and waits return at once.
 */
export class SocketOutput {
  readonly w = new MessageWriter();
  private socket: Duplex;
  private needDrain = false;
  private closed = false;
  private drainWaiters: Array<() => void> = [];
  private readonly onDrain = (): void => {
    this.needDrain = false;
    this.release();
  };
  private readonly onClose = (): void => {
    this.closed = true;
    this.release();
  };

  constructor(socket: Duplex) {
    this.socket = socket;
    this.attach();
  }

  private attach(): void {
    this.socket.on('drain', this.onDrain);
    this.socket.on('close', this.onClose);
  }

  private release(): void {
    const ws = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of ws) w();
  }

  /** Writes to another stream from now on (the TLS socket after an SSLRequest upgrade). */
  switchTo(socket: Duplex): void {
    this.socket.off('drain', this.onDrain);
    this.socket.off('close', this.onClose);
    this.socket = socket;
    this.needDrain = false;
    this.attach();
  }

  /** True once the socket closed: further output is discarded. */
  get isClosed(): boolean {
    return this.closed || this.socket.destroyed || this.socket.writableEnded;
  }

  /** Sends everything buffered now, without waiting. */
  send(): void {
    const chunk = this.w.take();
    if (chunk === null || this.isClosed) return;
    if (!this.socket.write(chunk)) this.needDrain = true;
  }

  /** Sends everything buffered and waits until the socket accepted it. */
  async flush(): Promise<void> {
    this.send();
    await this.waitDrain();
  }

  /** Sends when past the threshold, then waits for 'drain' if the socket is backed up. */
  async maybeFlush(): Promise<void> {
    if (this.w.length >= FLUSH_THRESHOLD_BYTES) this.send();
    await this.waitDrain();
  }

  private waitDrain(): Promise<void> | void {
    if (!this.needDrain || this.isClosed) return;
    return new Promise<void>((resolve) => { this.drainWaiters.push(resolve); });
  }

  /** Sends what is buffered and half-closes the socket. */
  end(): void {
    this.send();
    if (!this.isClosed) this.socket.end();
  }
}

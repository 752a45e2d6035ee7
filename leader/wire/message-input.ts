// Pull-based reading of frontend messages from a socket, with input backpressure (pause/resume).
import type { Duplex } from 'node:stream';
import { FrameDecoder, type Frame } from './frame-decoder.ts';

/** Stop reading from the socket once this much is queued and the connection is busy. */
const INPUT_HIGH_WATER_BYTES = 1024 * 1024;

/**
 * Feeds socket chunks into a FrameDecoder and lets the connection `await next()` one message at a
 * time. While the connection works (running a query, absorbing COPY data) and more than 1 MiB waits
 * unread, the socket is paused; it is resumed whenever the connection asks for a message that has
 * not fully arrived, so a message larger than the high-water mark can never deadlock.
 */
export class MessageInput {
  readonly decoder: FrameDecoder;
  private socket: Duplex;
  private waiter: ((v: void) => void) | null = null;
  private ended = false;
  private paused = false;
  private readonly onData = (chunk: Buffer): void => {
    this.decoder.push(chunk);
    if (this.decoder.bufferedBytes > INPUT_HIGH_WATER_BYTES && this.waiter === null) {
      this.paused = true;
      this.socket.pause();
    }
    this.wake();
  };
  private readonly onEnd = (): void => {
    this.ended = true;
    this.wake();
  };

  constructor(socket: Duplex, maxBodyBytes: number) {
    this.decoder = new FrameDecoder(maxBodyBytes);
    this.socket = socket;
    this.attach();
  }

  private attach(): void {
    this.socket.on('data', this.onData);
    this.socket.on('end', this.onEnd);
    this.socket.on('close', this.onEnd);
  }

  private detach(): void {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    if (w !== null) w();
  }

  /** Reads from another stream from now on (the TLS socket after an SSLRequest upgrade). */
  switchTo(socket: Duplex): void {
    this.detach();
    this.socket = socket;
    this.ended = false;
    this.paused = false;
    this.attach();
  }

  /** Stops listening to the current socket (before handing it to a TLS wrapper). */
  release(): void {
    this.detach();
    this.socket.pause();
  }

  /** True when a complete message is already buffered (no socket wait needed). */
  hasBufferedBytes(): boolean {
    return this.decoder.bufferedBytes > 0;
  }

  /**
   * The next message, or null at end of stream. A partial message at EOF counts as end of stream
   * (`truncated` tells). Throws the decoder's FATAL 08P01 on bogus framing.
   */
  async next(): Promise<Frame | null> {
    for (;;) {
      const frame = this.decoder.next();
      if (frame !== null) return frame;
      if (this.ended) return null;
      if (this.paused) {
        this.paused = false;
        this.socket.resume();
      }
      await new Promise<void>((resolve) => { this.waiter = resolve; });
    }
  }

  /** True when the stream ended in the middle of a message. */
  get truncated(): boolean {
    return this.ended && this.decoder.bufferedBytes > 0;
  }
}

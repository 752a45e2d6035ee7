// Request/response with streamed answers over one TCP connection between two Colonnade processes.
import type { Socket } from 'node:net';
import { SqlError, SqlState, isSerializedSqlError } from '../../common/errors/index.ts';
import type { Logger } from '../../common/log.ts';
import { fromTaggedJson, toTaggedJson } from '../../common/tagged-json.ts';
import { FRAME_HEADER_BYTES, FrameDecoder, FrameKind, MAX_FRAME_BYTES, encodeFrame, encodeFrameHeader, type Frame } from './frame.ts';

/** What a request handler gets besides its params. */
export interface RpcContext {
  /** Fires when the requester cancels or the connection drops. */
  readonly signal: AbortSignal;
  /**
   * Streams one chunk of the answer. Resolves once the requester has room for more
   * (at most {@link DATA_WINDOW} unacknowledged chunks are in flight).
   */
  sendData(chunk: Uint8Array): Promise<void>;
  /** The request's binary body (see {@link RequestOptions.body}); empty when none was sent. */
  readonly body: Uint8Array;
}

/** Serves requests arriving on a peer. The returned value is the Response. */
export type RpcHandler = (method: string, params: unknown, ctx: RpcContext) => Promise<unknown>;

/** Options for {@link RpcPeer.request}. */
export interface RequestOptions {
  signal?: AbortSignal;
  /** Receives Data chunks in order; the next chunk waits until the returned promise settles. */
  onData?: (chunk: Uint8Array) => void | Promise<void>;
  /** Bytes sent after the JSON params, unparsed (bulk data such as Arrow record batches). */
  body?: Uint8Array;
}

/** Unacknowledged Data chunks a sender may have in flight per stream. */
export const DATA_WINDOW = 8;

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  onData?: (chunk: Uint8Array) => void | Promise<void>;
  /** Serialises onData calls so chunks are consumed in order. */
  chain: Promise<void>;
  detachAbort?: () => void;
}

interface Serving {
  abort: AbortController;
  inFlight: number;
  waiters: (() => void)[];
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** One end of a node-to-node connection; both ends can send requests. */
export class RpcPeer {
  private readonly decoder = new FrameDecoder();
  private readonly pending = new Map<number, Pending>();
  private readonly serving = new Map<number, Serving>();
  private nextStreamId: number;
  private closedError: SqlError | null = null;
  private readonly closeListeners: ((err: SqlError) => void)[] = [];

  /**
   * @param isInitiator the side that dialled uses odd stream ids, the other even, so ids never clash.
   */
  constructor(
    private readonly socket: Socket,
    private readonly handler: RpcHandler | null,
    private readonly log: Logger,
    isInitiator: boolean,
    private readonly peerName = 'peer',
  ) {
    this.nextStreamId = isInitiator ? 1 : 2;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onChunk(chunk));
    socket.on('error', (err) => this.shutdown(new SqlError(SqlState.CONNECTION_FAILURE, `connection to ${this.peerName} failed: ${err.message}`)));
    socket.on('close', () => this.shutdown(new SqlError(SqlState.CONNECTION_FAILURE, `connection to ${this.peerName} lost`)));
  }

  get closed(): boolean {
    return this.closedError !== null;
  }

  /** Runs `cb` once when the connection ends (immediately if it already has). */
  onClose(cb: (err: SqlError) => void): void {
    if (this.closedError) cb(this.closedError);
    else this.closeListeners.push(cb);
  }

  /** Sends a request; resolves with the Response, rejects with the remote SqlError or a connection error. */
  request(method: string, params: unknown, opts: RequestOptions = {}): Promise<unknown> {
    if (this.closedError) return Promise.reject(this.closedError);
    const streamId = this.nextStreamId;
    this.nextStreamId = (this.nextStreamId + 2) >>> 0 || (this.nextStreamId & 1 ? 1 : 2);
    return new Promise((resolve, reject) => {
      const p: Pending = { resolve, reject, chain: Promise.resolve() };
      if (opts.onData) p.onData = opts.onData;
      if (opts.signal) {
        const sig = opts.signal;
        if (sig.aborted) {
          reject(abortReason(sig));
          return;
        }
        const onAbort = (): void => {
          if (!this.pending.has(streamId)) return;
          this.pending.delete(streamId);
          this.write(FrameKind.Cancel, streamId, new Uint8Array(0));
          reject(abortReason(sig));
        };
        sig.addEventListener('abort', onAbort, { once: true });
        p.detachAbort = () => sig.removeEventListener('abort', onAbort);
      }
      this.pending.set(streamId, p);
      try {
        this.writeParts(FrameKind.Request, streamId, requestParts(method, params, opts.body));
      } catch (err) {
        this.pending.delete(streamId);
        p.detachAbort?.();
        reject(err);
      }
    });
  }

  /** Closes the connection; pending requests fail. */
  close(): void {
    this.socket.destroy();
    this.shutdown(new SqlError(SqlState.CONNECTION_FAILURE, `connection to ${this.peerName} closed`));
  }

  private write(kind: (typeof FrameKind)[keyof typeof FrameKind], streamId: number, payload: Uint8Array): void {
    if (this.closedError || this.socket.destroyed) return;
    this.socket.write(encodeFrame(kind, streamId, payload));
  }

  /** Writes a frame whose payload is `parts` joined, without joining them (bulk bodies are not copied). */
  private writeParts(kind: (typeof FrameKind)[keyof typeof FrameKind], streamId: number, parts: readonly Uint8Array[]): void {
    if (this.closedError || this.socket.destroyed) return;
    let length = 0;
    for (const p of parts) length += p.length;
    if (length + FRAME_HEADER_BYTES > MAX_FRAME_BYTES) throw new SqlError(SqlState.PROGRAM_LIMIT_EXCEEDED, `message of ${length} bytes is too large for the interconnect`);
    this.socket.cork();
    this.socket.write(encodeFrameHeader(kind, streamId, length));
    for (const p of parts) if (p.length > 0) this.socket.write(p);
    this.socket.uncork();
  }

  private onChunk(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.log.warn({ err, peer: this.peerName }, 'malformed frame; dropping connection');
      this.socket.destroy();
      this.shutdown(new SqlError(SqlState.PROTOCOL_VIOLATION, `malformed frame from ${this.peerName}`));
      return;
    }
    for (const f of frames) this.onFrame(f);
  }

  private onFrame(f: Frame): void {
    switch (f.kind) {
      case FrameKind.Request: this.serve(f); break;
      case FrameKind.Cancel: this.serving.get(f.streamId)?.abort.abort(); break;
      case FrameKind.Ack: {
        const s = this.serving.get(f.streamId);
        if (s) {
          s.inFlight--;
          s.waiters.shift()?.();
        }
        break;
      }
      case FrameKind.Data: {
        const p = this.pending.get(f.streamId);
        if (!p) break;
        const streamId = f.streamId;
        const payload = f.payload;
        p.chain = p.chain.then(async () => {
          if (p.onData) await p.onData(payload);
          this.write(FrameKind.Ack, streamId, new Uint8Array(0));
        }).catch((err: unknown) => {
          // The consumer failed: cancel the stream and surface the error.
          if (this.pending.delete(streamId)) {
            this.write(FrameKind.Cancel, streamId, new Uint8Array(0));
            p.detachAbort?.();
            p.reject(err);
          }
        });
        break;
      }
      case FrameKind.Response:
      case FrameKind.Error: {
        const p = this.pending.get(f.streamId);
        if (!p) break;
        const body = parsePayload(f.payload);
        const isError = f.kind === FrameKind.Error;
        void p.chain.then(() => {
          if (!this.pending.delete(f.streamId)) return;
          p.detachAbort?.();
          if (isError) p.reject(isSerializedSqlError(body) ? SqlError.fromJSON(body) : new SqlError(SqlState.INTERNAL_ERROR, 'malformed remote error'));
          else p.resolve(body);
        });
        break;
      }
    }
  }

  private serve(f: Frame): void {
    const streamId = f.streamId;
    const s: Serving = { abort: new AbortController(), inFlight: 0, waiters: [] };
    this.serving.set(streamId, s);
    let req: { method?: unknown; params?: unknown } | null = null;
    let body: Uint8Array = EMPTY;
    let malformed = false;
    try {
      ({ req, body } = parseRequest(f.payload));
    } catch {
      malformed = true;
    }
    const ctx: RpcContext = {
      signal: s.abort.signal,
      body,
      sendData: async (chunk) => {
        if (s.abort.signal.aborted) throw abortReason(s.abort.signal);
        s.inFlight++;
        this.write(FrameKind.Data, streamId, chunk);
        if (s.inFlight >= DATA_WINDOW) await new Promise<void>((r) => s.waiters.push(r));
        if (s.abort.signal.aborted) throw abortReason(s.abort.signal);
      },
    };
    const run = async (): Promise<unknown> => {
      if (malformed || !req || typeof req.method !== 'string') throw new SqlError(SqlState.PROTOCOL_VIOLATION, 'malformed request');
      if (!this.handler) throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `${this.peerName} serves no requests`);
      return this.handler(req.method, req.params, ctx);
    };
    run().then(
      (result) => this.write(FrameKind.Response, streamId, enc.encode(toTaggedJson(result ?? null))),
      (err: unknown) => {
        const e = SqlError.from(err);
        if (!(err instanceof SqlError)) this.log.error({ err }, 'request handler failed');
        this.write(FrameKind.Error, streamId, enc.encode(JSON.stringify(e.toJSON())));
      },
    ).finally(() => {
      this.serving.delete(streamId);
      for (const w of s.waiters) w();
    });
  }

  private shutdown(err: SqlError): void {
    if (this.closedError) return;
    this.closedError = err;
    for (const [, p] of this.pending) {
      p.detachAbort?.();
      p.reject(err);
    }
    this.pending.clear();
    for (const [, s] of this.serving) {
      s.abort.abort(err);
      for (const w of s.waiters) w();
    }
    this.serving.clear();
    for (const cb of this.closeListeners.splice(0)) cb(err);
  }
}

const EMPTY = new Uint8Array(0);

/** A Request frame's payload: u32 (LE) length of the JSON part, the tagged JSON, then the body. */
function requestParts(method: string, params: unknown, body: Uint8Array | undefined): Uint8Array[] {
  const json = enc.encode(toTaggedJson({ method, params }));
  const head = new Uint8Array(4 + json.length);
  new DataView(head.buffer).setUint32(0, json.length, true);
  head.set(json, 4);
  return body ? [head, body] : [head];
}

function parseRequest(payload: Uint8Array): { req: { method?: unknown; params?: unknown } | null; body: Uint8Array } {
  if (payload.length < 4) throw new Error('short request');
  const n = new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(0, true);
  if (4 + n > payload.length) throw new Error('bad request length');
  const req = parsePayload(payload.subarray(4, 4 + n)) as { method?: unknown; params?: unknown } | null;
  return { req, body: payload.subarray(4 + n) };
}

function parsePayload(payload: Uint8Array): unknown {
  return payload.length === 0 ? null : fromTaggedJson(dec.decode(payload));
}

function abortReason(signal: AbortSignal): SqlError {
  const r: unknown = signal.reason;
  if (r instanceof SqlError) return r;
  return new SqlError(SqlState.QUERY_CANCELED, 'canceling statement due to user request');
}

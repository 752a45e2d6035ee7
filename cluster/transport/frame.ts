// Node-to-node frames: [u32 length of the rest][u8 kind][u32 stream id][payload].
//
// A stream id names one request and everything that answers it. Kinds:
//   Request  (JSON {method, params})     opens stream id (chosen by the requester)
//   Response (JSON result)               closes it successfully
//   Error    (JSON SerializedSqlError)   closes it with an error
//   Data     (raw bytes)                 one chunk of a streamed answer, before Response
//   Cancel   (empty)                     the requester gives up; the handler's AbortSignal fires
//   Ack      (empty)                     the requester consumed a Data chunk (flow control)

export const FrameKind = { Request: 1, Response: 2, Error: 3, Data: 4, Cancel: 5, Ack: 6 } as const;
export type FrameKindCode = (typeof FrameKind)[keyof typeof FrameKind];

/** Bytes before the payload. */
export const FRAME_HEADER_BYTES = 9;

/** Frames larger than this are a protocol error (a corrupt or hostile peer), not an allocation. */
export const MAX_FRAME_BYTES = 512 * 1024 * 1024;

/** One decoded frame. */
export interface Frame {
  readonly kind: FrameKindCode;
  readonly streamId: number;
  readonly payload: Uint8Array;
}

/** Encodes one frame into a single buffer. */
export function encodeFrame(kind: FrameKindCode, streamId: number, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  writeFrameHeader(out, kind, streamId, payload.length);
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

/** The header alone of a frame whose payload (`payloadLength` bytes) is written after it separately. */
export function encodeFrameHeader(kind: FrameKindCode, streamId: number, payloadLength: number): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  writeFrameHeader(out, kind, streamId, payloadLength);
  return out;
}

function writeFrameHeader(out: Buffer, kind: FrameKindCode, streamId: number, payloadLength: number): void {
  out.writeUInt32BE(payloadLength + 5, 0);
  out.writeUInt8(kind, 4);
  out.writeUInt32BE(streamId, 5);
}

/**
 * Incremental decoder: feed socket chunks, get whole frames. Keeps a list of pending chunks and
 * joins only when a frame is complete, so many small chunks cost no quadratic copying.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  /** Adds a chunk and returns every frame now complete. Throws on a bad length. */
  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Frame[] = [];
    for (;;) {
      if (this.buffered < 4) break;
      const head = this.peek(4);
      const len = head.readUInt32BE(0);
      if (len < 5 || len > MAX_FRAME_BYTES) throw new Error(`bad frame length ${len}`);
      if (this.buffered < len + 4) break;
      const whole = this.take(len + 4);
      const kind = whole.readUInt8(4);
      if (kind < 1 || kind > 6) throw new Error(`bad frame kind ${kind}`);
      frames.push({ kind: kind as FrameKindCode, streamId: whole.readUInt32BE(5), payload: whole.subarray(FRAME_HEADER_BYTES) });
    }
    return frames;
  }

  private peek(n: number): Buffer {
    if (this.chunks[0]!.length >= n) return this.chunks[0]!;
    return Buffer.concat(this.chunks).subarray(0, n);
  }

  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return out;
    }
    const all = Buffer.concat(this.chunks);
    const out = all.subarray(0, n);
    this.chunks = all.length > n ? [all.subarray(n)] : [];
    this.buffered -= n;
    return out;
  }
}

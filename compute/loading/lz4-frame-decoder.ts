// A streaming decoder of the LZ4 frame format (the `.lz4` files of the lz4 tool), in plain TypeScript.
//
// lz4-napi only decodes whole frames held in memory; COPY input can be larger than memory, so this
// decoder takes input in chunks of any size and returns each decoded block as it completes.
// Linked blocks (block dependency) are supported by decoding into a buffer that keeps the last
// 64 KiB of output in front of the block. Checksums are skipped, not verified.
// @see https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md
import { SqlError, SqlState } from '../../common/errors/index.ts';

const MAGIC = 0x184d2204;
const SKIPPABLE_MIN = 0x184d2a50;
const SKIPPABLE_MAX = 0x184d2a5f;
const WINDOW = 64 * 1024;
const BLOCK_MAX: Record<number, number> = { 4: 64 * 1024, 5: 256 * 1024, 6: 1024 * 1024, 7: 4 * 1024 * 1024 };

const S_MAGIC = 0;
const S_DESCRIPTOR = 1;
const S_BLOCK_SIZE = 2;
const S_BLOCK = 3;
const S_CONTENT_CHECKSUM = 4;
const S_SKIP_SIZE = 5;
const S_SKIP = 6;

function corrupt(what: string): SqlError {
  return new SqlError(SqlState.BAD_COPY_FILE_FORMAT, `invalid LZ4 input: ${what}`);
}

/** Decodes concatenated LZ4 frames (and skippable frames) pushed in chunks. */
export class Lz4FrameDecoder {
  private input = new Uint8Array(64 * 1024);
  private inStart = 0;
  private inEnd = 0;
  private state = S_MAGIC;
  private blockChecksum = false;
  private contentChecksum = false;
  private blockMax = WINDOW;
  private blockSize = 0;
  private blockRaw = false;
  private skipLeft = 0;
  /** Decoded history (last WINDOW bytes) followed by room for one block. */
  private out = new Uint8Array(0);
  private outLen = 0;
  private frames = 0;

  /** Feeds compressed bytes; returns the decoded bytes that became available (fresh arrays). */
  push(chunk: Uint8Array): Uint8Array[] {
    this.append(chunk);
    const produced: Uint8Array[] = [];
    for (;;) {
      const block = this.step();
      if (block === null) break;
      if (block.length > 0) produced.push(block);
    }
    return produced;
  }

  /** Ends the input; throws 22P04 when it stopped inside a frame. */
  end(): void {
    if (this.state !== S_MAGIC || this.inEnd !== this.inStart) throw corrupt('truncated LZ4 frame');
    if (this.frames === 0) throw corrupt('empty input');
  }

  private append(chunk: Uint8Array): void {
    const pending = this.inEnd - this.inStart;
    if (this.inEnd + chunk.length > this.input.length) {
      if (pending + chunk.length <= this.input.length && this.inStart > 0) {
        this.input.copyWithin(0, this.inStart, this.inEnd);
      } else {
        let size = this.input.length * 2;
        while (size < pending + chunk.length) size *= 2;
        const grown = new Uint8Array(size);
        grown.set(this.input.subarray(this.inStart, this.inEnd));
        this.input = grown;
      }
      this.inStart = 0;
      this.inEnd = pending;
    }
    this.input.set(chunk, this.inEnd);
    this.inEnd += chunk.length;
  }

  private available(): number {
    return this.inEnd - this.inStart;
  }

  private u32(at: number): number {
    const b = this.input;
    return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
  }

  /** Advances the state machine by one step; returns a decoded block, an empty array for progress without output, or null when more input is needed. */
  private step(): Uint8Array | null {
    const EMPTY = new Uint8Array(0);
    switch (this.state) {
      case S_MAGIC: {
        if (this.available() < 4) return null;
        const magic = this.u32(this.inStart);
        this.inStart += 4;
        if (magic === MAGIC) { this.state = S_DESCRIPTOR; return EMPTY; }
        if (magic >= SKIPPABLE_MIN && magic <= SKIPPABLE_MAX) { this.state = S_SKIP_SIZE; return EMPTY; }
        throw corrupt('not an LZ4 frame (bad magic number)');
      }
      case S_DESCRIPTOR: {
        if (this.available() < 2) return null;
        const flg = this.input[this.inStart]!;
        const bd = this.input[this.inStart + 1]!;
        const len = 3 + ((flg & 0x08) !== 0 ? 8 : 0) + ((flg & 0x01) !== 0 ? 4 : 0);
        if (this.available() < len) return null;
        if ((flg >> 6) !== 1) throw corrupt('unsupported frame version');
        if ((flg & 0x01) !== 0) throw corrupt('frames with a dictionary ID are not supported');
        const max = BLOCK_MAX[(bd >> 4) & 7];
        if (max === undefined) throw corrupt('bad block maximum size');
        this.blockChecksum = (flg & 0x10) !== 0;
        this.contentChecksum = (flg & 0x04) !== 0;
        this.blockMax = max;
        if (this.out.length < WINDOW + max) {
          const grown = new Uint8Array(WINDOW + max);
          grown.set(this.out.subarray(0, this.outLen));
          this.out = grown;
        }
        this.outLen = 0; // a new frame starts without history
        this.inStart += len;
        this.state = S_BLOCK_SIZE;
        return EMPTY;
      }
      case S_BLOCK_SIZE: {
        if (this.available() < 4) return null;
        const v = this.u32(this.inStart);
        this.inStart += 4;
        if (v === 0) {
          this.frames++;
          this.state = this.contentChecksum ? S_CONTENT_CHECKSUM : S_MAGIC;
          return EMPTY;
        }
        this.blockRaw = (v & 0x80000000) !== 0;
        this.blockSize = v & 0x7fffffff;
        if (this.blockSize > this.blockMax) throw corrupt('block larger than the frame allows');
        this.state = S_BLOCK;
        return EMPTY;
      }
      case S_BLOCK: {
        const need = this.blockSize + (this.blockChecksum ? 4 : 0);
        if (this.available() < need) return null;
        const src = this.input.subarray(this.inStart, this.inStart + this.blockSize);
        this.inStart += need;
        this.state = S_BLOCK_SIZE;
        return this.decodeBlock(src);
      }
      case S_CONTENT_CHECKSUM: {
        if (this.available() < 4) return null;
        this.inStart += 4;
        this.state = S_MAGIC;
        return EMPTY;
      }
      case S_SKIP_SIZE: {
        if (this.available() < 4) return null;
        this.skipLeft = this.u32(this.inStart);
        this.inStart += 4;
        this.state = S_SKIP;
        return EMPTY;
      }
      default: { // S_SKIP
        const n = Math.min(this.skipLeft, this.available());
        this.inStart += n;
        this.skipLeft -= n;
        if (this.skipLeft > 0) return null;
        this.frames++;
        this.state = S_MAGIC;
        return EMPTY;
      }
    }
  }

  /** Decodes one block after the history and returns a copy of its output. */
  private decodeBlock(src: Uint8Array): Uint8Array {
    // Keep at most WINDOW bytes of history in front.
    if (this.outLen > WINDOW) {
      this.out.copyWithin(0, this.outLen - WINDOW, this.outLen);
      this.outLen = WINDOW;
    }
    const dst = this.out;
    const start = this.outLen;
    let op = start;
    if (this.blockRaw) {
      dst.set(src, op);
      op += src.length;
    } else {
      op = decodeLz4Block(src, dst, op, dst.length);
    }
    this.outLen = op;
    return dst.slice(start, op);
  }
}

/**
 * Decodes one LZ4 block (sequence format) from `src` into dst[op, limit); matches may reach back
 * into dst before `op` (the history). Returns the new output end; throws 22P04 on corrupt input.
 */
export function decodeLz4Block(src: Uint8Array, dst: Uint8Array, op: number, limit: number): number {
  let ip = 0;
  const iend = src.length;
  while (ip < iend) {
    const token = src[ip++]!;
    let lit = token >>> 4;
    if (lit === 15) {
      let b: number;
      do {
        if (ip >= iend) throw corrupt('truncated literal length');
        b = src[ip++]!;
        lit += b;
      } while (b === 255);
    }
    if (ip + lit > iend || op + lit > limit) throw corrupt('literal run out of bounds');
    if (lit < 16) for (let k = 0; k < lit; k++) dst[op + k] = src[ip + k]!;
    else dst.set(src.subarray(ip, ip + lit), op);
    ip += lit;
    op += lit;
    if (ip >= iend) break; // the last sequence has literals only
    if (ip + 2 > iend) throw corrupt('truncated match offset');
    const offset = src[ip]! | (src[ip + 1]! << 8);
    ip += 2;
    if (offset === 0 || offset > op) throw corrupt('bad match offset');
    let len = token & 15;
    if (len === 15) {
      let b: number;
      do {
        if (ip >= iend) throw corrupt('truncated match length');
        b = src[ip++]!;
        len += b;
      } while (b === 255);
    }
    len += 4;
    if (op + len > limit) throw corrupt('match out of bounds');
    let from = op - offset;
    if (offset >= len) {
      dst.copyWithin(op, from, from + len);
      op += len;
    } else {
      // Overlapping match: byte by byte repeats the last `offset` bytes.
      for (let k = 0; k < len; k++) dst[op++] = dst[from++]!;
    }
  }
  return op;
}

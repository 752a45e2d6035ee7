// Tests for COPY input decompression: gzip, LZ4 frames (independent and linked blocks), zstd adapter, extensions.
import { gzipSync } from 'node:zlib';
import { compressFrameSync } from 'lz4-napi';
import { describe, expect, it } from 'vitest';
import { SqlError } from '../../common/errors/index.ts';
import { compressionForFile, decompressChunks } from './decompress-stream.ts';
import { Lz4FrameDecoder } from './lz4-frame-decoder.ts';

/** 240,314 bytes of text, compressed by the lz4 tool with linked blocks: `lz4 -BD -B4` (1,624 bytes). */
const LINKED_LZ4 = 'BCJNGERAXj8CAAD/CzB8bGlua2VkIGJsb2NrIHBheWxvYWR8MAoxGQADPzMKMhkAAz82CjMZAAM/OQo0GQADTzEyCjUaAAQ/NQo2GgAEPzgKNxoAA08yMQo4GgAEPzQKORoABD83CjEBAQRPMzAKMQMBBT8zCjEFAQRPMzYKMQcBBE8zOQoxCQEETzQyCjEKAQRPNDUKMQsBBE80OAoxDAEETzUxCjENAQRPNTQKMQ4BBE81NwoyDgEETzYwCjIOAQRPNjMKMg4BBE82NgoyDgEETzY5CjIOAQRPNzIKMg4BBE83NQoyDgEETzc4CjIOAQRPODEKMg4BBE84NAoyDgEETzg3CjMOAQRPOTAKMw4BBE85MwozDgEETzk2CjMOAQRPOTkKMw4BBF8xMDIKMw8BBF8xMDUKMxABBE8xMDgKvwAED9wD////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////8VBjayBwYQ0BAAAC7/8PuP7/////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////4lBheWxvYTgCAAD/E2R8NzIKMjV8bGlua2VkIGJsb2NrIHBheWxvYWR8NzUKMjYbAARPOAoyNxsAA184MQoyOBsABE80CjI5GwAETzcKMzAbAANfOTAKMzEbAARPMwozMhsABE82CjMzGwAETzkKMzQbAANfMTAyCjMPAQRfMTA1CjMQAQRPMTA4Cr8ABC8wCr0ABC8zCrsABC82CrkABR8KtwAFLzIKtQAFLzUKswAFLzgKwgEEPzIxCsEBBD8yNArAAQRPMjcKMQEBBE8zMAoxAwEFPzMKMQUBBE8zNgoxBwEETzM5CjEJAQRPNDIKMQoBBE80NQoxCwEETzQ4CjEMAQRPNTEKMQ0BBE81NAoxDgEETzU3CjIOAQRPNjAKMg4BBE82MwoyDgEETzY2CjIOAQRPNjkKMg4BBA/cA/////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////8HUGxvYWR8tQAAAA+4/v///////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////01QZHwyNAoAAAAA343E0Q==';

function linkedText(): string {
  let s = '';
  for (let i = 0; i < 9000; i++) s += `${i % 37}|linked block payload|${(i % 37) * 3}\n`;
  return s;
}

function sample(n = 30_000): Buffer {
  return Buffer.from(Array.from({ length: n }, (_, i) => `${i}|row ${i % 97}|${'x'.repeat(i % 13)}\n`).join(''));
}

async function* chunksOf(b: Uint8Array, n: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < b.length; i += n) yield b.subarray(i, i + n);
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of it) parts.push(c);
  return Buffer.concat(parts);
}

async function errorOf(p: Promise<unknown>): Promise<SqlError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof SqlError) return err;
    throw err;
  }
  throw new Error('expected an error');
}

describe('compressionForFile', () => {
  it('picks by option, then by extension', () => {
    expect(compressionForFile('auto', '/d/x.tbl.gz')).toBe('gzip');
    expect(compressionForFile('auto', '/d/x.csv.zst')).toBe('zstd');
    expect(compressionForFile('auto', '/d/x.lz4')).toBe('lz4');
    expect(compressionForFile('auto', '/d/x.tbl')).toBe('none');
    expect(compressionForFile('auto', undefined)).toBe('none');
    expect(compressionForFile('gzip', '/d/x.tbl')).toBe('gzip');
    expect(compressionForFile('none', '/d/x.gz')).toBe('none');
  });

  it('refuses LZOP and BZIP2 with 0A000', () => {
    expect(() => compressionForFile('auto', '/d/x.lzo')).toThrow(expect.objectContaining({ code: '0A000' }));
    expect(() => compressionForFile('bzip2', '/d/x')).toThrow(expect.objectContaining({ code: '0A000' }));
  });
});

describe('decompressChunks', () => {
  it('gzip, including concatenated members, in small chunks', async () => {
    const raw = sample();
    const gz = Buffer.concat([gzipSync(raw.subarray(0, 1000)), gzipSync(raw.subarray(1000))]);
    expect((await collect(decompressChunks(chunksOf(gz, 333), 'gzip'))).equals(raw)).toBe(true);
  });

  it('gzip corruption is 22P04', async () => {
    const gz = gzipSync(sample(100));
    const err = await errorOf(collect(decompressChunks(chunksOf(gz.subarray(0, gz.length - 20), 50), 'gzip')));
    expect(err.code).toBe('22P04');
    expect((await errorOf(collect(decompressChunks(chunksOf(Buffer.from('not gzip at all'), 4), 'gzip')))).code).toBe('22P04');
  });

  it('LZ4 frames from lz4-napi, split anywhere', async () => {
    const raw = sample();
    const frame = compressFrameSync(raw);
    for (const n of [1, 997, 4096, frame.length]) {
      if (n === 1) {
        // Byte by byte through the decoder directly (an async generator per byte would be slow).
        const small = sample(3000);
        const smallFrame = compressFrameSync(small);
        const dec = new Lz4FrameDecoder();
        const parts: Uint8Array[] = [];
        for (let i = 0; i < smallFrame.length; i++) parts.push(...dec.push(smallFrame.subarray(i, i + 1)));
        dec.end();
        expect(Buffer.concat(parts).equals(small)).toBe(true);
      } else {
        expect((await collect(decompressChunks(chunksOf(frame, n), 'lz4'))).equals(raw), `chunks of ${n}`).toBe(true);
      }
    }
    const two = Buffer.concat([compressFrameSync(raw.subarray(0, 5000)), compressFrameSync(raw.subarray(5000))]);
    expect((await collect(decompressChunks(chunksOf(two, 1000), 'lz4'))).equals(raw)).toBe(true);
  });

  it('LZ4 frames with linked blocks (matches reaching into the previous block)', async () => {
    const frame = Buffer.from(LINKED_LZ4, 'base64');
    expect((await collect(decompressChunks(chunksOf(frame, 100), 'lz4'))).toString()).toBe(linkedText());
  });

  it('LZ4 corruption and truncation are 22P04', async () => {
    const frame = compressFrameSync(sample(2000));
    expect((await errorOf(collect(decompressChunks(chunksOf(frame.subarray(0, frame.length - 10), 64), 'lz4')))).code).toBe('22P04');
    expect((await errorOf(collect(decompressChunks(chunksOf(Buffer.from('garbage!'), 3), 'lz4')))).message).toContain('bad magic');
    const bad = Buffer.from(frame);
    for (let i = 20; i < bad.length - 8; i += 3) bad[i] = 0xff;
    expect((await errorOf(collect(decompressChunks(chunksOf(bad, 64), 'lz4')))).code).toBe('22P04');
  });

  it('zstd without the fzstd package is 0A000', async () => {
    const missing = (): Promise<unknown> => Promise.reject(new Error('Cannot find package fzstd'));
    const err = await errorOf(collect(decompressChunks(chunksOf(Buffer.from('x'), 1), 'zstd', { importer: missing })));
    expect([err.code, err.message]).toEqual(['0A000', 'ZSTD compression is not supported']);
    expect(err.fields.hint).toContain('fzstd@0.1.1');
  });

  it('zstd goes through the fzstd streaming API', async () => {
    // A stand-in with fzstd's Decompress shape: "decompresses" by upper-casing, errors on '!'.
    class Decompress {
      constructor(private readonly ondata: (data: Uint8Array, final: boolean) => void) {}
      push(chunk: Uint8Array, final?: boolean): void {
        if (chunk.includes(0x21)) throw new Error('invalid zstd data');
        this.ondata(new TextEncoder().encode(new TextDecoder().decode(chunk).toUpperCase()), final === true);
      }
    }
    const fake = (): Promise<unknown> => Promise.resolve({ Decompress });
    expect((await collect(decompressChunks(chunksOf(Buffer.from('abc,def\n'), 3), 'zstd', { importer: fake }))).toString()).toBe('ABC,DEF\n');
    const err = await errorOf(collect(decompressChunks(chunksOf(Buffer.from('ab!'), 3), 'zstd', { importer: fake })));
    expect([err.code, err.message]).toEqual(['22P04', 'invalid ZSTD input: invalid zstd data']);
  });
});

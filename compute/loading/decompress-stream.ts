// Decompresses COPY input streams: gzip (node:zlib), LZ4 frames, zstd (optional fzstd); picks by option or extension.
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { SqlError, featureNotSupported, SqlState } from '../../common/errors/index.ts';
import type { CopyCompression } from './copy-options.ts';
import { Lz4FrameDecoder } from './lz4-frame-decoder.ts';
import { createZstdStream, type ModuleImporter } from './zstd-decoder.ts';

/** A compression actually applied to a file. */
export type ResolvedCompression = 'none' | 'gzip' | 'zstd' | 'lz4' | 'bzip2';

const BY_EXTENSION: readonly [RegExp, ResolvedCompression | 'lzop'][] = [
  [/\.(gz|gzip)$/i, 'gzip'], [/\.(zst|zstd)$/i, 'zstd'], [/\.lz4$/i, 'lz4'], [/\.(bz2|bzip2)$/i, 'bzip2'], [/\.lzo$/i, 'lzop'],
];

/**
 * The compression of `fileName` under option `compression`: an explicit GZIP/ZSTD/LZ4/BZIP2
 * wins; 'auto' looks at the extension (.gz, .zst, .lz4, .bz2); STDIN (no name) is uncompressed.
 * Throws 0A000 for LZOP (.lzo) and BZIP2, which have no decoder here.
 */
export function compressionForFile(compression: CopyCompression, fileName: string | undefined): ResolvedCompression {
  let c: ResolvedCompression | 'lzop' = 'none';
  if (compression !== 'auto') c = compression;
  else if (fileName !== undefined) {
    for (const [re, kind] of BY_EXTENSION) if (re.test(fileName)) { c = kind; break; }
  }
  if (c === 'lzop') throw featureNotSupported('LZOP compression');
  if (c === 'bzip2') {
    throw featureNotSupported('BZIP2 compression', { hint: 'Decompress the file first, or use GZIP, ZSTD or LZ4.' });
  }
  return c;
}

/** Options of {@link decompressChunks}. */
export interface DecompressOptions {
  /** Loads optional decoder packages (tests replace it). */
  readonly importer?: ModuleImporter;
}

/**
 * The decompressed bytes of `source` as a stream of chunks. Corrupt input throws 22P04 with the
 * decoder's reason; zstd without the fzstd package throws 0A000 before reading anything.
 */
export async function* decompressChunks(
  source: AsyncIterable<Uint8Array>, compression: ResolvedCompression, options: DecompressOptions = {},
): AsyncGenerator<Uint8Array> {
  switch (compression) {
    case 'none':
      yield* source;
      return;
    case 'gzip':
      yield* gunzip(source);
      return;
    case 'lz4': {
      const dec = new Lz4FrameDecoder();
      for await (const chunk of source) yield* dec.push(chunk);
      dec.end();
      return;
    }
    case 'zstd': {
      const z = options.importer === undefined ? await createZstdStream() : await createZstdStream(options.importer);
      let sawInput = false;
      for await (const chunk of source) {
        sawInput = true;
        yield* z.push(chunk, false);
      }
      if (!sawInput) throw new SqlError(SqlState.BAD_COPY_FILE_FORMAT, 'invalid ZSTD input: empty input');
      yield* z.push(new Uint8Array(0), true);
      return;
    }
    case 'bzip2':
      throw featureNotSupported('BZIP2 compression');
  }
}

async function* gunzip(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const z = createGunzip();
  const input = Readable.from(source, { objectMode: false });
  input.on('error', (err) => z.destroy(err));
  input.pipe(z);
  try {
    for await (const chunk of z) {
      if (chunk instanceof Uint8Array) yield chunk;
    }
  } catch (err) {
    if (err instanceof SqlError) throw err;
    const e = err as { code?: unknown; message?: unknown };
    if (typeof e.code === 'string' && e.code.startsWith('Z_')) {
      throw new SqlError(SqlState.BAD_COPY_FILE_FORMAT, `invalid GZIP input: ${String(e.message)}`);
    }
    throw err;
  } finally {
    input.unpipe(z);
    input.destroy();
  }
}

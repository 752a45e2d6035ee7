// Adapter for the optional pure-JS Zstandard decoder `fzstd` (Node 20's zlib has no zstd).
//
// fzstd is not a dependency yet; it is loaded at run time when installed, and a COPY of ZSTD input
// without it fails with 0A000. Its streaming API: `new Decompress((chunk, final) => ...)`, then
// `push(bytes, final?)`. The module arrives as `unknown` and is narrowed here, once.
import { SqlError, SqlState } from '../../common/errors/index.ts';

/** The npm package (and version) this adapter was written against. */
export const ZSTD_PACKAGE = 'fzstd@0.1.1';

/** A streaming zstd decoder: push compressed chunks, collect decoded ones. */
export interface ZstdStream {
  push(chunk: Uint8Array, final: boolean): Uint8Array[];
}

type StreamHandler = (data: Uint8Array, final: boolean) => void;
interface FzstdStream { push(chunk: Uint8Array, final?: boolean): unknown }
type FzstdDecompressCtor = new (ondata: StreamHandler) => FzstdStream;

/** Imports a module by name; injectable so tests can stand in for the package. */
export type ModuleImporter = (name: string) => Promise<unknown>;

const importByName: ModuleImporter = (name) => import(name);

let cached: Promise<FzstdDecompressCtor | null> | undefined;

/**
 * Creates a zstd stream decoder from `fzstd`; throws 0A000 (with the package to install) when it
 * is not installed.
 */
export async function createZstdStream(importer: ModuleImporter = importByName): Promise<ZstdStream> {
  const ctor = importer === importByName ? await (cached ??= loadCtor(importer)) : await loadCtor(importer);
  if (ctor === null) {
    throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'ZSTD compression is not supported', {
      hint: `Install the npm package ${ZSTD_PACKAGE}, or decompress the file before COPY.`,
    });
  }
  let out: Uint8Array[] = [];
  const stream = new ctor((data) => { out.push(data.slice()); });
  return {
    push(chunk: Uint8Array, final: boolean): Uint8Array[] {
      try {
        stream.push(chunk, final);
      } catch (err) {
        throw new SqlError(SqlState.BAD_COPY_FILE_FORMAT, `invalid ZSTD input: ${err instanceof Error ? err.message : String(err)}`);
      }
      const produced = out;
      out = [];
      return produced;
    },
  };
}

async function loadCtor(importer: ModuleImporter): Promise<FzstdDecompressCtor | null> {
  let mod: unknown;
  try {
    mod = await importer('fzstd');
  } catch {
    return null;
  }
  const ctor = pick(mod, 'Decompress') ?? pick(pick(mod, 'default'), 'Decompress');
  if (typeof ctor !== 'function') return null;
  // fzstd's Decompress matches FzstdDecompressCtor (checked against its d.ts, version above).
  return ctor as FzstdDecompressCtor;
}

function pick(v: unknown, key: string): unknown {
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined;
}

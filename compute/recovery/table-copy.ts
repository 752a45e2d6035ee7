// Recovery's unit of work: one table of one slice, copied from a node whose copy is current to a
// node whose copy is behind, as whole files named by their SHA-256. The receiver says which
// contents it already has (its live files and what an earlier pass fetched), so a second pass, and
// a copy that differs from the current one by a few loads, ships only the files it lacks.
//
// Stream of a `sendTableFiles` answer: Data chunks, each
//   u32 header length | header JSON {fp, size, end} | up to 1 MiB of the file
// in file order; the Response is the table's manifest entry and the fingerprint of each file.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { SqlError, SqlState, dataCorrupted } from '../../common/errors/index.ts';
import type { RpcContext, RpcPeer } from '../../cluster/transport/rpc-peer.ts';
import { filesOf, type TableManifest } from '../../storage/manifest.ts';
import type { SegmentStore } from '../../storage/segment-store.ts';
import { fsyncDir } from '../../storage/io/fs-durable.ts';

/** What the current copy answers: its committed table, and the content of each file it names. */
export interface TableCopy {
  readonly table: TableManifest;
  /** SHA-256 (hex) by slice-relative file name. */
  readonly fingerprints: Readonly<Record<string, string>>;
}

/** What one pass moved. */
export interface CopyResult {
  readonly files: number;
  readonly bytes: number;
}

const CHUNK = 1 << 20;
const enc = new TextEncoder();
const dec = new TextDecoder();

/** SHA-256 of immutable files (segment and delete-vector names are never reused), cached by path. */
export class Fingerprints {
  private readonly cache = new Map<string, Promise<string>>();

  of(path: string): Promise<string> {
    let p = this.cache.get(path);
    if (p === undefined) {
      if (this.cache.size >= 100_000) this.cache.clear();
      p = new Promise<string>((resolve, reject) => {
        const h = createHash('sha256');
        createReadStream(path).on('data', (b) => h.update(b)).on('error', reject).on('end', () => resolve(h.digest('hex')));
      });
      this.cache.set(path, p);
      p.catch(() => this.cache.delete(path));
    }
    return p;
  }
}

/**
 * The current side: pins the table's committed state, streams every file whose content the
 * receiver lacks (`have`: fingerprints), and answers the manifest entry; null when the table is
 * not here (dropped).
 */
export async function sendTable(store: SegmentStore, tableId: number, have: ReadonlySet<string>, fps: Fingerprints, ctx: RpcContext): Promise<TableCopy | null> {
  const pin = store.pin(tableId);
  if (pin === null) return null;
  try {
    const table = pin.snapshot.manifest;
    const files = filesOf(table);
    const hashes = await fingerprintAll(fps, files.map((f) => join(store.dir, f)));
    const fingerprints: Record<string, string> = {};
    for (let i = 0; i < files.length; i++) {
      fingerprints[files[i]!] = hashes[i]!;
      if (!have.has(hashes[i]!)) await sendFile(join(store.dir, files[i]!), hashes[i]!, ctx);
    }
    return { table, fingerprints };
  } finally {
    pin.release();
  }
}

/** Fingerprints of many files, a few read at once. */
async function fingerprintAll(fps: Fingerprints, paths: readonly string[]): Promise<string[]> {
  const out = new Array<string>(paths.length);
  for (let i = 0; i < paths.length; i += 16) {
    const batch = await Promise.all(paths.slice(i, i + 16).map((p) => fps.of(p)));
    batch.forEach((h, k) => { out[i + k] = h; });
  }
  return out;
}

async function sendFile(path: string, fp: string, ctx: RpcContext): Promise<void> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    let offset = 0;
    do {
      ctx.signal.throwIfAborted();
      const n = Math.min(CHUNK, size - offset);
      const header = enc.encode(JSON.stringify({ fp, size, end: offset + n === size }));
      // Each chunk is a fresh buffer: the transport holds it until the socket has written it.
      const chunk = new Uint8Array(4 + header.length + n);
      new DataView(chunk.buffer).setUint32(0, header.length, true);
      chunk.set(header, 4);
      const { bytesRead } = await fh.read(chunk, 4 + header.length, n, offset);
      if (bytesRead !== n) throw new SqlError(SqlState.INTERNAL_ERROR, `short read of ${path}`);
      offset += n;
      await ctx.sendData(chunk);
    } while (offset < size);
  } finally {
    await fh.close();
  }
}

/** Options of {@link fetchTable}. */
export interface FetchOptions {
  readonly store: SegmentStore;
  readonly tableId: number;
  /** The node with the current copy, and the slice there that holds it. */
  readonly source: RpcPeer;
  readonly sourceSlice: number;
  /** Where fetched files wait, by fingerprint, until the final pass installs them. */
  readonly stagingDir: string;
  readonly fps: Fingerprints;
  /** The last pass (the leader holds the table against writes): install the copy. */
  readonly final: boolean;
  readonly signal: AbortSignal;
}

/**
 * The behind side: fetches the files of the current copy it lacks into the staging directory,
 * verifying each whole file against its SHA-256; the final pass then makes this slice's table
 * exactly the current copy (or drops it, when the current copy no longer has it).
 */
export async function fetchTable(o: FetchOptions): Promise<CopyResult> {
  await mkdir(o.stagingDir, { recursive: true });
  // Contents already here: the table's live files and what earlier passes staged.
  const local = new Map<string, string>();
  const pin = o.store.hasTable(o.tableId) ? o.store.pin(o.tableId) : null;
  try {
    if (pin !== null) {
      const files = filesOf(pin.snapshot.manifest);
      const hashes = await fingerprintAll(o.fps, files.map((f) => join(o.store.dir, f)));
      files.forEach((f, i) => local.set(hashes[i]!, f));
    }
  } finally {
    pin?.release();
  }
  const staged = new Set((await readdir(o.stagingDir)).filter((f) => /^[0-9a-f]{64}$/.test(f)));
  const receiver = new FileReceiver(o.stagingDir);
  let copy: TableCopy | null;
  try {
    copy = await o.source.request('sendTableFiles', { slice: o.sourceSlice, tableId: o.tableId, have: [...local.keys(), ...staged] }, {
      signal: o.signal, onData: (chunk) => receiver.accept(chunk),
    }) as TableCopy | null;
    await receiver.finish();
  } catch (err) {
    await receiver.discard();
    throw err;
  }
  if (!o.final) return { files: receiver.files, bytes: receiver.bytes };
  if (copy === null) {
    if (o.store.hasTable(o.tableId)) await o.store.dropTable(o.tableId);
  } else {
    const present = new Set((await readdir(o.stagingDir)).filter((f) => /^[0-9a-f]{64}$/.test(f)));
    await o.store.installTable(copy.table, (file) => {
      const fp = copy.fingerprints[file];
      if (fp === undefined) throw new SqlError(SqlState.INTERNAL_ERROR, `no fingerprint for ${file}`);
      const mine = local.get(fp);
      if (mine !== undefined) return { keep: mine };
      if (!present.has(fp)) throw new SqlError(SqlState.INTERNAL_ERROR, `file ${file} of table ${o.tableId} was not fetched`);
      return { from: join(o.stagingDir, fp) };
    });
  }
  await rm(o.stagingDir, { recursive: true, force: true });
  return { files: receiver.files, bytes: receiver.bytes };
}

/** Files whose fsync and rename may be in flight at once (fsyncs overlap well; handles are finite). */
const SETTLING = 64;

/**
 * Writes streamed files into the staging directory: `<fp>.part`, checked, then fsynced and
 * renamed to `<fp>` in the background (many at once: a table of many small segments would
 * otherwise wait one fsync per file); {@link finish} waits for all.
 */
class FileReceiver {
  private fh: FileHandle | null = null;
  private settling: Promise<void>[] = [];
  private fp = '';
  private hash = createHash('sha256');
  private written = 0;
  files = 0;
  bytes = 0;

  constructor(private readonly dir: string) {}

  async accept(chunk: Uint8Array): Promise<void> {
    const dv = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const hlen = dv.getUint32(0, true);
    const header = JSON.parse(dec.decode(chunk.subarray(4, 4 + hlen))) as { fp: string; size: number; end: boolean };
    if (!/^[0-9a-f]{64}$/.test(header.fp)) throw new SqlError(SqlState.PROTOCOL_VIOLATION, 'bad file fingerprint in a table copy');
    const body = chunk.subarray(4 + hlen);
    if (this.fh === null) {
      this.fp = header.fp;
      this.hash = createHash('sha256');
      this.written = 0;
      this.fh = await open(join(this.dir, `${header.fp}.part`), 'w');
    } else if (header.fp !== this.fp) {
      throw new SqlError(SqlState.PROTOCOL_VIOLATION, 'a table copy interleaved two files');
    }
    await this.fh.write(body, 0, body.length, this.written);
    this.hash.update(body);
    this.written += body.length;
    this.bytes += body.length;
    if (!header.end) return;
    const fh = this.fh;
    this.fh = null;
    if (this.written !== header.size || this.hash.digest('hex') !== this.fp) {
      await fh.close();
      throw dataCorrupted(`a copied file does not match its checksum (${this.fp})`);
    }
    const part = join(this.dir, `${this.fp}.part`);
    const done = join(this.dir, this.fp);
    const settle = (async (): Promise<void> => {
      try { await fh.sync(); } finally { await fh.close(); }
      await rename(part, done);
    })();
    settle.catch(() => undefined); // awaited in finish() or discard()
    this.settling.push(settle);
    this.files++;
    if (this.settling.length >= SETTLING) await Promise.all(this.settling.splice(0, SETTLING / 2));
  }

  async finish(): Promise<void> {
    if (this.fh !== null) throw new SqlError(SqlState.PROTOCOL_VIOLATION, 'a table copy ended inside a file');
    await Promise.all(this.settling.splice(0));
    await fsyncDir(this.dir);
  }

  async discard(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    await fh?.close().catch(() => undefined);
    await Promise.allSettled(this.settling.splice(0));
  }
}

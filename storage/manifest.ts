// The slice manifest: the one file that says which tables exist and which segment files and
// delete vectors make up each table's committed state. A commit is a new manifest written
// atomically (temp file, fsync, rename, fsync dir); whatever the manifest does not name is garbage.
//
// File "MANIFEST": "CLNMAN01" | u32 JSON length | u32 CRC-32C of the JSON | JSON (Manifest).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoredTable, StoredColumn } from './slice-store.ts';
import type { SqlType, TypeId } from '../sql/types/sql-type.ts';
import { crc32c } from './io/crc32c.ts';
import { writeFileAtomic } from './io/fs-durable.ts';
import { dataCorrupted } from '../common/errors/index.ts';

/** Manifest file name inside a slice directory. */
export const MANIFEST_FILE = 'MANIFEST';
const MAGIC = 'CLNMAN01';
/** Current manifest format version. */
export const MANIFEST_VERSION = 1;

/** A delete vector file and how many rows it deletes. */
export interface DeleteRef { readonly file: string; readonly count: number }

/** One committed segment of a table. Paths are relative to the slice directory. */
export interface SegmentRef {
  readonly id: number;
  readonly file: string;
  readonly rows: number;
  readonly bytes: number;
  readonly deletes: DeleteRef | null;
  /** Part of the table's single sorted run (segments in list order with ascending, non-overlapping keys). */
  readonly sorted: boolean;
}

/** One table's committed state. */
export interface TableManifest {
  readonly table: StoredTable;
  readonly nextSegmentId: number;
  readonly segments: readonly SegmentRef[];
}

/** The committed state of a slice. */
export interface Manifest {
  readonly version: number;
  readonly generation: number;
  readonly tables: readonly TableManifest[];
}

/** An empty manifest (a new slice). */
export const EMPTY_MANIFEST: Manifest = { version: MANIFEST_VERSION, generation: 0, tables: [] };

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Serializes a manifest. */
export function encodeManifest(m: Manifest): Uint8Array {
  const json = enc.encode(JSON.stringify(m));
  const out = new Uint8Array(16 + json.length);
  out.set(enc.encode(MAGIC));
  const dv = new DataView(out.buffer);
  dv.setUint32(8, json.length, true);
  dv.setUint32(12, crc32c(json), true);
  out.set(json, 16);
  return out;
}

const TYPE_IDS: readonly TypeId[] = ['bool', 'int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'char', 'varchar', 'text', 'date', 'timestamp', 'timestamptz', 'interval', 'unknown', 'name', 'oid'];

function bad(what: string): never {
  throw dataCorrupted(`manifest malformed: ${what}`);
}

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function num(x: unknown, what: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) bad(what);
  return x;
}

function narrowType(x: unknown): SqlType {
  if (!isObj(x) || !TYPE_IDS.includes(x.id as TypeId)) bad('column type');
  const t: { id: TypeId; precision?: number; scale?: number; length?: number } = { id: x.id as TypeId };
  if (x.precision !== undefined) t.precision = num(x.precision, 'precision');
  if (x.scale !== undefined) t.scale = num(x.scale, 'scale');
  if (x.length !== undefined) t.length = num(x.length, 'length');
  return t;
}

function narrowTable(x: unknown): StoredTable {
  if (!isObj(x) || !Array.isArray(x.columns) || !Array.isArray(x.sortKey)) bad('table');
  const columns: StoredColumn[] = x.columns.map((c: unknown) => {
    if (!isObj(c) || typeof c.name !== 'string' || typeof c.notNull !== 'boolean') bad('column');
    const col: { name: string; type: SqlType; notNull: boolean; encoding?: string } = { name: c.name, type: narrowType(c.type), notNull: c.notNull };
    if (typeof c.encoding === 'string') col.encoding = c.encoding;
    return col;
  });
  const style = x.sortStyle;
  if (style !== 'compound' && style !== 'interleaved') bad('sortStyle');
  return { tableId: num(x.tableId, 'tableId'), columns, sortKey: x.sortKey.map((k: unknown) => num(k, 'sortKey')), sortStyle: style };
}

function narrowSegment(x: unknown): SegmentRef {
  if (!isObj(x) || typeof x.file !== 'string' || typeof x.sorted !== 'boolean') bad('segment');
  let deletes: DeleteRef | null = null;
  if (x.deletes !== null) {
    if (!isObj(x.deletes) || typeof x.deletes.file !== 'string') bad('delete vector');
    deletes = { file: x.deletes.file, count: num(x.deletes.count, 'delete count') };
  }
  return { id: num(x.id, 'segment id'), file: x.file, rows: num(x.rows, 'rows'), bytes: num(x.bytes, 'bytes'), deletes, sorted: x.sorted };
}

/** Parses and verifies manifest bytes; throws XX001 if damaged. */
export function decodeManifest(bytes: Uint8Array): Manifest {
  if (bytes.length < 16 || dec.decode(bytes.subarray(0, 8)) !== MAGIC) bad('bad magic');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const len = dv.getUint32(8, true);
  if (16 + len !== bytes.length) bad('length');
  const json = bytes.subarray(16);
  if (crc32c(json) !== dv.getUint32(12, true)) throw dataCorrupted('manifest checksum mismatch');
  let x: unknown;
  try { x = JSON.parse(dec.decode(json)); } catch { bad('JSON'); }
  if (!isObj(x) || x.version !== MANIFEST_VERSION || !Array.isArray(x.tables)) bad('header');
  const tables = x.tables.map((t: unknown): TableManifest => {
    if (!isObj(t) || !Array.isArray(t.segments)) bad('table entry');
    return { table: narrowTable(t.table), nextSegmentId: num(t.nextSegmentId, 'nextSegmentId'), segments: t.segments.map(narrowSegment) };
  });
  return { version: MANIFEST_VERSION, generation: num(x.generation, 'generation'), tables };
}

/** Reads the slice's manifest, or the empty manifest for a new slice. */
export async function readManifest(dir: string): Promise<Manifest> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(join(dir, MANIFEST_FILE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_MANIFEST;
    throw err;
  }
  return decodeManifest(bytes);
}

/** Publishes a manifest atomically. */
export async function writeManifest(dir: string, m: Manifest): Promise<void> {
  await writeFileAtomic(join(dir, MANIFEST_FILE), encodeManifest(m));
}

/** Every file a table's committed state references (slice-relative). */
export function filesOf(t: TableManifest): string[] {
  const out: string[] = [];
  for (const s of t.segments) { out.push(s.file); if (s.deletes !== null) out.push(s.deletes.file); }
  return out;
}

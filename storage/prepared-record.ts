// Prepared records: the on-disk form of a write transaction that is prepared under a distributed
// transaction id and awaits the coordinator's commit or abort, so that it survives a restart.
//
// File "<slice dir>/prepared/<txnId>.t<tableId>.json", written atomically; JSON (PreparedRecord).
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../common/log.ts';
import type { TableManifest } from './manifest.ts';
import { dataCorrupted, internalError } from '../common/errors/index.ts';
import { writeFileAtomic, fsyncDir, unlinkQuiet, TEMP_SUFFIX } from './io/fs-durable.ts';

/** Directory of prepared records, relative to the slice directory. */
export const PREPARED_DIR = 'prepared';
const FORMAT = 'colonnade-prepared';
const VERSION = 1;
const TXN_ID = /^[A-Za-z0-9_-]{1,64}$/;
const NAME = /^([A-Za-z0-9_-]{1,64})\.t(\d+)\.json$/;

/** A segment file the transaction wrote (not yet in the manifest). */
export interface PreparedSegment {
  readonly id: number;
  readonly file: string;
  readonly rows: number;
  readonly bytes: number;
}

/** A delete vector the transaction will publish for one committed segment. */
export interface PreparedDelete {
  readonly segmentId: number;
  /** The file written: the union of `base` and `rows`. */
  readonly file: string;
  /** The committed delete file it was merged with (null = none); if it changed, commit re-merges `rows`. */
  readonly base: string | null;
  readonly count: number;
  /** The row ids this transaction deletes, ascending. */
  readonly rows: readonly number[];
}

/** Everything a prepared transaction's commit or abort needs, without memory of the process that prepared it. */
export interface PreparedRecord {
  readonly txnId: string;
  readonly tableId: number;
  readonly segments: readonly PreparedSegment[];
  readonly deletes: readonly PreparedDelete[];
  /** Every other file written (delete vectors), deleted on abort. */
  readonly files: readonly string[];
}

/** The record's file name; throws XX000 for a txnId that is not 1–64 of [A-Za-z0-9_-]. */
export function preparedRecordName(txnId: string, tableId: number): string {
  if (!TXN_ID.test(txnId)) throw internalError(`invalid distributed transaction id ${JSON.stringify(txnId)}`);
  return `${txnId}.t${tableId}.json`;
}

function bad(name: string, what: string): never {
  throw dataCorrupted(`prepared record ${name} malformed: ${what}`);
}

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function uint(x: unknown, name: string, what: string): number {
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) bad(name, what);
  return x;
}

/** Narrows parsed JSON to a record; file names must lie in the table's directory (abort deletes them). */
function narrowRecord(x: unknown, name: string, txnId: string, tableId: number): PreparedRecord {
  if (!isObj(x) || x.format !== FORMAT || x.version !== VERSION) bad(name, 'header');
  if (x.txnId !== txnId || x.tableId !== tableId) bad(name, 'txnId / tableId differ from the file name');
  if (!Array.isArray(x.segments) || !Array.isArray(x.deletes) || !Array.isArray(x.files)) bad(name, 'lists');
  const own = new RegExp(`^t${tableId}/s\\d{8}\\.(seg|[0-9a-f]{8}\\.del)$`);
  const ownFile = (f: unknown): string => {
    if (typeof f !== 'string' || !own.test(f)) bad(name, 'file name');
    return f;
  };
  const segments = x.segments.map((s: unknown): PreparedSegment => {
    if (!isObj(s)) bad(name, 'segment');
    return { id: uint(s.id, name, 'segment id'), file: ownFile(s.file), rows: uint(s.rows, name, 'rows'), bytes: uint(s.bytes, name, 'bytes') };
  });
  const deletes = x.deletes.map((d: unknown): PreparedDelete => {
    if (!isObj(d) || !Array.isArray(d.rows)) bad(name, 'delete');
    return {
      segmentId: uint(d.segmentId, name, 'delete segment id'),
      file: ownFile(d.file),
      base: d.base === null ? null : ownFile(d.base),
      count: uint(d.count, name, 'delete count'),
      rows: d.rows.map((r: unknown) => uint(r, name, 'deleted row')),
    };
  });
  return { txnId, tableId, segments, deletes, files: x.files.map(ownFile) };
}

/** Writes (or replaces) a record atomically: temp file, fsync, rename, fsync of the prepared directory. */
export async function writePreparedRecord(sliceDir: string, r: PreparedRecord): Promise<void> {
  const body = { format: FORMAT, version: VERSION, ...r };
  await writeFileAtomic(join(sliceDir, PREPARED_DIR, preparedRecordName(r.txnId, r.tableId)), JSON.stringify(body));
}

/** Deletes a record durably (missing is fine). */
export async function removePreparedRecord(sliceDir: string, txnId: string, tableId: number): Promise<void> {
  await unlinkQuiet(join(sliceDir, PREPARED_DIR, preparedRecordName(txnId, tableId)));
  await fsyncDir(join(sliceDir, PREPARED_DIR));
}

/**
 * Reads every record of a slice, creating the directory if missing. Temp files left by a crash
 * are deleted; a record that cannot be read is logged and skipped (left in place for inspection:
 * records are replaced atomically, so a damaged one means damaged storage, not a torn write).
 */
export async function readPreparedRecords(sliceDir: string, log: Logger): Promise<PreparedRecord[]> {
  const dir = join(sliceDir, PREPARED_DIR);
  if (await mkdir(dir, { recursive: true }) !== undefined) await fsyncDir(sliceDir);
  const out: PreparedRecord[] = [];
  for (const name of (await readdir(dir)).sort()) {
    if (name.endsWith(TEMP_SUFFIX)) { await unlinkQuiet(join(dir, name)); continue; }
    const m = NAME.exec(name);
    if (m === null) { log.warn({ file: name }, 'ignoring unknown file among prepared records'); continue; }
    const text = await readFile(join(dir, name), 'utf8'); // an I/O error fails the open: never guess
    let x: unknown = null;
    try { x = JSON.parse(text); } catch { /* reported as malformed below */ }
    // A newer format is refused, not misread or dropped with its files.
    if (isObj(x) && x.format === FORMAT && x.version !== VERSION) throw dataCorrupted(`prepared record ${name} has unknown version ${String(x.version)}`);
    try {
      out.push(narrowRecord(x, name, m[1]!, Number(m[2])));
    } catch (err) {
      log.error({ err, file: name }, 'ignoring malformed prepared record; its transaction is lost');
    }
  }
  return out;
}

/** Whether the manifest already holds the record's changes (the crash came after the commit's manifest swap). */
export function recordPublishedIn(tm: TableManifest, r: PreparedRecord): boolean {
  return r.segments.some((s) => tm.segments.some((x) => x.id === s.id && x.file === s.file))
    || r.deletes.some((d) => tm.segments.some((x) => x.id === d.segmentId && x.deletes?.file === d.file));
}

/** Files of a record that the orphan sweep must keep. */
export function recordFiles(r: PreparedRecord): string[] {
  return [...r.segments.map((s) => s.file), ...r.deletes.map((d) => d.file), ...r.files];
}

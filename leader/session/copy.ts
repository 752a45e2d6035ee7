// COPY: FROM STDIN and FROM server files (globs, gzip/lz4/zstd) into a table, atomically and with
// Redshift's MAXERROR / stl_load_errors; TO STDOUT and TO a server file from a table or a query.
import { createReadStream } from 'node:fs';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SqlError, SqlState, featureNotSupported } from '../../common/errors/index.ts';
import type { CopyOptions, RawCopyOption } from '../../compute/loading/copy-options.ts';
import { compressionForFile, decompressChunks } from '../../compute/loading/decompress-stream.ts';
import { formatCopyRows } from '../../compute/loading/format-copy-rows.ts';
import type { LoadErrorRecord } from '../../compute/loading/load-error.ts';
import { RecordChunker } from '../../compute/loading/record-chunker.ts';
import { presetEncodingName } from '../../storage/encoding/encoding-policy.ts';
import { parseCopyOptions } from '../../compute/loading/parse-copy-options.ts';
import { bindSelect } from '../../sql/binder/bind-select.ts';
import type { BoundSelect } from '../../sql/binder/bound-select.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import { node, parseStatements, rangeVarName, strs, type SqlStatement } from '../../sql/parser/index.ts';
import type { Datum } from '../../sql/types/datum.ts';
import type { TableDef } from '../catalog/catalog-types.ts';
import type { PreparedWrite } from '../scheduling/cluster-dispatcher.ts';
import type { ClusterLoad } from '../scheduling/cluster-load.ts';
import type { ServerContext } from '../server-context.ts';
import type { CopyInCursor, CopyOutCursor, Execution } from './backend-session.ts';
import { omittedColumnValues } from './insert.ts';
import { catalogResolver } from './relation-resolver.ts';
import { staticCursor } from './rows-cursor.ts';
import type { NamePath } from './search-path.ts';
import type { LoadState } from './load-state.ts';
import type { QueryRecord } from './query-log.ts';
import { zoneSettings } from '../../sql/types/time-zone.ts';

/** What COPY needs from the session running it. */
export interface CopySessionHooks {
  readonly ctx: ServerContext;
  readonly path: NamePath;
  readonly processId: number;
  /** Publishes a prepared write now, or at COMMIT inside a transaction. */
  addWrite(w: PreparedWrite): Promise<void>;
  notice(message: string): void;
  setLastCopyCount(n: number): void;
  /** Refreshes the table's statistics once the load is committed (now, or at COMMIT). */
  updateStatistics(table: TableDef): Promise<void>;
  runSelect(select: BoundSelect, evalCtx: EvalContext, signal: AbortSignal, record: QueryRecord): AsyncGenerator<Datum[][]>;
}

/** Turns input into rows on the slices through a parallel cluster load; nothing is published until `finish`. */
class CopyLoader {
  /** Seconds between progress NOTICEs of a long load. */
  static readonly PROGRESS_EVERY_MS = 10_000;
  readonly state: LoadState;
  private lastProgress = Date.now();
  private readonly started = Date.now();

  private constructor(
    private readonly hooks: CopySessionHooks,
    private readonly table: TableDef,
    readonly options: CopyOptions,
    private readonly load: ClusterLoad,
    state: LoadState,
    private readonly rejected: LoadErrorRecord[],
    private readonly statUpdate: boolean,
  ) {
    this.state = state;
  }

  /** Opens the load on every compute node. */
  static async begin(hooks: CopySessionHooks, table: TableDef, targets: readonly number[], options: CopyOptions, evalCtx: EvalContext,
    record: QueryRecord): Promise<CopyLoader> {
    const state: LoadState = {
      query: record.query, pid: hooks.processId, table: table.name,
      startedMicros: BigInt(Date.now()) * 1000n, bytes: 0, rows: 0, files: 0, filesDone: 0, currentFile: '',
    };
    const rejected: LoadErrorRecord[] = [];
    // COMPUPDATE and the default STATUPDATE act on the first load into an empty table (Redshift).
    const needEmpty = options.compUpdate === 'on' || options.compUpdate === 'preset' || options.statUpdate === null;
    const empty = needEmpty && !options.noLoad && (await hooks.ctx.dispatcher.tableRows(table.oid)).every((r) => r.rows === 0);
    const encodings = !empty ? undefined
      : options.compUpdate === 'on' ? table.columns.map(() => null)
        : options.compUpdate === 'preset' ? table.columns.map((c) => presetEncodingName(c.type)) : undefined;
    const load = await hooks.ctx.dispatcher.beginLoad(table, {
      targets, options, textIo: zoneSettings(evalCtx),
      fill: omittedColumnValues(table, targets, evalCtx),
      ...(encodings === undefined ? {} : { encodings }),
    }, (records) => {
      for (const r of records) if (rejected.length < 10_000) rejected.push(r);
    });
    hooks.ctx.loads.begin(state);
    return new CopyLoader(hooks, table, options, load, state, rejected, !options.noLoad && (options.statUpdate ?? empty));
  }

  /** Sends one input's bytes, cut into record-aligned chunks, to the compute nodes. */
  async input(fileName: string, chunks: AsyncIterable<Uint8Array>, signal: AbortSignal): Promise<void> {
    const chunker = new RecordChunker(this.options);
    for await (const data of chunks) {
      signal.throwIfAborted();
      await this.write(fileName, chunker, data);
    }
    await this.end(fileName, chunker);
  }

  /** Adds bytes of one input. */
  async write(fileName: string, chunker: RecordChunker, data: Uint8Array): Promise<void> {
    for (const c of chunker.push(data)) await this.load.send({ fileName, firstLine: c.firstLine, atStart: c.atStart }, c.bytes);
    this.progress(data.length);
  }

  /** Ends one input. */
  async end(fileName: string, chunker: RecordChunker): Promise<void> {
    const c = chunker.end();
    if (c !== null) await this.load.send({ fileName, firstLine: c.firstLine, atStart: c.atStart }, c.bytes);
  }

  /** Counts input bytes and sends a progress NOTICE now and then. */
  private progress(bytes: number): void {
    this.state.bytes += bytes;
    this.state.rows = this.load.rows;
    const now = Date.now();
    if (now - this.lastProgress < CopyLoader.PROGRESS_EVERY_MS) return;
    this.lastProgress = now;
    const rows = this.load.rows;
    const secs = (now - this.started) / 1000;
    this.hooks.notice(`COPY ${this.table.name}: ${rows} rows, ${(this.state.bytes / 1048576).toFixed(1)} MB, ${Math.round(rows / secs)} rows/s`);
  }

  /** Publishes everything (one atomic load) and reports; returns the CommandComplete tag. */
  async finish(): Promise<string> {
    const write = await this.load.prepare();
    this.state.rows = this.load.rows;
    this.hooks.ctx.loads.end(this.state.query);
    this.recordRejected();
    if (this.options.noLoad) {
      await this.hooks.ctx.dispatcher.finishWrite(write, false);
    } else {
      await this.hooks.addWrite(write);
      if (this.statUpdate) await this.hooks.updateStatistics(this.table);
    }
    this.hooks.setLastCopyCount(write.rows);
    if (this.load.rejected > 0) {
      this.hooks.notice(`Load into table '${this.table.name}' completed, ${write.rows} record(s) loaded successfully, ${this.load.rejected} record(s) could not be loaded. Check 'stl_load_errors' system table for details.`);
    }
    if (this.options.noLoad) {
      this.hooks.notice(`NOLOAD: ${write.rows} record(s) checked; nothing was loaded.`);
      return 'COPY 0';
    }
    return `COPY ${write.rows}`;
  }

  /** Drops everything written so far. */
  async abort(): Promise<void> {
    this.hooks.ctx.loads.end(this.state.query);
    await this.load.abort();
    this.recordRejected();
  }

  private recordRejected(): void {
    if (this.rejected.length === 0) return;
    const query = this.state.query;
    const startTime = this.state.startedMicros;
    this.hooks.ctx.loadErrors.add(this.rejected.map((record) => ({ query, session: this.hooks.processId, table: this.table.oid, startTime, record })));
    this.rejected.length = 0;
  }
}

/** `COPY t ... FROM 'x'`: the files a server path names (`*` and `?` in the last component). */
async function expandFiles(pattern: string): Promise<string[]> {
  const base = basename(pattern);
  if (!/[*?]/.test(base)) {
    try {
      if ((await stat(pattern)).isFile()) return [pattern];
    } catch {
      // fall through to the error below
    }
    throw new SqlError(SqlState.UNDEFINED_FILE, `could not open file "${pattern}" for reading: No such file or directory`);
  }
  const dir = dirname(pattern);
  const re = new RegExp(`^${base.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    throw new SqlError(SqlState.UNDEFINED_FILE, `could not open directory "${dir}": No such file or directory`);
  }
  const files = names.filter((n) => re.test(n)).sort().map((n) => join(dir, n));
  if (files.length === 0) throw new SqlError(SqlState.UNDEFINED_FILE, `no files match "${pattern}"`);
  return files;
}

function targetColumns(table: TableDef, attlist: readonly string[]): number[] {
  if (attlist.length === 0) return table.columns.map((_c, i) => i);
  return attlist.map((name) => {
    const i = table.columns.findIndex((c) => c.name === name);
    if (i < 0) throw new SqlError(SqlState.UNDEFINED_COLUMN, `column "${name}" of relation "${table.name}" does not exist`);
    return i;
  });
}

/** Prepares a COPY statement; the returned function runs it. */
export function prepareCopy(
  s: SqlStatement, lifted: readonly RawCopyOption[], hooks: CopySessionHooks,
): (evalCtx: EvalContext, signal: AbortSignal, record: QueryRecord) => Promise<Execution> {
  const cs = node(s.ast, 'CopyStmt')!;
  if (cs.is_program) throw featureNotSupported('COPY ... PROGRAM');
  if (cs.whereClause !== undefined) throw featureNotSupported('COPY FROM ... WHERE');
  const options = parseCopyOptions(cs, lifted);
  const attlist = strs(cs.attlist);
  const ctx = hooks.ctx;

  if (cs.is_from) {
    const name = rangeVarName(cs.relation);
    const table = ctx.catalog.findTable(hooks.path.schemaOf(name.schema, name.name), name.name);
    if (!table) throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${name.name}" does not exist`);
    const targets = targetColumns(table, attlist);
    return async (evalCtx, signal, record) => {
      const loader = await CopyLoader.begin(hooks, table, targets, options, evalCtx, record);
      if (cs.filename === undefined) {
        const chunker = new RecordChunker(options);
        const cursor: CopyInCursor = {
          kind: 'copyIn', format: 'text', columnCount: targets.length,
          async write(data) {
            try {
              signal.throwIfAborted();
              await loader.write('', chunker, data);
            } catch (err) {
              await loader.abort();
              throw err;
            }
          },
          async finish() {
            try {
              await loader.end('', chunker);
              return await loader.finish();
            } catch (err) {
              await loader.abort();
              throw err;
            }
          },
          async fail() {
            await loader.abort();
          },
        };
        return cursor;
      }
      try {
        const files = await expandFiles(cs.filename);
        loader.state.files = files.length;
        for (const file of files) {
          loader.state.currentFile = file;
          const source = createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Uint8Array>;
          await loader.input(file, decompressChunks(source, compressionForFile(options.compression, file)), signal);
          loader.state.filesDone++;
        }
        return staticCursor(null, [], await loader.finish());
      } catch (err) {
        await loader.abort();
        throw err;
      }
    };
  }

  // COPY ... TO: a table (all or listed columns) or a query.
  let select: BoundSelect;
  if (cs.query !== undefined) {
    select = bindSelect(cs.query, catalogResolver(ctx.catalog, hooks.path), []);
  } else {
    const name = rangeVarName(cs.relation);
    const table = ctx.catalog.findTable(hooks.path.schemaOf(name.schema, name.name), name.name);
    if (!table) throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${name.name}" does not exist`);
    const cols = targetColumns(table, attlist).map((i) => `"${table.columns[i]!.name.replace(/"/g, '""')}"`);
    const [q] = parseStatements(`SELECT ${cols.join(', ')} FROM "${table.schema}"."${table.name.replace(/"/g, '""')}"`);
    select = bindSelect((q as SqlStatement).ast, catalogResolver(ctx.catalog, hooks.path), []);
  }
  const columns = select.outputColumns.map((c) => ({ name: c.name, type: c.type }));
  return async (evalCtx, signal, record) => {
    let count = 0;
    const textIo = zoneSettings(evalCtx);
    const chunks = async function* chunks(): AsyncGenerator<Uint8Array> {
      let first = true;
      for await (const rows of hooks.runSelect(select, evalCtx, signal, record)) {
        count += rows.length;
        yield formatCopyRows(rows, columns, options, { header: first && options.header === true, textIo });
        first = false;
      }
      if (first && options.header === true) yield formatCopyRows([], columns, options, { header: true, textIo });
    };
    if (cs.filename === undefined) {
      const cursor: CopyOutCursor = { kind: 'copyOut', format: 'text', columnCount: columns.length, chunks, commandTag: () => `COPY ${count}` };
      return cursor;
    }
    const parts: Uint8Array[] = [];
    for await (const c of chunks()) parts.push(c);
    await writeFile(cs.filename, Buffer.concat(parts));
    return staticCursor(null, [], `COPY ${count}`);
  };
}

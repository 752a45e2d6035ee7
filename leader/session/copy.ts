// COPY: FROM STDIN and FROM server files (globs, gzip/lz4/zstd) into a table, atomically and with
// Redshift's MAXERROR / stl_load_errors; TO STDOUT and TO a server file from a table or a query.
import { createReadStream } from 'node:fs';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SqlError, SqlState, featureNotSupported } from '../../common/errors/index.ts';
import type { Batch } from '../../compute/batch/batch.ts';
import { rowsFromBatch } from '../../compute/batch/row-conversion.ts';
import type { CopyOptions, RawCopyOption } from '../../compute/loading/copy-options.ts';
import { createCopyParser, type CopyParser } from '../../compute/loading/copy-parser.ts';
import { compressionForFile, decompressChunks } from '../../compute/loading/decompress-stream.ts';
import { formatCopyRows } from '../../compute/loading/format-copy-rows.ts';
import { LoadErrorBudget, type LoadErrorRecord } from '../../compute/loading/load-error.ts';
import { parseCopyOptions } from '../../compute/loading/parse-copy-options.ts';
import { bindSelect } from '../../sql/binder/bind-select.ts';
import type { BoundSelect } from '../../sql/binder/bound-select.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import { node, parseStatements, rangeVarName, strs, type SqlStatement } from '../../sql/parser/index.ts';
import type { Datum } from '../../sql/types/datum.ts';
import type { TableDef } from '../catalog/catalog-types.ts';
import type { PreparedWrite } from '../scheduling/cluster-dispatcher.ts';
import type { ServerContext } from '../server-context.ts';
import type { CopyInCursor, CopyOutCursor, Execution } from './backend-session.ts';
import { completeRow, routeRows } from './insert.ts';
import { catalogResolver } from './relation-resolver.ts';
import { staticCursor } from './rows-cursor.ts';
import type { NamePath } from './search-path.ts';
import type { LoadState } from './load-state.ts';

/** Rows gathered before they are shipped to the slices (phase one of the commit). */
const FLUSH_ROWS = 50_000;

/** What COPY needs from the session running it. */
export interface CopySessionHooks {
  readonly ctx: ServerContext;
  readonly path: NamePath;
  readonly processId: number;
  /** Publishes a prepared write now, or at COMMIT inside a transaction. */
  addWrite(w: PreparedWrite): Promise<void>;
  notice(message: string): void;
  setLastCopyCount(n: number): void;
  runSelect(select: BoundSelect, evalCtx: EvalContext, signal: AbortSignal): AsyncGenerator<Datum[][]>;
}

/** Turns parsed batches into rows on the slices; every write stays unpublished until `finish`. */
class CopyLoader {
  /** Seconds between progress NOTICEs of a long load. */
  static readonly PROGRESS_EVERY_MS = 10_000;
  private pending: Datum[][] = [];
  readonly state: LoadState;
  private lastProgress = Date.now();
  private readonly started = Date.now();
  private readonly writes: PreparedWrite[] = [];
  private loaded = 0;
  readonly budget: LoadErrorBudget;
  private readonly rejected: LoadErrorRecord[] = [];

  constructor(
    private readonly hooks: CopySessionHooks,
    private readonly table: TableDef,
    private readonly targets: readonly number[],
    readonly options: CopyOptions,
    private readonly evalCtx: EvalContext,
  ) {
    this.budget = new LoadErrorBudget(options.maxErrors, options.errorScope === 'conversion' ? 'conversion' : 'all');
    this.state = {
      query: hooks.ctx.loadErrors.newQueryId(), pid: hooks.processId, table: table.name,
      startedMicros: BigInt(Date.now()) * 1000n, bytes: 0, rows: 0, files: 0, filesDone: 0, currentFile: '',
    };
    hooks.ctx.loads.begin(this.state);
  }

  /** Counts input bytes and sends a progress NOTICE now and then. */
  progress(bytes: number): void {
    this.state.bytes += bytes;
    const now = Date.now();
    if (now - this.lastProgress < CopyLoader.PROGRESS_EVERY_MS) return;
    this.lastProgress = now;
    const rows = this.loaded + this.pending.length;
    const secs = (now - this.started) / 1000;
    this.hooks.notice(`COPY ${this.table.name}: ${rows} rows, ${(this.state.bytes / 1048576).toFixed(1)} MB, ${Math.round(rows / secs)} rows/s`);
  }

  /** A parser for one input (STDIN or a file) feeding this load. */
  parser(fileName: string): CopyParser {
    const types = this.targets.map((i) => this.table.columns[i]!.type);
    return createCopyParser(this.options, this.targets.map((i) => this.table.columns[i]!), {
      batch: (b: Batch) => {
        for (const r of rowsFromBatch(b)) this.pending.push(completeRow(this.table, this.targets, r, types, this.evalCtx));
      },
      rejected: (rec) => {
        if (this.rejected.length < 10_000) this.rejected.push(rec);
      },
    }, {
      tableName: this.table.name, fileName, errorBudget: this.budget,
      textIo: { timeZoneOffsetSeconds: this.evalCtx.timeZoneOffsetSeconds },
    });
  }

  /** Ships gathered rows once enough have accumulated (or always, at the end). */
  async drain(force = false): Promise<void> {
    if (this.pending.length === 0 || (!force && this.pending.length < FLUSH_ROWS)) return;
    const rows = this.pending;
    this.pending = [];
    this.loaded += rows.length;
    this.state.rows = this.loaded;
    if (this.options.noLoad) return;
    this.writes.push(await this.hooks.ctx.dispatcher.prepareWrite(this.table, routeRows(this.hooks.ctx, this.table, rows), rows.length));
  }

  /** Publishes everything (one atomic load) and reports; returns the CommandComplete tag. */
  async finish(): Promise<string> {
    await this.drain(true);
    this.hooks.ctx.loads.end(this.state.query);
    this.recordRejected();
    for (const w of this.writes) await this.hooks.addWrite(w);
    this.hooks.setLastCopyCount(this.loaded);
    if (this.budget.skipped > 0) {
      this.hooks.notice(`Load into table '${this.table.name}' completed, ${this.loaded} record(s) loaded successfully, ${this.budget.skipped} record(s) could not be loaded. Check 'stl_load_errors' system table for details.`);
    }
    if (this.options.noLoad) {
      this.hooks.notice(`NOLOAD: ${this.loaded} record(s) checked; nothing was loaded.`);
      return 'COPY 0';
    }
    return `COPY ${this.loaded}`;
  }

  /** Drops everything written so far. */
  async abort(): Promise<void> {
    this.hooks.ctx.loads.end(this.state.query);
    this.pending = [];
    this.recordRejected();
    for (const w of this.writes) await this.hooks.ctx.dispatcher.finishWrite(w, false).catch(() => undefined);
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
): (evalCtx: EvalContext, signal: AbortSignal) => Promise<Execution> {
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
    return async (evalCtx, signal) => {
      const loader = new CopyLoader(hooks, table, targets, options, evalCtx);
      if (cs.filename === undefined) {
        const parser = loader.parser('');
        const cursor: CopyInCursor = {
          kind: 'copyIn', format: 'text', columnCount: targets.length,
          async write(data) {
            signal.throwIfAborted();
            try {
              parser.write(data);
              loader.progress(data.length);
              await loader.drain();
            } catch (err) {
              await loader.abort();
              throw err;
            }
          },
          async finish() {
            try {
              parser.end();
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
          const parser = loader.parser(file);
          const source = createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Uint8Array>;
          for await (const chunk of decompressChunks(source, compressionForFile(options.compression, file))) {
            signal.throwIfAborted();
            parser.write(chunk);
            loader.progress(chunk.length);
            await loader.drain();
          }
          parser.end();
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
  return async (evalCtx, signal) => {
    let count = 0;
    const textIo = { timeZoneOffsetSeconds: evalCtx.timeZoneOffsetSeconds };
    const chunks = async function* chunks(): AsyncGenerator<Uint8Array> {
      let first = true;
      for await (const rows of hooks.runSelect(select, evalCtx, signal)) {
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

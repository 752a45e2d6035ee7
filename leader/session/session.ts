// One client session on the leader: parses and binds statements, keeps settings and the
// transaction state, and runs statements on the cluster.
import { SqlError, SqlState, featureNotSupported, queryCanceled } from '../../common/errors/index.ts';
import type { SelectPlan } from '../planning/select-plan.ts';
import { plannedTable } from '../catalog/catalog-types.ts';
import { allCopiesCurrent } from '../catalog/placement.ts';
import type { MergeSpec, WindowSpec } from '../../compute/slices/slice-task.ts';
import type { Batch } from '../../compute/batch/batch.ts';
import { batchFromRows } from '../../compute/batch/row-conversion.ts';
import { layoutOf, type ColumnLayout } from '../../storage/column-kind.ts';
import { concatVectors } from '../../storage/vector-ops.ts';
import type { Logger } from '../../common/log.ts';
import type { Fragment } from '../../compute/fragment/fragment.ts';
import { trackExecution, type QueryRecord } from './query-log.ts';
import { explainSelect } from '../planning/explain.ts';
import type { JoinFragment } from '../../compute/fragment/join-fragment.ts';
import { bindSelect } from '../../sql/binder/bind-select.ts';
import type { BoundSelect } from '../../sql/binder/bound-select.ts';
import { loadJavascript } from '../../sql/functions/javascript.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import { list, node, nodeTag, rangeVarName, str, strs, type ParsedStatement, type SqlStatement, parseStatements, rewriteRedshiftMaintenance } from '../../sql/parser/index.ts';
import type { RawCopyOption } from '../../compute/loading/copy-options.ts';
import { extractRedshiftCopyOptions } from '../../compute/loading/redshift-copy-options.ts';
import { prepareCopy } from './copy.ts';
import { bindUnloadQuery, isUnload, parseUnload, runUnload } from './unload.ts';
import { Decimal } from '../../sql/types/decimal.ts';
import type { CompressionAdvice } from '../../storage/encoding/analyze-compression.ts';
import type { VacuumMode } from '../../storage/vacuum.ts';
import type { TableDef } from '../catalog/catalog-types.ts';
import type { Datum } from '../../sql/types/datum.ts';
import { T, type SqlType } from '../../sql/types/sql-type.ts';
import type { TextIoSettings } from '../../sql/types/text-io.ts';
import { instantiateExpr, instantiateSelect } from '../execution/substitute-params.ts';
import { collect, runSelect, type ExecutionEnv } from '../execution/run-select.ts';
import { materializeSubqueries } from '../execution/init-plans.ts';
import { MemoryBudget } from '../../common/memory-budget.ts';
import { planSelect } from '../planning/select-plan.ts';
import { LostSlicesError, type PreparedWrite } from '../scheduling/cluster-dispatcher.ts';
import { bindModify, prepareModify, prepareRefresh, type BoundModify, type ModifyRun } from './modify.ts';
import { createFunction } from './functions.ts';
import { bindMerge, prepareMerge, type BoundMerge } from './merge.ts';
import type { ServerContext } from '../server-context.ts';
import type {
  BackendSession, Execution, PreparedStatement, ResultField, SessionStart, TransactionStatus,
} from './backend-session.ts';
import { alterTable, createSchema, createTable, createView, drop, rename } from './ddl.ts';
import { bindInsert, prepareInsert, type BoundInsert } from './insert.ts';
import { catalogResolver } from './relation-resolver.ts';
import { RowsCursor, staticCursor } from './rows-cursor.ts';
import { SessionSettings } from './settings.ts';
import { namePath, parseSearchPath, type NamePath } from './search-path.ts';
import { SYSTEM_VIEWS } from './system-views.ts';
import type { OperatorStats } from '../../compute/fragment/operator-stats.ts';

/** What a statement needs at execution time. */
interface ExecArgs {
  readonly params: readonly Datum[];
  /** One per statement, shared by its subqueries. */
  readonly budget: MemoryBudget;
  readonly signal: AbortSignal;
  readonly evalCtx: EvalContext;
  /** The statement's stl_query record (query id, bytes moved). */
  readonly record: QueryRecord;
  /** EXPLAIN ANALYZE: where the compute nodes' per-operator stats go. */
  readonly nodeStats?: NodeStats[];
}

/** One compute node's operator stats for one fragment of a statement. */
interface NodeStats {
  readonly node: number;
  readonly stats: readonly OperatorStats[];
}

/** Keeps the operator stats a node's final answer carries (when EXPLAIN ANALYZE asks for them). */
function statsSink(a: ExecArgs): ((value: unknown, node: number) => void) | undefined {
  const out = a.nodeStats;
  if (!out) return undefined;
  return (value, node) => {
    const stats = (value as { stats?: OperatorStats[] } | null)?.stats;
    if (Array.isArray(stats)) out.push({ node, stats });
  };
}

/** The bound form of each statement kind. */
type StatementPlan =
  | { readonly kind: 'select'; readonly select: BoundSelect }
  | { readonly kind: 'insert'; readonly insert: BoundInsert }
  | { readonly kind: 'modify'; readonly modify: BoundModify }
  | { readonly kind: 'merge'; readonly merge: BoundMerge }
  | { readonly kind: 'utility'; readonly run: (a: ExecArgs) => Promise<Execution> };

/** A prepared statement with its plan. */
class Prepared implements PreparedStatement {
  constructor(
    readonly sql: string,
    readonly paramTypes: readonly SqlType[],
    readonly fields: readonly ResultField[] | null,
    readonly plan: StatementPlan,
  ) {}
}

/** A statement of a simple Query string, bound only when it is about to run. */
class DeferredPrepared implements PreparedStatement {
  readonly paramTypes: readonly SqlType[] = [];
  readonly fields = null;
  constructor(readonly sql: string, readonly bind: () => Prepared) {}
}

const textField = (name: string): ResultField => ({ name, type: T.text, tableOid: 0, columnNumber: 0 });

/** The leader's implementation of a client session. */
export class Session implements BackendSession {
  private readonly settings: SessionSettings;
  private readonly log: Logger;
  private inExplicit = false;
  private failed = false;
  private implicit = false;
  /** Rows loaded by this session's last COPY. */
  private lastCopyCount = 0;
  /** Writes prepared on the compute nodes, published at COMMIT (or the end of an implicit block). */
  private pending: PreparedWrite[] = [];
  /** Work that must wait until the transaction's writes are committed (statistics of loaded tables). */
  private afterCommit: (() => Promise<void>)[] = [];

  constructor(private readonly ctx: ServerContext, private readonly start: SessionStart) {
    this.settings = new SessionSettings(start.user, start.parameters);
    this.log = ctx.log.child({ component: 'leader.session', pid: start.processId });
  }

  initialParameterStatus(): ReadonlyArray<readonly [string, string]> {
    return this.settings.reported();
  }

  textIoSettings(): TextIoSettings {
    return this.settings.zone();
  }

  transactionStatus(): TransactionStatus {
    return this.failed ? 'E' : this.inExplicit ? 'T' : 'I';
  }

  statementFailed(): void {
    if (this.inExplicit) this.failed = true;
  }

  beginImplicit(): void {
    this.implicit = true;
  }

  async endImplicit(success: boolean): Promise<void> {
    this.implicit = false;
    if (!this.inExplicit) await this.finishPending(success);
  }

  async close(): Promise<void> {
    await this.finishPending(false).catch((err: unknown) => this.log.warn({ err }, 'abort on close failed'));
  }

  async parseSimpleQuery(sql: string): Promise<PreparedStatement[]> {
    if (isUnload(sql)) return [this.prepareUnload(sql)];
    const { stmts, lifted } = this.parseText(sql);
    // Each statement is bound when its turn comes, as PostgreSQL does: `CREATE TABLE t ...; INSERT
    // INTO t ...` in one string sees t. The whole string is parsed first (a syntax error runs nothing).
    return stmts.map((s) => new DeferredPrepared(s.text, () => this.prepareParsed(s, [], lifted)));
  }

  /** Parses a query string, first rewriting Redshift syntax PostgreSQL's grammar lacks (VACUUM, COPY options). */
  private parseText(sql: string): { stmts: ParsedStatement[]; lifted: RawCopyOption[] } {
    let text = rewriteRedshiftMaintenance(sql);
    let lifted: RawCopyOption[] = [];
    // Redshift COPY options (one COPY statement per string, as psql and drivers send it).
    if (/^\s*copy\b/i.test(text) && !/;\s*\S/.test(text.replace(/'(?:[^']|'')*'/g, "''"))) {
      const r = extractRedshiftCopyOptions(text);
      text = r.text;
      lifted = [...r.options];
    }
    return { stmts: parseStatements(text), lifted };
  }

  async prepare(sql: string, paramTypes: readonly SqlType[]): Promise<PreparedStatement> {
    if (isUnload(sql)) return this.prepareUnload(sql);
    const { stmts, lifted } = this.parseText(sql);
    if (stmts.length > 1) throw new SqlError(SqlState.SYNTAX_ERROR, 'cannot insert multiple commands into a prepared statement');
    if (stmts.length === 0) return new Prepared(sql, [], null, { kind: 'utility', run: async () => staticCursor(null, [], '') });
    return this.prepareParsed(stmts[0]!, paramTypes, lifted);
  }

  async execute(given: PreparedStatement, params: readonly Datum[], signal: AbortSignal): Promise<Execution> {
    if (this.failed && !isTransactionEnd(given)) {
      throw new SqlError(SqlState.IN_FAILED_SQL_TRANSACTION, 'current transaction is aborted, commands ignored until end of transaction block');
    }
    const stmt = given instanceof DeferredPrepared ? given.bind() : given;
    if (!(stmt instanceof Prepared)) throw new SqlError(SqlState.INTERNAL_ERROR, 'foreign prepared statement');
    if (signal.aborted) throw queryCanceled();
    const javascript = this.ctx.catalog.hasJavascriptFunctions();
    if (javascript) await loadJavascript();
    const evalCtx: EvalContext = {
      user: this.start.user, database: this.start.database, serverVersion: this.ctx.versionString,
      statementStartMicros: BigInt(Date.now()) * 1000n, ...this.settings.zone(),
      lastCopyCount: this.lastCopyCount, ...(javascript ? { javascript } : {}),
    };
    const record = this.ctx.queries.begin(this.start.processId, this.start.user, this.start.database, stmt.sql);
    try {
      return trackExecution(this.ctx.queries, record, await this.run(stmt, { params, signal, evalCtx, budget: new MemoryBudget(), record }));
    } catch (err) {
      this.ctx.queries.end(record, err);
      throw err;
    }
  }

  private async run(stmt: Prepared, args: ExecArgs): Promise<Execution> {
    const { params, signal, evalCtx } = args;
    const plan = stmt.plan;
    switch (plan.kind) {
      case 'select': {
        const rows = retriedOnNodeFailure(() => this.runBoundSelect(plan.select, args), this.log);
        return new RowsCursor(stmt.fields, rows, (n) => `SELECT ${n}`, signal);
      }
      case 'insert': {
        const sourceRows = plan.insert.source.kind === 'select' ? this.runBoundSelect(plan.insert.source.select, args) : null;
        const write = await prepareInsert(this.ctx, plan.insert, sourceRows, evalCtx, (e) => instantiateExpr(e, params, evalCtx));
        await this.addWrite(write);
        return staticCursor(null, [], `INSERT 0 ${write.rows}`);
      }
      case 'merge': {
        const m = plan.merge;
        const rows = (sel: BoundSelect | null): AsyncIterable<Datum[][]> | null => (sel === null ? null : this.runBoundSelect(sel, args));
        const { writes, tag } = await prepareMerge(this.ctx, m, rows(m.matched), rows(m.unmatched), evalCtx);
        await this.addWrites(writes);
        return staticCursor(null, [], tag);
      }
      case 'modify': {
        const m = plan.modify;
        let run: ModifyRun | null = null;
        if (m.select !== null) {
          const resolved = await materializeSubqueries(m.select, (sub) => collect(this.runBoundSelect(sub, args)));
          const planned = planSelect(instantiateSelect(resolved, params, evalCtx), this.tableLookup);
          const env = this.executionEnv(args);
          run = { plan: planned, rows: () => runSelect(planned, env) };
        }
        const { writes, tag } = await prepareModify(this.ctx, m, run, evalCtx);
        await this.addWrites(writes);
        return staticCursor(null, [], tag);
      }
      case 'utility':
        return plan.run(args);
    }
  }

  /** How unqualified names resolve for the statement being prepared (the session's search_path). */
  private path(): NamePath {
    return namePath(this.ctx.catalog, parseSearchPath(this.settings.get('search_path'), this.start.user));
  }

  // --- statements --------------------------------------------------------------------------

  private prepareParsed(s: ParsedStatement, givenTypes: readonly SqlType[], lifted: readonly RawCopyOption[] = []): Prepared {
    if (s.kind === 'AlterTableAttributes') {
      throw featureNotSupported('ALTER TABLE ... ALTER DISTSTYLE / DISTKEY / SORTKEY (needs a table rewrite)');
    }
    const params: SqlType[] = [...givenTypes];
    const tag = nodeTag(s.ast);
    const utility = (run: (a: ExecArgs) => Promise<Execution>, fields: ResultField[] | null = null): Prepared =>
      new Prepared(s.text, params, fields, { kind: 'utility', run });
    const tagOnly = (fn: () => Promise<string>): Prepared => utility(async () => staticCursor(null, [], await fn()));
    const notice = (m: string): void => this.start.onNotice(new SqlError(SqlState.SUCCESSFUL_COMPLETION, m, { severity: 'NOTICE' }));
    switch (tag) {
      case 'SelectStmt': {
        const select = bindSelect(s.ast, catalogResolver(this.ctx.catalog, this.path()), params);
        const fields = select.outputColumns.map((c) => ({ name: c.name, type: c.type, tableOid: c.tableOid, columnNumber: c.attnum }));
        return new Prepared(s.text, finalParamTypes(params), fields, { kind: 'select', select });
      }
      case 'MergeStmt': {
        const merge = bindMerge(this.ctx, s, params, this.path());
        return new Prepared(s.text, finalParamTypes(params), null, { kind: 'merge', merge });
      }
      case 'DeleteStmt': case 'UpdateStmt': case 'TruncateStmt': {
        const modify = bindModify(this.ctx, s, params, this.path());
        return new Prepared(s.text, finalParamTypes(params), null, { kind: 'modify', modify });
      }
      case 'InsertStmt': {
        const insert = bindInsert(this.ctx, s, params, this.path());
        return new Prepared(s.text, finalParamTypes(params), null, { kind: 'insert', insert });
      }
      case 'CreateStmt': return this.ddl(s, () => createTable(this.ctx, s, notice, this.path()));
      case 'CreateTableAsStmt': return this.createTableAs(s, params);
      case 'DropStmt': return this.ddl(s, () => drop(this.ctx, s, notice, this.path()));
      case 'AlterTableStmt': return this.ddl(s, () => alterTable(this.ctx, s, this.path()));
      case 'RenameStmt': return this.ddl(s, () => rename(this.ctx, s, this.path()));
      case 'ViewStmt': return this.ddl(s, () => createView(this.ctx, s, this.path()));
      case 'CreateFunctionStmt': return this.ddl(s, () => createFunction(this.ctx, s, this.path()));
      case 'CreateSchemaStmt': return this.ddl(s, () => createSchema(this.ctx, s, notice));
      case 'IndexStmt': return tagOnly(async () => {
        notice('CREATE INDEX is accepted but ignored: Colonnade skips blocks with zone maps and sort keys instead of indexes');
        return 'CREATE INDEX';
      });
      case 'TransactionStmt': return tagOnly(() => this.transaction(s));
      case 'VariableSetStmt': return tagOnly(async () => this.set(s));
      case 'VariableShowStmt': {
        const name = node(s.ast, 'VariableShowStmt')!.name ?? '';
        if (name.toLowerCase() === 'all') {
          const fields = [textField('name'), textField('setting'), textField('description')];
          return utility(async () => staticCursor(fields, this.settings.all(), 'SHOW'), fields);
        }
        const display = name.toLowerCase();
        this.settings.get(display); // 42704 at prepare time for unknown names
        const fields = [textField(display)];
        return utility(async () => staticCursor(fields, [[this.settings.get(display)]], 'SHOW'), fields);
      }
      case 'VacuumStmt': return this.maintenance(s);
      case 'DiscardStmt': return tagOnly(async () => 'DISCARD ALL');
      case 'DeallocateStmt': return tagOnly(async () => 'DEALLOCATE');
      case 'CopyStmt': {
        const run = prepareCopy(s, lifted, {
          ctx: this.ctx, path: this.path(), processId: this.start.processId,
          addWrite: (w) => this.addWrite(w),
          notice,
          setLastCopyCount: (n) => { this.lastCopyCount = n; },
          updateStatistics: (table) => this.afterWritesCommit(() => this.analyzeTable(table)),
          runSelect: (sel, evalCtx, signal, record) => this.runBoundSelect(sel, { params: [], signal, evalCtx, budget: new MemoryBudget(), record }),
        });
        return new Prepared(s.text, [], null, { kind: 'utility', run: (a) => run(a.evalCtx, a.signal, a.record) });
      }
      case 'RefreshMatViewStmt': {
        const r = node(s.ast, 'RefreshMatViewStmt')!;
        if (r.skipData) throw featureNotSupported('REFRESH MATERIALIZED VIEW ... WITH NO DATA');
        const name = rangeVarName(r.relation);
        const path = this.path();
        return utility(async (a) => {
          const table = this.ctx.catalog.findTable(path.schemaOf(name.schema, name.name), name.name);
          if (!table) throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${name.name}" does not exist`);
          // PostgreSQL answers 0A000 here (not 42809).
          if (table.materializedView === undefined) throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `"${name.name}" is not a materialized view`);
          // The view's query, bound again now: the tables it reads may have changed since.
          const def = node((parseStatements(table.materializedView)[0] as SqlStatement).ast, 'CreateTableAsStmt')!;
          const select = bindSelect(def.query, catalogResolver(this.ctx.catalog, path), []);
          const { write } = await prepareRefresh(this.ctx, table, this.runBoundSelect(select, a), select.outputColumns.map((c) => c.type), a.evalCtx);
          await this.addWrite(write);
          return staticCursor(null, [], 'REFRESH MATERIALIZED VIEW');
        });
      }
      case 'ExplainStmt': return this.prepareExplain(s, params);
      default: throw featureNotSupported(`statement ${tag ?? 'unknown'}`);
    }
  }

  /** VACUUM [FULL | SORT ONLY | DELETE ONLY | REINDEX] [t], ANALYZE [t], ANALYZE COMPRESSION [t]. */
  private maintenance(s: SqlStatement): Prepared {
    const v = node(s.ast, 'VacuumStmt')!;
    const options = list(v.options).map((o) => node(o, 'DefElem')?.defname ?? '');
    const path = this.path();
    const tables = list(v.rels).map((r) => {
      const rel = node(r, 'VacuumRelation')?.relation;
      const name = rel?.relname ?? '';
      const t = this.ctx.catalog.findTable(path.schemaOf(rel?.schemaname, name), name);
      if (!t) throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${name}" does not exist`);
      return t;
    });
    const all = (): readonly TableDef[] => (tables.length > 0 ? tables : this.ctx.catalog.tables);
    if (v.is_vacuumcmd) {
      const mode: VacuumMode = options.includes('sort_only') ? 'sort only' : options.includes('delete_only') ? 'delete only' : 'full';
      return new Prepared(s.text, [], null, { kind: 'utility', run: async () => {
        for (const t of all()) await this.ctx.dispatcher.vacuum(t.oid, mode);
        return staticCursor(null, [], 'VACUUM');
      } });
    }
    if (options.includes('compression')) {
      const fields = [textField('Table'), textField('Column'), textField('Encoding'), { name: 'Est_reduction_pct', type: T.numeric(5, 2), tableOid: 0, columnNumber: 0 }];
      return new Prepared(s.text, [], fields, { kind: 'utility', run: async () => {
        const rows: Datum[][] = [];
        for (const t of all()) {
          const bySlice = await this.ctx.dispatcher.analyzeCompression(t.oid, 100_000);
          // The slice that sampled the most rows speaks for the table.
          const best = bySlice.reduce<CompressionAdvice[] | null>((a, b) => (!a || (b[0]?.sampledRows ?? 0) > (a[0]?.sampledRows ?? 0) ? b : a), null) ?? [];
          for (const adv of best) rows.push([t.name, adv.column, adv.encoding, Decimal.parse(adv.estReductionPct.toFixed(2))!]);
        }
        return staticCursor(fields, rows, 'ANALYZE COMPRESSION');
      } });
    }
    return new Prepared(s.text, [], null, { kind: 'utility', run: async () => {
      for (const t of all()) await this.analyzeTable(t);
      return staticCursor(null, [], 'ANALYZE');
    } });
  }

  /**
   * EXPLAIN [ANALYZE] [VERBOSE] SELECT: the distributed plan (leader/planning/explain.ts). ANALYZE
   * also runs the query and adds its row count, time and the bytes the compute nodes sent.
   */
  private prepareExplain(s: SqlStatement, params: SqlType[]): Prepared {
    const e = node(s.ast, 'ExplainStmt')!;
    const options = list(e.options).map((o) => node(o, 'DefElem')?.defname ?? '');
    if (!node(e.query, 'SelectStmt')) throw featureNotSupported('EXPLAIN of a statement other than SELECT');
    const select = bindSelect(e.query, catalogResolver(this.ctx.catalog, this.path()), params);
    const fields = [textField('QUERY PLAN')];
    const ctx = this.ctx;
    const env = {
      table: (oid: number) => plannedTable(ctx.catalog.tableByOid(oid), ctx.catalog.sliceCount, allCopiesCurrent(ctx.catalog.nodes)),
      tableRowCount: (oid: number) => {
        const t = ctx.catalog.tableByOid(oid);
        return t ? ctx.dispatcher.tableRowCount(t) : Promise.resolve(0);
      },
    };
    return new Prepared(s.text, finalParamTypes(params), fields, { kind: 'utility', run: async (a) => {
      const lines = await explainSelect(planSelect(instantiateSelect(select, a.params, a.evalCtx), this.tableLookup), env);
      if (options.includes('analyze')) {
        const started = performance.now();
        const before = a.record.bytes;
        const movedBefore = a.record.bytesRedistributed;
        let rows = 0;
        const nodeStats: NodeStats[] = [];
        for await (const chunk of this.runBoundSelect(select, { ...a, nodeStats })) rows += chunk.length;
        const moved = a.record.bytesRedistributed - movedBefore;
        lines.push(`Execution: ${rows} rows in ${(performance.now() - started).toFixed(3)} ms; ${a.record.bytes - before} bytes sent by compute nodes to the leader`
          + (moved > 0 ? `, ${moved} between compute nodes` : ''));
        lines.push(...operatorLines(nodeStats, (oid) => ctx.catalog.tableByOid(oid)?.name));
      }
      return staticCursor(fields, lines.map((l) => [l]), 'EXPLAIN');
    } });
  }

  /** UNLOAD ('query') TO 'prefix' [options] (Redshift; files on the leader's machine). */
  private prepareUnload(sql: string): Prepared {
    const u = parseUnload(sql);
    const select = bindUnloadQuery(this.ctx, u, this.path());
    return new Prepared(sql, [], null, { kind: 'utility', run: async (a) => {
      const n = await runUnload(u, select, this.ctx.catalog.sliceCount, this.runBoundSelect(select, a), a.evalCtx);
      return staticCursor(null, [], `UNLOAD ${n}`);
    } });
  }

  /** DDL is applied at once (not deferred to COMMIT). */
  private ddl(s: SqlStatement, fn: () => Promise<string>): Prepared {
    return new Prepared(s.text, [], null, { kind: 'utility', run: async () => staticCursor(null, [], await fn()) });
  }

  private createTableAs(s: SqlStatement, params: SqlType[]): Prepared {
    const ctas = node(s.ast, 'CreateTableAsStmt')!;
    const materialized = ctas.objtype === 'OBJECT_MATVIEW';
    if (materialized && ctas.into?.skipData) throw featureNotSupported('CREATE MATERIALIZED VIEW ... WITH NO DATA');
    const select = bindSelect(ctas.query, catalogResolver(this.ctx.catalog, this.path()), params);
    const run = async (a: ExecArgs): Promise<Execution> => {
      const into = ctas.into!;
      const rel = into.rel!;
      const colNames = strs(into.colNames);
      const columns = select.outputColumns.map((c, i) => `"${(colNames[i] ?? c.name).replace(/"/g, '""')}" ${sqlTypeName(c.type)}`);
      const attrs = s.attributes;
      const design = [
        attrs?.distStyle ? `DISTSTYLE ${attrs.distStyle.toUpperCase()}` : '',
        attrs?.distKey ? `DISTKEY("${attrs.distKey}")` : '',
        attrs?.sortKey && attrs.sortKey !== 'auto' ? `${attrs.sortKey.style.toUpperCase()} SORTKEY(${attrs.sortKey.columns.map((c) => `"${c}"`).join(', ')})` : '',
      ].join(' ');
      const qualified = rel.schemaname ? `"${rel.schemaname}"."${rel.relname}"` : `"${rel.relname}"`;
      const [create] = parseStatements(`CREATE TABLE ${ctas.if_not_exists ? 'IF NOT EXISTS ' : ''}${qualified} (${columns.join(', ')}) ${design}`);
      await createTable(this.ctx, create as SqlStatement, (m) => this.start.onNotice(new SqlError(SqlState.SUCCESSFUL_COMPLETION, m, { severity: 'NOTICE' })), this.path());
      const table = this.ctx.catalog.findTable(rel.schemaname ?? this.path().creationSchema(), rel.relname!)!;
      if (materialized) await this.ctx.catalog.apply({ kind: 'SetMaterializedView', oid: table.oid, definition: s.text });
      const insert: BoundInsert = { tableOid: table.oid, targetColumns: table.columns.map((_c, i) => i), source: { kind: 'select', select } };
      const write = await prepareInsert(this.ctx, insert, this.runBoundSelect(select, a), a.evalCtx, (e) => instantiateExpr(e, a.params, a.evalCtx));
      await this.addWrite(write);
      return staticCursor(null, [], `SELECT ${write.rows}`);
    };
    return new Prepared(s.text, finalParamTypes(params), null, { kind: 'utility', run });
  }

  /** Table definitions and statistics, as the planner reads them. */
  private readonly tableLookup = (oid: number): TableDef | undefined => this.ctx.catalog.tableByOid(oid);

  private runBoundSelect(select: BoundSelect, a: ExecArgs): AsyncGenerator<Datum[][]> {
    const env = this.executionEnv(a);
    const lookup = this.tableLookup;
    const run = (s: BoundSelect): AsyncGenerator<Datum[][]> => this.runBoundSelect(s, a);
    return (async function* execute(): AsyncGenerator<Datum[][]> {
      // Uncorrelated subqueries run first (InitPlans); their values become constants.
      const resolved = await materializeSubqueries(select, (sub) => collect(run(sub)));
      yield* runSelect(planSelect(instantiateSelect(resolved, a.params, a.evalCtx), lookup), env);
    })();
  }

  /** What running a planned SELECT needs from the cluster and this session. */
  private executionEnv(a: ExecArgs): ExecutionEnv {
    const ctx = this.ctx;
    // Row counts asked for by several planning steps of one SELECT: one round to the nodes each.
    const rowCounts = new Map<number, Promise<number>>();
    return {
      evalCtx: a.evalCtx,
      signal: a.signal,
      runDistributed: (fragment: Fragment) => {
        const table = ctx.catalog.tableByOid(fragment.tableOid);
        if (!table) throw new SqlError(SqlState.UNDEFINED_TABLE, 'table was dropped while the query ran');
        return ctx.dispatcher.runFragment(table, fragment, a.evalCtx, a.signal, 'runFragment', (n) => { a.record.bytes += n; }, statsSink(a));
      },
      systemRows: (name: string) => SYSTEM_VIEWS[name]!.rows(ctx),
      budget: a.budget,
      table: (oid: number) => plannedTable(ctx.catalog.tableByOid(oid), ctx.catalog.sliceCount, allCopiesCurrent(ctx.catalog.nodes)),
      tableRowCount: (oid: number) => {
        let count = rowCounts.get(oid);
        if (count === undefined) {
          const table = ctx.catalog.tableByOid(oid);
          rowCounts.set(oid, count = table ? ctx.dispatcher.tableRowCount(table) : Promise.resolve(0));
        }
        return count;
      },
      runJoinDistributed: (oid: number | null, jf: JoinFragment, onResponse?: (value: unknown) => void) => {
        const table = oid === null ? null : ctx.catalog.tableByOid(oid);
        if (table === undefined) throw new SqlError(SqlState.UNDEFINED_TABLE, 'table was dropped while the query ran');
        const sink = statsSink(a);
        return ctx.dispatcher.runFragment(table, jf, a.evalCtx, a.signal, 'runJoinFragment', (n) => { a.record.bytes += n; }, (value, node) => {
          onResponse?.(value);
          sink?.(value, node);
        });
      },
      redistribute: async (oid: number, fragment: Fragment, keyIndex: number, groupCount?: number) => {
        const table = ctx.catalog.tableByOid(oid);
        if (!table) throw new SqlError(SqlState.UNDEFINED_TABLE, 'table was dropped while the query ran');
        const r = await ctx.dispatcher.redistribute(table, fragment, keyIndex, a.evalCtx, a.signal, statsSink(a), groupCount);
        a.record.bytesRedistributed += r.bytesSent;
        return r.exchangeId;
      },
      dropExchange: (id: string) => ctx.dispatcher.dropExchange(id),
      runMerge: (exchange: Fragment, merge: MergeSpec) => ctx.dispatcher.runMerge(exchange, merge, a.evalCtx, a.signal, (n) => { a.record.bytes += n; }, statsSink(a)),
      runWindow: (exchange: Fragment, window: WindowSpec) => ctx.dispatcher.runWindow(exchange, window, a.evalCtx, a.signal, (n) => { a.record.bytes += n; }, statsSink(a)),
      materializeBatch: async (leaf: SelectPlan) => {
        const f = leaf.fragment;
        if (leaf.source.kind !== 'table' || f.mode.kind !== 'project') return null;
        const table = ctx.catalog.tableByOid(leaf.source.tableOid);
        if (!table) throw new SqlError(SqlState.UNDEFINED_TABLE, 'table was dropped while the query ran');
        const types = f.mode.exprs.map((e) => e.type);
        let layouts: ColumnLayout[];
        try {
          layouts = types.map(layoutOf);
        } catch {
          return null;
        }
        const parts: Batch[] = [];
        for await (const b of ctx.dispatcher.runFragmentBatches(table, f, types, a.evalCtx, a.signal, (n) => { a.record.bytes += n; }, statsSink(a))) {
          if (b.length === 0) continue;
          a.budget.charge(b.length, types.length);
          parts.push(b);
        }
        if (parts.length === 0) return batchFromRows(types, []);
        return { length: parts.reduce((n, b) => n + b.length, 0), columns: layouts.map((l, c) => concatVectors(parts.map((b) => b.columns[c]!), l)), selection: null };
      },
    };
  }

  private async addWrite(write: PreparedWrite): Promise<void> {
    await this.addWrites([write]);
  }

  /** Commits prepared writes together now, or at COMMIT inside a transaction. */
  private async addWrites(writes: readonly PreparedWrite[]): Promise<void> {
    if (this.inExplicit || this.implicit) {
      this.pending.push(...writes);
      return;
    }
    await this.ctx.dispatcher.finishWrites(writes, true);
  }

  /** Runs `task` now, or after COMMIT when writes of this transaction are still pending. */
  private async afterWritesCommit(task: () => Promise<void>): Promise<void> {
    if (this.inExplicit || this.implicit) this.afterCommit.push(task);
    else await task();
  }

  /** ANALYZE of one table: statistics from every slice, kept in the catalog. */
  private async analyzeTable(table: TableDef): Promise<void> {
    const stats = await this.ctx.dispatcher.analyze(table);
    if (this.ctx.catalog.tableByOid(table.oid)) await this.ctx.catalog.apply({ kind: 'SetTableStats', oid: table.oid, stats });
  }

  private async finishPending(commit: boolean): Promise<void> {
    const writes = this.pending;
    this.pending = [];
    const after = this.afterCommit;
    this.afterCommit = [];
    await this.ctx.dispatcher.finishWrites(writes, commit);
    if (!commit) return;
    for (const task of after) {
      // Committed already: a failure here is worth a warning, not an error.
      await task().catch((err: unknown) => this.start.onNotice(new SqlError(SqlState.WARNING,
        `statistics were not updated: ${err instanceof Error ? err.message : String(err)}`, { severity: 'WARNING' })));
    }
  }

  private async transaction(s: SqlStatement): Promise<string> {
    const t = node(s.ast, 'TransactionStmt')!;
    const warn = (m: string): void => this.start.onNotice(new SqlError(SqlState.WARNING, m, { severity: 'WARNING' }));
    switch (t.kind) {
      case 'TRANS_STMT_BEGIN': case 'TRANS_STMT_START':
        if (this.inExplicit) warn('there is already a transaction in progress');
        this.inExplicit = true;
        return t.kind === 'TRANS_STMT_BEGIN' ? 'BEGIN' : 'START TRANSACTION';
      case 'TRANS_STMT_COMMIT': {
        if (!this.inExplicit) warn('there is no transaction in progress');
        const wasFailed = this.failed;
        this.inExplicit = false;
        this.failed = false;
        await this.finishPending(!wasFailed);
        return wasFailed ? 'ROLLBACK' : 'COMMIT';
      }
      case 'TRANS_STMT_ROLLBACK':
        if (!this.inExplicit) warn('there is no transaction in progress');
        this.inExplicit = false;
        this.failed = false;
        await this.finishPending(false);
        return 'ROLLBACK';
      default:
        throw featureNotSupported(`transaction command ${String(t.kind).replace('TRANS_STMT_', '')}`);
    }
  }

  private set(s: SqlStatement): string {
    const v = node(s.ast, 'VariableSetStmt')!;
    if (v.kind === 'VAR_SET_MULTI') return 'SET'; // SET TRANSACTION ... / SET SESSION CHARACTERISTICS: accepted
    if (v.kind === 'VAR_RESET_ALL') {
      for (const [name] of this.settings.all()) {
        try {
          const changed = this.settings.set(name, null);
          if (changed) this.start.onParameterStatus(changed[0], changed[1]);
        } catch {
          // read-only settings are skipped by RESET ALL
        }
      }
      return 'RESET';
    }
    const name = v.name ?? '';
    let value: string | null = null;
    if (v.kind === 'VAR_SET_VALUE') {
      value = list(v.args).map((a) => {
        const c = node(a, 'A_Const');
        if (c?.sval) return c.sval.sval ?? '';
        if (c?.ival) return String(c.ival.ival ?? 0);
        if (c?.fval) return c.fval.fval ?? '';
        if (c?.boolval) return c.boolval.boolval ? 'on' : 'off';
        return str(a) ?? '';
      }).join(', ');
    } else if (v.kind === 'VAR_SET_CURRENT') {
      throw featureNotSupported('SET ... FROM CURRENT');
    }
    const changed = this.settings.set(name, value);
    if (changed) this.start.onParameterStatus(changed[0], changed[1]);
    return v.kind === 'VAR_RESET' ? 'RESET' : 'SET';
  }
}

function isTransactionEnd(stmt: PreparedStatement): boolean {
  return /^\s*(commit|rollback|end|abort)\b/i.test(stmt.sql);
}

/** Parameters still untyped after binding are text, as PostgreSQL resolves them. */
function finalParamTypes(params: SqlType[]): SqlType[] {
  for (let i = 0; i < params.length; i++) if (params[i]!.id === 'unknown') params[i] = T.text;
  return params;
}

function sqlTypeName(t: SqlType): string {
  switch (t.id) {
    case 'numeric': return t.precision !== undefined ? `numeric(${t.precision},${t.scale ?? 0})` : 'numeric';
    case 'varchar': return t.length !== undefined ? `varchar(${t.length})` : 'varchar';
    case 'char': return `char(${t.length ?? 1})`;
    case 'unknown': return 'text';
    default: return t.id;
  }
}

/**
 * EXPLAIN ANALYZE's per-operator lines: for each fragment a node ran, in the order the nodes
 * answered, every operator on every slice (or once per node) with rows in, rows out and time.
 */
function operatorLines(nodeStats: readonly NodeStats[], tableName: (oid: number) => string | undefined): string[] {
  if (nodeStats.length === 0) return [];
  const out = ['Per operator on the compute nodes (rows read -> rows produced, time; pipelined operators include what runs after them):'];
  const named = (op: string): string => op.replace(/table (\d+)/g, (m, oid: string) => tableName(Number(oid)) ?? m);
  for (const { node, stats } of nodeStats) {
    for (const s of stats) {
      const where = s.slice < 0 ? `node ${node}` : `node ${node} slice ${s.slice}`;
      const rows = s.rowsIn > 0 ? `${s.rowsIn} -> ${s.rows} rows` : `${s.rows} rows`;
      out.push(`  ${where}: ${named(s.op)}: ${rows}${s.ms > 0 ? `, ${s.ms.toFixed(1)} ms` : ''}`);
    }
  }
  return out;
}

/**
 * Pauses before each new run of a SELECT a compute node's failure broke: the first comes at once
 * (the node is known down, its copies are there); later ones, when that run failed again under
 * another node, give the cluster a moment to settle.
 */
const NODE_FAILURE_PAUSES_MS = [0, 200, 1000, 2000];

/**
 * A SELECT run again when a compute node fails under it before any row has reached the client:
 * the next run reads that node's slices from their copies (K-safety), so the client never sees the
 * failure. Once rows have gone out the statement fails with 40001, which clients and drivers treat
 * as "run it again"; with no copy to read from, the next run fails with 08006 naming the node.
 */
async function* retriedOnNodeFailure(run: () => AsyncGenerator<Datum[][]>, log: Logger): AsyncGenerator<Datum[][]> {
  for (let attempt = 1; ; attempt++) {
    let sent = false;
    try {
      for await (const chunk of run()) {
        sent = true;
        yield chunk;
      }
      return;
    } catch (err) {
      if (!(err instanceof SqlError) || err.code !== SqlState.CONNECTION_FAILURE) throw err;
      // No live copy of some slice now: running it again cannot help yet.
      if (err instanceof LostSlicesError) throw err;
      if (sent) {
        throw new SqlError(SqlState.SERIALIZATION_FAILURE, `${err.message} while the query was returning rows`, {
          hint: 'Run the query again: it reads the lost node\'s slices from their copies.',
        });
      }
      if (attempt > NODE_FAILURE_PAUSES_MS.length) throw err;
      log.warn({ err, attempt }, 'a compute node failed under a query; running it again');
      const pause = NODE_FAILURE_PAUSES_MS[attempt - 1]!;
      if (pause > 0) await new Promise((r) => setTimeout(r, pause));
    }
  }
}

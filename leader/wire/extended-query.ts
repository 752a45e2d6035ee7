// The extended query protocol: named/unnamed statements and portals, Parse/Bind/Describe/Execute/Close/Sync.
// @see https://www.postgresql.org/docs/15/protocol-flow.html#PROTOCOL-FLOW-EXT-QUERY
import { SqlError, SqlState, featureNotSupported } from '../../common/errors/index.ts';
import { typeFromOid, type SqlType } from '../../sql/types/sql-type.ts';
import { bindParameters, expandFormats } from './bind-parameters.ts';
import { BackendCode } from './message-codes.ts';
import { decodeBind } from './messages/bind.ts';
import { decodeClose } from './messages/close.ts';
import { writeCommandComplete } from './messages/command-complete.ts';
import { decodeDescribe } from './messages/describe.ts';
import { writeEmptyBody } from './messages/empty-body.ts';
import { decodeExecute } from './messages/execute.ts';
import { writeParameterDescription } from './messages/parameter-description.ts';
import { decodeParse } from './messages/parse.ts';
import { writeRowDescription } from './messages/row-description.ts';
import { closePortal, type Portal, type WireStatement } from './portal.ts';
import type { QueryContext } from './query-context.ts';
import { runExecution } from './run-execution.ts';

function statementLabel(name: string): string {
  return name === '' ? 'unnamed prepared statement' : `prepared statement "${name}"`;
}

/**
 * Per-connection extended-protocol state. After an error every message up to Sync is skipped
 * (`skipping`); Sync ends the implicit transaction the first Execute opened, drops portals once no
 * transaction block remains, and the caller then sends ReadyForQuery.
 */
export class ExtendedQuery {
  private readonly statements = new Map<string, WireStatement>();
  private readonly portals = new Map<string, Portal>();
  /** Set by an error; cleared by Sync. */
  skipping = false;
  private implicitOpen = false;
  private failed = false;

  constructor(private readonly ctx: QueryContext) {}

  /**
   * Opens the implicit transaction that lasts until Sync (PostgreSQL's start_xact_command on the
   * first extended-protocol message); the connection calls it before Parse/Bind/Describe/Execute/Close.
   */
  enterBatch(): void {
    if (this.implicitOpen) return;
    this.ctx.session.beginImplicit();
    this.implicitOpen = true;
  }

  /** Parse: prepares a statement (unnamed replaces the previous one; a named one must be closed first). */
  async parse(body: Buffer): Promise<void> {
    const msg = decodeParse(body);
    if (msg.name !== '' && this.statements.has(msg.name)) {
      throw new SqlError(SqlState.DUPLICATE_PREPARED_STATEMENT, `prepared statement "${msg.name}" already exists`);
    }
    const types: SqlType[] = msg.paramOids.map((oid) => {
      const t = typeFromOid(oid);
      if (t === undefined) throw featureNotSupported(`parameter type with OID ${oid}`);
      return t;
    });
    const prepared = msg.sql.trim() === '' ? null : await this.ctx.session.prepare(msg.sql, types);
    if (msg.name === '') await this.dropStatement('');
    this.statements.set(msg.name, { name: msg.name, prepared });
    writeEmptyBody(this.ctx.out.w, BackendCode.ParseComplete);
  }

  /** Bind: decodes parameters and result formats into a portal (unnamed replaces the previous one). */
  async bind(body: Buffer): Promise<void> {
    const msg = decodeBind(body);
    const stmt = this.statements.get(msg.statement);
    if (stmt === undefined) {
      throw new SqlError(SqlState.UNDEFINED_PREPARED_STATEMENT, `${statementLabel(msg.statement)} does not exist`);
    }
    if (msg.portal !== '' && this.portals.has(msg.portal)) {
      throw new SqlError(SqlState.DUPLICATE_CURSOR, `portal "${msg.portal}" already exists`);
    }
    const paramTypes = stmt.prepared?.paramTypes ?? [];
    if (msg.params.length !== paramTypes.length) {
      throw new SqlError(SqlState.PROTOCOL_VIOLATION,
        `bind message supplies ${msg.params.length} parameters, but ${statementLabel(msg.statement)} requires ${paramTypes.length}`);
    }
    const paramFormats = expandFormats(msg.paramFormats, msg.params.length, 'parameter');
    const columnCount = stmt.prepared?.fields?.length ?? 0;
    const formats = expandFormats(msg.resultFormats, columnCount, 'result');
    const params = bindParameters(paramTypes, msg.params, paramFormats, this.ctx.session.textIoSettings());
    if (msg.portal === '') await this.dropPortal('');
    this.portals.set(msg.portal, {
      name: msg.portal, statement: stmt, params, formats, execution: null, controller: null, finished: false, finalTag: '',
    });
    writeEmptyBody(this.ctx.out.w, BackendCode.BindComplete);
  }

  /** Describe: ParameterDescription + RowDescription/NoData for a statement, RowDescription/NoData for a portal. */
  describe(body: Buffer): void {
    const msg = decodeDescribe(body);
    const w = this.ctx.out.w;
    if (msg.target === 'S') {
      const stmt = this.statements.get(msg.name);
      if (stmt === undefined) throw new SqlError(SqlState.UNDEFINED_PREPARED_STATEMENT, `${statementLabel(msg.name)} does not exist`);
      writeParameterDescription(w, stmt.prepared?.paramTypes ?? []);
      const fields = stmt.prepared?.fields ?? null;
      if (fields === null) writeEmptyBody(w, BackendCode.NoData);
      else writeRowDescription(w, fields, new Uint8Array(fields.length));
      return;
    }
    const portal = this.portalOrThrow(msg.name);
    const fields = portal.statement.prepared?.fields ?? null;
    if (fields === null) writeEmptyBody(w, BackendCode.NoData);
    else writeRowDescription(w, fields, portal.formats);
  }

  private portalOrThrow(name: string): Portal {
    const portal = this.portals.get(name);
    if (portal === undefined) throw new SqlError(SqlState.INVALID_CURSOR_NAME, `portal "${name}" does not exist`);
    return portal;
  }

  /** Execute: runs (or resumes) a portal for up to maxRows rows. */
  async execute(body: Buffer): Promise<void> {
    const msg = decodeExecute(body);
    const portal = this.portalOrThrow(msg.portal);
    const prepared = portal.statement.prepared;
    const w = this.ctx.out.w;
    if (prepared === null) { writeEmptyBody(w, BackendCode.EmptyQueryResponse); return; }
    if (portal.finished) { writeCommandComplete(w, portal.finalTag); return; }
    portal.controller ??= new AbortController();
    const signal = this.ctx.beginStatement(portal.controller);
    try {
      portal.execution ??= await this.ctx.session.execute(prepared, portal.params, signal);
      const exec = portal.execution;
      const tag = await runExecution(this.ctx, exec, signal, { formats: portal.formats, maxRows: msg.maxRows, describe: false });
      if (tag !== null) {
        portal.finished = true;
        portal.finalTag = tag;
        await closePortal(portal);
      }
    } catch (err) {
      // A failed portal is gone, as when PostgreSQL aborts the transaction that held it.
      this.portals.delete(portal.name);
      await closePortal(portal).catch(() => undefined);
      throw err;
    } finally {
      this.ctx.endStatement();
    }
  }

  /** Close: drops a statement (and the portals made from it) or a portal; closing a missing one is fine. */
  async close(body: Buffer): Promise<void> {
    const msg = decodeClose(body);
    if (msg.target === 'S') await this.dropStatement(msg.name);
    else await this.dropPortal(msg.name);
    writeEmptyBody(this.ctx.out.w, BackendCode.CloseComplete);
  }

  private async dropStatement(name: string): Promise<void> {
    const stmt = this.statements.get(name);
    if (stmt === undefined) return;
    this.statements.delete(name);
    for (const p of [...this.portals.values()]) {
      if (p.statement === stmt) await this.dropPortal(p.name);
    }
  }

  private async dropPortal(name: string): Promise<void> {
    const p = this.portals.get(name);
    if (p === undefined) return;
    this.portals.delete(name);
    await closePortal(p);
  }

  /** Records an error: the session's transaction fails and messages are skipped until Sync. */
  markFailed(): void {
    this.failed = true;
    this.skipping = true;
  }

  /** Sync: ends the implicit transaction and drops portals when no transaction block remains. */
  async sync(): Promise<void> {
    this.skipping = false;
    const ok = !this.failed;
    this.failed = false;
    if (this.implicitOpen) {
      this.implicitOpen = false;
      await this.ctx.session.endImplicit(ok);
    }
    await this.afterTransactionBoundary();
  }

  /** Drops every portal once no transaction block is open (after Sync or a simple Query's COMMIT). */
  async afterTransactionBoundary(): Promise<void> {
    if (this.ctx.session.transactionStatus() === 'I') await this.closeAllPortals();
  }

  /** Closes every portal's cursor (transaction end, disconnect). */
  async closeAllPortals(): Promise<void> {
    const all = [...this.portals.values()];
    this.portals.clear();
    for (const p of all) {
      try {
        await closePortal(p);
      } catch (err) {
        this.ctx.log.debug({ err }, 'closing portal failed');
      }
    }
  }
}

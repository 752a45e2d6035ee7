// A tiny BackendSession for wire tests: evaluates a handful of statement shapes so real clients can run.
import {
  SqlError, SqlState, divisionByZero, queryCanceled, syntaxError, undefinedColumn,
} from '../../../common/errors/index.ts';
import type { Datum } from '../../../sql/types/datum.ts';
import { T, type SqlType } from '../../../sql/types/sql-type.ts';
import { DEFAULT_TEXT_IO, parseDatum, type TextIoSettings } from '../../../sql/types/text-io.ts';
import type {
  BackendSession, CopyInCursor, CopyOutCursor, Cursor, Execution, PreparedStatement, ResultField,
  SessionFactory, SessionStart, TransactionStatus,
} from '../../session/backend-session.ts';

/** Counters a test can assert on. */
export interface FakeStats {
  sessionsStarted: number;
  sessionsClosed: number;
  /** Rows handed out by all cursors (backpressure tests watch this). */
  rowsFetched: number;
  cursorsClosed: number;
  implicitBegins: number;
  implicitEnds: Array<boolean>;
  lastStart: SessionStart | null;
  /** Lines of the one COPY table "t", shared by all sessions of a factory. */
  copyTable: string[];
  copyFailures: string[];
  /** Statements whose AbortSignal fired. */
  aborted: number;
}

/** How one select item computes its value for row `i` (0-based) with parameters `p`. */
type ItemEval = (p: readonly Datum[], i: number) => Datum;

interface Plan {
  readonly kind: 'select' | 'begin' | 'commit' | 'rollback' | 'set' | 'copyIn' | 'copyOut' | 'pgType' | 'ddl';
  readonly fields: ResultField[] | null;
  readonly paramTypes: SqlType[];
  readonly items?: ItemEval[];
  readonly rowCount?: number;
  readonly sleepMs?: number;
  readonly setting?: readonly [string, string];
  readonly tag?: string;
}

interface FakeStatement extends PreparedStatement {
  readonly plan: Plan;
}

const TYPE_NAMES: Record<string, SqlType> = {
  int: T.int4, integer: T.int4, int4: T.int4, int2: T.int2, smallint: T.int2, int8: T.int8, bigint: T.int8,
  real: T.float4, float4: T.float4, float8: T.float8, 'double precision': T.float8, numeric: T.numeric(),
  bool: T.bool, boolean: T.bool, text: T.text, varchar: T.varchar(), bpchar: { id: 'char' }, char: T.char(1),
  name: { id: 'name' }, date: T.date, timestamp: T.timestamp, timestamptz: T.timestamptz, interval: T.interval,
  oid: { id: 'oid' },
};

/** PostgreSQL's column name for a cast: the type's internal name. */
const CAST_COLUMN: Partial<Record<SqlType['id'], string>> = {
  char: 'bpchar', float4: 'float4', float8: 'float8', bool: 'bool',
};

function parseType(text: string, pos: number): SqlType {
  const m = /^(\w+(?: precision)?)(?:\((\d+)(?:,\s*(\d+))?\))?$/i.exec(text.trim());
  const base = m === null ? undefined : TYPE_NAMES[m[1]!.toLowerCase()];
  if (m === null || base === undefined) throw new SqlError(SqlState.UNDEFINED_OBJECT, `type "${text.trim()}" does not exist`, { position: pos });
  if (m[2] === undefined) return base;
  if (base.id === 'numeric') return T.numeric(Number(m[2]), m[3] === undefined ? 0 : Number(m[3]));
  if (base.id === 'varchar') return T.varchar(Number(m[2]));
  if (base.id === 'char') return T.char(Number(m[2]));
  return base;
}

function field(name: string, type: SqlType): ResultField {
  return { name, type, tableOid: 0, columnNumber: 0 };
}

/** Splits on commas outside parentheses and quotes, keeping each part's offset. */
function splitTop(s: string, sep: string): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  let depth = 0, quote = false, start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "'") quote = !quote;
    else if (!quote && c === '(') depth++;
    else if (!quote && c === ')') depth--;
    else if (!quote && depth === 0 && c === sep) { out.push([s.slice(start, i), start]); start = i + 1; }
  }
  out.push([s.slice(start), start]);
  return out;
}

/** Builds the plan of one statement; `base` is its 0-based offset in the message (for positions). */
function planStatement(sql: string, base: number, given: readonly SqlType[]): Plan {
  const s = sql.trim();
  const lead = base + sql.indexOf(s);
  const lower = s.toLowerCase();
  if (/^(begin|start transaction)\b/.test(lower)) return { kind: 'begin', fields: null, paramTypes: [], tag: 'BEGIN' };
  if (/^(commit|end)\b/.test(lower)) return { kind: 'commit', fields: null, paramTypes: [], tag: 'COMMIT' };
  if (/^(rollback|abort)\b/.test(lower)) return { kind: 'rollback', fields: null, paramTypes: [], tag: 'ROLLBACK' };
  if (/^create table\b/.test(lower)) return { kind: 'ddl', fields: null, paramTypes: [], tag: 'CREATE TABLE' };
  if (lower.includes('pg_catalog.pg_type')) {
    return { kind: 'pgType', fields: [field('oid', { id: 'oid' }), field('typarray', { id: 'oid' })], paramTypes: [] };
  }
  let m = /^set\s+(?:session\s+)?(\w+)\s*(?:=|to)\s*'?([^']*)'?$/i.exec(s);
  if (m !== null) return { kind: 'set', fields: null, paramTypes: [], setting: [m[1]!, m[2]!], tag: 'SET' };
  m = /^copy\s+(\w+)\s+from\s+stdin\b/i.exec(s);
  if (m !== null) return { kind: 'copyIn', fields: null, paramTypes: [] };
  m = /^copy\s+(\w+)\s+to\s+stdout\b/i.exec(s);
  if (m !== null) return { kind: 'copyOut', fields: null, paramTypes: [] };
  m = /^select\s+([\s\S]+?)(?:\s+from\s+generate_series\(\s*(\d+)\s*,\s*(\d+)\s*\))?$/i.exec(s);
  if (m === null) {
    const word = /^\S+/.exec(s)?.[0] ?? s;
    throw syntaxError(`syntax error at or near "${word}"`, lead + 1);
  }
  const from = m[2] === undefined ? null : [Number(m[2]), Number(m[3])] as const;
  const listStart = lead + s.indexOf(m[1]!);
  const paramTypes: SqlType[] = [...given];
  const fields: ResultField[] = [];
  const items: ItemEval[] = [];
  let sleepMs = 0;
  for (const [rawItem, off] of splitTop(m[1]!, ',')) {
    const item = rawItem.trim();
    const pos = listStart + off + rawItem.indexOf(item) + 1;
    const am = /^([\s\S]+?)(?:\s+as\s+(\w+))?$/i.exec(item)!;
    const expr = am[1]!.trim();
    const alias = am[2];
    let x: RegExpExecArray | null;
    if ((x = /^\$(\d+)(?:::([\w ]+(?:\(\d+(?:,\s*\d+)?\))?))?(?:\s*\+\s*(\d+))?$/.exec(expr)) !== null) {
      const idx = Number(x[1]) - 1;
      const declared = x[2] === undefined ? undefined : parseType(x[2], pos);
      const t = declared ?? paramTypes[idx] ?? T.unknown;
      while (paramTypes.length < idx) paramTypes.push(T.unknown);
      if (paramTypes[idx] === undefined || paramTypes[idx]!.id === 'unknown') paramTypes[idx] = t;
      const add = x[3] === undefined ? null : Number(x[3]);
      const resultType = t.id === 'unknown' ? T.text : t;
      fields.push(field(alias ?? (add !== null ? '?column?' : declared !== undefined ? CAST_COLUMN[t.id] ?? t.id : '?column?'), resultType));
      items.push((p) => {
        const v = p[idx] ?? null;
        if (add === null || v === null) return v;
        return typeof v === 'bigint' ? v + BigInt(add) : (v as number) + add;
      });
    } else if ((x = /^(-?\d+)::(int|integer|int4|int8|bigint)(?:\s*\+\s*(\d+))?$/i.exec(expr)) !== null) {
      const t = parseType(x[2]!, pos);
      const v = Number(x[1]) + Number(x[3] ?? 0);
      fields.push(field(alias ?? (x[3] === undefined ? t.id : '?column?'), t));
      items.push(() => (t.id === 'int8' ? BigInt(v) : v));
    } else if ((x = /^(-?\d+)\s*\/\s*0$/.exec(expr)) !== null) {
      fields.push(field(alias ?? '?column?', T.int4));
      items.push(() => { throw divisionByZero(); });
    } else if (/^-?\d+$/.test(expr)) {
      fields.push(field(alias ?? '?column?', T.int4));
      const v = Number(expr);
      items.push(() => v);
    } else if ((x = /^'([^']*)'(?:::([\w ]+(?:\(\d+(?:,\s*\d+)?\))?))?$/.exec(expr)) !== null) {
      const t = x[2] === undefined ? T.text : parseType(x[2], pos);
      const v = parseDatum(t, x[1]!, DEFAULT_TEXT_IO);
      fields.push(field(alias ?? (x[2] === undefined ? '?column?' : CAST_COLUMN[t.id] ?? t.id), t));
      items.push(() => v);
    } else if ((x = /^pg_sleep\(\s*(\d+(?:\.\d+)?)\s*\)$/i.exec(expr)) !== null) {
      sleepMs = Number(x[1]) * 1000;
      fields.push(field(alias ?? 'pg_sleep', T.text));
      items.push(() => '');
    } else if (/^crash\(\)$/i.test(expr)) {
      fields.push(field(alias ?? 'crash', T.int4));
      items.push(() => { throw new TypeError('fake engine bug'); });
    } else if (from !== null && (expr === '*' || expr === 'generate_series')) {
      fields.push(field(alias ?? 'generate_series', T.int4));
      const first = from[0];
      items.push((_p, i) => first + i);
    } else {
      throw undefinedColumn(expr, pos);
    }
  }
  const rowCount = from === null ? 1 : Math.max(0, from[1] - from[0] + 1);
  return { kind: 'select', fields, paramTypes, items, rowCount, sleepMs };
}

function splitStatements(sql: string): Array<[string, number]> {
  return splitTop(sql, ';').filter(([s]) => s.replace(/--[^\n]*/g, '').trim() !== '')
    .map(([s, off]) => {
      const stripped = s.replace(/--[^\n]*/g, (c) => ' '.repeat(c.length));
      return [stripped, off];
    });
}

function sleep(ms: number, signal: AbortSignal, stats: FakeStats): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) { stats.aborted++; reject(queryCanceled()); return; }
    const timer = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = (): void => { clearTimeout(timer); stats.aborted++; reject(queryCanceled()); };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The GUC_REPORT settings PostgreSQL 15 announces, in its order. */
function initialStatus(start: SessionStart): Array<[string, string]> {
  return [
    ['application_name', start.parameters.application_name ?? ''],
    ['client_encoding', 'UTF8'],
    ['DateStyle', 'ISO, MDY'],
    ['default_transaction_read_only', 'off'],
    ['in_hot_standby', 'off'],
    ['integer_datetimes', 'on'],
    ['IntervalStyle', 'postgres'],
    ['is_superuser', 'on'],
    ['server_encoding', 'UTF8'],
    ['server_version', '15.0 (Colonnade fake)'],
    ['session_authorization', start.user],
    ['standard_conforming_strings', 'on'],
    ['TimeZone', 'UTC'],
  ];
}

class FakeSession implements BackendSession {
  private status: TransactionStatus = 'I';

  constructor(private readonly start: SessionStart, private readonly stats: FakeStats) {}

  initialParameterStatus(): ReadonlyArray<readonly [string, string]> {
    return initialStatus(this.start);
  }

  textIoSettings(): TextIoSettings {
    return DEFAULT_TEXT_IO;
  }

  async parseSimpleQuery(sql: string): Promise<PreparedStatement[]> {
    return splitStatements(sql).map(([s, off]) => this.make(s, off, []));
  }

  async prepare(sql: string, paramTypes: readonly SqlType[]): Promise<PreparedStatement> {
    const parts = splitStatements(sql);
    if (parts.length > 1) throw syntaxError('cannot insert multiple commands into a prepared statement');
    return this.make(parts[0]?.[0] ?? sql, 0, paramTypes);
  }

  private make(sql: string, off: number, given: readonly SqlType[]): FakeStatement {
    const plan = planStatement(sql, off, given);
    return { sql, paramTypes: plan.paramTypes, fields: plan.fields, plan };
  }

  async execute(stmt: PreparedStatement, params: readonly Datum[], signal: AbortSignal): Promise<Execution> {
    const plan = (stmt as FakeStatement).plan;
    if (this.status === 'E' && plan.kind !== 'rollback' && plan.kind !== 'commit') {
      throw new SqlError(SqlState.IN_FAILED_SQL_TRANSACTION, 'current transaction is aborted, commands ignored until end of transaction block');
    }
    switch (plan.kind) {
      case 'begin': this.status = 'T'; return this.tagOnly('BEGIN');
      case 'commit': { const tag = this.status === 'E' ? 'ROLLBACK' : 'COMMIT'; this.status = 'I'; return this.tagOnly(tag); }
      case 'rollback': this.status = 'I'; return this.tagOnly('ROLLBACK');
      case 'ddl': return this.tagOnly(plan.tag!);
      case 'set': {
        const [name, value] = plan.setting!;
        if (name.toLowerCase() === 'application_name') this.start.onParameterStatus('application_name', value);
        if (name.toLowerCase() === 'notice') this.start.onNotice(new SqlError(SqlState.WARNING, value, { severity: 'NOTICE' }));
        return this.tagOnly('SET');
      }
      case 'pgType': return this.rows(plan.fields!, 0, () => [], 'SELECT');
      case 'copyIn': return this.copyIn();
      case 'copyOut': return this.copyOut();
      case 'select': {
        if (plan.sleepMs! > 0) await sleep(plan.sleepMs!, signal, this.stats);
        const items = plan.items!;
        return this.rows(plan.fields!, plan.rowCount!, (i) => items.map((f) => f(params, i)), 'SELECT', signal);
      }
    }
  }

  private tagOnly(tag: string): Cursor {
    return { kind: 'rows', fields: null, done: true, fetch: async () => [], commandTag: () => tag, close: async () => undefined };
  }

  private rows(fields: ResultField[], count: number, row: (i: number) => Datum[], verb: string, signal?: AbortSignal): Cursor {
    const stats = this.stats;
    let next = 0;
    let closed = false;
    const cursor: Cursor = {
      kind: 'rows',
      fields,
      get done() { return next >= count || closed; },
      async fetch(maxRows: number): Promise<Datum[][]> {
        if (signal?.aborted === true) { stats.aborted++; throw queryCanceled(); }
        const end = maxRows === 0 ? count : Math.min(count, next + maxRows);
        const out: Datum[][] = [];
        for (; next < end; next++) out.push(row(next));
        stats.rowsFetched += out.length;
        return out;
      },
      commandTag: () => `${verb} ${next}`,
      async close() { if (!closed) { closed = true; stats.cursorsClosed++; } },
    };
    return cursor;
  }

  private copyIn(): CopyInCursor {
    const stats = this.stats;
    let pending = '';
    const lines: string[] = [];
    return {
      kind: 'copyIn', format: 'text', columnCount: 1,
      async write(data: Uint8Array): Promise<void> {
        pending += Buffer.from(data).toString('utf8');
        const parts = pending.split('\n');
        pending = parts.pop()!;
        for (const l of parts) {
          if (l === '\\.') continue;
          if (l === 'bad') throw new SqlError(SqlState.INVALID_TEXT_REPRESENTATION, 'invalid input syntax for type integer: "bad"');
          lines.push(l);
        }
      },
      async finish(): Promise<string> {
        if (pending !== '' && pending !== '\\.') lines.push(pending);
        stats.copyTable.push(...lines);
        return `COPY ${lines.length}`;
      },
      async fail(message: string): Promise<void> { stats.copyFailures.push(message); },
    };
  }

  private copyOut(): CopyOutCursor {
    const lines = [...this.stats.copyTable];
    return {
      kind: 'copyOut', format: 'text', columnCount: 1,
      async *chunks(): AsyncIterable<Uint8Array> {
        for (const l of lines) yield Buffer.from(l + '\n');
      },
      commandTag: () => `COPY ${lines.length}`,
    };
  }

  transactionStatus(): TransactionStatus {
    return this.status;
  }

  statementFailed(): void {
    if (this.status === 'T') this.status = 'E';
  }

  beginImplicit(): void {
    this.stats.implicitBegins++;
  }

  async endImplicit(success: boolean): Promise<void> {
    this.stats.implicitEnds.push(success);
  }

  async close(): Promise<void> {
    this.stats.sessionsClosed++;
  }
}

/** A SessionFactory over fake sessions, with shared counters. Database "nope" fails with 3D000. */
export function createFakeSessionFactory(): { factory: SessionFactory; stats: FakeStats } {
  const stats: FakeStats = {
    sessionsStarted: 0, sessionsClosed: 0, rowsFetched: 0, cursorsClosed: 0, implicitBegins: 0,
    implicitEnds: [], lastStart: null, copyTable: [], copyFailures: [], aborted: 0,
  };
  const factory: SessionFactory = async (start) => {
    if (start.database === 'nope') throw new SqlError(SqlState.INVALID_CATALOG_NAME, `database "nope" does not exist`);
    stats.sessionsStarted++;
    stats.lastStart = start;
    return new FakeSession(start, stats);
  };
  return { factory, stats };
}

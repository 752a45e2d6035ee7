// Random tables for the query fuzzer: schema, DDL for Colonnade and PostgreSQL, and seeded rows.
import { Prng } from './prng.ts';

/** The value classes the fuzzer reasons about; each maps to one SQL type family. */
export type ValueKind = 'int' | 'bigint' | 'numeric' | 'text' | 'date' | 'bool';

/** One column of a fuzz table. */
export interface FuzzColumn {
  readonly name: string;
  readonly kind: ValueKind;
  /** The SQL type in the DDL (`varchar(12)` and `text` are both kind text). */
  readonly sqlType: string;
  readonly notNull: boolean;
}

/** One fuzz table: its columns, how many rows it gets and how Colonnade distributes it. */
export interface FuzzTable {
  readonly name: string;
  readonly rowCount: number;
  readonly columns: readonly FuzzColumn[];
  /** Redshift table attributes appended to Colonnade's CREATE TABLE only. */
  readonly redshiftAttributes: string;
}

/** A row as SQL literals, in column order. */
export type SqlRow = readonly string[];

/** Generated tables: the schema plus each table's rows. */
export interface FuzzDataset {
  readonly tables: readonly FuzzTable[];
  readonly rows: ReadonlyMap<string, readonly SqlRow[]>;
}

const COLUMNS: readonly FuzzColumn[] = [
  { name: 'k', kind: 'int', sqlType: 'integer', notNull: true },
  { name: 'a', kind: 'int', sqlType: 'integer', notNull: false },
  { name: 'b', kind: 'bigint', sqlType: 'bigint', notNull: false },
  { name: 'n', kind: 'numeric', sqlType: 'numeric(10,2)', notNull: false },
  { name: 's', kind: 'text', sqlType: 'varchar(12)', notNull: false },
  { name: 't', kind: 'text', sqlType: 'text', notNull: false },
  { name: 'd', kind: 'date', sqlType: 'date', notNull: false },
  { name: 'f', kind: 'bool', sqlType: 'boolean', notNull: false },
];

/**
 * The three tables, one per distribution style, so joins mix co-located, broadcast and
 * redistributed inputs. t1 is distributed on a nullable column on purpose.
 */
export const FUZZ_TABLES: readonly FuzzTable[] = [
  { name: 't1', rowCount: 300, columns: COLUMNS, redshiftAttributes: 'DISTSTYLE KEY DISTKEY (a) SORTKEY (d)' },
  { name: 't2', rowCount: 200, columns: COLUMNS, redshiftAttributes: 'DISTSTYLE EVEN COMPOUND SORTKEY (s, k)' },
  { name: 't3', rowCount: 50, columns: COLUMNS, redshiftAttributes: 'DISTSTYLE ALL SORTKEY (a)' },
];

/** A small vocabulary so that equality joins and GROUP BY keys collide; includes '', '%' and '_'. */
export const TEXT_VOCABULARY: readonly string[] = [
  'a', 'ab', 'abc', 'b', 'ba', 'B', 'Ab', 'x y', '', 'foo', 'foobar', 'o_o', '50%', 'zz',
];

/** The first day of the date range; dates span 90 days from here. */
export const DATE_BASE = '2024-01-01';
const DATE_SPAN_DAYS = 90;
const NULL_FRACTION = 0.15;

/** `DATE_BASE` plus `days`, as `yyyy-mm-dd`. */
export function dateFromOffset(days: number): string {
  const base = Date.parse(`${DATE_BASE}T00:00:00Z`);
  return new Date(base + days * 86_400_000).toISOString().slice(0, 10);
}

/** Quotes a string as a SQL literal. */
export function quoteText(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A random non-NULL literal of a kind, from the same distribution as the table data. */
export function randomLiteral(rng: Prng, kind: ValueKind): string {
  switch (kind) {
    case 'int': return String(rng.chance(0.8) ? rng.int(-5, 20) : rng.int(-1000, 1000));
    case 'bigint': return String(rng.int(-50, 50) * rng.pick([1, 1, 1000, 1_000_000]));
    case 'numeric': {
      const cents = rng.chance(0.5) ? rng.int(-20, 20) * 50 : rng.int(-99_999, 99_999);
      const sign = cents < 0 ? '-' : '';
      const abs = Math.abs(cents);
      return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
    }
    case 'text': return quoteText(rng.pick(TEXT_VOCABULARY));
    case 'date': return `DATE '${dateFromOffset(rng.int(0, DATE_SPAN_DAYS))}'`;
    case 'bool': return rng.chance(0.5) ? 'true' : 'false';
  }
}

/** Generates every table's rows from `seed`: the same seed gives the same data. */
export function generateDataset(seed: number): FuzzDataset {
  const rng = new Prng(seed);
  const rows = new Map<string, SqlRow[]>();
  for (const table of FUZZ_TABLES) {
    const tableRows: SqlRow[] = [];
    for (let rowIdx = 0; rowIdx < table.rowCount; rowIdx++) {
      tableRows.push(table.columns.map((col) => {
        if (col.name === 'k') return String(rowIdx + 1);
        if (!col.notNull && rng.chance(NULL_FRACTION)) return 'NULL';
        return randomLiteral(rng, col.kind);
      }));
    }
    rows.set(table.name, tableRows);
  }
  return { tables: FUZZ_TABLES, rows };
}

/** CREATE TABLE for one table; `redshift` adds the DISTSTYLE / DISTKEY / SORTKEY attributes. */
export function createTableSql(table: FuzzTable, redshift: boolean): string {
  const cols = table.columns.map((c) => `${c.name} ${c.sqlType}${c.notNull ? ' NOT NULL' : ''}`).join(', ');
  return `CREATE TABLE ${table.name} (${cols})${redshift ? ` ${table.redshiftAttributes}` : ''}`;
}

/** Multi-row INSERT statements of at most `batchRows` rows each, the same text for both engines. */
export function insertStatements(table: FuzzTable, rows: readonly SqlRow[], batchRows = 500): string[] {
  const out: string[] = [];
  const head = `INSERT INTO ${table.name} (${table.columns.map((c) => c.name).join(', ')}) VALUES `;
  for (let start = 0; start < rows.length; start += batchRows) {
    const chunk = rows.slice(start, start + batchRows).map((r) => `(${r.join(', ')})`);
    out.push(head + chunk.join(', '));
  }
  return out;
}

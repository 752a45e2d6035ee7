// Random SELECT statements over the fuzz tables: joins, filters, GROUP BY, subqueries, set operations.
import { isExcluded } from './excluded-constructs.ts';
import { Prng } from './prng.ts';
import { ExprGenerator, canonicalNumeric, comparableKinds, type ExprScope, type Leaf, type Relation } from './random-expr.ts';
import { FUZZ_TABLES, type ValueKind } from './random-data.ts';

/** A generated statement and how to compare its results. */
export interface GeneratedQuery {
  readonly sql: string;
  /** True when ORDER BY covers every output column: rows must come back in the same order. */
  readonly ordered: boolean;
}

/** A FROM clause with the leaves it brings into scope. */
export interface FromClause {
  readonly sql: string;
  readonly leaves: readonly Leaf[];
  /** A rough estimate of its rows. */
  readonly rows: number;
  /** How many FROM items it joins. */
  readonly items: number;
}

/** The base tables as relations. */
export const BASE_RELATIONS: readonly Relation[] = FUZZ_TABLES.map((t) => ({
  source: t.name,
  columns: t.columns.map((c) => ({ sql: c.name, kind: c.kind })),
  rows: t.rowCount,
}));

const DERIVED_COLUMN = /\.c\d+\b/;
const STRING_LITERAL = /^'(?:[^']|'')*'$/;
const OUTPUT_KINDS: readonly ValueKind[] = ['int', 'int', 'bigint', 'numeric', 'numeric', 'text', 'text', 'date', 'bool'];
/** Above this many estimated rows a plain query is cut down with ORDER BY ... LIMIT. */
const MAX_PLAIN_ROWS = 3000;
/**
 * Above this many estimated rows a FROM clause is drawn again (PostgreSQL and Colonnade stay fast).
 * Bug found on the way: a join far bigger than this kills the leader with a JS heap OOM (the whole
 * server exits) instead of failing with 53200; t1.k is 1..300, so this needs no random data:
 *   SELECT count(*) FROM (SELECT a.k FROM t1 a JOIN t1 b ON a.k % 10 = b.k % 10) x
 *     LEFT JOIN t1 y ON 1 = 1 LEFT JOIN t1 z ON z.k % 10 = x.k % 10     -- PG 81000000
 */
const MAX_JOIN_ROWS = 20_000;
/** Distinct values per kind in the data, for join-size estimates. */
const DISTINCT_VALUES: Record<ValueKind, number> = { int: 25, bigint: 60, numeric: 40, text: 14, date: 90, bool: 2 };

/**
 * Generates one random, valid, deterministic SELECT per call from a seed. The same seed always
 * gives the same statement; constructs listed in excluded-constructs.ts are never generated.
 */
export class QueryGenerator {
  readonly g: ExprGenerator;
  /** Relations FROM may draw on: the base tables plus this statement's CTEs. */
  private relations: Relation[];

  constructor(readonly rng: Prng) {
    this.g = new ExprGenerator(rng, BASE_RELATIONS);
    this.relations = BASE_RELATIONS.slice();
  }

  /** A whole statement: maybe a WITH, then a plain, grouped or set-operation query. */
  query(): GeneratedQuery {
    const rng = this.rng;
    let withClause = '';
    if (rng.chance(0.12)) {
      const kinds = this.randomKinds();
      const body = this.core(kinds, 1, true);
      withClause = `WITH cte AS (${body.sql}) `;
      this.relations = this.relations.concat([{
        source: 'cte', columns: kinds.map((kind, i) => ({ sql: `c${i}`, kind })), rows: body.rows,
      }]);
    }
    const kinds = this.randomKinds();
    let ordered = rng.chance(0.3);
    let body: { sql: string; rows: number };
    if (rng.chance(0.12)) {
      const op = rng.pick(['UNION', 'UNION ALL', 'INTERSECT', 'INTERSECT ALL', 'EXCEPT', 'EXCEPT ALL']);
      const canonical = ordered || op !== 'UNION ALL';
      const left = this.core(kinds, 1, canonical);
      const right = this.core(kinds, 1, canonical);
      body = { sql: `(${left.sql}) ${op} (${right.sql})`, rows: left.rows + right.rows };
    } else {
      body = this.core(kinds, 2, ordered);
      if (body.rows > MAX_PLAIN_ROWS && !ordered) {
        // Too many rows to compare cheaply: cut with ORDER BY ... LIMIT, which needs canonical numerics.
        ordered = true;
        const cols = kinds.map((k, i) => `${k === 'numeric' ? canonicalNumeric(`c${i}`) : `c${i}`} AS c${i}`);
        body = { sql: `SELECT ${cols.join(', ')} FROM (${body.sql}) ${this.g.alias()}`, rows: body.rows };
      }
    }
    let sql = withClause + body.sql;
    if (ordered) {
      sql += ` ORDER BY ${kinds.map((_, i) => `${i + 1}${rng.chance(0.3) ? ' DESC' : ''}${rng.chance(0.2) ? rng.pick([' NULLS FIRST', ' NULLS LAST']) : ''}`).join(', ')}`;
      if (body.rows > MAX_PLAIN_ROWS || rng.chance(0.6)) sql += ` LIMIT ${rng.int(0, 60)}`;
      if (rng.chance(0.2)) sql += ` OFFSET ${rng.int(0, 10)}`;
    }
    return { sql, ordered };
  }

  /** 1 to 4 output kinds. */
  randomKinds(): ValueKind[] {
    return Array.from({ length: this.rng.int(1, 4) }, () => this.rng.pick(OUTPUT_KINDS));
  }

  /**
   * One SELECT (no ORDER BY) with output columns c0.. of exactly `kinds`. `canonical` rounds numeric
   * outputs to a fixed scale, for callers that deduplicate or order them (see canonicalNumeric).
   */
  core(kinds: readonly ValueKind[], maxJoins: number, canonical: boolean): { sql: string; rows: number } {
    const rng = this.rng;
    const g = this.g;
    const from = this.boundedFrom(rng.int(0, maxJoins));
    const base: ExprScope = { leaves: from.leaves, outer: [], correlatedScalars: !isExcluded('correlatedScalarSubquery') };
    const conjuncts: string[] = [];
    const whereScope: ExprScope = from.items > 1 && isExcluded('inSubqueryInJoinWhere') ? { ...base, inSubqueries: false } : base;
    if (rng.chance(0.6)) conjuncts.push(g.predicate(whereScope, rng.int(0, 3)));
    // Correlated EXISTS / IN only as whole WHERE conjuncts: Colonnade supports them nowhere else (0A000).
    if (g.subqueryBudget > 0 && rng.chance(0.2) && !isExcluded('correlatedExistsIn')) conjuncts.push(g.subqueryPredicate(base, true));
    const where = conjuncts.length > 0 ? ` WHERE ${conjuncts.join(' AND ')}` : '';
    const shape = rng.weighted([[5, 'plain'], [3, 'grouped'], [1, 'scalar']] as const);
    const output = (kind: ValueKind, expr: string, i: number, fixScale: boolean): string => {
      let sql = kind === 'numeric' && fixScale ? canonicalNumeric(expr) : expr;
      if (fixScale && isExcluded('orderedStringLiteral') && STRING_LITERAL.test(sql)) sql = `CAST(${sql} AS text)`;
      return `${sql} AS c${i}`;
    };
    if (shape === 'plain') {
      const distinct = rng.chance(0.2);
      const items = kinds.map((kind, i) => output(kind, g.expr(base, kind, rng.int(0, 2)), i, canonical || distinct));
      return { sql: `SELECT ${distinct ? 'DISTINCT ' : ''}${items.join(', ')} FROM ${from.sql}${where}`, rows: from.rows };
    }
    const keys = shape === 'scalar' ? [] : this.groupKeys(from.leaves);
    const grouped: ExprScope = { leaves: keys, aggInputs: from.leaves, outer: [], correlatedScalars: false, inSubqueries: !isExcluded('inSubqueryOverGroups') };
    // In a grouped query each output column is a key or has an aggregate, mostly.
    const select = kinds.map((kind, i) => {
      const key = keys.filter((k) => k.kind === kind);
      const sql = key.length > 0 && rng.chance(0.4) ? rng.pick(key).sql
        : rng.chance(0.6) ? g.aggregate(from.leaves, kind) : g.expr(grouped, kind, rng.int(0, 2));
      return output(kind, sql, i, canonical);
    }).join(', ');
    const groupBy = keys.length > 0 ? ` GROUP BY ${keys.map((k) => k.sql).join(', ')}` : '';
    const having = rng.chance(0.3) ? ` HAVING ${g.predicate(grouped, rng.int(0, 2))}` : '';
    return { sql: `SELECT ${select} FROM ${from.sql}${where}${groupBy}${having}`, rows: keys.length === 0 ? 1 : from.rows };
  }

  /** 1 to 3 GROUP BY keys: columns, sometimes a simple expression of one. */
  groupKeys(leaves: readonly Leaf[]): Leaf[] {
    const rng = this.rng;
    return rng.sample(leaves, rng.int(1, 3)).map((col) => {
      if (!rng.chance(0.2)) return col;
      switch (col.kind) {
        case 'int': return { sql: `(${col.sql} % 3)`, kind: 'int' };
        case 'bigint': return { sql: `(${col.sql} / 1000)`, kind: 'bigint' };
        case 'numeric': return { sql: `round(${col.sql}, -1)`, kind: 'numeric' };
        case 'text': return { sql: `upper(${col.sql})`, kind: 'text' };
        case 'date': return { sql: `(${col.sql} - 7)`, kind: 'date' };
        case 'bool': return { sql: `(NOT ${col.sql})`, kind: 'bool' };
      }
    });
  }

  /** A FROM item: a base table or CTE (mostly) or a derived table, under a fresh alias. */
  private fromItem(): { sql: string; leaves: Leaf[]; rows: number } {
    const rng = this.rng;
    const a = this.g.alias();
    if (rng.chance(0.12)) {
      const kinds = this.randomKinds();
      const saved = this.g.subqueryBudget;
      const body = this.core(kinds, 1, true);
      this.g.subqueryBudget = Math.min(saved, this.g.subqueryBudget);
      return { sql: `(${body.sql}) ${a}`, leaves: kinds.map((kind, i) => ({ sql: `${a}.c${i}`, kind })), rows: body.rows };
    }
    const rel = rng.pick(this.relations);
    return { sql: `${rel.source} ${a}`, leaves: rel.columns.map((c) => ({ sql: `${a}.${c.sql}`, kind: c.kind })), rows: rel.rows };
  }

  /** A FROM clause of at most 1 + `joins` items whose estimated size stays under MAX_JOIN_ROWS. */
  boundedFrom(joins: number): FromClause {
    for (let attempt = 0; attempt < 4; attempt++) {
      const from = this.fromClause(joins);
      if (from.rows <= MAX_JOIN_ROWS) return from;
    }
    return this.fromClause(0);
  }

  /** A FROM clause of 1 + `joins` items joined on equalities of comparable columns. */
  fromClause(joins: number): FromClause {
    const rng = this.rng;
    const first = this.fromItem();
    let sql = first.sql;
    let leaves: Leaf[] = first.leaves;
    let rows = first.rows;
    for (let joinIdx = 0; joinIdx < joins; joinIdx++) {
      const right = this.fromItem();
      const type = rng.weighted([
        [5, 'JOIN'], [4, 'LEFT JOIN'],
        [isExcluded('rightJoin') ? 0 : 1.5, 'RIGHT JOIN'],
        [isExcluded('fullJoin') ? 0 : 1.5, 'FULL JOIN'],
        [rows * right.rows <= MAX_PLAIN_ROWS ? 1 : 0, 'CROSS JOIN'],
      ] as const);
      if (type === 'CROSS JOIN') {
        sql += ` CROSS JOIN ${right.sql}`;
        rows *= right.rows;
      } else {
        const eq = this.joinEquality(leaves, right.leaves, type === 'FULL JOIN');
        const conds = [eq.sql];
        if (type !== 'FULL JOIN' && rng.chance(0.3)) {
          const saved = this.g.subqueryBudget;
          this.g.subqueryBudget = 0;
          conds.push(this.g.predicate({ leaves: leaves.concat(right.leaves), outer: [] }, 1));
          this.g.subqueryBudget = saved;
        }
        sql += ` ${type} ${right.sql} ON ${conds.join(' AND ')}`;
        // A derived table's column may be constant: assume it has two values, to stay on the safe side.
        const divisor = eq.sql === '1 = 1' ? 1 : DERIVED_COLUMN.test(eq.sql) ? 2 : DISTINCT_VALUES[eq.kind];
        let est = eq.key ? Math.min(rows, right.rows) : Math.ceil((rows * right.rows) / divisor);
        if (type !== 'JOIN') est += type === 'FULL JOIN' ? rows + right.rows : Math.max(rows, right.rows);
        rows = est;
      }
      leaves = leaves.concat(right.leaves);
    }
    return { sql, leaves, rows, items: joins + 1 };
  }

  /** `left.x = right.y` with comparable kinds (the same kind for FULL JOIN); prefers the k columns. */
  private joinEquality(left: readonly Leaf[], right: readonly Leaf[], sameKind: boolean): { sql: string; kind: ValueKind; key: boolean } {
    const rng = this.rng;
    const isKey = (l: Leaf): boolean => l.sql.endsWith('.k');
    if (rng.chance(0.2)) {
      const lk = left.filter(isKey);
      const rk = right.filter(isKey);
      if (lk.length > 0 && rk.length > 0) return { sql: `${rng.pick(lk).sql} = ${rng.pick(rk).sql}`, kind: 'int', key: true };
    }
    for (let attempt = 0; attempt < 20; attempt++) {
      const r = rng.pick(right);
      if (r.kind === 'bool') continue;
      const candidates = left.filter((l) => (sameKind ? l.kind === r.kind : comparableKinds(r.kind).includes(l.kind)));
      if (candidates.length > 0) return { sql: `${rng.pick(candidates).sql} = ${r.sql}`, kind: r.kind, key: false };
    }
    // No comparable columns (a derived table of booleans): a constant-true condition, a cross join.
    return { sql: '1 = 1', kind: 'bool', key: false };
  }
}

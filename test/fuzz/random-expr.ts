// Random typed SQL expressions and predicates for the query fuzzer, valid and deterministic in PostgreSQL.
import { isExcluded } from './excluded-constructs.ts';
import { Prng } from './prng.ts';
import { randomLiteral, quoteText, type ValueKind } from './random-data.ts';

/** Something an expression may use directly: a column reference or a GROUP BY key, with its kind. */
export interface Leaf {
  readonly sql: string;
  readonly kind: ValueKind;
}

/** A FROM-able relation: a base table or a derived table, with the columns it exposes. */
export interface Relation {
  /** SQL for the FROM item without its alias: `t1` or `(SELECT ...)`. */
  readonly source: string;
  readonly columns: readonly Leaf[];
  /** A rough upper bound on its rows, to keep join results small. */
  readonly rows: number;
}

/** What an expression may refer to where it is generated. */
export interface ExprScope {
  /** Leaves of this query level (in a grouped query: the GROUP BY keys only). */
  readonly leaves: readonly Leaf[];
  /** When set, aggregates may appear; their arguments use these (ungrouped) leaves. */
  readonly aggInputs?: readonly Leaf[];
  /** Leaves of the enclosing query: a subquery referring to them is correlated. */
  readonly outer: readonly Leaf[];
  /** Scalar subqueries here may be correlated (with equalities) to `leaves`. */
  readonly correlatedScalars?: boolean;
  /** False where IN (subquery) must not appear (see excluded-constructs: inSubqueryInJoinWhere). */
  readonly inSubqueries?: boolean;
}

const COLUMN_REF = /^x\d+\.\w+$/;
const COLUMN_MENTION = /\bx\d+\.\w+/;
const NUMERIC_FAMILY: readonly ValueKind[] = ['int', 'bigint', 'numeric'];
const LIKE_PATTERNS: readonly string[] = ['a%', '%a', '%b%', '_', '__', '_b%', 'foo%', '%\\%', '%\\_%', '', 'A%', '%', 'x y'];
const SQL_TYPE: Record<ValueKind, string> = {
  int: 'integer', bigint: 'bigint', numeric: 'numeric', text: 'text', date: 'date', bool: 'boolean',
};

/**
 * Rounds a numeric to a fixed scale. Where PostgreSQL keeps one of several equal values (DISTINCT,
 * GROUP BY, set operations, min/max, ORDER BY ties) 1.5 and 1.50 are equal but print differently,
 * and which one survives is not defined: a fixed scale makes the text deterministic.
 */
export function canonicalNumeric(sql: string): string {
  return `round(${sql}, 6)`;
}

/** Kinds a value of `kind` may be compared with. */
export function comparableKinds(kind: ValueKind): readonly ValueKind[] {
  return NUMERIC_FAMILY.includes(kind) ? NUMERIC_FAMILY : [kind];
}

/**
 * Generates expressions of an exact kind (so set operations and CASE branches line up) and
 * predicates, over a scope. Everything it writes is fully parenthesized, cannot overflow
 * (multiplication only by small constants), never divides by zero (constant non-zero divisors or
 * NULLIF(x, 0)), and never depends on evaluation order. Subqueries draw on `tables`.
 */
export class ExprGenerator {
  /** Subqueries still allowed in the current statement. */
  subqueryBudget = 2;
  private aliasCount = 0;

  constructor(readonly rng: Prng, readonly tables: readonly Relation[]) {}

  /** A fresh table alias, unique within the statement (so correlated references are unambiguous). */
  alias(): string {
    this.aliasCount += 1;
    return `x${this.aliasCount}`;
  }

  /** A literal of `kind`, negative numbers parenthesized; a typed NULL now and then. */
  literal(kind: ValueKind): string {
    if (this.rng.chance(0.04)) return `CAST(NULL AS ${SQL_TYPE[kind]})`;
    const lit = randomLiteral(this.rng, kind);
    if (kind === 'bigint') return `CAST(${lit} AS bigint)`;
    return lit.startsWith('-') ? `(${lit})` : lit;
  }

  /** An expression of exactly `kind`. */
  expr(scope: ExprScope, kind: ValueKind, depth: number): string {
    if (kind === 'bool') return this.predicate(scope, depth);
    const rng = this.rng;
    if (depth <= 0 || rng.chance(0.35)) return this.leaf(scope, kind);
    const d = depth - 1;
    const pick = rng.int(0, 99);
    if (pick < 12) return `(CASE WHEN ${this.predicate(scope, d)} THEN ${this.expr(scope, kind, d)} ELSE ${this.expr(scope, kind, d)} END)`;
    if (pick < 18) return `COALESCE(${this.expr(scope, kind, d)}, ${this.expr(scope, kind, d)})`;
    if (pick < 21) return `NULLIF(${this.expr(scope, kind, d)}, ${this.expr(scope, kind, d)})`;
    if (pick < 24 && kind !== 'text') return `${rng.pick(['GREATEST', 'LEAST'])}(${this.expr(scope, kind, d)}, ${this.expr(scope, kind, d)})`;
    if (pick < 34 && scope.aggInputs !== undefined) return this.aggregate(scope.aggInputs, kind);
    if (pick < 38 && this.subqueryBudget > 0) return this.scalarSubquery(scope, kind);
    switch (kind) {
      case 'int': return this.intExpr(scope, d);
      case 'bigint': return this.bigintExpr(scope, d);
      case 'numeric': return this.numericExpr(scope, d);
      case 'text': return this.textExpr(scope, d);
      case 'date': return this.dateExpr(scope, d);
    }
  }

  /** A column (or group key) of `kind` if there is one, else a literal. */
  leaf(scope: ExprScope, kind: ValueKind): string {
    const rng = this.rng;
    const own = scope.leaves.filter((l) => l.kind === kind);
    const outer = scope.outer.filter((l) => l.kind === kind);
    if (outer.length > 0 && rng.chance(0.15)) return rng.pick(outer).sql;
    if (own.length > 0 && rng.chance(0.8)) return rng.pick(own).sql;
    return this.literal(kind);
  }

  private smallConst(nonZero: boolean): string {
    const v = this.rng.pick(nonZero ? [-3, -2, -1, 1, 2, 3, 7] : [-3, -2, -1, 0, 1, 2, 3, 7]);
    return v < 0 ? `(${v})` : String(v);
  }

  private intExpr(scope: ExprScope, d: number): string {
    const rng = this.rng;
    const e = (): string => this.expr(scope, 'int', d);
    switch (rng.int(0, 10)) {
      case 0: return `(${e()} + ${e()})`;
      case 1: return `(${e()} - ${e()})`;
      case 2: return `(${e()} * ${this.smallConst(false)})`;
      case 3: return `(${e()} / ${this.smallConst(true)})`;
      case 4: return `(${e()} % ${this.smallConst(true)})`;
      case 5: return `(${e()} / NULLIF(${e()}, 0))`;
      case 6: return `(- ${e()})`;
      case 7: return `abs(${e()})`;
      case 8: return `length(${this.expr(scope, 'text', d)})`;
      case 9: return `(${this.expr(scope, 'date', d)} - ${this.expr(scope, 'date', d)})`;
      default: return `CAST(${this.expr(scope, 'bigint', d)} % 1000 AS integer)`;
    }
  }

  private bigintExpr(scope: ExprScope, d: number): string {
    const rng = this.rng;
    const e = (): string => this.expr(scope, 'bigint', d);
    switch (rng.int(0, 6)) {
      case 0: return `(${e()} + ${e()})`;
      case 1: return `(${e()} - ${this.expr(scope, 'int', d)})`;
      case 2: return `(${e()} * ${this.smallConst(false)})`;
      case 3: return `(${e()} / ${this.smallConst(true)})`;
      case 4: return `CAST(${this.expr(scope, 'int', d)} AS bigint)`;
      case 5: return `abs(${e()})`;
      default: return `(${e()} % ${this.smallConst(true)})`;
    }
  }

  private numericExpr(scope: ExprScope, d: number): string {
    const rng = this.rng;
    const e = (): string => this.expr(scope, 'numeric', d);
    switch (rng.int(0, 8)) {
      case 0: return `(${e()} + ${e()})`;
      case 1: return `(${e()} - ${e()})`;
      case 2: return `(${e()} * ${rng.pick(['2', '(-3)', '0.5', '1.25'])})`;
      case 3: return `(${e()} / ${rng.pick(['3', '(-7)', '0.25', '2.5'])})`;
      case 4: return `CAST(${this.expr(scope, rng.pick(['int', 'bigint'] as const), d)} AS numeric)`;
      case 5: return `round(${e()}, ${rng.int(0, 3)})`;
      case 6: return `abs(${e()})`;
      case 7: return `(${e()} + ${this.expr(scope, 'int', d)})`;
      default: return `CAST(${e()} AS numeric(12,3))`;
    }
  }

  private textExpr(scope: ExprScope, d: number): string {
    const rng = this.rng;
    const e = (): string => this.expr(scope, 'text', d);
    switch (rng.int(0, 6)) {
      case 0: return `upper(${e()})`;
      case 1: return `lower(${e()})`;
      case 2: return `(${e()} || ${e()})`;
      case 3: return `substr(${e()}, ${rng.int(1, 3)}, ${rng.int(0, 3)})`;
      case 4: return `CAST(${this.expr(scope, rng.pick(['int', 'numeric', 'date'] as const), d)} AS text)`;
      case 5: return `replace(${e()}, ${quoteText(rng.pick(['a', 'o', 'b']))}, ${quoteText(rng.pick(['', 'A', 'xy']))})`;
      default: return `concat(${e()}, ${e()})`;
    }
  }

  private dateExpr(scope: ExprScope, d: number): string {
    const rng = this.rng;
    return rng.chance(0.5)
      ? `(${this.expr(scope, 'date', d)} + ${rng.int(0, 40)})`
      : `(${this.expr(scope, 'date', d)} - ${rng.int(0, 40)})`;
  }

  /** An aggregate returning `kind`, its argument over `inputs` (no outer references, no nesting). */
  aggregate(inputs: readonly Leaf[], kind: ValueKind): string {
    const rng = this.rng;
    const argScope: ExprScope = { leaves: inputs, outer: [] };
    // No subqueries inside an aggregate's argument: keep the budget away from it.
    const arg = (k: ValueKind): string => {
      const saved = this.subqueryBudget;
      this.subqueryBudget = 0;
      const sql = this.expr(argScope, k, rng.int(0, 1));
      this.subqueryBudget = saved;
      return sql;
    };
    const distinct = rng.chance(0.2) ? 'DISTINCT ' : '';
    // min, max and DISTINCT keep one of several equal values: 1.5 and 1.50 print differently.
    const canonicalArg = (k: ValueKind): string => (k === 'numeric' ? canonicalNumeric(arg(k)) : arg(k));
    switch (kind) {
      case 'int': case 'text': case 'date':
        return `${rng.pick(['min', 'max'])}(${distinct}${arg(kind)})`;
      case 'bigint': {
        const which = rng.int(0, 3);
        if (which === 0) return 'count(*)';
        if (which === 1) return `count(${distinct}${arg(rng.pick(['int', 'bigint', 'numeric', 'text', 'date', 'bool'] as const))})`;
        if (which === 2) return `sum(${distinct}${arg('int')})`;
        return `${rng.pick(['min', 'max'])}(${arg('bigint')})`;
      }
      case 'numeric': {
        const which = rng.int(0, 3);
        if (which === 0) return `sum(${distinct}${(distinct ? canonicalArg : arg)(rng.pick(['bigint', 'numeric'] as const))})`;
        if (which === 1) return `avg(${distinct}${(distinct ? canonicalArg : arg)(rng.pick(['int', 'bigint', 'numeric'] as const))})`;
        return `${rng.pick(['min', 'max'])}(${canonicalArg('numeric')})`;
      }
      case 'bool':
        return `${rng.pick(['bool_and', 'bool_or'])}(${arg('bool')})`;
    }
  }

  /** A predicate (boolean expression, possibly NULL). */
  predicate(scope: ExprScope, depth: number): string {
    const rng = this.rng;
    const d = Math.max(0, depth - 1);
    const pick = rng.int(0, 99);
    if (depth > 0 && pick < 10) return `(${this.predicate(scope, d)} AND ${this.predicate(scope, d)})`;
    if (depth > 0 && pick < 18) return `(${this.predicate(scope, d)} OR ${this.predicate(scope, d)})`;
    if (depth > 0 && pick < 23) return `(NOT ${this.predicate(scope, d)})`;
    if (pick < 45) return this.comparison(scope, d);
    if (pick < 52) return `(${this.expr(scope, this.anyKind(), d)} IS ${rng.chance(0.5) ? 'NOT ' : ''}NULL)`;
    if (pick < 58) {
      const k = rng.pick(NUMERIC_FAMILY.concat(['date', 'text']));
      return `(${this.expr(scope, k, d)} ${rng.chance(0.3) ? 'NOT ' : ''}BETWEEN ${this.expr(scope, rng.pick(comparableKinds(k)), 0)} AND ${this.expr(scope, rng.pick(comparableKinds(k)), 0)})`;
    }
    if (pick < 65) {
      const k = this.anyKind();
      const items = Array.from({ length: rng.int(1, 4) }, () => this.literal(rng.pick(comparableKinds(k))));
      return `(${this.expr(scope, k, d)} ${rng.chance(0.3) ? 'NOT ' : ''}IN (${items.join(', ')}))`;
    }
    if (pick < 71) {
      const op = rng.pick(['LIKE', 'NOT LIKE', 'ILIKE', 'NOT ILIKE']);
      return `(${this.expr(scope, 'text', d)} ${op} ${quoteText(rng.pick(LIKE_PATTERNS))})`;
    }
    if (pick < 75) {
      const k = this.anyKind();
      return `(${this.expr(scope, k, d)} IS ${rng.chance(0.5) ? 'NOT ' : ''}DISTINCT FROM ${this.expr(scope, rng.pick(comparableKinds(k)), d)})`;
    }
    if (pick < 80) return `(${this.boolLeaf(scope)} IS ${rng.pick(['TRUE', 'FALSE', 'UNKNOWN', 'NOT TRUE', 'NOT FALSE', 'NOT UNKNOWN'])})`;
    if (pick < 85) return this.boolLeaf(scope);
    if (pick < 89 && scope.aggInputs !== undefined) return this.aggregate(scope.aggInputs, 'bool');
    if (pick < 97 && this.subqueryBudget > 0) return `(${this.subqueryPredicate(scope)})`;
    return this.comparison(scope, d);
  }

  private anyKind(): ValueKind {
    return this.rng.pick(['int', 'int', 'bigint', 'numeric', 'text', 'date', 'bool'] as const);
  }

  private boolLeaf(scope: ExprScope): string {
    const cols = scope.leaves.filter((l) => l.kind === 'bool');
    if (cols.length > 0 && this.rng.chance(0.85)) return this.rng.pick(cols).sql;
    return this.literal('bool');
  }

  private comparison(scope: ExprScope, d: number): string {
    const rng = this.rng;
    const k = rng.pick(['int', 'int', 'bigint', 'numeric', 'text', 'date'] as const);
    const op = rng.pick(['=', '<>', '<', '<=', '>', '>=']);
    return `(${this.expr(scope, k, d)} ${op} ${this.expr(scope, rng.pick(comparableKinds(k)), d)})`;
  }

  /**
   * A correlating comparison `inner op outer` between leaves of comparable kinds, if there is one:
   * mostly an equality, else (with `anyOperator`) any comparison (decorrelated over the outer domain).
   */
  private correlation(inner: readonly Leaf[], outer: readonly Leaf[], anyOperator = false): string | undefined {
    const rng = this.rng;
    for (let attempt = 0; attempt < 6 && outer.length > 0; attempt++) {
      const o = rng.pick(outer);
      if (o.kind === 'bool') continue;
      const candidates = inner.filter((l) => comparableKinds(o.kind).includes(l.kind));
      const op = anyOperator && rng.chance(0.4) ? rng.pick(['<', '<=', '>', '<>']) : '=';
      if (candidates.length > 0) return `(${rng.pick(candidates).sql} ${op} ${o.sql})`;
    }
    return undefined;
  }

  /** `FROM table alias` for a subquery, with its leaves. */
  private subqueryFrom(): { from: string; leaves: Leaf[] } {
    const rel = this.rng.pick(this.tables);
    const a = this.alias();
    return { from: `${rel.source} ${a}`, leaves: rel.columns.map((c) => ({ sql: `${a}.${c.sql}`, kind: c.kind })) };
  }

  /**
   * WHERE clause of a subquery. `correlation` says how it may refer to the outer query's leaves:
   * not at all; through comparisons of an inner and an outer leaf (scalar subqueries); or anywhere in
   * its conjuncts (EXISTS / IN in a WHERE conjunct become semi joins on them). Never further out
   * than the enclosing query (see excluded-constructs: nestedOuterReference).
   */
  private subqueryWhere(outerScope: ExprScope, inner: readonly Leaf[], correlation: 'none' | 'comparisons' | 'any'): string {
    const rng = this.rng;
    const outer = correlation === 'none' ? [] : outerScope.leaves.filter((l) => COLUMN_REF.test(l.sql));
    const parts: string[] = [];
    if (correlation !== 'none') {
      const eqs = rng.chance(0.2) ? 2 : 1;
      for (let eqIdx = 0; eqIdx < eqs; eqIdx++) {
        const corr = this.correlation(inner, outer, true);
        if (corr !== undefined) parts.push(corr);
      }
    }
    if (correlation === 'any' && !isExcluded('nestedOuterReference') && rng.chance(0.3)) {
      // A subquery inside this one that refers two levels out, to the enclosing query.
      const nested = this.subqueryFrom();
      const corr = this.correlation(nested.leaves, outer);
      if (corr !== undefined) parts.push(`EXISTS (SELECT 1 FROM ${nested.from} WHERE ${corr})`);
    }
    if (parts.length === 0 || rng.chance(0.5)) {
      parts.push(this.predicate({ leaves: inner, outer: correlation === 'any' ? outer : [] }, 1));
    }
    return ` WHERE ${parts.join(' AND ')}`;
  }

  /**
   * [NOT] EXISTS or [NOT] IN over a subquery. Correlated (`correlated`) only where the caller makes
   * it a whole WHERE conjunct: Colonnade turns exactly those into semi / anti joins.
   */
  subqueryPredicate(scope: ExprScope, correlated = false): string {
    const rng = this.rng;
    this.subqueryBudget -= 1;
    const { from, leaves } = this.subqueryFrom();
    const where = this.subqueryWhere(scope, leaves, correlated ? 'any' : 'none');
    const exists = rng.chance(0.5) || scope.inSubqueries === false;
    const not = rng.chance(0.35) && (exists || !correlated || !isExcluded('correlatedNotIn')) ? 'NOT ' : '';
    if (exists) return `${not}EXISTS (SELECT 1 FROM ${from}${where})`;
    const col = rng.pick(leaves.filter((l) => l.kind !== 'bool'));
    let lhsKind = rng.pick(comparableKinds(col.kind));
    // The left side stays uncorrelated to the subquery: only the enclosing query's own leaves.
    const saved = this.subqueryBudget;
    this.subqueryBudget = 0;
    let lhs = this.expr({ leaves: scope.leaves, outer: [] }, lhsKind, 1);
    this.subqueryBudget = saved;
    if (isExcluded('constantInSubquery') && !COLUMN_MENTION.test(lhs)) {
      const cols = scope.leaves.filter((l) => COLUMN_REF.test(l.sql) && comparableKinds(col.kind).includes(l.kind));
      if (cols.length === 0) return `${not}EXISTS (SELECT 1 FROM ${from}${where})`;
      const picked = rng.pick(cols);
      lhs = picked.sql;
      lhsKind = picked.kind;
    }
    if (!correlated && isExcluded('nullInEmptySubquery')) lhs = `COALESCE(${lhs}, ${randomLiteral(rng, lhsKind)})`;
    return `${lhs} ${not}IN (SELECT ${col.sql} FROM ${from}${where})`;
  }

  /**
   * A scalar subquery of `kind`: always an aggregate without GROUP BY, so exactly one row;
   * correlated by equalities where the scope allows it.
   */
  private scalarSubquery(scope: ExprScope, kind: ValueKind): string {
    this.subqueryBudget -= 1;
    const { from, leaves } = this.subqueryFrom();
    const correlated = scope.correlatedScalars === true && this.rng.chance(0.6);
    const where = this.subqueryWhere(scope, leaves, correlated ? 'comparisons' : 'none');
    return `(SELECT ${this.aggregate(leaves, kind)} FROM ${from}${where})`;
  }
}

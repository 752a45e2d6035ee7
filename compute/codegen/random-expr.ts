// Random typed expression trees and batches for differential testing of kernels against the
// reference evaluator. Calls are bound like the binder binds them (resolve + coerce with Casts).
import type { Expr } from '../../sql/expr/expr.ts';
import { SCALAR_FUNCTIONS, comparableType } from '../../sql/functions/scalar-functions.ts';
import type { Datum } from '../../sql/types/datum.ts';
import { Decimal } from '../../sql/types/decimal.ts';
import { Interval } from '../../sql/types/interval.ts';
import { T, type SqlType } from '../../sql/types/sql-type.ts';

/** A seeded PRNG (mulberry32) so failures reproduce from their seed. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<V>(xs: readonly V[]): V {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** The columns random expressions read (every vector layout is represented). */
export const RANDOM_SCHEMA: readonly SqlType[] = [
  T.int2, T.int4, T.int4, T.int8, T.int8, T.float4, T.float8, T.numeric(15, 2), T.numeric(10, 4),
  T.numeric(12, 0), T.numeric(), T.numeric(20, 3), T.text, T.varchar(10), T.bool, T.date, T.timestamp,
  T.timestamptz,
];

type Family = 'bool' | 'int2' | 'int4' | 'int8' | 'float4' | 'float8' | 'numeric' | 'text' | 'date' | 'timestamp';

const FAMILIES: readonly Family[] = ['bool', 'int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'text', 'date', 'timestamp'];

function familyOf(t: SqlType): Family | undefined {
  switch (t.id) {
    case 'varchar': case 'char': case 'text': return 'text';
    case 'bool': case 'int2': case 'int4': case 'int8': case 'float4': case 'float8': case 'numeric': case 'date': case 'timestamp':
      return t.id;
    default: return undefined;
  }
}

/** The binder's coerce for already-typed expressions. */
function coerce(e: Expr, to: SqlType): Expr {
  if (e.type.id === to.id && !(to.id === 'numeric' && to.precision !== undefined)) return e;
  if (e.kind === 'Const' && e.value === null) return { kind: 'Const', value: null, type: to };
  return { kind: 'Cast', arg: e, type: to };
}

/** Binds a call like bindCall, or undefined when no signature fits. */
function call(fn: string, args: Expr[]): Expr | undefined {
  const f = SCALAR_FUNCTIONS[fn];
  const r = f?.resolve(args.map((a) => a.type));
  if (!r) return undefined;
  return { kind: 'Call', fn, args: args.map((a, i) => coerce(a, r.args[i] ?? a.type)), type: r.returns };
}

const STRINGS = [
  '', 'a', 'abc', 'ABC', 'abd', 'ab', 'b', 'hello world', ' padded ', 'é', 'ÉCOLE', '日本語', '😀', '😀x', '\uE000', '\uFFFD',
  'a%b', 'a_b', 'x\\y', 'the quick brown fox', 'PROMO BRUSHED', 'x'.repeat(300), 'ß', 'ǅ', '12', '-3',
];

const PATTERNS = ['%', 'a%', '%c', '%b%', 'abc', 'a_c', '%o%o%', 'PROMO%', '%😀', '日%', '\\%', 'a\\_b', '%x%y%', '', 'A%', '%\uE000%', 'x\\'];

function decimalOf(rng: Rng, precision: number, scale: number): Decimal {
  const lim = 10 ** Math.min(precision, 15);
  const edge = rng.int(8);
  let u: number;
  // Halves (…5 in the last digits) make rounding ties when the scale shrinks.
  if (edge >= 6) u = rng.pick([5, -5, 15, -15, 25, 125, -125, 50, 5000, 45, -2500]);
  else if (edge === 0) u = lim - 1;
  else if (edge === 1) u = -(lim - 1);
  else if (edge === 2) u = 0;
  else if (edge === 3) u = rng.int(1000) - 500;
  else u = Math.floor((rng.next() * 2 - 1) * lim);
  return new Decimal(BigInt(u), scale);
}

/** A random non-NULL value of type `t` (edge values often). */
export function randomValue(rng: Rng, t: SqlType): Datum {
  switch (t.id) {
    case 'bool': return rng.chance(0.5);
    case 'int2': return rng.pick([-32768, 32767, 0, 1, -1, rng.int(200) - 100, rng.int(65536) - 32768]);
    case 'int4': return rng.pick([-2147483648, 2147483647, 0, 1, -1, 7, rng.int(2000) - 1000, rng.int(4294967296) - 2147483648]);
    case 'int8':
      return rng.pick([
        9223372036854775807n, -9223372036854775808n, 9007199254740993n, -9007199254740993n, 9007199254740992n,
        0n, 1n, -1n, BigInt(rng.int(2000) - 1000), BigInt(rng.int(2147483648)) * BigInt(rng.int(4294967296)) - 2n ** 62n,
        BigInt(rng.int(100000)), BigInt(rng.int(100000)), BigInt(rng.int(100000)),
      ]);
    case 'float4': return Math.fround(randomValue(rng, T.float8) as number);
    case 'float8':
      return rng.pick([NaN, Infinity, -Infinity, -0, 0, 1e308, -1e308, 0.5, 2.5, -2.5, 1.5, 5e-324, 0.1, 3, 2147483647.5, 9.3e18, (rng.next() - 0.5) * 1e6, rng.int(100)]);
    case 'numeric':
      if (t.precision !== undefined) return decimalOf(rng, t.precision, t.scale ?? 0);
      if (rng.chance(0.2)) return new Decimal(BigInt(rng.int(1000000)) * 10n ** 25n, rng.int(4));
      if (rng.chance(0.3)) return new Decimal(rng.pick([5n, -5n, 15n, 25n, -125n, 2500n]), rng.int(4));
      return new Decimal(BigInt(rng.int(2000000) - 1000000), rng.int(7));
    case 'text': case 'varchar': {
      const s = rng.pick(STRINGS);
      return t.length !== undefined ? [...s].slice(0, t.length).join('') : s;
    }
    case 'date': return rng.pick([0, -1, 10471, 10957, 11000, rng.int(40000) - 20000, 2147483647, -2147483648]);
    case 'timestamp': case 'timestamptz': return rng.pick([0n, -1n, 946684800000000n, BigInt(rng.int(2 ** 30)) * 1000000n, 4611686018427387904n, -86400000001n]);
    default: return null;
  }
}

/** Random rows for `schema`; NULLs at `nullRate`. */
export function randomRows(rng: Rng, schema: readonly SqlType[], n: number, nullRate: number): Datum[][] {
  const rows: Datum[][] = [];
  for (let r = 0; r < n; r++) rows.push(schema.map((t) => (rng.chance(nullRate) ? null : randomValue(rng, t))));
  return rows;
}

/** Generates random expressions over RANDOM_SCHEMA. */
export class ExprGenerator {
  /**
   * `specialisedOnly` avoids functions and casts the kernels run through the generic Datum path
   * (text functions, numeric division, round, date_trunc, ...) so trees stay on specialised code.
   */
  constructor(
    private readonly rng: Rng,
    private readonly specialisedOnly = false,
    private readonly schema: readonly SqlType[] = RANDOM_SCHEMA,
  ) {}

  /** A random expression of family `f` (bool for predicates). */
  gen(f: Family, depth: number): Expr {
    for (let attempt = 0; attempt < 20; attempt++) {
      const e = depth <= 0 || this.rng.chance(0.25) ? this.leaf(f) : this.inner(f, depth - 1);
      if (e) return e;
    }
    return this.constant(f);
  }

  /** A random expression of any family. */
  any(depth: number): Expr {
    return this.gen(this.rng.pick(FAMILIES), depth);
  }

  private leaf(f: Family): Expr {
    if (this.rng.chance(0.2)) return this.constant(f);
    const wide = (t: SqlType): boolean => t.id === 'numeric' && (t.precision === undefined || t.precision > 15);
    const cols = this.schema.map((t, index) => ({ t, index })).filter((c) => familyOf(c.t) === f && !(this.specialisedOnly && wide(c.t)));
    if (cols.length === 0) return this.constant(f);
    const c = this.rng.pick(cols);
    return { kind: 'Column', index: c.index, type: c.t };
  }

  private constant(f: Family): Expr {
    const t: SqlType = f === 'numeric' ? T.numeric() : f === 'text' ? T.text : { id: f };
    if (this.rng.chance(0.08)) return { kind: 'Const', value: null, type: t };
    if (f === 'numeric') {
      const scale = this.rng.int(5);
      const u = this.rng.pick([0n, 1n, -1n, 5n, 24n, 100n, 7n, 99999999999999n, BigInt(this.rng.int(100000) - 50000)]);
      return { kind: 'Const', value: new Decimal(u, scale), type: t };
    }
    return { kind: 'Const', value: randomValue(this.rng, t), type: t };
  }

  private inner(f: Family, d: number): Expr | undefined {
    const r = this.rng;
    const pick = r.int(10);
    // Shared shapes: CASE, coalesce, nullif.
    if (pick === 0) return this.caseOf(f, d);
    if (pick === 1) return call('coalesce', [this.gen(f, d), this.gen(f, d), ...(r.chance(0.3) ? [this.gen(f, d)] : [])]);
    if (pick === 2 && f !== 'bool') return call('nullif', [this.gen(f, d), this.gen(f, d)]);
    switch (f) {
      case 'bool': return this.predicate(d);
      case 'int2': case 'int4': case 'int8': case 'float4': case 'float8': case 'numeric': {
        const ops = ['add', 'sub', 'mul', 'div', 'mod', 'neg', 'abs', 'cast', 'cast', 'cast', 'mixed'];
        let op = r.pick(ops);
        if (this.specialisedOnly && f === 'numeric' && op === 'div') op = 'cast';
        if (op === 'neg' || op === 'abs') return call(op, [this.gen(f, d)]);
        if (op === 'cast') return this.castTo(f, d);
        if (op === 'mixed') {
          const other = r.pick<Family>(['int2', 'int4', 'int8', 'numeric', 'float8']);
          const e = call(r.pick(this.specialisedOnly ? ['add', 'sub', 'mul', 'mod'] : ['add', 'sub', 'mul', 'div', 'mod']), r.chance(0.5) ? [this.gen(f, d), this.gen(other, d)] : [this.gen(other, d), this.gen(f, d)]);
          return e && familyOf(e.type) === f ? e : undefined;
        }
        if (this.specialisedOnly) return call(op, [this.gen(f, d), this.gen(f, d)]);
        if (f === 'numeric' && r.chance(0.15)) return call('round', [this.gen(f, d), { kind: 'Const', value: r.int(4), type: T.int4 }]);
        if (f === 'int4' && r.chance(0.15)) return call(r.pick(['length', 'strpos']), r.chance(0.5) ? [this.gen('text', d)] : [this.gen('text', d), this.gen('text', d)]);
        if (f === 'int4' && r.chance(0.15)) return call('sub', [this.gen('date', d), this.gen('date', d)]);
        if ((f === 'numeric' || f === 'float8') && r.chance(0.15)) {
          const field: Expr = { kind: 'Const', value: r.pick(['year', 'MONTH', 'day', 'quarter', 'dow', 'years']), type: T.text };
          return call(f === 'numeric' ? 'extract' : 'date_part', [field, this.gen('date', d)]);
        }
        return call(op, [this.gen(f, d), this.gen(f, d)]);
      }
      case 'text': {
        const op = this.specialisedOnly ? 4 : r.int(5);
        if (op === 0) return call('concat_op', [this.gen('text', d), this.gen('text', d)]);
        if (op === 1) return call(r.pick(['lower', 'upper', 'btrim']), [this.gen('text', d)]);
        if (op === 2) return call('substring', [this.gen('text', d), this.gen('int4', 0), ...(r.chance(0.3) ? [] : [this.gen('int4', 0)])]);
        if (op === 3) return { kind: 'Cast', arg: this.gen(r.pick<Family>(['int4', 'numeric', 'float8', 'bool', 'date']), d), type: T.text };
        return { kind: 'Cast', arg: this.gen('text', d), type: r.pick([T.text, T.varchar(3), T.varchar()]) };
      }
      case 'date':
        if (r.chance(0.5)) return call(r.pick(['add', 'sub']), [this.gen('date', d), this.gen('int4', d)]);
        if (!this.specialisedOnly && r.chance(0.2)) return call('current_date', []);
        if (!this.specialisedOnly && r.chance(0.2)) return { kind: 'Cast', arg: { kind: 'Column', index: 17, type: T.timestamptz }, type: T.date };
        return { kind: 'Cast', arg: this.gen('timestamp', d), type: T.date };
      case 'timestamp':
        if (r.chance(0.5)) return { kind: 'Cast', arg: this.gen('date', d), type: T.timestamp };
        if (this.specialisedOnly) return { kind: 'Cast', arg: this.gen('date', d), type: T.timestamp };
        if (r.chance(0.2)) return { kind: 'Cast', arg: call('now', []) ?? this.gen('date', d), type: T.timestamp };
        if (r.chance(0.2)) return { kind: 'Cast', arg: { kind: 'Column', index: 17, type: T.timestamptz }, type: T.timestamp };
        if (r.chance(0.3)) return call(r.pick(['add', 'sub']), [this.gen('timestamp', d), { kind: 'Const', value: new Interval(r.int(3), r.int(40) - 20, BigInt(r.int(100000000))), type: T.interval }]);
        return call('date_trunc', [{ kind: 'Const', value: r.pick(['month', 'day', 'year']), type: T.text }, this.gen('timestamp', d)]);
    }
  }

  private castTo(f: Family, d: number): Expr | undefined {
    const from = this.rng.pick<Family>(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'numeric', 'numeric', 'bool']);
    if (from === 'bool' && f !== 'int4') return undefined;
    let to: SqlType = { id: f };
    if (f === 'numeric') to = this.rng.chance(0.2) ? T.numeric() : T.numeric(5 + this.rng.int(14), this.rng.int(5));
    return { kind: 'Cast', arg: this.gen(from, d), type: to };
  }

  private caseOf(f: Family, d: number): Expr | undefined {
    const whens = Array.from({ length: 1 + this.rng.int(3) }, () => ({ when: this.gen('bool', d), then: this.gen(f, d) }));
    const otherwise = this.rng.chance(0.7) ? this.gen(f, d) : null;
    let t: SqlType | undefined;
    for (const x of [...whens.map((w) => w.then), ...(otherwise ? [otherwise] : [])]) t = t ? comparableType(t, x.type) : x.type;
    if (!t) return undefined;
    const ct = t;
    return { kind: 'Case', whens: whens.map((w) => ({ when: w.when, then: coerce(w.then, ct) })), otherwise: otherwise ? coerce(otherwise, ct) : null, type: ct };
  }

  private predicate(d: number): Expr | undefined {
    const r = this.rng;
    switch (r.int(9)) {
      case 0: case 1: case 2: {
        const f = r.pick(FAMILIES);
        const g = r.chance(0.8) ? f : r.pick(FAMILIES);
        return call(r.pick(['eq', 'ne', 'lt', 'le', 'gt', 'ge']), [this.gen(f, d), this.gen(g, d)]);
      }
      case 3: return { kind: r.chance(0.5) ? 'And' : 'Or', args: Array.from({ length: 2 + r.int(2) }, () => this.gen('bool', d)), type: T.bool };
      case 4: return { kind: 'Not', arg: this.gen('bool', d), type: T.bool };
      case 5: return { kind: 'IsNull', arg: this.any(d), negated: r.chance(0.5), type: T.bool };
      case 6: {
        const f = r.pick(FAMILIES);
        const arg = this.gen(f, d);
        const items = Array.from({ length: 1 + r.int(5) }, () => (r.chance(0.7) ? this.constant(f) : this.gen(f, d)));
        let t: SqlType = arg.type;
        for (const it of items) {
          const c = comparableType(t, it.type);
          if (!c) return undefined;
          t = c;
        }
        return { kind: 'InList', arg: coerce(arg, t), list: items.map((it) => coerce(it, t)), negated: r.chance(0.3), type: T.bool };
      }
      case 7: {
        const constant = this.specialisedOnly || r.chance(0.8);
        const p: Expr = constant ? { kind: 'Const', value: r.pick(PATTERNS), type: T.text } : this.gen('text', d);
        return call(this.specialisedOnly || r.chance(0.8) ? 'like' : 'ilike', [this.gen('text', d), p]);
      }
      default: {
        const f = r.pick<Family>(['int4', 'numeric', 'date', 'float8', 'int8']);
        const x = this.gen(f, d);
        const lo = this.gen(f, 0);
        const hi = this.gen(f, 0);
        const a = call('ge', [x, lo]);
        const b = call('le', [x, hi]);
        return a && b ? { kind: 'And', args: [a, b], type: T.bool } : undefined;
      }
    }
  }
}

// The state of generating one kernel loop: emitted lines, typed temporaries, hoisted constants,
// and how a value is represented in generated JS (Val) with conversions between representations.
import type { Expr } from '../../sql/expr/expr.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';
import type { ColumnLayout } from '../../storage/column-kind.ts';

/**
 * How a value lives in generated code:
 * - bool: JS boolean; i32: number (int2/int4/date/oid); f64: number (float4/float8)
 * - i64: int8/timestamp; fast mode a float64 integer with |v| ≤ 2^53, exact mode a bigint
 * - dec: numeric with a scale known at compile time; unscaled value as i64 (fast number / exact bigint)
 * - slice: a UTF-8 string as bytes[start..end) of some Uint8Array (no JS string)
 * - datum: the reference evaluator's Datum (anything else: computed strings, dynamic-scale numerics)
 * - null: statically NULL (a NULL constant, or a strict call over one)
 */
export type Repr = 'bool' | 'i32' | 'f64' | 'i64' | 'dec' | 'slice' | 'datum' | 'null';

/**
 * A generated value: JS expressions for value and null flag, valid after the code that made them.
 * Consumers always test `n` first: where `n` is true, `v` may hold a stale value (also for datum).
 */
export interface Val {
  readonly repr: Repr;
  /** Value expression (unused for slice). */
  readonly v: string;
  /** Null-flag expression: 'false' when never NULL, 'true' when always NULL. */
  readonly n: string;
  /** Decimal scale (repr 'dec'). */
  readonly scale: number;
  /** Slice parts (repr 'slice'). */
  readonly arr: string;
  readonly s: string;
  readonly e: string;
  /** The exact unscaled value when this is a compile-time constant of repr i64/dec. */
  readonly lit?: bigint;
  /** The string when this is a compile-time string constant. */
  readonly str?: string;
}

/** Builds a Val with unused fields blank. */
export function val(repr: Repr, v: string, n: string, extra: Partial<Val> = {}): Val {
  return { repr, v, n, scale: 0, arr: '', s: '', e: '', ...extra };
}

/** The statically-NULL value. */
export const NULL_VAL: Val = val('null', 'null', 'true');

/** Constants and closure-level declarations shared by all loop variants of one kernel. */
export class ConstPool {
  readonly values: unknown[] = [];
  private readonly byKey = new Map<string, string>();
  /** Lines declared once in the factory scope (generic-call argument arrays). */
  readonly factoryDecls: string[] = [];
  private factoryCounter = 0;

  /** The name of constant `value` (deduplicated by `key` when given). */
  add(value: unknown, key?: string): string {
    if (key !== undefined) {
      const hit = this.byKey.get(key);
      if (hit !== undefined) return hit;
    }
    const name = `k${this.values.length}`;
    this.values.push(value);
    if (key !== undefined) this.byKey.set(key, name);
    return name;
  }

  /** The value of constant `name` (as `add` named it). */
  valueOf(name: string): unknown {
    return this.values[Number(name.slice(1))];
  }

  /** Declares `const <name> = <init>;` in the factory scope and returns the name. */
  declare(prefix: string, init: string): string {
    const name = `f${prefix}${this.factoryCounter++}`;
    this.factoryDecls.push(`const ${name} = ${init};`);
    return name;
  }
}

/** Formats a JS number as a source literal (keeps -0, NaN, Infinity). */
export function numLit(x: number): string {
  if (Object.is(x, -0)) return '(-0)';
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '(-Infinity)';
  return x < 0 ? `(${x})` : String(x);
}

/** A bigint as a source literal. */
export function bigLit(x: bigint): string {
  return x < 0n ? `(${x}n)` : `${x}n`;
}

/** Options of one loop variant. */
export interface VariantOptions {
  /** Fast mode: int8/decimal in float64 with a bail-out to exact mode. */
  readonly fast: boolean;
  /** Whether input columns may have NULLs (false: the no-nulls fast path). */
  readonly nullable: boolean;
}

/** Generation state of one loop variant. */
export class CodegenContext {
  private lines: string[] = [];
  private depth = 2;
  private readonly decls: string[] = [];
  private readonly prologue = new Map<string, string>();
  private counter = 0;
  /** Set when the code depends on the fast/exact distinction (so an exact variant is needed). */
  usesWide = false;
  /** Columns materialised as Datums into the row buffer for the reference evaluator. */
  readonly datumRowColumns = new Set<number>();
  /** Generates code for a sub-expression (installed by the dispatcher). */
  gen: (e: Expr) => Val = () => NULL_VAL;

  constructor(
    readonly pool: ConstPool,
    readonly inputTypes: readonly SqlType[],
    readonly layouts: readonly (ColumnLayout | undefined)[],
    readonly opts: VariantOptions,
  ) {}

  get fast(): boolean {
    return this.opts.fast;
  }

  emit(line: string): void {
    this.lines.push('  '.repeat(this.depth) + line);
  }

  /** Emits a line ending in '{' and indents. */
  open(line: string): void {
    this.emit(line);
    this.depth++;
  }

  /** Emits a line like '} else {' one level out, staying at the same depth. */
  reopen(line: string): void {
    this.depth--;
    this.emit(line);
    this.depth++;
  }

  /** Dedents and emits a closing line. */
  close(line = '}'): void {
    this.depth--;
    this.emit(line);
  }

  /** A fresh name. */
  name(prefix: string): string {
    // Temps carry '_' so they never meet hoisted names (cv0, cz0, ...), outputs (o0) or constants (k0).
    return `${prefix}_${this.counter++}`;
  }

  /** Declares a loop-function-level `let` of repr `repr` (initialised so its JS type stays stable). */
  tmp(repr: Repr, prefix = 'v'): string {
    const name = this.name(prefix);
    this.decls.push(`let ${name} = ${this.initOf(repr)};`);
    if (repr === 'i64' || repr === 'dec') this.usesWide = true;
    return name;
  }

  private initOf(repr: Repr): string {
    switch (repr) {
      case 'bool': return 'false';
      case 'i32': case 'f64': return '0';
      case 'i64': case 'dec': return this.fast ? '0' : '0n';
      case 'slice': return 'EMPTY';
      default: return 'null';
    }
  }

  /** A temporary Val of repr `repr` (slices get three temps). */
  tmpVal(repr: Repr, scale: number, nullVar: string): Val {
    if (repr === 'slice') return val('slice', '', nullVar, { arr: this.tmp('slice', 'b'), s: this.tmp('i32', 's'), e: this.tmp('i32', 'e') });
    return val(repr, this.tmp(repr), nullVar, { scale });
  }

  /** Registers a prologue line (`const <name> = <init>;`) once per loop function. */
  hoist(name: string, init: string): string {
    if (!this.prologue.has(name)) this.prologue.set(name, `const ${name} = ${init};`);
    return name;
  }

  /** The statement leaving fast mode for the exact variant. */
  bail(): string {
    this.usesWide = true;
    return 'return -1;';
  }

  /** Runs `fn` collecting the lines it emits instead of appending them. */
  capture(fn: () => void): string[] {
    const saved = this.lines;
    this.lines = [];
    try {
      fn();
      return this.lines;
    } finally {
      this.lines = saved;
    }
  }

  /** Marks a spot to fill later (see fill). */
  placeholder(): number {
    this.lines.push('');
    return this.lines.length - 1;
  }

  /** Puts `code` at a placeholder, indented like the placeholder's block. */
  fill(at: number, code: readonly string[], depth: number): void {
    const pad = '  '.repeat(depth);
    this.lines[at] = code.map((l) => pad + l.trimStart()).join('\n');
  }

  /** Current indentation depth (for fill). */
  get currentDepth(): number {
    return this.depth;
  }

  /** The loop function's declarations, prologue and row body. */
  parts(): { prologue: string[]; decls: string[]; body: string[] } {
    return { prologue: [...this.prologue.values()], decls: this.decls, body: this.lines };
  }

  /** Assigns `src` to the temps of `dst` (same repr), including the null flag. */
  assign(dst: Val, src: Val): void {
    if (dst.repr === 'slice') {
      this.emit(`${dst.arr} = ${src.arr}; ${dst.s} = ${src.s}; ${dst.e} = ${src.e};`);
    } else if (dst.repr !== 'null') {
      this.emit(`${dst.v} = ${src.v};`);
    }
    if (dst.n !== 'false' && dst.n !== 'true') this.emit(`${dst.n} = ${src.n};`);
  }

  /** Sets the temps of `dst` to NULL. */
  assignNull(dst: Val): void {
    if (dst.repr === 'datum') this.emit(`${dst.v} = null;`);
    if (dst.n !== 'false' && dst.n !== 'true') this.emit(`${dst.n} = true;`);
  }

  /** `x` in repr `repr`: unchanged when it already is, else as a Datum (branch unification asks only these). */
  convert(x: Val, repr: Repr): Val {
    if (x.repr === repr) return x;
    if (repr === 'datum') return this.toDatumVal(x);
    return x;
  }

  /** JS expression for `x` as a Datum, valid where x is not NULL. */
  datumOf(x: Val): string {
    switch (x.repr) {
      case 'bool': case 'i32': case 'f64': case 'datum': return x.v;
      case 'i64': return this.fast ? `BigInt(${x.v})` : x.v;
      case 'dec': return this.fast ? `H.decFromNum(${x.v}, ${x.scale})` : `H.decFromBig(${x.v}, ${x.scale})`;
      case 'slice': return `H.decode(${x.arr}, ${x.s}, ${x.e})`;
      case 'null': return 'null';
    }
  }

  /** JS expression for `x` as a Datum or null. */
  datumOrNull(x: Val): string {
    if (x.n === 'false' || (x.repr === 'datum' && x.n === `(${x.v} === null)`)) return this.datumOf(x);
    if (x.n === 'true') return 'null';
    return `(${x.n}) ? null : ${this.datumOf(x)}`;
  }

  /** Converts `x` to a datum Val (materialised). */
  toDatumVal(x: Val): Val {
    if (x.repr === 'datum') return x;
    const d = this.tmp('datum', 'd');
    this.emit(`${d} = ${this.datumOrNull(x)};`);
    return val('datum', d, `(${d} === null)`);
  }

  /**
   * A Datum (JS expression) of SQL type `t` as the natural Val for that type: bool/i32/f64/i64
   * when the type has one, else a datum Val.
   */
  fromDatum(expr: string, t: SqlType): Val {
    const d = this.tmp('datum', 'd');
    this.emit(`${d} = ${expr};`);
    const isNull = `(${d} === null)`;
    switch (t.id) {
      case 'bool': return val('bool', d, isNull);
      case 'int2': case 'int4': case 'date': case 'oid': return val('i32', d, isNull);
      case 'float4': case 'float8': return val('f64', d, isNull);
      case 'int8': case 'timestamp': case 'timestamptz': {
        const x = this.tmp('i64');
        if (this.fast) this.emit(`${x} = ${d} === null ? 0 : H.i64Safe(${d}); if (${x} !== ${x}) ${this.bail()}`);
        else this.emit(`${x} = ${d} === null ? 0n : H.toBig(${d});`);
        return val('i64', x, isNull);
      }
      default: return val('datum', d, isNull);
    }
  }
}

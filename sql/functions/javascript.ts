// Scalar functions written in JavaScript (CREATE FUNCTION ... LANGUAGE javascript). Their bodies
// run in QuickJS compiled to WebAssembly: a separate heap with only ECMAScript's built-ins (no
// require, no process, no I/O, no timers), a memory limit, a stack limit and a time limit per call.
// A call takes a whole column batch: the arguments go in as one JSON document, the function runs
// over every row inside the sandbox, and the results come back as one JSON array, so crossing
// into WebAssembly costs once per batch, not once per row.
//
// In a plan a call is Call { fn: JAVASCRIPT_CALL, args: [definition, ...arguments] }: the
// definition (JSON text) travels with the fragment, so every slice can build the function itself.
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSSyncVariant, QuickJSWASMModule } from 'quickjs-emscripten-core';
import { SqlError, SqlState, featureNotSupported, internalError } from '../../common/errors/index.ts';
import { castDatum } from '../expr/cast.ts';
import type { Datum } from '../types/datum.ts';
import { Decimal } from '../types/decimal.ts';
import { T, formatTypeName, type SqlType } from '../types/sql-type.ts';
import type { EvalContext } from './scalar-functions.ts';

/** Call.fn of a JavaScript function call (not a name SQL can call). */
export const JAVASCRIPT_CALL = 'javascript function';

/** What a slice needs to run a JavaScript function: its signature and body. */
export interface JavascriptDefinition {
  readonly name: string;
  /** Parameter names as the body sees them ($1, $2, ... for unnamed ones). */
  readonly params: readonly string[];
  readonly argTypes: readonly SqlType[];
  readonly returns: SqlType;
  readonly body: string;
  /** STRICT / RETURNS NULL ON NULL INPUT: a row with a NULL argument is NULL without a call. */
  readonly strict: boolean;
}

/** Milliseconds one call (one batch of rows) may run: COLONNADE_JAVASCRIPT_TIME_LIMIT_MS, default 10 s. */
const TIME_LIMIT_MS = Number(process.env.COLONNADE_JAVASCRIPT_TIME_LIMIT_MS ?? '') || 10_000;
/** Heap of one function's sandbox. */
const MEMORY_LIMIT = 64 << 20;
/** QuickJS's own stack limit: below what the host's stack allows, so deep recursion is QuickJS's error. */
const STACK_LIMIT = 256 << 10;
/** Rows per call into the sandbox. */
const CALL_ROWS = 4096;
/** Sandboxes kept per process, by definition. */
const MAX_SANDBOXES = 16;

let engine: QuickJSWASMModule | null = null;
let loading: Promise<void> | null = null;

/** Loads QuickJS (once per process or worker, about 30 ms); calls need it loaded. */
export function loadJavascript(): Promise<void> {
  loading ??= (async () => {
    const [{ newQuickJSWASMModuleFromVariant }, variant] = await Promise.all([
      import('quickjs-emscripten-core'), import('@jitl/quickjs-wasmfile-release-sync'),
    ]);
    // The package is CommonJS: its variant is the namespace's default export.
    engine = await newQuickJSWASMModuleFromVariant((variant as unknown as { default: QuickJSSyncVariant }).default);
  })();
  return loading;
}

const TYPE_KINDS: Readonly<Record<string, 'bool' | 'number' | 'text' | 'date' | 'timestamp'>> = {
  bool: 'bool', int2: 'number', int4: 'number', int8: 'number', float4: 'number', float8: 'number', numeric: 'number',
  text: 'text', varchar: 'text', char: 'text', date: 'date', timestamp: 'timestamp', timestamptz: 'timestamp',
};

/** 0A000 unless JavaScript functions can take (or return) this type. */
export function checkJavascriptType(t: SqlType): void {
  if (TYPE_KINDS[t.id] === undefined) {
    throw featureNotSupported(`JavaScript functions over type ${formatTypeName(t)} (boolean, integer, numeric, float, text, date and timestamp types are supported)`);
  }
}

/** Checks a definition as CREATE FUNCTION does: parameter names, types, and the body's syntax (42601). */
export function checkJavascriptDefinition(def: JavascriptDefinition): void {
  for (const p of def.params) {
    if (!/^[A-Za-z_$][\w$]*$/.test(p)) throw new SqlError(SqlState.INVALID_FUNCTION_DEFINITION, `parameter name "${p}" is not a JavaScript identifier`);
  }
  def.argTypes.forEach(checkJavascriptType);
  checkJavascriptType(def.returns);
  new Sandbox(def).dispose();
}

/** The guest source: the user's function and the batch runner around it. */
function guestSource(def: JavascriptDefinition): string {
  const n = def.params.length;
  const a = Array.from({ length: n }, (_, c) => `a${c}[i]`);
  const dateArgs = def.argTypes.map((t, c) => (TYPE_KINDS[t.id] === 'date' || TYPE_KINDS[t.id] === 'timestamp' ? c : -1)).filter((c) => c >= 0);
  const kind = TYPE_KINDS[def.returns.id];
  // Results: finite numbers, booleans and Dates (as epoch ms) as they are, anything else as text.
  const norm = kind === 'text' ? 'S(r)'
    : kind === 'bool' ? "typeof r === 'boolean' ? r : S(r)"
      : kind === 'number' ? "typeof r === 'number' && fin(r) ? r : S(r)"
        : "r instanceof D ? (fin(r.getTime()) ? r.getTime() : 'Invalid Date') : typeof r === 'number' && fin(r) ? r : S(r)";
  return `(function () {
'use strict';
const J = JSON, S = String, D = Date, N = Number, fin = Number.isFinite;
const f = function (${def.params.join(', ')}) {
${def.body}
};
globalThis.__colonnade_run = function (payload) {
  const p = J.parse(payload), n = p.n, c = p.c, s = p.s;
  for (let k = 0; k < c.length; k++) if (s[k]) { const v = c[k]; for (let i = 0; i < n; i++) if (typeof v[i] === 'string') v[i] = N(v[i]); }
  ${dateArgs.map((k) => `{ const v = c[${k}]; for (let i = 0; i < n; i++) if (v[i] !== null) v[i] = new D(v[i]); }`).join('\n  ')}
  ${Array.from({ length: n }, (_, k) => `const a${k} = c[${k}];`).join(' ')}
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    ${def.strict && n > 0 ? `if (${a.map((x) => `${x} === null`).join(' || ')}) { out[i] = null; continue; }` : ''}
    const r = f(${a.join(', ')});
    out[i] = r === null || r === undefined ? null : ${norm};
  }
  return J.stringify(out);
};
})();`;
}

/** One function's QuickJS runtime and context, with its batch runner. */
class Sandbox {
  private readonly runtime: QuickJSRuntime;
  private readonly context: QuickJSContext;
  private readonly run: QuickJSHandle;

  constructor(readonly def: JavascriptDefinition) {
    if (engine === null) throw internalError('the JavaScript engine is not loaded');
    this.runtime = engine.newRuntime();
    this.runtime.setMemoryLimit(MEMORY_LIMIT);
    this.runtime.setMaxStackSize(STACK_LIMIT);
    this.context = this.runtime.newContext();
    const r = this.guarded(() => this.context.evalCode(guestSource(def), `${def.name}.js`));
    if (r.error) {
      const e = this.context.dump(r.error) as { name?: string; message?: string };
      r.error.dispose();
      this.dispose();
      if (e.name === 'InternalError') throw this.failure(e);
      throw new SqlError(e.name === 'SyntaxError' ? SqlState.SYNTAX_ERROR : SqlState.INVALID_FUNCTION_DEFINITION,
        `JavaScript function "${def.name}": ${e.name ?? 'Error'}: ${e.message ?? String(e)}`);
    }
    r.value.dispose();
    this.run = this.context.getProp(this.context.global, '__colonnade_run');
  }

  /**
   * Runs guest code under the time limit. An exception from the host itself (its stack overflowed
   * inside WebAssembly) leaves the runtime unusable: it is dropped and the call fails with 54001.
   */
  private guarded<R>(body: () => R): R {
    const deadline = Date.now() + TIME_LIMIT_MS;
    this.runtime.setInterruptHandler(() => Date.now() > deadline);
    try {
      return body();
    } catch (err) {
      if (err instanceof SqlError) throw err;
      forget(this);
      throw new SqlError(SqlState.STATEMENT_TOO_COMPLEX, `JavaScript function "${this.def.name}": stack depth limit exceeded`, { detail: String(err) });
    } finally {
      if (this.runtime.alive) this.runtime.removeInterruptHandler();
    }
  }

  /** Runs the function over one payload; the JSON text of its results. */
  call(payload: string): string {
    const arg = this.context.newString(payload);
    const r = this.guarded(() => {
      try {
        return this.context.callFunction(this.run, this.context.undefined, arg);
      } finally {
        if (arg.alive) arg.dispose();
      }
    });
    if (r.error) {
      const e = this.context.dump(r.error) as { name?: string; message?: string } | string;
      r.error.dispose();
      throw this.failure(e);
    }
    const text = this.context.typeof(r.value) === 'string' ? this.context.getString(r.value) : null;
    r.value.dispose();
    if (text === null) throw new SqlError(SqlState.EXTERNAL_ROUTINE_EXCEPTION, `JavaScript function "${this.def.name}" replaced its runner`);
    return text;
  }

  /** The SQL error for what the guest threw; a sandbox that hit a limit is not used again. */
  private failure(e: { name?: string; message?: string } | string): SqlError {
    const name = typeof e === 'string' ? 'Error' : e.name ?? 'Error';
    const message = typeof e === 'string' ? e : e.message ?? String(e);
    const fn = `JavaScript function "${this.def.name}"`;
    if (name === 'InternalError') {
      forget(this);
      if (message === 'interrupted') return new SqlError(SqlState.QUERY_CANCELED, `canceling statement: ${fn} ran longer than its time limit (${TIME_LIMIT_MS} ms)`);
      if (message === 'out of memory') return new SqlError(SqlState.OUT_OF_MEMORY, `${fn} ran out of memory (limit ${MEMORY_LIMIT >> 20} MB)`);
      if (message === 'stack overflow') return new SqlError(SqlState.STATEMENT_TOO_COMPLEX, `${fn}: stack depth limit exceeded`);
    }
    return new SqlError(SqlState.EXTERNAL_ROUTINE_EXCEPTION, `${fn} failed: ${name}: ${message}`);
  }

  dispose(): void {
    try {
      this.run?.dispose();
      this.context.dispose();
      this.runtime.dispose();
    } catch {
      // A runtime the host stack overflowed inside may not dispose cleanly; it is dropped anyway.
    }
  }
}

const sandboxes = new Map<string, Sandbox>();

function sandboxFor(definition: string): Sandbox {
  let s = sandboxes.get(definition);
  if (s !== undefined) {
    sandboxes.delete(definition);
    sandboxes.set(definition, s);
    return s;
  }
  s = new Sandbox(JSON.parse(definition) as JavascriptDefinition);
  if (sandboxes.size >= MAX_SANDBOXES) {
    const [oldest] = sandboxes.values();
    if (oldest) forget(oldest);
  }
  sandboxes.set(definition, s);
  return s;
}

function forget(s: Sandbox): void {
  for (const [k, v] of sandboxes) if (v === s) sandboxes.delete(k);
  s.dispose();
}

/** An argument value as the guest receives it (dates and timestamps as epoch ms). */
function toGuest(v: Datum, t: SqlType): unknown {
  if (v === null) return null;
  switch (TYPE_KINDS[t.id]) {
    case 'date': return (v as number) * 86_400_000;
    case 'timestamp': {
      const us = v as bigint;
      return Number((us - (((us % 1000n) + 1000n) % 1000n)) / 1000n);
    }
    case 'number':
      if (typeof v === 'bigint') return Number(v);
      if (v instanceof Decimal) return v.toNumber();
      return v;
    default: return v;
  }
}

/** A result from the guest as a value of the function's return type. */
function fromGuest(v: unknown, t: SqlType, ctx: EvalContext): Datum {
  if (v === null) return null;
  if (typeof v === 'string') return castDatum(v, T.text, t, ctx);
  const kind = TYPE_KINDS[t.id];
  if (typeof v === 'boolean' && kind === 'bool') return v;
  if (typeof v === 'number') {
    if (kind === 'number') return castDatum(v, T.float8, t, ctx);
    if (kind === 'date') return Math.floor(v / 86_400_000);
    if (kind === 'timestamp') return BigInt(Math.round(v)) * 1000n;
  }
  throw new SqlError(SqlState.EXTERNAL_ROUTINE_EXCEPTION, `a JavaScript function returned ${typeof v} for type ${formatTypeName(t)}`);
}

/**
 * Calls the function `definition` (a JAVASCRIPT_CALL's first argument) over `n` rows: `columns[c][r]`
 * is argument c of row r. Returns one result per row.
 */
export function callJavascript(definition: string, columns: readonly (readonly Datum[])[], n: number, ctx: EvalContext): Datum[] {
  const sandbox = sandboxFor(definition);
  const { argTypes, returns } = sandbox.def;
  const out = new Array<Datum>(n);
  for (let from = 0; from < n; from += CALL_ROWS) {
    const m = Math.min(CALL_ROWS, n - from);
    const special = new Array<boolean>(columns.length).fill(false);
    const cols = columns.map((col, c) => {
      const values = new Array<unknown>(m);
      for (let r = 0; r < m; r++) {
        const v = toGuest(col[from + r] ?? null, argTypes[c]!);
        // NaN and the infinities are not JSON: sent as text, turned back into numbers inside.
        if (typeof v === 'number' && !Number.isFinite(v)) { special[c] = true; values[r] = String(v); } else values[r] = v;
      }
      return values;
    });
    const results: unknown = JSON.parse(sandbox.call(JSON.stringify({ n: m, c: cols, s: special })));
    if (!Array.isArray(results) || results.length !== m) throw new SqlError(SqlState.EXTERNAL_ROUTINE_EXCEPTION, `JavaScript function "${sandbox.def.name}" returned a malformed batch`);
    for (let r = 0; r < m; r++) out[from + r] = fromGuest(results[r] as unknown, returns, ctx);
  }
  return out;
}

/** The definition text of a JAVASCRIPT_CALL (its first argument). */
export function javascriptDefinitionOf(args: readonly { readonly kind: string; readonly value?: unknown }[]): string {
  const d = args[0];
  if (d?.kind !== 'Const' || typeof d.value !== 'string') throw internalError('a JavaScript function call without its definition');
  return d.value;
}

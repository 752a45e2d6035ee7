// Assembles the JavaScript source of a filter or projection kernel: up to four loop variants
// (fast/exact × with/without NULLs), each over a selection and over every row, plus the entry
// that checks layouts and picks a variant.
//
// Memory layout the generated loops read (compute/batch/vector.ts): per column one typed array
// (`values`; strings `offsets` + `bytes`), `nulls` a byte map or null. Row i of the batch is the
// k-th selected row (`sel[k]`, or k when sel is null). Filters write passing row indices into
// selOut; projections write compacted output vectors (row k of the output = k-th selected row).
import { walkExpr, type Expr } from '../../sql/expr/expr.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';
import { layoutOf, type ColumnLayout } from '../../storage/column-kind.ts';
import { CodegenContext, ConstPool, type Val, type VariantOptions } from './codegen-context.ts';
import { isTrueCond } from './gen-logic.ts';
import { installCodegen } from './gen-node.ts';
import { genOutputStore, outputAlloc, outputFinish, outputLayout, outputLocals } from './output-store.ts';
import { LITTLE_ENDIAN } from './kernel-runtime.ts';

/** What kind of kernel to build ('aggregate': a projection with scaled-decimal outputs). */
export type KernelKind = 'filter' | 'projection' | 'aggregate';

/** Generated source plus its constants (everything the factory needs besides H and ctx). */
export interface KernelSource {
  readonly source: string;
  readonly constants: readonly unknown[];
}

/** Input layouts by column; undefined for a type no vector can hold (it cannot be an input). */
export function inputLayouts(inputTypes: readonly SqlType[]): (ColumnLayout | undefined)[] {
  return inputTypes.map((t) => {
    try {
      return layoutOf(t);
    } catch {
      return undefined;
    }
  });
}

function referencedColumns(exprs: readonly Expr[]): number[] {
  const cols = new Set<number>();
  for (const e of exprs) walkExpr(e, (x) => { if (x.kind === 'Column') cols.add(x.index); });
  return [...cols].sort((a, b) => a - b);
}

interface Variant {
  readonly name: string;
  readonly code: string;
  readonly usesWide: boolean;
}

/**
 * One loop variant. Projections get three functions: alloc_<name> and finish_<name> (no loop) and
 * the row loop <name>, which has nothing after its loop but `return`: V8 compiles hot loops
 * on-stack, and code after the loop that never ran would lack type feedback and deoptimise.
 */
function buildVariant(
  kind: KernelKind, exprs: readonly Expr[], pool: ConstPool, inputTypes: readonly SqlType[],
  layouts: readonly (ColumnLayout | undefined)[], opts: VariantOptions,
): Variant {
  const ctx = new CodegenContext(pool, inputTypes, layouts, opts);
  installCodegen(ctx);
  const name = `${opts.fast ? 'fast' : 'exact'}_${opts.nullable ? 'nulls' : 'nonulls'}`;
  const vals: Val[] = exprs.map((e) => ctx.gen(e));
  let allocs: string[] = [];
  let locals: string[] = [];
  let finish: string[] = [];
  if (kind === 'filter') {
    ctx.emit(`if (${isTrueCond(vals[0]!)}) selOut[out++] = i;`);
  } else {
    const outLayouts = exprs.map((e, j) => outputLayout(ctx, e, vals[j]!, kind === 'aggregate'));
    allocs = exprs.flatMap((e, j) => outputAlloc(ctx, e, j, outLayouts[j]!, kind === 'aggregate'));
    locals = outLayouts.flatMap((l, j) => outputLocals(exprs[j]!, j, l));
    exprs.forEach((e, j) => genOutputStore(ctx, e, j, vals[j]!, outLayouts[j]!));
    finish = outLayouts.map((l, j) => outputFinish(exprs[j]!, j, l, kind === 'aggregate'));
  }
  const { prologue, decls, body } = ctx.parts();
  const indent = (ls: readonly string[]): string[] => ls.map((l) => '  ' + l);
  // Two copies of the loop: over a selection, and over every row (`<name>_all`, no indirection
  // through sel: about twice as fast for a cheap predicate), each a function of its own so each
  // keeps clean type feedback.
  const loop = (all: boolean): string[] => [
    `function ${name}${all ? '_all' : ''}(cols, len, cnt, sel, selOut, outs, nc) {`,
    ...indent(prologue),
    ...indent(locals),
    ...indent(decls),
    '  let out = 0;',
    '  for (let k = 0; k < cnt; k++) {',
    all ? '    const i = k;' : '    const i = sel[k];',
    ...body,
    '  }',
    kind === 'filter' ? '  return out;' : '  return cnt;',
    '}',
  ];
  const extra = kind === 'filter' ? [] : [
    `function alloc_${name}(cols, cnt, outs) {`, ...indent(allocs), '}',
    `function finish_${name}(cols, cnt, outs, nc, res) {`, ...indent(finish), '}',
  ];
  return { name, code: [...loop(false), ...loop(true), ...extra].join('\n'), usesWide: ctx.usesWide };
}

/** The factory's line that captures the session's time zone for casts. */
export const CAST_SETTINGS = 'const castSettings = { timeZoneOffsetSeconds: ctx.timeZoneOffsetSeconds, timeZone: ctx.timeZone };';

/** Builds the kernel source for `exprs` (one predicate for a filter) over `inputTypes`. */
export function buildKernelSource(kind: KernelKind, exprs: readonly Expr[], inputTypes: readonly SqlType[]): KernelSource {
  const layouts = inputLayouts(inputTypes);
  const cols = referencedColumns(exprs).filter((c) => c < inputTypes.length);
  // A referenced column of a type without a vector layout: 0A000 from layoutOf.
  for (const c of cols) layoutOf(inputTypes[c]!);
  const pool = new ConstPool();
  const probe = buildVariant(kind, exprs, pool, inputTypes, layouts, { fast: LITTLE_ENDIAN, nullable: false });
  // Without int8/decimal values fast and exact code are the same: one mode only.
  const twoModes = LITTLE_ENDIAN && probe.usesWide;
  const variants: Variant[] = [probe, buildVariant(kind, exprs, pool, inputTypes, layouts, { fast: LITTLE_ENDIAN, nullable: true })];
  if (twoModes) {
    variants.push(buildVariant(kind, exprs, pool, inputTypes, layouts, { fast: false, nullable: false }));
    variants.push(buildVariant(kind, exprs, pool, inputTypes, layouts, { fast: false, nullable: true }));
  }
  const checks = cols.map((c) => {
    const l = layouts[c]!;
    const scale = l.kind === 'decimal' ? ` || cols[${c}].scale !== ${l.scale}` : '';
    return `  if (cols[${c}] === undefined || cols[${c}].kind !== '${l.kind}'${scale}) throw H.layoutMismatch(${c}, '${l.kind}');`;
  });
  const noNulls = cols.length === 0 ? 'true' : cols.map((c) => `cols[${c}].nulls === null`).join(' && ');
  const [fastNn, fastN, exactNn, exactN] = variants.map((v) => v.name);
  const n = exprs.length;
  // run(variant): allocate outputs, run the row loop, and on success build the vectors.
  const loopOf = (v: string): string => `(sel === null ? ${v}_all : ${v})`;
  const run = (target: string, a: string, b: string): string[] => kind === 'filter'
    ? [`${target} = (noNulls ? ${loopOf(a)} : ${loopOf(b)})(cols, len, cnt, sel, selOut, null, null);`]
    : [
      `if (noNulls) { alloc_${a}(cols, cnt, outs); ${target} = ${loopOf(a)}(cols, len, cnt, sel, null, outs, nc); if (${target} >= 0) finish_${a}(cols, cnt, outs, nc, res); }`,
      `else { alloc_${b}(cols, cnt, outs); ${target} = ${loopOf(b)}(cols, len, cnt, sel, null, outs, nc); if (${target} >= 0) finish_${b}(cols, cnt, outs, nc, res); }`,
    ];
  const entry = [
    kind === 'filter' ? 'return function filterKernel(batch, sel, selOut) {' : 'return function projectionKernel(batch, sel) {',
    '  const cols = batch.columns;',
    ...checks,
    '  const len = batch.length;',
    '  const cnt = sel === null ? len : sel.length;',
    `  const noNulls = ${noNulls};`,
    ...(kind === 'filter' ? [] : [`  const res = new Array(${n});`, `  const outs = new Array(${3 * n});`, `  const nc = new Int32Array(${Math.max(1, n)});`]),
    '  let r = -1;',
    ...(twoModes
      ? [
        '  if (skipFast > 0) skipFast--;',
        '  else {',
        ...run('r', fastNn!, fastN!).map((l) => '    ' + l),
        '    if (r < 0) skipFast = 8;',
        '  }',
        '  if (r < 0) {',
        ...(kind === 'filter' ? [] : ['    nc.fill(0);']),
        ...run('r', exactNn!, exactN!).map((l) => '    ' + l),
        '  }',
      ]
      : run('r', fastNn!, fastN!).map((l) => '  ' + l)),
    kind === 'filter' ? '  return r;' : '  return res;',
    '};',
  ];
  const source = [
    "'use strict';",
    ...pool.values.map((_, j) => `const k${j} = K[${j}];`),
    ...pool.factoryDecls,
    'const EMPTY = new Uint8Array(0);',
    // Output buffers an aggregate kernel reuses from batch to batch (see outputAlloc).
    'const P = [];',
    `const R = new Array(${inputTypes.length}).fill(null);`,
    CAST_SETTINGS,
    // After a batch leaves fast mode, the next few go straight to exact mode.
    'let skipFast = 0;',
    ...variants.map((v) => v.code),
    ...entry,
  ].join('\n');
  return { source, constants: pool.values };
}

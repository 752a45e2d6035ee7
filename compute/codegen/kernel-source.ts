// Assembles the JavaScript source of a filter or projection kernel: up to four loop variants
// (fast/exact × with/without NULLs) plus the entry that checks layouts and picks a variant.
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
import { genOutputStore, outputAlloc, outputFinish } from './output-store.ts';
import { LITTLE_ENDIAN } from './kernel-runtime.ts';

/** What kind of kernel to build. */
export type KernelKind = 'filter' | 'projection';

/** Generated source plus its constants (everything the factory needs besides H and ctx). */
export interface KernelSource {
  readonly source: string;
  readonly constants: readonly unknown[];
}

/** Input layouts for the columns a kernel may read (a column we cannot store gets none). */
export function inputLayouts(inputTypes: readonly SqlType[]): ColumnLayout[] {
  return inputTypes.map((t) => {
    try {
      return layoutOf(t);
    } catch {
      return { kind: 'bigdecimal', scale: -1, float4: false };
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

function buildVariant(
  kind: KernelKind, exprs: readonly Expr[], pool: ConstPool, inputTypes: readonly SqlType[],
  layouts: readonly ColumnLayout[], opts: VariantOptions,
): Variant {
  const ctx = new CodegenContext(pool, inputTypes, layouts, opts);
  installCodegen(ctx);
  const name = `${opts.fast ? 'fast' : 'exact'}_${opts.nullable ? 'nulls' : 'nonulls'}`;
  const vals: Val[] = exprs.map((e) => ctx.gen(e));
  let allocs: string[] = [];
  let finish: string[] = [];
  if (kind === 'filter') {
    ctx.emit(`if (${isTrueCond(vals[0]!)}) selOut[out++] = i;`);
  } else {
    allocs = exprs.flatMap((e, j) => outputAlloc(ctx, e, j));
    exprs.forEach((e, j) => genOutputStore(ctx, e, j, vals[j]!));
    finish = exprs.map((e, j) => outputFinish(e, j));
  }
  const { prologue, decls, body } = ctx.parts();
  const code = [
    `function ${name}(cols, len, cnt, sel, selOut, res) {`,
    ...prologue.map((l) => '  ' + l),
    ...allocs.map((l) => '  ' + l),
    ...decls.map((l) => '  ' + l),
    '  let out = 0;',
    '  for (let k = 0; k < cnt; k++) {',
    '    const i = sel === null ? k : sel[k];',
    ...body,
    '  }',
    ...finish.map((l) => '  ' + l),
    kind === 'filter' ? '  return out;' : '  return cnt;',
    '}',
  ].join('\n');
  return { name, code, usesWide: ctx.usesWide };
}

/** Builds the kernel source for `exprs` (one predicate for a filter) over `inputTypes`. */
export function buildKernelSource(kind: KernelKind, exprs: readonly Expr[], inputTypes: readonly SqlType[]): KernelSource {
  const layouts = inputLayouts(inputTypes);
  const pool = new ConstPool();
  const probe = buildVariant(kind, exprs, pool, inputTypes, layouts, { fast: LITTLE_ENDIAN, nullable: false });
  // Without int8/decimal values fast and exact code are the same: one mode only.
  const twoModes = LITTLE_ENDIAN && probe.usesWide;
  const variants: Variant[] = [probe, buildVariant(kind, exprs, pool, inputTypes, layouts, { fast: LITTLE_ENDIAN, nullable: true })];
  if (twoModes) {
    variants.push(buildVariant(kind, exprs, pool, inputTypes, layouts, { fast: false, nullable: false }));
    variants.push(buildVariant(kind, exprs, pool, inputTypes, layouts, { fast: false, nullable: true }));
  }
  const cols = referencedColumns(exprs);
  const checks = cols.map((c) => {
    const l = layouts[c]!;
    const scale = l.kind === 'decimal' ? ` || cols[${c}].scale !== ${l.scale}` : '';
    return `  if (cols[${c}] === undefined || cols[${c}].kind !== '${l.kind}'${scale}) throw H.layoutMismatch(${c}, '${l.kind}');`;
  });
  const noNulls = cols.length === 0 ? 'true' : cols.map((c) => `cols[${c}].nulls === null`).join(' && ');
  const [fastNn, fastN, exactNn, exactN] = variants.map((v) => v.name);
  const call = (a: string, b: string): string => `(noNulls ? ${a} : ${b})(cols, len, cnt, sel, selOut, res)`;
  const entry = [
    kind === 'filter' ? 'return function filterKernel(batch, sel, selOut) {' : 'return function projectionKernel(batch, sel) {',
    '  const cols = batch.columns;',
    ...checks,
    '  const len = batch.length;',
    '  const cnt = sel === null ? len : sel.length;',
    `  const noNulls = ${noNulls};`,
    kind === 'filter' ? '  const res = null;' : `  const res = new Array(${exprs.length}); const selOut = null;`,
    ...(twoModes
      ? [
        '  let r = -1;',
        `  if (skipFast > 0) skipFast--; else { r = ${call(fastNn!, fastN!)}; if (r < 0) skipFast = 8; }`,
        `  if (r < 0) r = ${call(exactNn!, exactN!)};`,
      ]
      : [`  const r = ${call(fastNn!, fastN!)};`]),
    kind === 'filter' ? '  return r;' : '  return res;',
    '};',
  ];
  const source = [
    "'use strict';",
    ...pool.values.map((_, j) => `const k${j} = K[${j}];`),
    ...pool.factoryDecls,
    'const EMPTY = new Uint8Array(0);',
    `const R = new Array(${inputTypes.length}).fill(null);`,
    'const castSettings = { timeZoneOffsetSeconds: ctx.timeZoneOffsetSeconds };',
    // After a batch leaves fast mode, the next few go straight to exact mode.
    'let skipFast = 0;',
    ...variants.map((v) => v.code),
    ...entry,
  ].join('\n');
  return { source, constants: pool.values };
}

// Projection outputs in generated code: per-batch allocation, per-row store (vectorFromRows'
// conversions, so outputs equal the reference rows turned into vectors), and the finished Vector.
import type { Expr } from '../../sql/expr/expr.ts';
import { layoutOf, type ColumnLayout } from '../../storage/column-kind.ts';
import type { CodegenContext, Val } from './codegen-context.ts';
import { rescaleDec } from './decimal-align.ts';

/**
 * The layout output j gets: layoutOf its type, except that with `scaledDecimals` a wide numeric
 * computed with a compile-time scale comes out as a 'decimal' vector in fast mode (its values are
 * exact there), which hash aggregation sums in float64; exact-mode batches stay 'bigdecimal'.
 */
export function outputLayout(ctx: CodegenContext, e: Expr, x: Val, scaledDecimals: boolean): ColumnLayout {
  const layout = layoutOf(e.type);
  if (scaledDecimals && ctx.fast && layout.kind === 'bigdecimal' && x.repr === 'dec') {
    return { kind: 'decimal', scale: e.type.scale ?? x.scale, float4: false };
  }
  return layout;
}

/**
 * A string column passed through unchanged: the row loop records which input row each output row
 * is, and the vector is taken after the loop (`H.takeStrings`): a dictionary-encoded input stays
 * codes into its entries, a plain one is gathered in one pass. Returns the input column, or -1.
 */
function passedThrough(e: Expr): number {
  return e.kind === 'Column' && layoutOf(e.type).kind === 'string' ? e.index : -1;
}

/**
 * Output j lives in outs[3j..3j+2]: values (or the StringWriter), the null byte map, and the
 * scales (bigdecimal) or int32 halves view (int64 in fast mode). Allocated by the non-looping
 * alloc function so the row loop has no allocation and no code after it needing type feedback.
 */
export function outputAlloc(ctx: CodegenContext, e: Expr, j: number, layout: ColumnLayout, reuse: boolean): string[] {
  const v = `outs[${3 * j}]`;
  // Reused buffers (the consumer is done with a batch's outputs before the next): views of
  // per-kernel arrays that grow to the largest batch; the null map is cleared, as a fresh one is.
  const fresh = (type: string, slot: number): string => (reuse ? `H.reuse${type}(P, ${2 * j + slot}, cnt)` : `new ${type}(cnt)`);
  if (passedThrough(e) >= 0) return [`${v} = ${fresh('Int32Array', 0)};`, `outs[${3 * j + 1}] = null;`, `outs[${3 * j + 2}] = null;`];
  const lines = [`outs[${3 * j + 1}] = ${fresh('Uint8Array', 1)};`, `outs[${3 * j + 2}] = null;`];
  switch (layout.kind) {
    case 'bool': return [`${v} = ${fresh('Uint8Array', 0)};`, ...lines];
    case 'int32': return [`${v} = ${fresh('Int32Array', 0)};`, ...lines];
    case 'int64': return [`${v} = ${fresh('BigInt64Array', 0)};`, ...lines, ...(ctx.fast ? [`outs[${3 * j + 2}] = new Int32Array(${v}.buffer, ${v}.byteOffset, 2 * cnt);`] : [])];
    case 'float64': case 'decimal': return [`${v} = ${fresh('Float64Array', 0)};`, ...lines];
    case 'bigdecimal': return [`${v} = new Array(cnt);`, ...lines, `outs[${3 * j + 2}] = new Uint16Array(cnt);`];
    case 'string': {
      const hint = e.kind === 'Column' ? `H.stringBytes(cols[${e.index}]).length` : 'cnt * 16';
      return [`${v} = H.newStringWriter(cnt, ${hint});`, ...lines];
    }
  }
}

/** Loop-prologue lines naming output j's arrays (o{j}, on{j}, os{j} / oh{j} / ow{j}). */
export function outputLocals(e: Expr, j: number, layout: ColumnLayout): string[] {
  if (passedThrough(e) >= 0) return [`const o${j} = outs[${3 * j}];`];
  const main = layout.kind === 'string' ? `ow${j}` : `o${j}`;
  const third = layout.kind === 'bigdecimal' ? `os${j}` : layout.kind === 'int64' ? `oh${j}` : `ox${j}`;
  return [`const ${main} = outs[${3 * j}];`, `const on${j} = outs[${3 * j + 1}];`, `const ${third} = outs[${3 * j + 2}];`];
}

/** Emits the row code storing `x` as row k of output `j`. */
export function genOutputStore(ctx: CodegenContext, e: Expr, j: number, x: Val, layout: ColumnLayout): void {
  const o = `o${j}`;
  if (passedThrough(e) >= 0) {
    ctx.emit(`${o}[k] = i;`);
    return;
  }
  let markNull = `on${j}[k] = 1; nc[${j}]++;`;
  if (layout.kind === 'bigdecimal') markNull += ` ${o}[k] = 0n;`;
  if (layout.kind === 'string') markNull += ` ow${j}.writeEmpty(k);`;
  if (x.repr === 'null' || x.n === 'true') {
    ctx.emit(markNull);
    return;
  }
  const nullable = x.n !== 'false';
  if (nullable) ctx.open(`if (${x.n}) { ${markNull} } else {`);
  storeValue(ctx, e, j, x, layout);
  if (nullable) ctx.close();
}

function storeValue(ctx: CodegenContext, e: Expr, j: number, x: Val, layout: ColumnLayout): void {
  const o = `o${j}`;
  switch (layout.kind) {
    case 'bool':
      ctx.emit(`${o}[k] = (${x.v}) ? 1 : 0;`);
      return;
    case 'int32':
      ctx.emit(x.repr === 'i32' ? `${o}[k] = ${x.v};` : `${o}[k] = Number(${ctx.datumOf(x)});`);
      return;
    case 'float64':
      ctx.emit(x.repr === 'f64' ? `${o}[k] = ${x.v};` : `${o}[k] = Number(${ctx.datumOf(x)});`);
      return;
    case 'int64':
      if (x.repr === 'i64' && ctx.fast) {
        const v = ctx.tmp('i64', 'y');
        const hi = ctx.tmp('i32', 'y');
        ctx.emit(`${v} = ${x.v}; ${hi} = Math.floor(${v} / 4294967296); oh${j}[2 * k] = ${v} - ${hi} * 4294967296; oh${j}[2 * k + 1] = ${hi};`);
      } else if (x.repr === 'i64') {
        ctx.emit(`${o}[k] = ${x.v};`);
      } else {
        ctx.emit(`${o}[k] = BigInt(${ctx.datumOf(x)});`);
      }
      return;
    case 'decimal':
      if (x.repr === 'dec') {
        const r = rescaleDec(ctx, x.v, x.scale, layout.scale);
        ctx.emit(ctx.fast ? `${o}[k] = ${r} + 0;` : `${o}[k] = Number(${r});`);
      } else {
        ctx.emit(`${o}[k] = H.decimalSlot(${ctx.datumOf(x)}, ${layout.scale});`);
      }
      return;
    case 'bigdecimal': {
      const typeScale = e.type.scale;
      if (x.repr === 'dec') {
        const target = typeScale ?? x.scale;
        let u = ctx.fast ? `BigInt(${x.v})` : x.v;
        if (target > x.scale) u = `${u} * ${10n ** BigInt(target - x.scale)}n`;
        else if (target < x.scale) u = `H.roundDiv(${u}, ${10n ** BigInt(x.scale - target)}n)`;
        ctx.emit(`${o}[k] = ${u}; os${j}[k] = ${target};`);
      } else {
        ctx.emit(`H.storeBigDecimal(${o}, os${j}, k, ${ctx.datumOf(x)}, ${typeScale ?? -1});`);
      }
      return;
    }
    case 'string':
      if (x.repr === 'slice') ctx.emit(`ow${j}.writeSlice(k, ${x.arr}, ${x.s}, ${x.e});`);
      else ctx.emit(`ow${j}.writeString(k, ${ctx.datumOf(x)});`);
      return;
  }
}

/** The line putting finished output `j` into `res` (run after the loop, outside it). */
export function outputFinish(e: Expr, j: number, layout: ColumnLayout, reuse: boolean): string {
  const from = passedThrough(e);
  // The rows array becomes the codes (a dictionary input); the null map takes the output's other slot.
  if (from >= 0) return `res[${j}] = H.takeStrings(cols[${from}], outs[${3 * j}], cnt, ${reuse ? 'P' : 'null'}, ${2 * j + 1});`;
  const values = `outs[${3 * j}]`;
  const nulls = `nc[${j}] > 0 ? outs[${3 * j + 1}] : null`;
  switch (layout.kind) {
    case 'decimal': return `res[${j}] = { kind: 'decimal', length: cnt, values: ${values}, nulls: ${nulls}, scale: ${layout.scale} };`;
    case 'bigdecimal': return `res[${j}] = { kind: 'bigdecimal', length: cnt, values: ${values}, scales: outs[${3 * j + 2}], nulls: ${nulls} };`;
    case 'string': return `res[${j}] = ${values}.finish(cnt, ${nulls});`;
    default: return `res[${j}] = { kind: '${layout.kind}', length: cnt, values: ${values}, nulls: ${nulls} };`;
  }
}

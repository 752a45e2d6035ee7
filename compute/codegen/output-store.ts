// Projection outputs in generated code: per-batch allocation, per-row store (vectorFromRows'
// conversions, so outputs equal the reference rows turned into vectors), and the finished Vector.
import type { Expr } from '../../sql/expr/expr.ts';
import { layoutOf } from '../../storage/column-kind.ts';
import type { CodegenContext, Val } from './codegen-context.ts';
import { rescaleDec } from './decimal-align.ts';

/** Lines allocating output `j` for `cnt` rows (run once per batch). */
export function outputAlloc(ctx: CodegenContext, e: Expr, j: number): string[] {
  const layout = layoutOf(e.type);
  const nulls = `let on${j} = null;`;
  switch (layout.kind) {
    case 'bool': return [`const o${j} = new Uint8Array(cnt);`, nulls];
    case 'int32': return [`const o${j} = new Int32Array(cnt);`, nulls];
    case 'int64': return [`const o${j} = new BigInt64Array(cnt);`, ...(ctx.fast ? [`const oh${j} = new Int32Array(o${j}.buffer);`] : []), nulls];
    case 'float64': case 'decimal': return [`const o${j} = new Float64Array(cnt);`, nulls];
    case 'bigdecimal': return [`const o${j} = new Array(cnt);`, `const os${j} = new Uint16Array(cnt);`, nulls];
    case 'string': {
      const hint = e.kind === 'Column' ? `cols[${e.index}].bytes.length` : 'cnt * 16';
      return [`const ow${j} = H.newStringWriter(cnt, ${hint});`, nulls];
    }
  }
}

/** Emits the row code storing `x` as row k of output `j`. */
export function genOutputStore(ctx: CodegenContext, e: Expr, j: number, x: Val): void {
  const layout = layoutOf(e.type);
  const o = `o${j}`;
  let markNull = `if (on${j} === null) on${j} = new Uint8Array(cnt); on${j}[k] = 1;`;
  if (layout.kind === 'bigdecimal') markNull += ` ${o}[k] = 0n;`;
  if (layout.kind === 'string') markNull += ` ow${j}.writeEmpty(k);`;
  if (x.repr === 'null' || x.n === 'true') {
    ctx.emit(markNull);
    return;
  }
  const nullable = x.n !== 'false';
  if (nullable) ctx.open(`if (${x.n}) { ${markNull} } else {`);
  storeValue(ctx, e, j, x);
  if (nullable) ctx.close();
}

function storeValue(ctx: CodegenContext, e: Expr, j: number, x: Val): void {
  const layout = layoutOf(e.type);
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

/** The line putting finished output `j` into `res`. */
export function outputFinish(e: Expr, j: number): string {
  const layout = layoutOf(e.type);
  const base = `kind: '${layout.kind}', length: cnt, values: o${j}`;
  switch (layout.kind) {
    case 'decimal': return `res[${j}] = { ${base}, nulls: on${j}, scale: ${layout.scale} };`;
    case 'bigdecimal': return `res[${j}] = { kind: 'bigdecimal', length: cnt, values: o${j}, scales: os${j}, nulls: on${j} };`;
    case 'string': return `res[${j}] = ow${j}.finish(cnt, on${j});`;
    default: return `res[${j}] = { ${base}, nulls: on${j} };`;
  }
}

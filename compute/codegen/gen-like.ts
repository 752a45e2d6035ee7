// LIKE with a constant pattern on UTF-8 bytes: exact / prefix / suffix / contains / general '%'
// patterns inline; '_', ILIKE and computed patterns take the generic (regex on JS strings) path.
import { val, type CodegenContext, type Val } from './codegen-context.ts';
import { parseLikePattern } from './like-pattern.ts';

/** `s LIKE p` for a slice `s` and a constant pattern, or undefined for the generic path. */
export function genLike(ctx: CodegenContext, s: Val, p: Val): Val | undefined {
  if (s.repr !== 'slice' || p.str === undefined) return undefined;
  const parsed = parseLikePattern(p.str);
  if (!parsed) return undefined;
  const args = `${s.arr}, ${s.s}, ${s.e}`;
  const lit = (j: number): string => ctx.pool.add(parsed.parts[j]!);
  switch (parsed.shape) {
    case 'exact': return val('bool', `H.eqBytes(${args}, ${lit(0)}, 0, ${parsed.parts[0]!.length})`, 'false');
    case 'prefix': return val('bool', `H.bytesStartWith(${args}, ${lit(0)})`, 'false');
    case 'suffix': return val('bool', `H.bytesEndWith(${args}, ${lit(1)})`, 'false');
    case 'contains': return val('bool', `(H.bytesIndexOf(${args}, ${lit(1)}) >= 0)`, 'false');
    case 'general': return val('bool', `H.likeMatchParts(${args}, ${ctx.pool.add(parsed.parts)})`, 'false');
  }
}

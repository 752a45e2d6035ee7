// CREATE FUNCTION and DROP FUNCTION. LANGUAGE sql: a body of one expression (`RETURN expr`, or
// `AS $$ SELECT expr $$`), inlined by the binder where it is called (sql/binder/user-functions.ts).
// LANGUAGE javascript: a function body run in a sandbox on every slice (sql/functions/javascript.ts).
import { SqlError, SqlState, featureNotSupported, undefinedFunction } from '../../common/errors/index.ts';
import { resolveTypeName } from '../../sql/binder/resolve-type.ts';
import { inlineFunction, type UserFunction } from '../../sql/binder/user-functions.ts';
import type { BindContext } from '../../sql/binder/scope.ts';
import { list, node, parseStatements, str, strs, type SqlStatement } from '../../sql/parser/index.ts';
import { checkJavascriptDefinition, loadJavascript, type JavascriptDefinition } from '../../sql/functions/javascript.ts';
import { formatTypeName, type SqlType } from '../../sql/types/sql-type.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { FunctionDef } from '../catalog/catalog-types.ts';
import type { ServerContext } from '../server-context.ts';
import { catalogResolver } from './relation-resolver.ts';
import type { NamePath } from './search-path.ts';

type NoticeSink = (message: string) => void;

function notInlinable(): SqlError {
  return featureNotSupported('SQL functions whose body is not one expression (RETURN expr, or SELECT expr without FROM)');
}

/** The body expression (AST) of a stored CREATE FUNCTION statement. */
export function functionBody(sql: string): unknown {
  const [stmt] = parseStatements(sql);
  const cf = node((stmt as SqlStatement).ast, 'CreateFunctionStmt')!;
  if (cf.sql_body !== undefined) {
    const ret = node(cf.sql_body, 'ReturnStmt');
    if (!ret) throw notInlinable();
    return ret.returnval;
  }
  const as = list(cf.options).map((o) => node(o, 'DefElem')!).find((d) => d.defname === 'as');
  const text = as ? str(list(as.arg)[0]) ?? str(as.arg) : undefined;
  if (text === undefined) throw new SqlError(SqlState.INVALID_FUNCTION_DEFINITION, 'no function body specified');
  const body = parseStatements(text);
  const sel = body.length === 1 ? node((body[0] as SqlStatement).ast, 'SelectStmt') : undefined;
  const targets = list(sel?.targetList);
  if (!sel || targets.length !== 1 || sel.fromClause !== undefined || sel.whereClause !== undefined || sel.groupClause !== undefined
    || sel.havingClause !== undefined || sel.sortClause !== undefined || sel.limitCount !== undefined || sel.op !== 'SETOP_NONE' || sel.valuesLists !== undefined) {
    throw notInlinable();
  }
  return node(targets[0], 'ResTarget')!.val;
}

/** The JavaScript source and STRICT option of a stored CREATE FUNCTION ... LANGUAGE javascript. */
function javascriptParts(sql: string): { body: string; strict: boolean } {
  const [stmt] = parseStatements(sql);
  const options = list(node((stmt as SqlStatement).ast, 'CreateFunctionStmt')!.options).map((o) => node(o, 'DefElem')!);
  const as = options.find((d) => d.defname === 'as');
  const body = as ? str(list(as.arg)[0]) ?? str(as.arg) : undefined;
  if (body === undefined) throw new SqlError(SqlState.INVALID_FUNCTION_DEFINITION, 'no function body specified');
  const strict = options.find((d) => d.defname === 'strict');
  return { body, strict: strict !== undefined && node(strict.arg, 'Boolean')?.boolval === true };
}

const javascriptDefinitions = new WeakMap<FunctionDef, JavascriptDefinition>();

/** A catalog function as the binder uses it. */
export function userFunction(f: FunctionDef): UserFunction {
  let body: unknown;
  const base = { name: f.name, argNames: f.argNames, argTypes: f.argTypes, returns: f.returns, body: () => (body ??= functionBody(f.sql)) };
  if (f.language !== 'javascript') return base;
  let def = javascriptDefinitions.get(f);
  if (def === undefined) {
    const { body: source, strict } = javascriptParts(f.sql);
    def = { name: f.name, params: f.argNames, argTypes: f.argTypes, returns: f.returns, body: source, strict };
    javascriptDefinitions.set(f, def);
  }
  return { ...base, javascript: def };
}

/** User functions named `name` on the search path (or in `schema`): the first schema that has any. */
export function lookupFunctions(catalog: Catalog, path: NamePath, schema: string | undefined, name: string): readonly UserFunction[] {
  for (const s of path.lookupSchemas(schema)) {
    const found = catalog.findFunctions(s, name);
    if (found.length > 0) return found.map(userFunction);
  }
  return [];
}

/** CREATE [OR REPLACE] FUNCTION name(args) RETURNS type LANGUAGE sql ...: checked by binding its body, then stored. */
export async function createFunction(ctx: ServerContext, stmt: SqlStatement, path: NamePath): Promise<string> {
  const cf = node(stmt.ast, 'CreateFunctionStmt')!;
  if (cf.is_procedure) throw featureNotSupported('CREATE PROCEDURE');
  const names = strs(cf.funcname);
  const name = names[names.length - 1]!;
  const schema = names.length > 1 ? names[names.length - 2]! : path.creationSchema();
  const options = list(cf.options).map((o) => node(o, 'DefElem')!);
  const language = (str(options.find((d) => d.defname === 'language')?.arg) ?? 'sql').toLowerCase();
  if (language !== 'sql' && language !== 'javascript') throw featureNotSupported(`functions in language "${language}" (LANGUAGE sql and LANGUAGE javascript are supported)`);
  if (cf.returnType === undefined) throw featureNotSupported('functions without a RETURNS type (RETURNS TABLE, OUT parameters)');
  const returnType = cf.returnType;
  if (returnType.setof) throw featureNotSupported('set-returning functions (RETURNS SETOF)');
  const returns = resolveTypeName(returnType);
  const argNames: string[] = [];
  const argTypes: SqlType[] = [];
  list(cf.parameters).forEach((p, i) => {
    const fp = node(p, 'FunctionParameter')!;
    if (fp.mode !== undefined && fp.mode !== 'FUNC_PARAM_DEFAULT' && fp.mode !== 'FUNC_PARAM_IN') throw featureNotSupported('OUT, INOUT and VARIADIC parameters');
    if (fp.defexpr !== undefined) throw featureNotSupported('parameter defaults');
    argNames.push(fp.name ?? `$${i + 1}`);
    argTypes.push(resolveTypeName(fp.argType));
  });
  if (language === 'javascript') {
    const func: FunctionDef = { oid: ctx.catalog.allocateOid(), schema, name, argNames, argTypes, returns, language, sql: stmt.text };
    // Compile it once now: parameter names, types and the body's syntax are checked at creation.
    await loadJavascript();
    checkJavascriptDefinition(userFunction(func).javascript!);
    await ctx.catalog.apply({ kind: 'CreateFunction', func, replace: cf.replace === true });
    return 'CREATE FUNCTION';
  }
  const func: FunctionDef = { oid: ctx.catalog.allocateOid(), schema, name, argNames, argTypes, returns, sql: stmt.text };
  // Bind the body once now, as PostgreSQL checks it at creation (unknown columns, types, return type).
  const resolver = catalogResolver(ctx.catalog, path);
  const check: BindContext = { scope: [], params: [], aggregates: null, clause: 'CREATE FUNCTION', ...(resolver.functions ? { functions: resolver.functions } : {}) };
  inlineFunction(userFunction(func), argTypes.map((type, index) => ({ kind: 'Column', index, type })), check, stmt.ast);
  await ctx.catalog.apply({ kind: 'CreateFunction', func, replace: cf.replace === true });
  return 'CREATE FUNCTION';
}

/** DROP FUNCTION [IF EXISTS] name[(types)], ...: with types, that overload; without, the only one. */
export async function dropFunctions(ctx: ServerContext, objects: readonly unknown[], missingOk: boolean, notice: NoticeSink, path: NamePath): Promise<string> {
  const targets: number[] = [];
  for (const o of objects) {
    const owa = node(o, 'ObjectWithArgs')!;
    const names = strs(owa.objname);
    const name = names[names.length - 1]!;
    const schema = names.length > 1 ? names[names.length - 2] : undefined;
    const types = owa.args_unspecified ? null : list(owa.objargs).map((t) => resolveTypeName(t));
    const found = path.lookupSchemas(schema).flatMap((s) => ctx.catalog.findFunctions(s, name))
      .filter((f) => types === null || (f.argTypes.length === types.length && f.argTypes.every((t, i) => t.id === types[i]!.id)));
    const signature = `${name}(${(types ?? []).map(formatTypeName).join(', ')})`;
    if (found.length === 0) {
      if (missingOk) { notice(`function ${signature} does not exist, skipping`); continue; }
      throw types === null ? new SqlError(SqlState.UNDEFINED_FUNCTION, `could not find a function named "${name}"`) : undefinedFunction(signature);
    }
    if (found.length > 1) throw new SqlError(SqlState.AMBIGUOUS_FUNCTION, `function name "${name}" is not unique`, { hint: 'Specify the argument list to select the function unambiguously.' });
    targets.push(found[0]!.oid);
  }
  for (const oid of targets) await ctx.catalog.apply({ kind: 'DropFunction', oid });
  return 'DROP FUNCTION';
}

// Small typed readers for libpg-query's JSON AST: `unknown` goes in, narrowed values come out.
//
// libpg-query returns protobuf-style JSON: every node is a one-key wrapper `{ SelectStmt: {...} }`,
// and fields holding a default value (0, false, '', empty list) are OMITTED: `{ Integer: {} }` is 0,
// `{ A_Const: { boolval: {} } }` is false. These helpers hide both quirks. Node bodies are typed with
// @pgsql/types (re-exported by libpg-query), whose fields are all optional for the same reason.
//
// Locations: in ASTs returned by parseStatements every `location` is a 0-based CHARACTER (code point)
// offset into the whole input string given to parseStatements, or -1 when unknown; a PostgreSQL
// error position is `location + 1` (see errorPosition).
import type { A_Const, Node, RangeVar, TypeName } from 'libpg-query';
import { internalError } from '../../common/errors/index.ts';

export type { Node };

type KeysOfUnion<T> = T extends unknown ? keyof T : never;

/** Every node type name, e.g. 'SelectStmt', 'ColumnRef', 'A_Const'. */
export type NodeTag = KeysOfUnion<Node>;

/** The body type of a node tag: `NodeOf<'SelectStmt'>` is @pgsql/types' SelectStmt. */
export type NodeOf<K extends NodeTag> = Extract<Node, { [P in K]: unknown }>[K];

/** A node split into its tag and body (see {@link unwrap}). */
export interface UnwrappedNode {
  readonly tag: NodeTag;
  readonly body: Record<string, unknown>;
}

/** True for a non-null, non-array object. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Splits a wrapper `{ Tag: body }` into tag and body; undefined when `n` is not a node wrapper.
 * A node wrapper has exactly one key, starting with an upper-case letter, whose value is an object.
 */
export function unwrap(n: unknown): UnwrappedNode | undefined {
  if (!isObject(n)) return undefined;
  let found: UnwrappedNode | undefined;
  for (const key in n) {
    if (found !== undefined) return undefined; // more than one key: a body, not a wrapper
    const body = n[key];
    const first = key.charCodeAt(0);
    if (!isObject(body) || first < 65 || first > 90) return undefined;
    // The key set of libpg-query's output is @pgsql/types' Node union; trusting that here, once,
    // is what lets the binder switch on tags without casts.
    found = { tag: key as NodeTag, body };
  }
  return found;
}

/** The node's tag ('SelectStmt', ...), or undefined when `n` is not a node wrapper. */
export function nodeTag(n: unknown): NodeTag | undefined {
  return unwrap(n)?.tag;
}

/**
 * The body of `n` when it is a `tag` node, else undefined.
 * @example const sel = node(stmt.ast, 'SelectStmt'); if (sel) for (const t of list(sel.targetList)) ...
 */
export function node<K extends NodeTag>(n: unknown, tag: K): NodeOf<K> | undefined {
  if (!isObject(n)) return undefined;
  const body = n[tag];
  if (!isObject(body)) return undefined;
  // The wrapper key names the body's type (see unwrap): libpg-query's JSON follows @pgsql/types.
  return body as NodeOf<K>;
}

/** Like {@link node} but throws XX000 when `n` is not a `tag` node: for shapes the grammar guarantees. */
export function expectNode<K extends NodeTag>(n: unknown, tag: K): NodeOf<K> {
  const body = node(n, tag);
  if (body === undefined) throw internalError(`expected ${tag} node, got ${nodeTag(n) ?? typeof n}`);
  return body;
}

/** True when `n` is a `tag` node (a type guard on the Node union). */
export function isNode<K extends NodeTag>(n: unknown, tag: K): n is Extract<Node, { [P in K]: unknown }> {
  return node(n, tag) !== undefined;
}

/**
 * A list field as an array of nodes: arrays pass through, `{ List: { items } }` yields its items,
 * a missing field (libpg-query omits empty lists) yields [].
 */
export function list(n: unknown): Node[] {
  if (Array.isArray(n)) return n as Node[]; // elements of AST arrays are nodes (see unwrap)
  const l = node(n, 'List');
  if (l !== undefined) return l.items ?? [];
  return [];
}

/** The text of a String node (`{ String: { sval } }`, '' when sval is omitted), or of a plain string. */
export function str(n: unknown): string | undefined {
  if (typeof n === 'string') return n;
  const s = node(n, 'String');
  if (s !== undefined) return s.sval ?? '';
  return undefined;
}

/** Like {@link str} but throws XX000 when `n` is not a String node. */
export function expectStr(n: unknown): string {
  const s = str(n);
  if (s === undefined) throw internalError(`expected String node, got ${nodeTag(n) ?? typeof n}`);
  return s;
}

/**
 * The strings of a name list (funcname, ColumnRef.fields, TypeName.names, ...): String nodes give
 * their text, A_Star gives '*'. Throws XX000 on anything else.
 */
export function strs(n: unknown): string[] {
  const items = list(n);
  const out: string[] = new Array<string>(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (isNode(item, 'A_Star')) out[i] = '*';
    else out[i] = expectStr(item);
  }
  return out;
}

/**
 * The number in an Integer node (0 when omitted), an A_Const holding an integer, or a plain number;
 * undefined otherwise.
 */
export function intVal(n: unknown): number | undefined {
  if (typeof n === 'number') return n;
  const i = node(n, 'Integer');
  if (i !== undefined) return i.ival ?? 0;
  const c = node(n, 'A_Const');
  if (c !== undefined && c.ival !== undefined) return c.ival.ival ?? 0;
  return undefined;
}

/** A literal constant (A_Const) narrowed to what it holds. */
export type ConstValue =
  | { readonly kind: 'null' }
  | { readonly kind: 'integer'; readonly value: number }
  /** Numeric literal too large for int4, or with a fraction/exponent: the digits as written. */
  | { readonly kind: 'numeric'; readonly text: string }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'boolean'; readonly value: boolean }
  /** Bit string literal: 'b0101' (binary) or 'x1F' (hex), first letter as PostgreSQL keeps it. */
  | { readonly kind: 'bitstring'; readonly value: string };

/** Reads an A_Const node (or its body); undefined when `n` is not one. */
export function constValue(n: unknown): ConstValue | undefined {
  const c: A_Const | undefined = node(n, 'A_Const') ?? (isObject(n) && isConstBody(n) ? n : undefined);
  if (c === undefined) return undefined;
  if (c.isnull === true) return { kind: 'null' };
  if (c.ival !== undefined) return { kind: 'integer', value: c.ival.ival ?? 0 };
  if (c.fval !== undefined) return { kind: 'numeric', text: c.fval.fval ?? '0' };
  if (c.sval !== undefined) return { kind: 'string', value: c.sval.sval ?? '' };
  if (c.boolval !== undefined) return { kind: 'boolean', value: c.boolval.boolval ?? false };
  if (c.bsval !== undefined) return { kind: 'bitstring', value: c.bsval.bsval ?? '' };
  // Integer 0 is `{ ival: {} }`, so an A_Const with no value field at all does not occur.
  throw internalError('A_Const without a value');
}

function isConstBody(n: Record<string, unknown>): n is Record<string, unknown> & A_Const {
  return 'ival' in n || 'fval' in n || 'sval' in n || 'boolval' in n || 'bsval' in n || 'isnull' in n;
}

/**
 * The `location` of a node (wrapper or body): a 0-based character offset into the parsed input,
 * or -1 when the node has none.
 */
export function location(n: unknown): number {
  if (!isObject(n)) return -1;
  const direct = n['location'];
  if (typeof direct === 'number') return direct;
  const u = unwrap(n);
  if (u === undefined) return -1;
  const loc = u.body['location'];
  return typeof loc === 'number' ? loc : -1;
}

/** PostgreSQL's 1-based error position for a location, or undefined for an unknown (-1) location. */
export function errorPosition(loc: number): number | undefined {
  return loc < 0 ? undefined : loc + 1;
}

/** A possibly qualified relation name as written (already case-folded by the parser). */
export interface QualifiedName {
  readonly catalog?: string;
  readonly schema?: string;
  readonly name: string;
}

/** The name parts of a RangeVar (node or body). */
export function rangeVarName(n: unknown): QualifiedName {
  const rv: RangeVar | undefined = node(n, 'RangeVar') ?? (isObject(n) && typeof n['relname'] === 'string' ? n : undefined);
  if (rv === undefined || rv.relname === undefined) throw internalError(`expected RangeVar, got ${nodeTag(n) ?? typeof n}`);
  return {
    ...(rv.catalogname !== undefined ? { catalog: rv.catalogname } : {}),
    ...(rv.schemaname !== undefined ? { schema: rv.schemaname } : {}),
    name: rv.relname,
  };
}

/**
 * A TypeName's parts: names as written (e.g. ['pg_catalog', 'int4'] for INT, ['varchar'] for
 * a user-written varchar), type modifiers as nodes (e.g. the 10 and 2 of numeric(10,2)), array
 * dimensions (-1 for an unsized `[]`).
 */
export interface TypeNameParts {
  readonly names: string[];
  readonly typmods: Node[];
  readonly arrayBounds: number[];
  readonly setof: boolean;
  readonly location: number;
}

/** Reads a TypeName (node or body) into {@link TypeNameParts}. */
export function typeNameParts(n: unknown): TypeNameParts {
  const tn: TypeName | undefined = node(n, 'TypeName') ?? (isObject(n) && Array.isArray(n['names']) ? n : undefined);
  if (tn === undefined) throw internalError(`expected TypeName, got ${nodeTag(n) ?? typeof n}`);
  const bounds = list(tn.arrayBounds);
  const arrayBounds = new Array<number>(bounds.length);
  for (let i = 0; i < bounds.length; i++) arrayBounds[i] = intVal(bounds[i]) ?? -1;
  return {
    names: strs(tn.names),
    typmods: list(tn.typmods),
    arrayBounds,
    setof: tn.setof === true,
    location: tn.location ?? -1,
  };
}

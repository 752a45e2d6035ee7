// Redshift's UNLOAD ('query') TO 'prefix' [options]: writes a query's result to files on the
// leader's machine, one file per slice with PARALLEL ON (the default), one file with PARALLEL OFF.
import { access, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { SqlError, SqlState, featureNotSupported, syntaxError } from '../../common/errors/index.ts';
import type { CopyOptions, RawCopyOption } from '../../compute/loading/copy-options.ts';
import { formatCopyRows } from '../../compute/loading/format-copy-rows.ts';
import { normalizeCopyOptions } from '../../compute/loading/parse-copy-options.ts';
import { bindSelect } from '../../sql/binder/bind-select.ts';
import type { BoundSelect } from '../../sql/binder/bound-select.ts';
import type { EvalContext } from '../../sql/functions/scalar-functions.ts';
import { parseStatements } from '../../sql/parser/index.ts';
import type { Datum } from '../../sql/types/datum.ts';
import type { ServerContext } from '../server-context.ts';
import { catalogResolver } from './relation-resolver.ts';
import type { NamePath } from './search-path.ts';
import { zoneSettings } from '../../sql/types/time-zone.ts';

/** A parsed UNLOAD statement. */
export interface UnloadStatement {
  readonly query: string;
  readonly prefix: string;
  readonly parallel: boolean;
  readonly gzip: boolean;
  readonly header: boolean;
  readonly allowOverwrite: boolean;
  readonly options: CopyOptions;
}

const UNLOAD_RE = /^\s*unload\s*\(\s*'((?:[^']|'')*)'\s*\)\s*to\s*'((?:[^']|'')*)'([\s\S]*?);?\s*$/i;

/** True when the text is an UNLOAD statement (PostgreSQL's grammar has none). */
export function isUnload(sql: string): boolean {
  return /^\s*unload\s*\(/i.test(sql);
}

/** Parses `UNLOAD ('query') TO 'prefix' [options]`; 42601 for what it cannot read, 0A000 for S3 and formats we lack. */
export function parseUnload(sql: string): UnloadStatement {
  const m = UNLOAD_RE.exec(sql);
  if (!m) throw syntaxError('syntax error in UNLOAD: expected UNLOAD (\'query\') TO \'prefix\' [options]', 1);
  const query = m[1]!.replace(/''/g, "'");
  const prefix = m[2]!.replace(/''/g, "'");
  if (/^s3:\/\//i.test(prefix)) throw featureNotSupported('UNLOAD to Amazon S3; give a path on the leader\'s machine');
  const raw: RawCopyOption[] = [];
  let parallel = true;
  let gzip = false;
  let header = false;
  let allowOverwrite = false;
  let format: 'text' | 'csv' = 'text';
  const words = m[3]!;
  const re = /\s*(?:(iam_role|credentials|region|access_key_id|secret_access_key|session_token|kms_key_id|maxfilesize|extension)\s+(?:as\s+)?('(?:[^']|'')*'|[\w.]+(?:\s+(?:mb|gb))?)|(delimiter|null)\s+(?:as\s+)?'((?:[^']|'')*)'|(format)\s+(?:as\s+)?(csv|parquet|json)|(parallel)(?:\s+(on|off|true|false))?|(csv|header|gzip|allowoverwrite|addquotes|escape|manifest|cleanpath|encrypted|bzip2|zstd))/giy;
  let pos = 0;
  while (pos < words.length) {
    re.lastIndex = pos;
    const w = re.exec(words);
    if (!w) {
      if (/^\s*$/.test(words.slice(pos))) break;
      throw syntaxError(`syntax error at or near "${words.slice(pos).trim().split(/\s+/)[0]}"`);
    }
    pos = re.lastIndex;
    if (w[3]) raw.push({ name: w[3].toLowerCase(), value: { kind: 'string', value: w[4]!.replace(/''/g, "'") }, origin: 'postgres' });
    else if (w[5]) {
      if (w[6]!.toLowerCase() !== 'csv') throw featureNotSupported(`UNLOAD FORMAT ${w[6]!.toUpperCase()}`);
      format = 'csv';
    } else if (w[7]) parallel = !w[8] || /^(on|true)$/i.test(w[8]);
    else if (w[9]) {
      const flag = w[9].toLowerCase();
      if (flag === 'csv') format = 'csv';
      else if (flag === 'header') header = true;
      else if (flag === 'gzip') gzip = true;
      else if (flag === 'allowoverwrite' || flag === 'cleanpath') allowOverwrite = true;
      else if (flag === 'bzip2' || flag === 'zstd' || flag === 'encrypted' || flag === 'manifest' || flag === 'addquotes' || flag === 'escape') {
        throw featureNotSupported(`UNLOAD ${flag.toUpperCase()}`);
      }
    }
    // Credentials, region and file size limits concern S3 and are accepted without effect.
  }
  raw.unshift({ name: 'format', value: { kind: 'string', value: format }, origin: 'postgres' });
  // Redshift's UNLOAD writes '|'-delimited text unless told otherwise.
  if (format === 'text' && !raw.some((o) => o.name === 'delimiter')) raw.push({ name: 'delimiter', value: { kind: 'string', value: '|' }, origin: 'postgres' });
  const options = normalizeCopyOptions(raw, { isFrom: false }, { dialect: 'postgres' });
  return { query, prefix, parallel, gzip, header, allowOverwrite, options };
}

/** Binds the UNLOAD's query. */
export function bindUnloadQuery(ctx: ServerContext, u: UnloadStatement, path: NamePath): BoundSelect {
  const stmts = parseStatements(u.query);
  const first = stmts[0];
  if (stmts.length !== 1 || first?.kind !== 'Sql') throw syntaxError('UNLOAD needs exactly one SELECT statement');
  return bindSelect(first.ast, catalogResolver(ctx.catalog, path), []);
}

/** Runs the query and writes the files; returns the rows written. */
export async function runUnload(
  u: UnloadStatement, select: BoundSelect, sliceCount: number, rows: AsyncGenerator<Datum[][]>, evalCtx: EvalContext,
): Promise<number> {
  const all: Datum[][] = [];
  for await (const chunk of rows) for (const r of chunk) all.push(r);
  const files = u.parallel ? Math.max(1, sliceCount) : 1;
  const columns = select.outputColumns.map((c) => ({ name: c.name, type: c.type }));
  const textIo = zoneSettings(evalCtx);
  const ext = u.gzip ? '.gz' : '';
  const names = Array.from({ length: files }, (_v, i) => (u.parallel ? `${u.prefix}${String(i).padStart(4, '0')}_part_00${ext}` : `${u.prefix}000${ext}`));
  if (!u.allowOverwrite) {
    for (const n of names) {
      const exists = await access(n).then(() => true, () => false);
      if (exists) throw new SqlError(SqlState.DUPLICATE_FILE, `UNLOAD destination "${n}" already exists`, { hint: 'Add ALLOWOVERWRITE to replace it.' });
    }
  }
  await mkdir(dirname(u.prefix.endsWith('/') ? `${u.prefix}x` : u.prefix), { recursive: true });
  // Contiguous ranges keep an ORDER BY's order within and across the files.
  const per = Math.ceil(all.length / files);
  for (let i = 0; i < files; i++) {
    const part = all.slice(i * per, (i + 1) * per);
    const bytes = formatCopyRows(part, columns, u.options, { header: u.header, textIo });
    await writeFile(names[i]!, u.gzip ? gzipSync(bytes) : bytes);
  }
  return all.length;
}

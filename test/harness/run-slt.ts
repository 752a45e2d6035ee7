// Runs one .slt file against a SqlRunner: checks every record, or (complete mode) rewrites the
// expected results from the engine's answers.
import { readFile, writeFile } from 'node:fs/promises';
import { parseSlt } from './parse-slt.ts';
import { diffLines } from './result-diff.ts';
import type { SltQuery, SltRecord, SltSortMode, SltStatement } from './slt-record.ts';
import { describeError, formatSltValue, sltTypeLetter, type SqlRunner, type SqlRunnerResult } from './sql-runner.ts';

/** Options of {@link runSlt}. */
export interface SltRunOptions {
  /** Rewrite the file's expected results (and statement outcomes) from what the engine returns. */
  readonly complete?: boolean;
}

/** One record that did not behave as the file says. */
export interface SltFailure {
  readonly file: string;
  readonly line: number;
  /** Readable explanation: `file:line: what`, the SQL, and expected vs actual. */
  readonly message: string;
}

/** The outcome of one file. */
export interface SltRunResult {
  readonly file: string;
  /** Records run (not skipped by skipif/onlyif, not after halt). */
  readonly executed: number;
  readonly skipped: number;
  readonly failures: readonly SltFailure[];
  /** Complete mode: whether the file was rewritten (false when it already matched). */
  readonly rewritten: boolean;
}

type Outcome = { ok: true; result: SqlRunnerResult } | { ok: false; code: string | undefined; message: string };

/**
 * Runs the records of `file` in order on `client`, collecting every failure (it does not stop at
 * the first). In complete mode nothing fails: records whose outcome differs are rewritten in place
 * (queries get the engine's rows, `statement ok` that fails becomes `statement error <code>` with
 * the message, and so on) and the file is saved when anything changed.
 */
export async function runSlt(file: string, client: SqlRunner, opts: SltRunOptions = {}): Promise<SltRunResult> {
  const text = await readFile(file, 'utf8');
  const records = parseSlt(text, file);
  const failures: SltFailure[] = [];
  const replacements = new Map<SltRecord, string[]>();
  let executed = 0;
  let skipped = 0;
  for (const record of records) {
    if (record.kind === 'halt') {
      if (appliesTo(record, client.name)) break;
      continue;
    }
    if (!appliesTo(record, client.name)) {
      skipped++;
      continue;
    }
    executed++;
    const outcome = await execute(client, record.sql);
    const failure = record.kind === 'statement' ? checkStatement(record, outcome) : checkQuery(record, outcome);
    if (failure === undefined) continue;
    if (opts.complete === true) replacements.set(record, completeRecord(record, outcome));
    else failures.push({ file, line: record.line, message: `${file}:${record.line}: ${failure}` });
  }
  let rewritten = false;
  if (replacements.size > 0) {
    await writeFile(file, applyReplacements(text, records, replacements), 'utf8');
    rewritten = true;
  }
  return { file, executed, skipped, failures, rewritten };
}

/** Formats a file's failures as one report (for a test's error message). */
export function formatFailures(result: SltRunResult): string {
  return `${result.failures.length} of ${result.executed} records failed in ${result.file}\n\n`
    + result.failures.map((f) => f.message).join('\n\n');
}

function appliesTo(record: SltRecord, engine: string): boolean {
  for (const c of record.conditions) {
    if (c.kind === 'skipif' && c.engine === engine) return false;
    if (c.kind === 'onlyif' && c.engine !== engine) return false;
  }
  return true;
}

async function execute(client: SqlRunner, sql: string): Promise<Outcome> {
  try {
    return { ok: true, result: await client.query(sql) };
  } catch (err) {
    return { ok: false, ...describeError(err) };
  }
}

function indent(sql: string): string {
  return sql.split('\n').map((l) => `    ${l}`).join('\n');
}

function errorText(outcome: { code: string | undefined; message: string }): string {
  return `${outcome.code === undefined ? '' : `[${outcome.code}] `}${outcome.message}`;
}

/** Why a statement record failed, or undefined when it passed. */
function checkStatement(record: SltStatement, outcome: Outcome): string | undefined {
  const expected = record.error;
  if (expected === null) {
    return outcome.ok ? undefined : `statement failed: ${errorText(outcome)}\n${indent(record.sql)}`;
  }
  if (outcome.ok) return `statement succeeded, expected error${expected.code === undefined ? '' : ` ${expected.code}`}\n${indent(record.sql)}`;
  if (expected.code !== undefined && outcome.code !== expected.code) {
    return `expected SQLSTATE ${expected.code}, got ${errorText(outcome)}\n${indent(record.sql)}`;
  }
  for (const m of expected.messages) {
    if (!outcome.message.includes(m)) {
      return `error message does not contain "${m}"\n  actual: ${errorText(outcome)}\n${indent(record.sql)}`;
    }
  }
  return undefined;
}

/** Why a query record failed, or undefined when it passed. */
function checkQuery(record: SltQuery, outcome: Outcome): string | undefined {
  if (!outcome.ok) return `query failed: ${errorText(outcome)}\n${indent(record.sql)}`;
  const width = resultWidth(outcome.result);
  if (width !== undefined && width !== record.types.length) {
    return `query returned ${width} columns, the header declares ${record.types.length} ("${record.types}")\n${indent(record.sql)}`;
  }
  const expected = resultLines(record.expected, record.sortMode);
  const actual = resultLines(outcome.result.rows.map((r) => r.map(formatSltValue)), record.sortMode);
  if (expected.length === actual.length && expected.every((l, k) => l === actual[k])) return undefined;
  return `query result mismatch (expected ${expected.length} lines, got ${actual.length})\n${indent(record.sql)}\n`
    + '  --- expected\n  +++ actual\n' + indent(diffLines(expected, actual));
}

function resultWidth(result: SqlRunnerResult): number | undefined {
  if (result.columnTypeOids !== undefined && result.columnTypeOids.length > 0) return result.columnTypeOids.length;
  return result.rows[0]?.length;
}

/** Rows as the lines compared and written: tab-joined rows (sorted for rowsort), or one sorted value per line (valuesort). */
function resultLines(rows: readonly (readonly string[])[], sortMode: SltSortMode): string[] {
  if (sortMode === 'valuesort') return rows.flat().sort(compareStrings);
  const lines = rows.map((r) => r.join('\t'));
  if (sortMode === 'rowsort') lines.sort(compareStrings);
  return lines;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The record's new text (condition lines kept) reflecting what the engine did. */
function completeRecord(record: SltStatement | SltQuery, outcome: Outcome): string[] {
  const conditions = record.conditions.map((c) => `${c.kind} ${c.engine}`);
  if (!outcome.ok) {
    return [...conditions, `statement error${outcome.code === undefined ? '' : ` ${outcome.code}`}`, record.sql, '----', firstLine(outcome.message)];
  }
  if (record.kind === 'statement') return [...conditions, 'statement ok', record.sql];
  const result = outcome.result;
  const width = resultWidth(result) ?? record.types.length;
  let types = record.types;
  if (types.length !== width) {
    const oids = result.columnTypeOids;
    types = oids !== undefined && oids.length === width ? oids.map(sltTypeLetter).join('') : 'T'.repeat(width);
  }
  const header = `query ${types}${record.sortMode === 'nosort' ? '' : ` ${record.sortMode}`}`;
  const lines = resultLines(result.rows.map((r) => r.map(formatSltValue)), record.sortMode);
  return [...conditions, header, record.sql, '----', ...lines];
}

function firstLine(message: string): string {
  const nl = message.indexOf('\n');
  return nl < 0 ? message : message.slice(0, nl);
}

/** Replaces each record's lines [startLine, endLine) — without its ending blank line — by new text. */
function applyReplacements(text: string, records: readonly SltRecord[], replacements: Map<SltRecord, string[]>): string {
  const lines = text.split(/\r?\n/);
  const out: string[] = [];
  let next = 0; // 0-based line index copied up to
  for (const record of records) {
    const replacement = replacements.get(record);
    if (replacement === undefined) continue;
    const start = record.startLine - 1;
    let end = record.endLine - 1; // exclusive; the blank line after the record (if any) stays
    if (end > lines.length) end = lines.length;
    out.push(...lines.slice(next, start), ...replacement);
    next = end;
  }
  out.push(...lines.slice(next));
  return out.join('\n');
}

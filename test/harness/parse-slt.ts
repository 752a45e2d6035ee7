// Reads sqllogictest text into records: statement ok|error, query with expected rows, halt, skipif/onlyif.
import type { SltCondition, SltExpectedError, SltRecord, SltSortMode } from './slt-record.ts';

/** A malformed .slt file. */
export class SltSyntaxError extends Error {
  constructor(readonly file: string, readonly line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = 'SltSyntaxError';
  }
}

const SORT_MODES = new Set<SltSortMode>(['nosort', 'rowsort', 'valuesort']);
const TYPE_LETTERS = /^[IRTBDN?]+$/;
const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * Parses .slt text. Lines starting with `#` between records are comments; a blank line ends a
 * record. Expected rows are tab-separated (a row whose tab count is wrong is split on runs of
 * spaces instead when that yields one value per column). `file` only labels errors.
 */
export function parseSlt(text: string, file = '<slt>'): SltRecord[] {
  const lines = text.split(/\r?\n/);
  const records: SltRecord[] = [];
  let i = 0;
  let conditions: SltCondition[] = [];
  let startLine = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      if (conditions.length > 0 && trimmed === '') throw new SltSyntaxError(file, i + 1, 'skipif/onlyif must be followed by a record');
      i++;
      continue;
    }
    const words = trimmed.split(/\s+/);
    const head = words[0]!;
    const lineNo = i + 1;
    if (conditions.length === 0) startLine = lineNo;
    if (head === 'skipif' || head === 'onlyif') {
      if (words.length !== 2) throw new SltSyntaxError(file, lineNo, `expected "${head} <engine>"`);
      conditions.push({ kind: head, engine: words[1]! });
      i++;
      continue;
    }
    if (head === 'halt') {
      records.push({ kind: 'halt', line: lineNo, startLine, endLine: lineNo + 1, conditions });
      conditions = [];
      i++;
      continue;
    }
    if (head !== 'statement' && head !== 'query') throw new SltSyntaxError(file, lineNo, `unknown record "${head}"`);

    // Body: SQL up to `----` or a blank line; then (after `----`) result lines up to a blank line.
    let j = i + 1;
    const sqlLines: string[] = [];
    while (j < lines.length && lines[j]!.trim() !== '' && lines[j]!.trim() !== '----') sqlLines.push(lines[j++]!);
    if (sqlLines.length === 0) throw new SltSyntaxError(file, lineNo, 'record has no SQL');
    const hasResults = j < lines.length && lines[j]!.trim() === '----';
    const resultLines: string[] = [];
    if (hasResults) {
      j++;
      while (j < lines.length && lines[j]!.trim() !== '') resultLines.push(lines[j++]!);
    }
    const sql = sqlLines.join('\n');
    const endLine = j + 1;

    if (head === 'statement' || words[1] === 'error') {
      const mode = words[1];
      if (head === 'statement' && mode === 'ok') {
        if (words.length > 2) throw new SltSyntaxError(file, lineNo, 'unexpected text after "statement ok"');
        if (hasResults) throw new SltSyntaxError(file, lineNo, '"statement ok" takes no ---- block');
        records.push({ kind: 'statement', line: lineNo, startLine, endLine, conditions, sql, error: null });
      } else if (mode === 'error') {
        const code = words[2];
        if (code !== undefined && !SQLSTATE.test(code)) throw new SltSyntaxError(file, lineNo, `"${code}" is not a SQLSTATE`);
        if (words.length > 3) throw new SltSyntaxError(file, lineNo, 'expected "statement error [SQLSTATE]"');
        const error: SltExpectedError = { ...(code !== undefined ? { code } : {}), messages: resultLines.map((l) => l.trim()) };
        records.push({ kind: 'statement', line: lineNo, startLine, endLine, conditions, sql, error });
      } else {
        throw new SltSyntaxError(file, lineNo, 'expected "statement ok" or "statement error [SQLSTATE]"');
      }
    } else {
      const types = words[1];
      if (types === undefined || !TYPE_LETTERS.test(types)) throw new SltSyntaxError(file, lineNo, 'expected "query <type letters> [nosort|rowsort|valuesort]"');
      const sortWord = words[2] ?? 'nosort';
      // A fourth word is a result label (sqllogictest's `query I rowsort label-x`): ignored.
      if (!SORT_MODES.has(sortWord as SltSortMode) || words.length > 4) throw new SltSyntaxError(file, lineNo, `unknown sort mode "${sortWord}"`);
      const sortMode = sortWord as SltSortMode; // checked against SORT_MODES just above
      const expected = resultLines.map((l) => splitRow(l, types.length, sortMode));
      records.push({ kind: 'query', line: lineNo, startLine, endLine, conditions, sql, types, sortMode, expected, hasResults });
    }
    conditions = [];
    i = j;
  }
  if (conditions.length > 0) throw new SltSyntaxError(file, lines.length, 'skipif/onlyif at end of file');
  return records;
}

/** Splits one expected-result line into values (in valuesort mode a line may hold any number of them). */
function splitRow(line: string, columns: number, sortMode: SltSortMode): string[] {
  if (sortMode === 'valuesort') return line.split('\t');
  const byTab = line.split('\t');
  if (byTab.length === columns) return byTab;
  const bySpace = line.trim().split(/ +/);
  if (bySpace.length === columns) return bySpace;
  return byTab;
}

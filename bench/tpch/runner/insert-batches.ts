// Turns .tbl lines into multi-row INSERT statements, for engines that cannot COPY yet.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ColumnDef } from '../queries/schema.ts';

/** A SQL literal for one .tbl field of a column: numbers as written, everything else quoted. */
export function sqlLiteral(field: string, column: ColumnDef): string {
  if (column.kind === 'integer' || column.kind === 'decimal') {
    if (!/^-?\d+(\.\d+)?$/.test(field)) throw new RangeError(`bad number "${field}" for ${column.name}`);
    return field;
  }
  const quoted = `'${field.replace(/'/g, "''")}'`;
  return column.kind === 'date' ? `DATE ${quoted}` : quoted;
}

/**
 * Yields INSERT statements of up to `batchRows` rows each for the .tbl file. Each line's fields
 * are split on '|' (the trailing '|' leaves an empty last field, which is dropped).
 */
export async function* insertBatches(
  table: string, columns: readonly ColumnDef[], file: string, batchRows = 1000,
): AsyncGenerator<{ sql: string; rows: number }, void, void> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  const head = `INSERT INTO ${table} (${columns.map((c) => c.name).join(', ')}) VALUES\n`;
  let values: string[] = [];
  for await (const line of lines) {
    if (line.length === 0) continue;
    const fields = line.split('|');
    const tuple: string[] = [];
    for (let colIdx = 0; colIdx < columns.length; colIdx++) tuple.push(sqlLiteral(fields[colIdx] ?? '', columns[colIdx]!));
    values.push(`(${tuple.join(', ')})`);
    if (values.length >= batchRows) {
      yield { sql: head + values.join(',\n'), rows: values.length };
      values = [];
    }
  }
  if (values.length > 0) yield { sql: head + values.join(',\n'), rows: values.length };
}

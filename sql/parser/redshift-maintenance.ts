// Redshift's VACUUM and ANALYZE COMPRESSION forms, rewritten into PostgreSQL's option syntax
// (`VACUUM (sort_only) t`, `ANALYZE (compression) t`) before parsing.

const STATEMENT = /(^|;)(\s*)(vacuum|analyze)\b([^;]*)/gi;

/** Rewrites Redshift maintenance syntax at statement starts; other text is returned unchanged. */
export function rewriteRedshiftMaintenance(sql: string): string {
  if (!/vacuum|analyze/i.test(sql)) return sql;
  return sql.replace(STATEMENT, (_m, sep: string, space: string, verb: string, rest: string) => {
    let body = rest;
    if (verb.toLowerCase() === 'vacuum') {
      body = body
        .replace(/^(\s+)sort\s+only\b/i, '$1(sort_only)')
        .replace(/^(\s+)delete\s+only\b/i, '$1(delete_only)')
        .replace(/^(\s+)reindex\b/i, '$1(reindex)')
        // Thresholds and BOOST change only how hard Redshift works: accepted, no effect here.
        .replace(/\bto\s+\d+\s+percent\b/i, (x) => ' '.repeat(x.length))
        .replace(/\bboost\b/i, (x) => ' '.repeat(x.length));
    } else {
      body = body
        .replace(/^(\s+)compression\b/i, '$1(compression)')
        .replace(/\bcomprows\s+\d+\b/i, (x) => ' '.repeat(x.length));
    }
    return `${sep}${space}${verb}${body}`;
  });
}

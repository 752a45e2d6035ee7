// Bounds a query's wait: past the limit the engine is asked to cancel and the query fails with SQLSTATE 57014.

/** The error a timed-out query fails with (code 57014, query_canceled, as PostgreSQL reports a statement_timeout). */
export class QueryTimeout extends Error {
  readonly code = '57014';

  constructor(ms: number) {
    super(`canceled after the ${(ms / 1000).toFixed(0)} s query timeout`);
  }
}

/**
 * Resolves as `work` does, unless `ms` pass first: then calls `cancel` (to stop the work on the
 * engine) and rejects with {@link QueryTimeout}. `ms` <= 0 means no limit.
 */
export async function withTimeout<T>(work: Promise<T>, ms: number, cancel: () => void): Promise<T> {
  if (ms <= 0) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      cancel();
      reject(new QueryTimeout(ms));
    }, ms);
  });
  // A late rejection of the abandoned work must not surface as unhandled.
  work.catch(() => undefined);
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

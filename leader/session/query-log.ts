// Recent statements for stl_query: text, timing, rows returned or affected, bytes the compute nodes
// sent the leader, and how each ended. Query ids are the ones stl_load_errors and stv_load_state use.
import { SqlError, SqlState } from '../../common/errors/index.ts';
import type { Datum } from '../../sql/types/datum.ts';
import type { Execution } from './backend-session.ts';

/** One statement. */
export interface QueryRecord {
  readonly query: number;
  readonly pid: number;
  readonly user: string;
  readonly database: string;
  readonly text: string;
  readonly startMicros: bigint;
  endMicros: bigint | null;
  rows: number;
  /** Bytes of results and partial results the compute nodes sent the leader. */
  bytes: number;
  /** Bytes of redistributed rows the compute nodes sent each other. */
  bytesRedistributed: number;
  /** 0 = finished, 1 = failed or cancelled. */
  aborted: number;
  sqlstate: string | null;
}

/** Longest statement text kept (Redshift's stl_query keeps 4000 characters). */
const TEXT_LIMIT = 4000;

const nowMicros = (): bigint => BigInt(Date.now()) * 1000n;

/** The last `capacity` statements of the leader. */
export class QueryLog {
  private readonly records: QueryRecord[] = [];
  private nextQuery = 1;

  constructor(private readonly capacity = 10_000) {}

  /** Records a statement that starts now; returns its record (the query id is `record.query`). */
  begin(pid: number, user: string, database: string, text: string): QueryRecord {
    const r: QueryRecord = {
      query: this.nextQuery++, pid, user, database, text: text.length > TEXT_LIMIT ? text.slice(0, TEXT_LIMIT) : text,
      startMicros: nowMicros(), endMicros: null, rows: 0, bytes: 0, bytesRedistributed: 0, aborted: 0, sqlstate: null,
    };
    this.records.push(r);
    if (this.records.length > this.capacity) this.records.splice(0, this.records.length - this.capacity);
    return r;
  }

  /** Marks a statement finished (or failed, with its error). */
  end(r: QueryRecord, err?: unknown): void {
    if (r.endMicros !== null) return;
    r.endMicros = nowMicros();
    if (err !== undefined) {
      r.aborted = 1;
      r.sqlstate = err instanceof SqlError ? err.code : 'XX000';
    }
  }

  all(): readonly QueryRecord[] {
    return this.records;
  }
}

/** The rows affected per a CommandComplete tag ("INSERT 0 5" → 5, "COPY 3" → 3). */
function tagRows(tag: string): number {
  const m = /(\d+)$/.exec(tag);
  return m ? Number(m[1]) : 0;
}

/** Wraps a statement's execution so its record is completed when the client is done with it. */
export function trackExecution(log: QueryLog, r: QueryRecord, exec: Execution): Execution {
  switch (exec.kind) {
    case 'rows': {
      const inner = exec;
      return {
        kind: 'rows',
        fields: inner.fields,
        get done() { return inner.done; },
        async fetch(maxRows: number): Promise<Datum[][]> {
          try {
            const rows = await inner.fetch(maxRows);
            r.rows += rows.length;
            if (inner.done) {
              if (inner.fields === null) r.rows = tagRows(inner.commandTag());
              log.end(r);
            }
            return rows;
          } catch (err) {
            log.end(r, err);
            throw err;
          }
        },
        commandTag: () => inner.commandTag(),
        async close(): Promise<void> {
          if (!inner.done) log.end(r, new SqlError(SqlState.QUERY_CANCELED, 'closed before the end'));
          await inner.close();
        },
      };
    }
    case 'copyIn': {
      const inner = exec;
      return {
        ...inner,
        write: (data) => inner.write(data),
        async finish(): Promise<string> {
          try {
            const tag = await inner.finish();
            r.rows = tagRows(tag);
            log.end(r);
            return tag;
          } catch (err) {
            log.end(r, err);
            throw err;
          }
        },
        async fail(message: string): Promise<void> {
          log.end(r, new SqlError(SqlState.QUERY_CANCELED, message));
          await inner.fail(message);
        },
      };
    }
    case 'copyOut': {
      const inner = exec;
      return {
        ...inner,
        chunks: () => (async function* tracked(): AsyncGenerator<Uint8Array> {
          try {
            yield* inner.chunks();
            r.rows = tagRows(inner.commandTag());
            log.end(r);
          } catch (err) {
            log.end(r, err);
            throw err;
          }
        })(),
        commandTag: () => inner.commandTag(),
      };
    }
  }
}

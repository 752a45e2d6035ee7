// Cursors over statement results: a stream of row chunks pulled as the client asks for rows.
import { SqlError, queryCanceled } from '../../common/errors/index.ts';
import type { Datum } from '../../sql/types/datum.ts';
import type { Cursor, ResultField } from './backend-session.ts';

/** A cursor over an async stream of row chunks. */
export class RowsCursor implements Cursor {
  readonly kind = 'rows';
  private buffer: Datum[][] = [];
  private fetched = 0;
  private finished = false;

  constructor(
    readonly fields: readonly ResultField[] | null,
    private readonly source: AsyncGenerator<Datum[][]>,
    private readonly tag: (rows: number) => string,
    private readonly signal: AbortSignal,
  ) {}

  get done(): boolean {
    return this.finished && this.buffer.length === 0;
  }

  async fetch(maxRows: number): Promise<Datum[][]> {
    const want = maxRows > 0 ? maxRows : Infinity;
    while (this.buffer.length < want && !this.finished) {
      let r: IteratorResult<Datum[][]>;
      try {
        r = await this.source.next();
      } catch (err) {
        this.finished = true;
        if (this.signal.aborted && !(err instanceof SqlError && err.code !== '57014')) throw queryCanceled();
        throw err;
      }
      if (r.done) this.finished = true;
      else if (this.buffer.length === 0) this.buffer = r.value;
      else for (const row of r.value) this.buffer.push(row);
    }
    const out = want >= this.buffer.length ? this.buffer : this.buffer.slice(0, want);
    this.buffer = want >= this.buffer.length ? [] : this.buffer.slice(want);
    this.fetched += out.length;
    return out;
  }

  commandTag(): string {
    return this.tag(this.fetched);
  }

  async close(): Promise<void> {
    this.finished = true;
    this.buffer = [];
    await this.source.return(undefined);
  }
}

/** A cursor over rows already computed (SHOW, utility statements). */
export function staticCursor(fields: readonly ResultField[] | null, rows: Datum[][], tag: string): Cursor {
  async function* gen(): AsyncGenerator<Datum[][]> {
    if (rows.length > 0) yield rows;
  }
  return new RowsCursor(fields, gen(), () => tag, new AbortController().signal);
}

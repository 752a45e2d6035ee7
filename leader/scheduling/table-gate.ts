// Per-table gate between writes and recovery. A write (INSERT, COPY, DELETE, UPDATE, VACUUM, DDL)
// holds its tables shared from its first message to the nodes until it is committed or aborted;
// recovery, which replaces a behind node's copy of a table with a current one, holds the table
// alone for that swap, so no write is half-applied to the copy it replaces.
//
// Recovery waits a bounded time and gives way: an open transaction may hold a table for as long as
// its client likes, and a write that waits behind a recovery must not wait behind that client too.

interface TableState {
  shared: number;
  exclusive: boolean;
  /** A recovery waits for the shared holders to leave: new writes wait behind it. */
  exclusiveWaiting: number;
  wake: (() => void)[];
}

/** Shared / exclusive holds on tables by oid. */
export class TableGate {
  private readonly tables = new Map<number, TableState>();

  private state(oid: number): TableState {
    let s = this.tables.get(oid);
    if (s === undefined) this.tables.set(oid, s = { shared: 0, exclusive: false, exclusiveWaiting: 0, wake: [] });
    return s;
  }

  /** Wakes every waiter to check again. (States stay in the map: one small entry per table ever written.) */
  private wakeAll(s: TableState): void {
    for (const w of s.wake.splice(0)) w();
  }

  /** Holds `oid` shared (waits while a recovery holds or waits for it); returns the release, idempotent. */
  async shared(oid: number): Promise<() => void> {
    const s = this.state(oid);
    while (s.exclusive || s.exclusiveWaiting > 0) await new Promise<void>((resolve) => s.wake.push(resolve));
    s.shared++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      s.shared--;
      this.wakeAll(s);
    };
  }

  /**
   * Holds `oid` alone once no write holds it, or gives up after `timeoutMs` (null) and lets the
   * writes that queued behind it go on.
   */
  async exclusive(oid: number, timeoutMs: number): Promise<(() => void) | null> {
    const s = this.state(oid);
    s.exclusiveWaiting++;
    const deadline = Date.now() + timeoutMs;
    try {
      while (s.shared > 0 || s.exclusive) {
        const left = deadline - Date.now();
        if (left <= 0) return null;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          s.wake.push(() => { clearTimeout(timer); resolve(); });
        });
      }
      s.exclusive = true;
    } finally {
      s.exclusiveWaiting--;
      if (!s.exclusive) this.wakeAll(s);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      s.exclusive = false;
      this.wakeAll(s);
    };
  }
}

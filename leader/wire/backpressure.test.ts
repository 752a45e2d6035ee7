// A slow client must stall the producer instead of piling the result up in server memory.
import { serialize } from 'pg-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient } from './test-support/raw-client.ts';
import { startTestServer, waitFor, type TestServer } from './test-support/test-server.ts';

let t: TestServer;
const ROWS = 2_000_000;

beforeAll(async () => { t = await startTestServer(); });
afterAll(async () => { await t.server.close(); });

/** Waits until the fake's fetched-row counter stops moving; returns its value. */
async function settledRows(): Promise<number> {
  let last = -1;
  let stableSince = Date.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    const now = t.stats.rowsFetched;
    if (now !== last) { last = now; stableSince = Date.now(); }
    else if (Date.now() - stableSince > 300) return now;
  }
}

/** Counts DataRows on a raw socket until ReadyForQuery, without materialising messages. */
function countRows(raw: RawClient): Promise<number> {
  return new Promise((resolve) => {
    let rows = 0;
    let pending = Buffer.alloc(0);
    const onData = (d: Buffer): void => {
      let buf = pending.length === 0 ? d : Buffer.concat([pending, d]);
      let i = 0;
      while (buf.length - i >= 5) {
        const len = buf.readInt32BE(i + 1);
        if (buf.length - i < 1 + len) break;
        const code = buf[i];
        if (code === 0x44) rows++;
        i += 1 + len;
        if (code === 0x5a) { raw.socket.off('data', onData); resolve(rows); return; }
      }
      buf = buf.subarray(i);
      pending = Buffer.from(buf);
    };
    raw.socket.on('data', onData);
    raw.socket.resume();
  });
}

describe('backpressure', () => {
  it('stops fetching while the client does not read, then delivers every row', async () => {
    const raw = await RawClient.connect(t.port);
    await raw.startup();
    raw.socket.pause();
    raw.socket.removeAllListeners('data');
    const base = t.stats.rowsFetched;
    const memBefore = process.memoryUsage();
    raw.send(serialize.query(`select * from generate_series(1, ${ROWS})`));
    const stalled = (await settledRows()) - base;
    const memAfter = process.memoryUsage();
    // Loopback socket buffers hold a few MB (~18 bytes per row); the rest must wait in the cursor.
    expect(stalled).toBeGreaterThan(0);
    expect(stalled).toBeLessThan(ROWS / 2);
    expect(memAfter.heapUsed + memAfter.arrayBuffers - memBefore.heapUsed - memBefore.arrayBuffers).toBeLessThan(64 << 20);
    const started = Date.now();
    expect(await countRows(raw)).toBe(ROWS);
    const ms = Date.now() - started;
    console.info(`backpressure: ${stalled} rows fetched while stalled; ${ROWS} rows streamed in ${ms} ms (${Math.round(ROWS / (ms / 1000))} rows/s)`);
    raw.close();
  });

  it('a client that disconnects mid-result closes the cursor and the session', async () => {
    const raw = await RawClient.connect(t.port);
    await raw.startup();
    raw.socket.pause();
    raw.socket.removeAllListeners('data');
    const sessions = t.stats.sessionsClosed;
    const cursors = t.stats.cursorsClosed;
    raw.send(serialize.query(`select * from generate_series(1, ${ROWS})`));
    await settledRows();
    raw.socket.destroy();
    await waitFor(() => t.stats.sessionsClosed === sessions + 1 && t.stats.cursorsClosed === cursors + 1);
    const after = t.stats.rowsFetched;
    await new Promise((r) => setTimeout(r, 200));
    expect(t.stats.rowsFetched).toBe(after);
  });
});

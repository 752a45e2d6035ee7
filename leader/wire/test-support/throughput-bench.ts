// Manual benchmark: rows/s the wire server streams to a raw client in another process, text and binary.
// Run: npx tsx leader/wire/test-support/throughput-bench.ts [rows]
import { fork } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serialize } from 'pg-protocol';
import { startTestServer } from './test-server.ts';

const SQL = (n: number): string =>
  `select generate_series, 'customer#000012345' as name, '12345.67'::numeric as price, '2020-01-02 03:04:05'::timestamp as ts from generate_series(1, ${n})`;

/** Client side: runs the query in text (simple) or binary (extended) format and counts DataRows. */
async function client(port: number, n: number, binary: boolean): Promise<void> {
  const sock = connect({ port, host: '127.0.0.1' });
  await new Promise((r) => sock.once('connect', r));
  let pending = Buffer.alloc(0);
  let zSeen = 0;
  let rows = 0;
  let bytes = 0;
  let started = 0;
  const done = new Promise<void>((resolve) => {
    sock.on('data', (d: Buffer) => {
      bytes += d.length;
      const buf = pending.length === 0 ? d : Buffer.concat([pending, d]);
      let i = 0;
      while (buf.length - i >= 5) {
        const len = buf.readInt32BE(i + 1);
        if (buf.length - i < 1 + len) break;
        if (buf[i] === 0x44) rows++;
        if (buf[i] === 0x5a && ++zSeen === 2) resolve();
        i += 1 + len;
      }
      pending = Buffer.from(buf.subarray(i));
    });
  });
  sock.write(serialize.startup({ user: 'bench', database: 'db' }));
  await new Promise((r) => setTimeout(r, 200));
  started = performance.now();
  if (binary) {
    sock.write(Buffer.concat([serialize.parse({ text: SQL(n) }), serialize.bind({ binary: true }), serialize.execute({}), serialize.sync()]));
  } else {
    sock.write(serialize.query(SQL(n)));
  }
  await done;
  const ms = performance.now() - started;
  process.send?.({ rows, ms, mb: bytes / 1048576 });
  sock.destroy();
}

async function main(): Promise<void> {
  if (process.argv[2] === 'client') {
    await client(Number(process.argv[3]), Number(process.argv[4]), process.argv[5] === 'binary');
    return;
  }
  const n = Number(process.argv[2] ?? 2_000_000);
  const t = await startTestServer();
  for (const mode of ['text', 'binary', 'text', 'binary']) {
    const child = fork(fileURLToPath(import.meta.url), ['client', String(t.port), String(n), mode], { execArgv: ['--import', 'tsx'] });
    const result = await new Promise<{ rows: number; ms: number; mb: number }>((resolve) => child.once('message', (m) => resolve(m as { rows: number; ms: number; mb: number })));
    console.log(`${mode}: ${result.rows} rows x 4 cols in ${result.ms.toFixed(0)} ms = ${Math.round(result.rows / (result.ms / 1000))} rows/s, ${(result.mb / (result.ms / 1000)).toFixed(0)} MiB/s`);
  }
  await t.server.close();
}

await main();

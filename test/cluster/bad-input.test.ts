// Bad input never brings the leader down: garbage, truncated and oversized messages get FATAL 08P01
// (or a closed socket), SQL errors carry their SQLSTATE and position, and other sessions keep working.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type LocalCluster } from './local-cluster.ts';

/** Sends raw bytes and collects what the server answers until it closes (or 3 s pass). */
function rawExchange(port: number, bytes: Buffer): Promise<Buffer> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = (): void => {
      s.destroy();
      resolve(Buffer.concat(chunks));
    };
    s.on('data', (d) => chunks.push(d));
    s.on('close', done);
    s.on('error', done);
    s.on('connect', () => s.write(bytes));
    setTimeout(done, 3000);
  });
}

function startup(): Buffer {
  const params = Buffer.from('user\0colonnade\0database\0dev\0\0');
  const b = Buffer.alloc(8 + params.length);
  b.writeInt32BE(b.length, 0);
  b.writeInt32BE(196608, 4);
  params.copy(b, 8);
  return b;
}

describe('bad input', () => {
  let cluster: LocalCluster;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 1, slices: 1 });
    const c = await cluster.client();
    await c.query('CREATE TABLE ok (a int)');
    await c.query('INSERT INTO ok VALUES (1), (2)');
    await c.end();
  }, 120_000);

  afterAll(async () => {
    await cluster?.destroy();
  });

  const stillServing = async (): Promise<void> => {
    const c = await cluster.client();
    expect((await c.query('SELECT count(*)::int AS n FROM ok')).rows[0].n).toBe(2);
    await c.end();
  };

  it('answers garbage before startup with FATAL 08P01', async () => {
    const reply = await rawExchange(cluster.port, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(reply.toString('latin1')).toMatch(/08P01/);
    await stillServing();
  });

  it('refuses a 2 GB message length without allocating it', async () => {
    const huge = Buffer.alloc(5);
    huge.write('Q', 0);
    huge.writeUInt32BE(0x7fffff00, 1);
    const reply = await rawExchange(cluster.port, Buffer.concat([startup(), huge]));
    expect(reply.toString('latin1')).toMatch(/08P01/);
    await stillServing();
  });

  it('survives a truncated message and a bogus length', async () => {
    const truncated = Buffer.from([0x51, 0, 0, 0, 100, 0x53, 0x45]); // 'Q' claiming 100 bytes, 2 sent
    await rawExchange(cluster.port, Buffer.concat([startup(), truncated]));
    const tooShort = Buffer.from([0x51, 0, 0, 0, 2]); // length below 4
    const reply = await rawExchange(cluster.port, Buffer.concat([startup(), tooShort]));
    expect(reply.toString('latin1')).toMatch(/08P01/);
    await stillServing();
  });

  it('reports SQL errors with SQLSTATE and position', async () => {
    const c = await cluster.client();
    await expect(c.query('SELECT 1 FROM ok WHERE')).rejects.toMatchObject({ code: '42601', position: '23' });
    await expect(c.query('SELECT * FROM missing')).rejects.toMatchObject({ code: '42P01', position: '15' });
    await expect(c.query('SELECT nope FROM ok')).rejects.toMatchObject({ code: '42703', position: '8' });
    expect((await c.query('SELECT count(*)::int AS n FROM ok')).rows[0].n).toBe(2);
    await c.end();
    await stillServing();
  });
});

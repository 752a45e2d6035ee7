// RpcPeer over a real TCP connection: JSON params with a binary body, streamed answers with flow
// control, remote errors with their SQLSTATE, and a malformed request answered, not fatal.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SqlError, SqlState } from '../../common/errors/index.ts';
import { createRootLogger } from '../../common/log.ts';
import { FrameKind, encodeFrame } from './frame.ts';
import { RpcPeer, type RpcHandler } from './rpc-peer.ts';

const log = createRootLogger({ role: 'test', level: 'silent', pretty: false });

async function pair(handler: RpcHandler): Promise<{ client: RpcPeer; socket: Socket; server: Server }> {
  const server = createServer((s) => { new RpcPeer(s, handler, log, false, 'client'); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((r) => socket.once('connect', () => r()));
  return { client: new RpcPeer(socket, null, log, true, 'server'), socket, server };
}

describe('RpcPeer', () => {
  let close: (() => void) | null = null;
  afterEach(() => close?.());

  it('carries a binary body next to the params, untouched', async () => {
    const { client, socket, server } = await pair(async (method, params, ctx) => ({ method, params, sum: ctx.body.reduce((a, b) => a + b, 0), length: ctx.body.length }));
    close = () => { socket.destroy(); server.close(); };
    const body = new Uint8Array(3 << 20).map((_v, i) => i & 0xff);
    const expected = body.reduce((a, b) => a + b, 0);
    expect(await client.request('sum', { n: 1n }, { body })).toEqual({ method: 'sum', params: { n: 1n }, sum: expected, length: 3 << 20 });
    expect(await client.request('sum', null)).toMatchObject({ length: 0 });
  });

  it('streams data chunks in order and reports remote errors with their code', async () => {
    const { client, socket, server } = await pair(async (method, _p, ctx) => {
      if (method === 'fail') throw new SqlError(SqlState.DIVISION_BY_ZERO, 'division by zero');
      for (let i = 0; i < 50; i++) await ctx.sendData(new Uint8Array([i]));
      return 'done';
    });
    close = () => { socket.destroy(); server.close(); };
    const got: number[] = [];
    expect(await client.request('stream', null, { onData: async (c) => { got.push(c[0]!); } })).toBe('done');
    expect(got).toEqual(Array.from({ length: 50 }, (_v, i) => i));
    await expect(client.request('fail', null)).rejects.toMatchObject({ code: '22012' });
  });

  it('survives a malformed request and keeps serving the connection', async () => {
    let calls = 0;
    const { client, socket, server } = await pair(async () => { calls++; return 'ok'; });
    close = () => { socket.destroy(); server.close(); };
    // A request frame whose JSON length points past its end: answered with an error, not served.
    socket.write(encodeFrame(FrameKind.Request, 99, new Uint8Array([255, 255, 0, 0, 123])));
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toBe(0);
    expect(await client.request('ping', null)).toBe('ok');
    expect(calls).toBe(1);
  });
});

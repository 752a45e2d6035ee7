// Starts a wire server over fake sessions on a free loopback port, for integration tests.
import { silentLogger } from '../../../common/log.ts';
import { DEFAULT_AUTH_CONFIG, type AuthConfig } from '../auth/auth-config.ts';
import { startWireServer, type WireServer } from '../wire-server.ts';
import { createFakeSessionFactory, type FakeStats } from './fake-session.ts';

/** A running test server and the counters of its fake sessions. */
export interface TestServer {
  readonly server: WireServer;
  readonly port: number;
  readonly stats: FakeStats;
}

/** Options a test may override. */
export interface TestServerOptions {
  auth?: AuthConfig;
  tls?: { key: string; cert: string };
  startupTimeoutMs?: number;
  maxMessageBytes?: number;
}

/** Starts a server on 127.0.0.1 with a free port over a fresh fake session factory. */
export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const { factory, stats } = createFakeSessionFactory();
  const server = await startWireServer({
    host: '127.0.0.1',
    port: 0,
    sessionFactory: factory,
    auth: opts.auth ?? DEFAULT_AUTH_CONFIG,
    log: silentLogger(),
    ...(opts.tls === undefined ? {} : { tls: opts.tls }),
    ...(opts.startupTimeoutMs === undefined ? {} : { startupTimeoutMs: opts.startupTimeoutMs }),
    ...(opts.maxMessageBytes === undefined ? {} : { maxMessageBytes: opts.maxMessageBytes }),
  });
  return { server, port: server.port, stats };
}

/** Polls `cond` every 10 ms until true or `ms` elapse. */
export async function waitFor(cond: () => boolean, ms = 2_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('waitFor: condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

// The leader's PostgreSQL 15 wire-protocol server: listens, optionally offers TLS, runs one Connection per socket.
// @see https://www.postgresql.org/docs/15/protocol.html
import { createServer, type Socket } from 'node:net';
import { createSecureContext } from 'node:tls';
import { SqlError, SqlState } from '../../common/errors/index.ts';
import type { Logger } from '../../common/log.ts';
import type { SessionFactory } from '../session/backend-session.ts';
import type { AuthConfig } from './auth/auth-config.ts';
import { CancelRegistry } from './cancel-registry.ts';
import { Connection } from './connection.ts';

/** Auth config loading lives in auth/auth-config.ts; re-exported as part of the server's public API. */
export { loadAuthConfig, parseAuthConfig, type AuthConfig, type AuthMethod } from './auth/auth-config.ts';

/** How to run the wire server. */
export interface WireServerOptions {
  host: string;
  /** 0 picks a free port; read it back from WireServer.port. */
  port: number;
  sessionFactory: SessionFactory;
  auth: AuthConfig;
  /** PEM key and certificate; when given, SSLRequest is answered 'S' and the connection upgraded. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  log: Logger;
  /** Unauthenticated sockets are closed after this long (default 10 000 ms). */
  startupTimeoutMs?: number;
  /** Largest frontend message accepted after authentication (default 256 MiB); larger is FATAL 08P01. */
  maxMessageBytes?: number;
}

/** A running server. */
export interface WireServer {
  readonly port: number;
  readonly host: string;
  /** Stops listening, ends every connection with FATAL 57P01 and waits for their sessions to close. */
  close(): Promise<void>;
}

const DEFAULT_STARTUP_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

/** Starts listening and resolves once the port is bound. */
export async function startWireServer(opts: WireServerOptions): Promise<WireServer> {
  const log = opts.log.child({ component: 'leader.wire' });
  const secureContext = opts.tls === undefined ? null : createSecureContext({ key: opts.tls.key, cert: opts.tls.cert });
  const cancels = new CancelRegistry();
  const live = new Map<Connection, Promise<void>>();

  const server = createServer({ noDelay: true, keepAlive: true }, (socket: Socket) => {
    const conn = new Connection({
      socket,
      sessionFactory: opts.sessionFactory,
      auth: opts.auth,
      secureContext,
      log,
      startupTimeoutMs: opts.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS,
      maxMessageBytes: opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      cancels,
    });
    const done = conn.run().finally(() => live.delete(conn));
    live.set(conn, done);
  });
  server.on('error', (err) => log.error({ err }, 'wire server error'));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : opts.port;
  log.info({ host: opts.host, port, tls: secureContext !== null }, 'wire server listening');

  return {
    port,
    host: opts.host,
    async close(): Promise<void> {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const shutdown = new SqlError(SqlState.ADMIN_SHUTDOWN, 'terminating connection due to administrator command', { severity: 'FATAL' });
      for (const conn of live.keys()) conn.terminate(shutdown);
      await Promise.all(live.values());
      await closed;
      log.info('wire server closed');
    },
  };
}

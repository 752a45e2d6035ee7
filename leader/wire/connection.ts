// One client connection: startup, authentication, then the query loop, until Terminate or disconnect.
// @see https://www.postgresql.org/docs/15/protocol-flow.html
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { SqlError, SqlState, featureNotSupported, internalError, protocolViolation, queryCanceled } from '../../common/errors/index.ts';
import type { Logger } from '../../common/log.ts';
import type { BackendSession, SessionFactory } from '../session/backend-session.ts';
import type { AuthConfig } from './auth/auth-config.ts';
import { authenticate } from './auth/authenticate.ts';
import type { CancelRegistry, Cancellable } from './cancel-registry.ts';
import { ConnectionClosed } from './connection-closed.ts';
import { ExtendedQuery } from './extended-query.ts';
import type { Frame } from './frame-decoder.ts';
import { FrontendCode, codeName } from './message-codes.ts';
import { MessageInput } from './message-input.ts';
import { writeAuthenticationOk } from './messages/authentication.ts';
import { writeBackendKeyData } from './messages/backend-key-data.ts';
import { writeErrorResponse, writeNoticeResponse } from './messages/error-response.ts';
import { writeParameterStatus } from './messages/parameter-status.ts';
import { decodeQuery } from './messages/query.ts';
import { writeReadyForQuery } from './messages/ready-for-query.ts';
import type { QueryContext } from './query-context.ts';
import { runSimpleQuery } from './simple-query.ts';
import { SocketOutput } from './socket-output.ts';
import { runStartupPhase } from './startup-phase.ts';

/** PostgreSQL's PG_MAX_AUTH_TOKEN_LENGTH: the largest message accepted before authentication. */
const MAX_AUTH_MESSAGE_BYTES = 65_535;
/** How long a closing socket may take to flush before it is destroyed. */
const CLOSE_GRACE_MS = 2_000;

/** What a connection needs from its server. */
export interface ConnectionOptions {
  readonly socket: Socket;
  readonly sessionFactory: SessionFactory;
  readonly auth: AuthConfig;
  readonly secureContext: SecureContext | null;
  readonly log: Logger;
  readonly startupTimeoutMs: number;
  readonly maxMessageBytes: number;
  readonly cancels: CancelRegistry;
}

/** True for errors after which the connection cannot continue. */
export function endsConnection(err: unknown): boolean {
  if (err instanceof ConnectionClosed) return true;
  return err instanceof SqlError && (err.severity === 'FATAL' || err.severity === 'PANIC');
}

/**
 * The per-connection state machine. `run()` resolves once the connection is fully cleaned up: the
 * running statement aborted, portals closed and `session.close()` called, whatever ended it.
 */
export class Connection implements Cancellable, QueryContext {
  readonly input: MessageInput;
  readonly out: SocketOutput;
  log: Logger;
  private readonly rawSocket: Socket;
  private socket: Socket;
  private readonly remoteAddress: string | undefined;
  private sessionOrNull: BackendSession | null = null;
  private extended: ExtendedQuery | null = null;
  private running: AbortController | null = null;
  private processing = false;
  private processId = 0;
  private pendingStatus = new Map<string, string>();
  private startupTimer: NodeJS.Timeout | null = null;
  private closing = false;

  constructor(private readonly opts: ConnectionOptions) {
    this.rawSocket = opts.socket;
    this.socket = opts.socket;
    this.remoteAddress = opts.socket.remoteAddress;
    this.log = opts.log.child({ remote: `${this.remoteAddress ?? '?'}:${opts.socket.remotePort ?? '?'}` });
    this.input = new MessageInput(opts.socket, MAX_AUTH_MESSAGE_BYTES);
    this.out = new SocketOutput(opts.socket);
    opts.socket.on('error', (err) => this.log.debug({ err }, 'socket error'));
    // A disconnect aborts the running statement at once; run() then cleans up.
    opts.socket.on('close', () => this.running?.abort(new ConnectionClosed('a statement')));
  }

  get session(): BackendSession {
    if (this.sessionOrNull === null) throw internalError('no session before authentication');
    return this.sessionOrNull;
  }

  /** CancelRequest target: aborts the statement running now; a no-op when idle (as in PostgreSQL). */
  cancelRunningStatement(): void {
    this.log.debug({ running: this.running !== null }, 'cancel request');
    this.running?.abort(queryCanceled());
  }

  beginStatement(controller: AbortController): AbortSignal {
    this.running = controller;
    return controller.signal;
  }

  endStatement(): void {
    this.running = null;
  }

  writeError(err: unknown): void {
    this.out.w.abandon();
    writeErrorResponse(this.out.w, this.toSqlError(err));
  }

  private toSqlError(err: unknown): SqlError {
    if (err instanceof SqlError) return err;
    this.log.error({ err }, 'internal error');
    return SqlError.from(err);
  }

  /** Ends the connection from the server side (shutdown): FATAL to the client, then close. */
  terminate(err: SqlError): void {
    this.running?.abort(err);
    this.sendFatalAndClose(err);
  }

  /** Serves the connection to its end; never rejects. */
  async run(): Promise<void> {
    this.startupTimer = setTimeout(() => {
      this.log.info('startup timeout');
      this.sendFatalAndClose(new SqlError(SqlState.PROTOCOL_VIOLATION, 'canceling authentication due to timeout', { severity: 'FATAL' }));
    }, this.opts.startupTimeoutMs);
    try {
      if (await this.startup()) await this.messageLoop();
    } catch (err) {
      if (err instanceof ConnectionClosed) this.log.debug({ err: err.message }, 'connection closed');
      else {
        const e = this.toSqlError(err);
        const fatal = e.severity === 'FATAL' || e.severity === 'PANIC' ? e : new SqlError(e.code, e.message, { ...e.fields, severity: 'FATAL' });
        this.log.info({ code: fatal.code, msg: fatal.message }, 'connection ended by error');
        this.sendFatalAndClose(fatal);
      }
    } finally {
      await this.cleanup();
    }
  }

  private async startup(): Promise<boolean> {
    const { secureContext } = this.opts;
    const request = await runStartupPhase({
      input: this.input,
      out: this.out,
      cancels: this.opts.cancels,
      upgradeToTls: secureContext === null ? null : () => this.upgradeToTls(secureContext),
    });
    if (request === null) return false;
    this.input.decoder.startupPhase = false;
    this.input.decoder.maxBodyBytes = Math.min(MAX_AUTH_MESSAGE_BYTES, this.opts.maxMessageBytes);
    await authenticate(
      { w: this.out.w, flush: () => this.out.flush(), next: () => this.input.next() },
      this.opts.auth,
      { user: request.user, database: request.database, remoteAddress: this.remoteAddress, tls: this.socket !== this.rawSocket },
    );
    writeAuthenticationOk(this.out.w);
    if (this.startupTimer !== null) clearTimeout(this.startupTimer);
    this.startupTimer = null;
    this.input.decoder.maxBodyBytes = this.opts.maxMessageBytes;
    const { processId, secretKey } = this.opts.cancels.register(this);
    this.processId = processId;
    this.log = this.log.child({ pid: processId, user: request.user });
    try {
      this.sessionOrNull = await this.opts.sessionFactory({
        user: request.user,
        database: request.database,
        parameters: request.parameters,
        processId,
        onParameterStatus: (name, value) => this.onParameterStatus(name, value),
        onNotice: (notice) => this.onNotice(notice),
      });
    } catch (err) {
      const e = this.toSqlError(err);
      throw new SqlError(e.code, e.message, { ...e.fields, severity: 'FATAL' });
    }
    this.extended = new ExtendedQuery(this);
    for (const [name, value] of this.session.initialParameterStatus()) writeParameterStatus(this.out.w, name, value);
    writeBackendKeyData(this.out.w, processId, secretKey);
    await this.readyForQuery();
    this.log.debug('session started');
    return true;
  }

  private async upgradeToTls(secureContext: SecureContext): Promise<void> {
    this.input.release();
    const tlsSocket = new TLSSocket(this.rawSocket, { isServer: true, secureContext });
    tlsSocket.on('error', (err) => this.log.debug({ err }, 'TLS socket error'));
    this.socket = tlsSocket;
    this.input.switchTo(tlsSocket);
    this.out.switchTo(tlsSocket);
    await new Promise<void>((resolve, reject) => {
      tlsSocket.once('secure', resolve);
      tlsSocket.once('close', () => reject(new ConnectionClosed('the TLS handshake')));
    });
  }

  private onParameterStatus(name: string, value: string): void {
    if (this.processing) {
      // PostgreSQL reports changed GUC_REPORT settings just before ReadyForQuery.
      this.pendingStatus.delete(name);
      this.pendingStatus.set(name, value);
      return;
    }
    writeParameterStatus(this.out.w, name, value);
    this.out.send();
  }

  private onNotice(notice: SqlError): void {
    writeNoticeResponse(this.out.w, notice);
    if (!this.processing) this.out.send();
  }

  private async readyForQuery(): Promise<void> {
    for (const [name, value] of this.pendingStatus) writeParameterStatus(this.out.w, name, value);
    this.pendingStatus.clear();
    writeReadyForQuery(this.out.w, this.session.transactionStatus());
    await this.out.flush();
  }

  private async messageLoop(): Promise<void> {
    for (;;) {
      const frame = await this.input.next();
      if (frame === null) {
        if (this.input.truncated) this.log.info('unexpected EOF within message length word or body');
        else this.log.debug('unexpected EOF on client connection');
        return;
      }
      if (frame.code === FrontendCode.Terminate) return;
      this.processing = true;
      try {
        await this.dispatch(frame);
      } finally {
        this.processing = false;
      }
    }
  }

  private async dispatch(frame: Frame): Promise<void> {
    const ext = this.extended!;
    if (ext.skipping && frame.code !== FrontendCode.Sync) return;
    switch (frame.code) {
      case FrontendCode.Query:
        await runSimpleQuery(this, decodeQuery(frame.body), endsConnection);
        await ext.afterTransactionBoundary();
        await this.readyForQuery();
        return;
      case FrontendCode.Parse: return this.extendedStep(() => ext.parse(frame.body));
      case FrontendCode.Bind: return this.extendedStep(() => ext.bind(frame.body));
      case FrontendCode.Describe: return this.extendedStep(async () => ext.describe(frame.body));
      case FrontendCode.Execute: return this.extendedStep(() => ext.execute(frame.body));
      case FrontendCode.Close: return this.extendedStep(() => ext.close(frame.body));
      case FrontendCode.Sync:
        try {
          await ext.sync();
        } catch (err) {
          if (endsConnection(err)) throw err;
          this.writeError(err);
          this.session.statementFailed();
        }
        await this.readyForQuery();
        return;
      case FrontendCode.Flush:
        await this.out.flush();
        return;
      case FrontendCode.FunctionCall:
        this.writeError(featureNotSupported('the FunctionCall message'));
        await this.readyForQuery();
        return;
      case FrontendCode.CopyData:
      case FrontendCode.CopyDone:
      case FrontendCode.CopyFail:
        // Leftovers of a COPY that already failed: PostgreSQL drops them.
        return;
      default:
        throw protocolViolation(`invalid frontend message type ${frame.code} (${codeName(frame.code)})`);
    }
  }

  /** Runs one extended-protocol message; a non-fatal error fails the statement and skips to Sync. */
  private async extendedStep(step: () => Promise<void>): Promise<void> {
    try {
      this.extended!.enterBatch();
      await step();
    } catch (err) {
      if (endsConnection(err)) throw err;
      this.writeError(err);
      this.session.statementFailed();
      this.extended!.markFailed();
    }
  }

  private sendFatalAndClose(err: SqlError): void {
    if (this.closing) return;
    this.closing = true;
    this.out.w.abandon();
    writeErrorResponse(this.out.w, err);
    this.closeSocket();
  }

  private closeSocket(): void {
    this.out.end();
    const s = this.socket;
    const raw = this.rawSocket;
    setTimeout(() => { s.destroy(); raw.destroy(); }, CLOSE_GRACE_MS).unref();
  }

  private async cleanup(): Promise<void> {
    if (this.startupTimer !== null) clearTimeout(this.startupTimer);
    this.startupTimer = null;
    if (this.processId !== 0) this.opts.cancels.unregister(this.processId);
    this.running?.abort(new ConnectionClosed('a statement'));
    if (this.extended !== null) await this.extended.closeAllPortals();
    if (this.sessionOrNull !== null) {
      try {
        await this.sessionOrNull.close();
      } catch (err) {
        this.log.error({ err }, 'session close failed');
      }
    }
    if (!this.closing) {
      this.closing = true;
      this.closeSocket();
    }
    this.log.debug('connection closed');
  }
}

// What the query sub-protocols (simple, extended, COPY) need from their connection.
import type { Logger } from '../../common/log.ts';
import type { BackendSession } from '../session/backend-session.ts';
import type { MessageInput } from './message-input.ts';
import type { SocketOutput } from './socket-output.ts';

/** The connection as seen by the simple-query, extended-query and COPY handlers. */
export interface QueryContext {
  readonly session: BackendSession;
  readonly out: SocketOutput;
  readonly input: MessageInput;
  readonly log: Logger;
  /**
   * Marks `controller` as the running statement's (a CancelRequest aborts it) until `endStatement`.
   * Returns its signal for `session.execute`/copy checks.
   */
  beginStatement(controller: AbortController): AbortSignal;
  endStatement(): void;
  /** Writes an ErrorResponse for `err` (XX000 and a logged stack for anything not a SqlError). */
  writeError(err: unknown): void;
}

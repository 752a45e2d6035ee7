// The startup phase: SSLRequest/GSSENCRequest negotiation, CancelRequest, and the StartupMessage itself.
// @see https://www.postgresql.org/docs/15/protocol-flow.html#id-1.10.6.7.3
import { SqlError, SqlState } from '../../common/errors/index.ts';
import type { CancelRegistry } from './cancel-registry.ts';
import type { MessageInput } from './message-input.ts';
import { writeNegotiateProtocolVersion } from './messages/negotiate-protocol-version.ts';
import { decodeStartupPacket } from './messages/startup-message.ts';
import type { SocketOutput } from './socket-output.ts';

/** A client that asked to start a session. */
export interface StartupRequest {
  readonly user: string;
  readonly database: string;
  /** Startup parameters other than user, database and `_pq_.` protocol options. */
  readonly parameters: Readonly<Record<string, string>>;
}

/** What the startup phase needs from its connection. */
export interface StartupIo {
  readonly input: MessageInput;
  readonly out: SocketOutput;
  readonly cancels: CancelRegistry;
  /** Upgrades the socket to TLS after 'S' was sent; null when TLS is not configured. */
  readonly upgradeToTls: (() => Promise<void>) | null;
}

const SSL_REFUSED = 0x4e; // 'N'
const SSL_ACCEPTED = 0x53; // 'S'

/**
 * Reads startup packets until a StartupMessage arrives. Answers SSLRequest with 'S' and a TLS
 * handshake when configured (else 'N'), GSSENCRequest with 'N'; routes a CancelRequest to the
 * registry and returns null (the connection then closes without a reply, as in PostgreSQL). Also
 * null when the client disconnects first. Throws FATAL 08P01/0A000/28000 for bad packets.
 */
export async function runStartupPhase(io: StartupIo): Promise<StartupRequest | null> {
  let encrypted = false;
  let sslAsked = false;
  let gssAsked = false;
  for (;;) {
    const frame = await io.input.next();
    if (frame === null) return null;
    const pkt = decodeStartupPacket(frame.body);
    switch (pkt.kind) {
      case 'ssl':
      case 'gssenc': {
        // Each negotiation may happen once, as in PostgreSQL; a repeat is a protocol violation.
        if (encrypted || (pkt.kind === 'ssl' ? sslAsked : gssAsked)) {
          throw new SqlError(SqlState.PROTOCOL_VIOLATION, `repeated ${pkt.kind === 'ssl' ? 'SSL' : 'GSSAPI'} negotiation`, { severity: 'FATAL' });
        }
        if (pkt.kind === 'ssl') sslAsked = true;
        else gssAsked = true;
        const accept = pkt.kind === 'ssl' && io.upgradeToTls !== null;
        // Bytes pipelined behind the request would bypass encryption (CVE-2021-23214): refuse them.
        if (accept && io.input.hasBufferedBytes()) {
          throw new SqlError(SqlState.PROTOCOL_VIOLATION, 'received unencrypted data after SSL request', { severity: 'FATAL' });
        }
        io.out.w.int8(accept ? SSL_ACCEPTED : SSL_REFUSED);
        await io.out.flush();
        if (accept && io.upgradeToTls !== null) {
          await io.upgradeToTls();
          encrypted = true;
        }
        break;
      }
      case 'cancel':
        io.cancels.cancel(pkt.processId, pkt.secretKey);
        return null;
      case 'startup': {
        const params: Record<string, string> = {};
        const unrecognized: string[] = [];
        for (const [k, v] of pkt.parameters) {
          if (k.startsWith('_pq_.')) unrecognized.push(k);
          else params[k] = v;
        }
        if (pkt.minor > 0 || unrecognized.length > 0) writeNegotiateProtocolVersion(io.out.w, 0, unrecognized);
        const user = params.user ?? '';
        if (user === '') {
          throw new SqlError(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, 'no PostgreSQL user name specified in startup packet', { severity: 'FATAL' });
        }
        const replication = (params.replication ?? 'false').toLowerCase();
        if (!['false', 'off', 'no', '0'].includes(replication)) {
          throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'replication connections are not supported', { severity: 'FATAL' });
        }
        const database = params.database === undefined || params.database === '' ? user : params.database;
        delete params.user;
        delete params.database;
        return { user, database, parameters: params };
      }
    }
  }
}

// Runs the authentication exchange for a startup user: trust, cleartext password, md5 or SCRAM-SHA-256.
// @see https://www.postgresql.org/docs/15/protocol-flow.html#id-1.10.6.7.3
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { SqlError, SqlState } from '../../../common/errors/index.ts';
import { ConnectionClosed } from '../connection-closed.ts';
import type { Frame } from '../frame-decoder.ts';
import { FrontendCode, codeName } from '../message-codes.ts';
import type { MessageWriter } from '../message-writer.ts';
import {
  writeAuthenticationCleartextPassword, writeAuthenticationMd5Password, writeAuthenticationSasl,
  writeAuthenticationSaslContinue, writeAuthenticationSaslFinal,
} from '../messages/authentication.ts';
import { decodePasswordMessage, decodeSaslInitialResponse, decodeSaslResponse } from '../messages/password-message.ts';
import { isLoopback, type AuthConfig, type UserAuth } from './auth-config.ts';
import { verifyMd5Response } from './md5.ts';
import { SCRAM_SHA_256, ScramServerExchange, scramVerifierFromPassword } from './scram-sha-256.ts';

/** What authentication needs from the connection: a writer, a flush and the next message. */
export interface AuthChannel {
  readonly w: MessageWriter;
  flush(): Promise<void>;
  next(): Promise<Frame | null>;
}

/** Who is connecting, from where. */
export interface AuthRequest {
  readonly user: string;
  readonly database: string;
  readonly remoteAddress: string | undefined;
  readonly tls: boolean;
}

function passwordFailed(user: string): SqlError {
  return new SqlError(SqlState.INVALID_PASSWORD, `password authentication failed for user "${user}"`, { severity: 'FATAL' });
}

async function nextPasswordMessage(ch: AuthChannel): Promise<Buffer> {
  await ch.flush();
  const frame = await ch.next();
  if (frame === null) throw new ConnectionClosed('authentication');
  if (frame.code !== FrontendCode.Password) {
    throw new SqlError(SqlState.PROTOCOL_VIOLATION, `expected password response, got message type ${codeName(frame.code)}`, { severity: 'FATAL' });
  }
  return frame.body;
}

async function scram(ch: AuthChannel, req: AuthRequest, auth: UserAuth): Promise<void> {
  if (auth.scram === undefined) throw passwordFailed(req.user);
  writeAuthenticationSasl(ch.w, [SCRAM_SHA_256]);
  const initial = decodeSaslInitialResponse(await nextPasswordMessage(ch));
  if (initial.mechanism !== SCRAM_SHA_256) {
    throw new SqlError(SqlState.PROTOCOL_VIOLATION, 'client selected an invalid SASL authentication mechanism', { severity: 'FATAL' });
  }
  const exchange = new ScramServerExchange(auth.scram);
  writeAuthenticationSaslContinue(ch.w, exchange.handleClientFirst(initial.data));
  const serverFinal = exchange.handleClientFinal(decodeSaslResponse(await nextPasswordMessage(ch)));
  if (serverFinal === null) throw passwordFailed(req.user);
  writeAuthenticationSaslFinal(ch.w, serverFinal);
}

async function md5(ch: AuthChannel, req: AuthRequest, auth: UserAuth): Promise<void> {
  if (auth.md5Hash === undefined) { await scram(ch, req, auth); return; }
  const salt = randomBytes(4);
  writeAuthenticationMd5Password(ch.w, salt);
  const response = decodePasswordMessage(await nextPasswordMessage(ch));
  if (!verifyMd5Response(auth.md5Hash, salt, response)) throw passwordFailed(req.user);
}

async function cleartext(ch: AuthChannel, req: AuthRequest, auth: UserAuth): Promise<void> {
  writeAuthenticationCleartextPassword(ch.w);
  const given = decodePasswordMessage(await nextPasswordMessage(ch));
  if (auth.password !== undefined) {
    const a = Buffer.from(given, 'utf8');
    const b = Buffer.from(auth.password, 'utf8');
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw passwordFailed(req.user);
    return;
  }
  if (auth.scram === undefined) throw passwordFailed(req.user);
  const derived = await scramVerifierFromPassword(given, auth.scram.salt, auth.scram.iterations);
  if (!timingSafeEqual(derived.storedKey, auth.scram.storedKey)) throw passwordFailed(req.user);
}

/**
 * Authenticates `req.user` per `config`. Writes the authentication requests (not AuthenticationOk)
 * and returns once the user is proven. Throws FATAL 28P01 for a wrong password, 28000 for a user
 * the rules reject, 08P01 for protocol errors, ConnectionClosed when the client disconnects.
 */
export async function authenticate(ch: AuthChannel, config: AuthConfig, req: AuthRequest): Promise<void> {
  const auth = config.users.get(req.user);
  if (auth === undefined) {
    if (config.trustLoopback && isLoopback(req.remoteAddress)) return;
    throw new SqlError(SqlState.INVALID_AUTHORIZATION_SPECIFICATION,
      `no pg_hba.conf entry for host "${req.remoteAddress ?? 'unknown'}", user "${req.user}", database "${req.database}", ${req.tls ? 'SSL encryption' : 'no encryption'}`,
      { severity: 'FATAL' });
  }
  switch (auth.method) {
    case 'trust': return;
    case 'scram-sha-256': return scram(ch, req, auth);
    case 'md5': return md5(ch, req, auth);
    case 'password': return cleartext(ch, req, auth);
  }
}

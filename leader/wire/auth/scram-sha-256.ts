// Server side of SCRAM-SHA-256 (RFC 5802 / RFC 7677) as PostgreSQL speaks it, without channel binding.
// @see https://www.postgresql.org/docs/15/sasl-authentication.html
import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { SqlError, SqlState } from '../../../common/errors/index.ts';

const pbkdf2Async = promisify(pbkdf2);

/** The mechanism name offered in AuthenticationSASL. */
export const SCRAM_SHA_256 = 'SCRAM-SHA-256';
/** PostgreSQL's default scram_iterations. */
export const DEFAULT_SCRAM_ITERATIONS = 4096;

/** What the server stores for a SCRAM user (never the password itself). */
export interface ScramVerifier {
  readonly iterations: number;
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

const hmac = (key: Buffer, data: string | Buffer): Buffer => createHmac('sha256', key).update(data).digest();
const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();

/** Derives a verifier from a cleartext password (SaltedPassword = PBKDF2-HMAC-SHA-256). */
export async function scramVerifierFromPassword(
  password: string, salt: Buffer = randomBytes(16), iterations = DEFAULT_SCRAM_ITERATIONS,
): Promise<ScramVerifier> {
  const salted = await pbkdf2Async(password, salt, iterations, 32, 'sha256');
  return {
    iterations, salt,
    storedKey: sha256(hmac(salted, 'Client Key')),
    serverKey: hmac(salted, 'Server Key'),
  };
}

/** Parses PostgreSQL's stored form "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>" (base64 parts). */
export function parseScramVerifier(s: string): ScramVerifier | undefined {
  const m = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(s);
  if (m === null) return undefined;
  const iterations = Number(m[1]);
  const storedKey = Buffer.from(m[3]!, 'base64');
  const serverKey = Buffer.from(m[4]!, 'base64');
  if (iterations < 1 || storedKey.length !== 32 || serverKey.length !== 32) return undefined;
  return { iterations, salt: Buffer.from(m[2]!, 'base64'), storedKey, serverKey };
}

/** The stored form of a verifier, as parseScramVerifier reads it. */
export function formatScramVerifier(v: ScramVerifier): string {
  return `SCRAM-SHA-256$${v.iterations}:${v.salt.toString('base64')}$${v.storedKey.toString('base64')}:${v.serverKey.toString('base64')}`;
}

function malformed(detail: string): SqlError {
  return new SqlError(SqlState.PROTOCOL_VIOLATION, 'malformed SCRAM message', { detail, severity: 'FATAL' });
}

/** Splits "k=v,k=v" attributes, checking the expected keys in order. */
function attribute(part: string | undefined, key: string): string {
  if (part === undefined || part.length < 2 || part[0] !== key || part[1] !== '=') {
    throw malformed(`Expected attribute "${key}".`);
  }
  return part.slice(2);
}

/**
 * One SCRAM exchange. `handleClientFirst` takes the client-first-message and returns the
 * server-first-message; `handleClientFinal` verifies the proof and returns the server-final-message,
 * or null when the proof is wrong (the caller then fails with 28P01).
 */
export class ScramServerExchange {
  private clientFirstBare = '';
  private serverFirst = '';
  private gs2Header = '';
  private nonce = '';

  /** `serverNonce` is random unless given (tests replay RFC 7677's example with it). */
  constructor(private readonly verifier: ScramVerifier, private readonly serverNonce = randomBytes(18).toString('base64')) {}

  handleClientFirst(message: Buffer): string {
    const text = message.toString('utf8');
    // gs2-header: cbind-flag "," [authzid] ","
    const flag = text[0];
    if (flag === 'p') {
      throw new SqlError(SqlState.PROTOCOL_VIOLATION, 'channel binding is not supported by this server', { severity: 'FATAL' });
    }
    if ((flag !== 'n' && flag !== 'y') || text[1] !== ',') throw malformed('Unexpected channel-binding flag.');
    const authzEnd = text.indexOf(',', 2);
    if (authzEnd < 0) throw malformed('Unexpected end of input.');
    if (authzEnd !== 2) {
      throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'client uses authorization identity, but it is not supported', { severity: 'FATAL' });
    }
    this.gs2Header = text.slice(0, authzEnd + 1);
    this.clientFirstBare = text.slice(authzEnd + 1);
    const parts = this.clientFirstBare.split(',');
    if (parts[0]?.startsWith('m=') === true) {
      throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'client requires an unsupported SCRAM extension', { severity: 'FATAL' });
    }
    attribute(parts[0], 'n'); // PostgreSQL ignores the SCRAM user name: the startup packet's user counts.
    const clientNonce = attribute(parts[1], 'r');
    if (clientNonce === '' || !/^[\x21-\x2b\x2d-\x7e]+$/.test(clientNonce)) throw malformed('Invalid nonce.');
    this.nonce = clientNonce + this.serverNonce;
    this.serverFirst = `r=${this.nonce},s=${this.verifier.salt.toString('base64')},i=${this.verifier.iterations}`;
    return this.serverFirst;
  }

  handleClientFinal(message: Buffer): string | null {
    const text = message.toString('utf8');
    const proofAt = text.lastIndexOf(',p=');
    if (proofAt < 0) throw malformed('Proof not found.');
    const withoutProof = text.slice(0, proofAt);
    const parts = withoutProof.split(',');
    const binding = attribute(parts[0], 'c');
    if (binding !== Buffer.from(this.gs2Header, 'utf8').toString('base64')) {
      throw new SqlError(SqlState.PROTOCOL_VIOLATION, 'SCRAM channel binding check failed', { severity: 'FATAL' });
    }
    if (attribute(parts[1], 'r') !== this.nonce) throw malformed('Nonce does not match.');
    const proof = Buffer.from(text.slice(proofAt + 3), 'base64');
    if (proof.length !== 32) throw malformed('Malformed proof in client-final-message.');
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(this.verifier.storedKey, authMessage);
    const clientKey = Buffer.allocUnsafe(32);
    for (let i = 0; i < 32; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    if (!timingSafeEqual(sha256(clientKey), this.verifier.storedKey)) return null;
    return `v=${hmac(this.verifier.serverKey, authMessage).toString('base64')}`;
  }
}

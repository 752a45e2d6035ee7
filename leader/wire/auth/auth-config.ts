// Who may log in and how: the JSON user list (scram-sha-256, md5, password, trust) and loopback trust.
import { readFile } from 'node:fs/promises';
import { SqlError, SqlState } from '../../../common/errors/index.ts';
import { isMd5Hash, md5PasswordHash } from './md5.ts';
import { parseScramVerifier, scramVerifierFromPassword, type ScramVerifier } from './scram-sha-256.ts';

/** How a listed user proves who they are. */
export type AuthMethod = 'scram-sha-256' | 'md5' | 'password' | 'trust';

const METHODS: readonly AuthMethod[] = ['scram-sha-256', 'md5', 'password', 'trust'];

/** A listed user's method and the secrets it needs (derived at load time). */
export interface UserAuth {
  readonly method: AuthMethod;
  /** SCRAM verifier: from the configured password, or as configured. Absent only for md5-hash-only users. */
  readonly scram?: ScramVerifier;
  /** "md5…" hash of password||user, when a cleartext or md5 password was configured. */
  readonly md5Hash?: string;
  /** Cleartext password, kept only for method 'password'. */
  readonly password?: string;
}

/** The server's authentication rules. */
export interface AuthConfig {
  readonly users: ReadonlyMap<string, UserAuth>;
  /** Unlisted users connecting from 127.0.0.0/8 or ::1 are trusted (default true); otherwise rejected with 28000. */
  readonly trustLoopback: boolean;
}

/** Trust everyone on loopback, nobody else: the default without a config file. */
export const DEFAULT_AUTH_CONFIG: AuthConfig = { users: new Map(), trustLoopback: true };

function configError(message: string): SqlError {
  return new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid auth config: ${message}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function userAuth(name: string, entry: unknown): Promise<UserAuth> {
  if (!isRecord(entry)) throw configError(`user "${name}" must be an object`);
  const method = entry.method;
  if (typeof method !== 'string' || !(METHODS as readonly string[]).includes(method)) {
    throw configError(`user "${name}": method must be one of ${METHODS.join(', ')}`);
  }
  const m = method as AuthMethod;
  if (m === 'trust') return { method: m };
  const secret = entry.password;
  if (typeof secret !== 'string' || secret === '') throw configError(`user "${name}" needs a "password"`);
  if (secret.startsWith('SCRAM-SHA-256$')) {
    const scram = parseScramVerifier(secret);
    if (scram === undefined) throw configError(`user "${name}": malformed SCRAM-SHA-256 verifier`);
    // As in PostgreSQL, an md5 or password user with a SCRAM verifier authenticates with SCRAM.
    return { method: m === 'password' ? m : 'scram-sha-256', scram };
  }
  if (isMd5Hash(secret)) {
    if (m !== 'md5') throw configError(`user "${name}": an md5 hash only works with method md5`);
    return { method: m, md5Hash: secret };
  }
  return {
    method: m,
    scram: await scramVerifierFromPassword(secret),
    md5Hash: md5PasswordHash(secret, name),
    ...(m === 'password' ? { password: secret } : {}),
  };
}

/** Validates a parsed JSON config (see loadAuthConfig for the shape). */
export async function parseAuthConfig(json: unknown): Promise<AuthConfig> {
  if (!isRecord(json)) throw configError('expected a JSON object');
  const users = new Map<string, UserAuth>();
  if (json.users !== undefined) {
    if (!isRecord(json.users)) throw configError('"users" must be an object');
    for (const [name, entry] of Object.entries(json.users)) users.set(name, await userAuth(name, entry));
  }
  const trust = json.trustLoopback;
  if (trust !== undefined && typeof trust !== 'boolean') throw configError('"trustLoopback" must be true or false');
  return { users, trustLoopback: trust ?? true };
}

/**
 * Reads the authentication config, e.g.
 * `{"users": {"alice": {"method": "scram-sha-256", "password": "s3cret"}, "bob": {"method": "md5", "password": "x"}},
 *   "trustLoopback": true}`. A password may also be a stored verifier "SCRAM-SHA-256$4096:salt$stored:server"
 * or an md5 hash "md5…". Without a path: trust loopback, reject the rest.
 */
export async function loadAuthConfig(path: string | undefined): Promise<AuthConfig> {
  if (path === undefined) return DEFAULT_AUTH_CONFIG;
  const text = await readFile(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw configError(`${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseAuthConfig(json);
}

/** True for 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

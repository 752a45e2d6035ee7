// PostgreSQL's MD5 password authentication: "md5" || md5(md5(password || user) || salt).
// @see https://www.postgresql.org/docs/15/auth-password.html
import { createHash, timingSafeEqual } from 'node:crypto';

const md5hex = (data: Buffer | string): string => createHash('md5').update(data).digest('hex');

/** The stored form PostgreSQL keeps for md5 users: "md5" + md5(password || user). */
export function md5PasswordHash(password: string, user: string): string {
  return 'md5' + md5hex(password + user);
}

/** True when `s` looks like a stored md5 hash. */
export function isMd5Hash(s: string): boolean {
  return /^md5[0-9a-f]{32}$/.test(s);
}

/** What a client answers to AuthenticationMD5Password given the stored hash and the 4-byte salt. */
export function md5SaltedResponse(storedHash: string, salt: Uint8Array): string {
  return 'md5' + md5hex(Buffer.concat([Buffer.from(storedHash.slice(3), 'utf8'), salt]));
}

/** Checks a client's PasswordMessage against the stored hash in constant time. */
export function verifyMd5Response(storedHash: string, salt: Uint8Array, response: string): boolean {
  const expected = Buffer.from(md5SaltedResponse(storedHash, salt), 'utf8');
  const got = Buffer.from(response, 'utf8');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

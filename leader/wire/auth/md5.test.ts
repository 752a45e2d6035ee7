// MD5 password hashing and salted responses, checked against node-postgres's client implementation.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { isMd5Hash, md5PasswordHash, md5SaltedResponse, verifyMd5Response } from './md5.ts';

describe('md5 authentication', () => {
  it('hashes like PostgreSQL: md5(password || user)', () => {
    // SELECT 'md5' || md5('x' || 'bob') in PostgreSQL.
    expect(md5PasswordHash('x', 'bob')).toBe('md531987a5dbc9922cd211fc93523ffd523');
    expect(isMd5Hash(md5PasswordHash('x', 'bob'))).toBe(true);
  });

  it('agrees with the response node-postgres computes', async () => {
    // pg ships no types for its internals: load it as unknown and narrow.
    const utils = createRequire(import.meta.url)('pg/lib/crypto/utils.js') as { postgresMd5PasswordHash?: (u: string, p: string, s: Buffer) => Promise<string> | string };
    const salt = Buffer.from([1, 2, 3, 4]);
    const hash = md5PasswordHash('s3cret', 'bob');
    expect(typeof utils.postgresMd5PasswordHash).toBe('function');
    const clientAnswer = await utils.postgresMd5PasswordHash!('bob', 's3cret', salt);
    expect(md5SaltedResponse(hash, salt)).toBe(clientAnswer);
    expect(verifyMd5Response(hash, salt, clientAnswer)).toBe(true);
    expect(verifyMd5Response(hash, salt, clientAnswer.slice(0, -1) + (clientAnswer.endsWith('0') ? '1' : '0'))).toBe(false);
    expect(verifyMd5Response(hash, Buffer.from([1, 2, 3, 5]), clientAnswer)).toBe(false);
  });
});

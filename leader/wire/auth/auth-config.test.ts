// Loading the auth JSON: methods, passwords vs stored verifiers, validation errors, loopback detection.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqlError } from '../../../common/errors/index.ts';
import { isLoopback, loadAuthConfig, parseAuthConfig } from './auth-config.ts';
import { formatScramVerifier, scramVerifierFromPassword } from './scram-sha-256.ts';

describe('auth config', () => {
  it('loads users from a JSON file and defaults trustLoopback to true', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wire-auth-'));
    try {
      const path = join(dir, 'auth.json');
      await writeFile(path, JSON.stringify({ users: { alice: { method: 'scram-sha-256', password: 's3cret' }, bob: { method: 'md5', password: 'x' } } }));
      const cfg = await loadAuthConfig(path);
      expect(cfg.trustLoopback).toBe(true);
      expect(cfg.users.get('alice')?.method).toBe('scram-sha-256');
      expect(cfg.users.get('alice')?.scram?.iterations).toBe(4096);
      expect(cfg.users.get('bob')?.md5Hash).toBe('md531987a5dbc9922cd211fc93523ffd523');
      expect(cfg.users.get('bob')?.password).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('accepts a stored SCRAM verifier and an md5 hash', async () => {
    const verifier = formatScramVerifier(await scramVerifierFromPassword('pw'));
    const cfg = await parseAuthConfig({
      users: { a: { method: 'scram-sha-256', password: verifier }, b: { method: 'md5', password: 'md531987a5dbc9922cd211fc93523ffd523' } },
      trustLoopback: false,
    });
    expect(cfg.trustLoopback).toBe(false);
    expect(cfg.users.get('a')?.scram).toBeDefined();
    expect(cfg.users.get('a')?.md5Hash).toBeUndefined();
    expect(cfg.users.get('b')?.scram).toBeUndefined();
  });

  it('rejects malformed configs with 22023', async () => {
    for (const bad of [
      [], { users: [] }, { users: { a: { method: 'kerberos', password: 'x' } } }, { users: { a: { method: 'md5' } } },
      { users: { a: { method: 'scram-sha-256', password: 'SCRAM-SHA-256$x' } } },
      { users: { a: { method: 'scram-sha-256', password: 'md531987a5dbc9922cd211fc93523ffd523' } } },
      { trustLoopback: 'yes' },
    ]) {
      await expect(parseAuthConfig(bad)).rejects.toSatisfy((e: unknown) => e instanceof SqlError && e.code === '22023');
    }
    await expect(loadAuthConfig(undefined)).resolves.toMatchObject({ trustLoopback: true });
  });

  it('recognises loopback addresses', () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('127.8.9.10')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopback('10.0.0.1')).toBe(false);
    expect(isLoopback('::ffff:10.0.0.1')).toBe(false);
    expect(isLoopback(undefined)).toBe(false);
  });
});

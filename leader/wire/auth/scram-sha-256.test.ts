// SCRAM-SHA-256 server exchange: RFC 7677's example, GS2 headers, wrong proofs and malformed messages.
import { describe, expect, it } from 'vitest';
import { SqlError } from '../../../common/errors/index.ts';
import {
  ScramServerExchange, formatScramVerifier, parseScramVerifier, scramVerifierFromPassword,
} from './scram-sha-256.ts';

// RFC 7677 section 3: user "user", password "pencil".
const SALT = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
const CLIENT_FIRST = 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO';
const SERVER_NONCE = '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
const SERVER_FIRST = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
const CLIENT_FINAL = 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=';
const SERVER_FINAL = 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=';

function codeOf(fn: () => unknown): string {
  try { fn(); } catch (err) { if (err instanceof SqlError) return err.code; throw err; }
  return 'no error';
}

describe('SCRAM-SHA-256', () => {
  it('reproduces RFC 7677 section 3', async () => {
    const v = await scramVerifierFromPassword('pencil', SALT, 4096);
    const x = new ScramServerExchange(v, SERVER_NONCE);
    expect(x.handleClientFirst(Buffer.from(CLIENT_FIRST))).toBe(SERVER_FIRST);
    expect(x.handleClientFinal(Buffer.from(CLIENT_FINAL))).toBe(SERVER_FINAL);
  });

  it('returns null for a wrong proof', async () => {
    const v = await scramVerifierFromPassword('not pencil', SALT, 4096);
    const x = new ScramServerExchange(v, SERVER_NONCE);
    x.handleClientFirst(Buffer.from(CLIENT_FIRST));
    expect(x.handleClientFinal(Buffer.from(CLIENT_FINAL))).toBeNull();
  });

  it('accepts the y,, header and checks the echoed channel binding', async () => {
    const v = await scramVerifierFromPassword('pencil', SALT, 4096);
    const x = new ScramServerExchange(v, SERVER_NONCE);
    x.handleClientFirst(Buffer.from('y,,n=,r=abc'));
    // c= must be base64("y,,") = "eSws"; "biws" is "n,," and fails the binding check.
    expect(codeOf(() => x.handleClientFinal(Buffer.from(`c=biws,r=abc${SERVER_NONCE},p=${'A'.repeat(43)}=`)))).toBe('08P01');
    const y = new ScramServerExchange(v, SERVER_NONCE);
    y.handleClientFirst(Buffer.from('y,,n=,r=abc'));
    expect(y.handleClientFinal(Buffer.from(`c=eSws,r=abc${SERVER_NONCE},p=${Buffer.alloc(32).toString('base64')}`))).toBeNull();
  });

  it('rejects channel binding, authzid, bad nonces and malformed messages', async () => {
    const v = await scramVerifierFromPassword('pencil', SALT, 4096);
    const fresh = (): ScramServerExchange => new ScramServerExchange(v, SERVER_NONCE);
    expect(codeOf(() => fresh().handleClientFirst(Buffer.from('p=tls-server-end-point,,n=,r=abc')))).toBe('08P01');
    expect(codeOf(() => fresh().handleClientFirst(Buffer.from('n,a=admin,n=,r=abc')))).toBe('0A000');
    expect(codeOf(() => fresh().handleClientFirst(Buffer.from('n,,n=,r=')))).toBe('08P01');
    expect(codeOf(() => fresh().handleClientFirst(Buffer.from('garbage')))).toBe('08P01');
    const x = fresh();
    x.handleClientFirst(Buffer.from(CLIENT_FIRST));
    expect(codeOf(() => x.handleClientFinal(Buffer.from('c=biws,r=wrongnonce,p=AAAA')))).toBe('08P01');
    expect(codeOf(() => x.handleClientFinal(Buffer.from('c=biws,r=x')))).toBe('08P01');
  });

  it('stored verifiers round-trip through PostgreSQL\'s text form', async () => {
    const v = await scramVerifierFromPassword('pencil', SALT, 4096);
    const text = formatScramVerifier(v);
    expect(text.startsWith('SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$')).toBe(true);
    expect(parseScramVerifier(text)).toEqual(v);
    expect(parseScramVerifier('SCRAM-SHA-256$4096:abc$short:short')).toBeUndefined();
  });
});

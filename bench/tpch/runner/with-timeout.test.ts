// withTimeout: passes results through, cancels and fails with 57014 past the limit.
import { describe, expect, it } from 'vitest';
import { QueryTimeout, withTimeout } from './with-timeout.ts';

describe('withTimeout', () => {
  it('returns the result when in time', async () => {
    expect(await withTimeout(Promise.resolve(7), 1000, () => undefined)).toBe(7);
    expect(await withTimeout(Promise.resolve(8), 0, () => undefined)).toBe(8);
  });

  it('cancels and rejects with 57014 when late', async () => {
    let canceled = false;
    const never = new Promise<number>(() => undefined);
    await expect(withTimeout(never, 20, () => { canceled = true; })).rejects.toBeInstanceOf(QueryTimeout);
    expect(canceled).toBe(true);
    await expect(withTimeout(never, 20, () => undefined)).rejects.toMatchObject({ code: '57014' });
  });
});

// The register linearizability checker on hand-built histories, including writes of unknown outcome.
import { describe, expect, it } from 'vitest';
import { checkRegister, type RegisterOp } from './linearizability.ts';

let nextId = 1;
const w = (value: number, invoke: number, complete: number): RegisterOp => ({ id: nextId++, kind: 'write', value, invoke, complete });
const r = (value: number, invoke: number, complete: number): RegisterOp => ({ id: nextId++, kind: 'read', value, invoke, complete });

describe('checkRegister', () => {
  it('accepts a sequential history and the initial value', () => {
    expect(checkRegister([r(0, 0, 1), w(5, 2, 3), r(5, 4, 5), w(6, 6, 7), r(6, 8, 9)]).ok).toBe(true);
  });

  it('rejects a stale read after a completed write', () => {
    expect(checkRegister([w(5, 0, 1), w(6, 2, 3), r(5, 4, 5)]).ok).toBe(false);
  });

  it('lets a read concurrent with a write see either value', () => {
    expect(checkRegister([w(5, 0, 1), w(6, 2, 10), r(5, 3, 4)]).ok).toBe(true);
    expect(checkRegister([w(5, 0, 1), w(6, 2, 10), r(6, 3, 4)]).ok).toBe(true);
  });

  it('rejects a value that goes back in time between two reads', () => {
    expect(checkRegister([w(5, 0, 1), w(6, 2, 10), r(6, 3, 4), r(5, 5, 6)]).ok).toBe(false);
  });

  it('rejects a value nobody wrote', () => {
    expect(checkRegister([w(5, 0, 1), r(7, 2, 3)]).ok).toBe(false);
  });

  it('treats a write of unknown outcome as taking effect at some point after its call, or never', () => {
    const unknown = w(9, 5, Infinity);
    expect(checkRegister([w(1, 0, 1), unknown, r(1, 10, 11)]).ok).toBe(true);
    expect(checkRegister([w(1, 0, 1), unknown, r(9, 10, 11)]).ok).toBe(true);
    expect(checkRegister([w(1, 0, 1), unknown, r(9, 10, 11), r(1, 12, 13)]).ok).toBe(false);
    // It cannot take effect before it was called.
    expect(checkRegister([w(1, 0, 1), r(9, 2, 3), w(9, 5, Infinity)]).ok).toBe(false);
  });
});

// TableGate: writes share a table, recovery holds it alone once they have left, writes that come
// meanwhile wait behind it, and a recovery that waits too long gives way.
import { describe, expect, it } from 'vitest';
import { TableGate } from './table-gate.ts';

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

describe('TableGate', () => {
  it('lets writes share a table and holds it alone for recovery once they are done', async () => {
    const gate = new TableGate();
    const w1 = await gate.shared(1);
    const w2 = await gate.shared(1);
    let held = false;
    const exclusive = gate.exclusive(1, 5_000).then((r) => { held = true; return r; });
    await tick();
    expect(held).toBe(false);
    // A write that comes while recovery waits queues behind it; another table is not affected.
    let late = false;
    const w3 = gate.shared(1).then((r) => { late = true; return r; });
    (await gate.shared(2))();
    w1();
    w2();
    w2(); // releasing twice is harmless
    const release = await exclusive;
    expect(release).not.toBeNull();
    await tick();
    expect(late).toBe(false);
    release!();
    (await w3)();
    expect(late).toBe(true);
  });

  it('gives way after its wait, and the writes behind it go on', async () => {
    const gate = new TableGate();
    const open = await gate.shared(1); // an open transaction that stays
    const exclusive = gate.exclusive(1, 50);
    let late = false;
    const w = gate.shared(1).then((r) => { late = true; return r; });
    expect(await exclusive).toBeNull();
    (await w)();
    expect(late).toBe(true);
    open();
    const again = await gate.exclusive(1, 50);
    expect(again).not.toBeNull();
    again!();
  });
});

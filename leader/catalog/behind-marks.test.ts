// Behind marks in the catalog: a node's slices that missed writes, per table when known; a
// catch-up clears them only if no new mark came since it started.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Catalog } from './catalog.ts';
import { isCurrent } from './placement.ts';

describe('behind marks', () => {
  let dir = '';
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it('merges marks per table, moves the epoch only when they grow, and clears them only from the epoch a catch-up began at', async () => {
    dir = await mkdtemp(join(tmpdir(), 'behind-'));
    const c = await Catalog.open(dir);
    await c.apply({ kind: 'RegisterNode', node: { nodeId: 'a', index: 0, slices: [0, 1] } });
    const a = (): NonNullable<ReturnType<Catalog['nodeById']>> => c.nodeById('a')!;
    await c.apply({ kind: 'MarkBehind', slices: { a: [1] }, tables: [100] });
    expect([a().behind, a().behindTables, a().behindEpoch]).toEqual([[1], { 1: [100] }, 1]);
    expect([isCurrent(a(), 0), isCurrent(a(), 1)]).toEqual([true, false]);
    await c.apply({ kind: 'MarkBehind', slices: { a: [1] }, tables: [100] }); // nothing new
    expect(a().behindEpoch).toBe(1);
    await c.apply({ kind: 'MarkBehind', slices: { a: [1, 0] }, tables: [101] });
    expect([a().behind, a().behindTables, a().behindEpoch]).toEqual([[0, 1], { 0: [101], 1: [100, 101] }, 2]);
    await c.apply({ kind: 'MarkBehind', slices: { a: [0] } }); // every table
    expect([a().behindTables, a().behindEpoch]).toEqual([{ 1: [100, 101] }, 3]);
    await c.apply({ kind: 'MarkBehind', slices: { a: [0] }, tables: [102] }); // already behind on every table
    expect(a().behindEpoch).toBe(3);
    // A catch-up that began at epoch 2 clears nothing; one from epoch 3 clears its slice.
    await c.apply({ kind: 'CatchUp', nodeId: 'a', slices: [1], epoch: 2 });
    expect(a().behind).toEqual([0, 1]);
    await c.apply({ kind: 'CatchUp', nodeId: 'a', slices: [1], epoch: 3 });
    expect([a().behind, a().behindTables]).toEqual([[0], {}]);
    // Durable: the marks are there after a reopen.
    const again = await Catalog.open(dir);
    expect(again.nodeById('a')!.behind).toEqual([0]);
  });
});

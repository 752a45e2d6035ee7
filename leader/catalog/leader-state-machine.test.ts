// The leader's Raft state machine: catalog commands and commit decisions applied in log order,
// a refused command changing nothing, and a snapshot that restores both on another replica.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.ts';
import { CommitLog } from '../scheduling/commit-log.ts';
import { Catalog } from './catalog.ts';
import { LeaderStateMachine, type LeaderCommand } from './leader-state-machine.ts';
import type { TableDef } from './catalog-types.ts';
import { T } from '../../sql/types/sql-type.ts';

function replica(): { catalog: Catalog; commits: CommitLog; sm: LeaderStateMachine } {
  const refuse = (): Promise<void> => Promise.reject(new Error('a replica does not propose'));
  const catalog = Catalog.replicated(refuse);
  const commits = CommitLog.replicated(refuse, silentLogger());
  return { catalog, commits, sm: new LeaderStateMachine(catalog, commits) };
}

const table: TableDef = {
  oid: 100_000, schema: 'public', name: 't', columns: [{ name: 'a', type: T.int4, notNull: false }],
  distStyleDeclared: 'even', distStyle: 'even', sortKey: [], sortStyle: 'compound',
};

describe('LeaderStateMachine', () => {
  it('applies catalog and commit commands in order, refuses a conflicting DDL, and restores from a snapshot', () => {
    const a = replica();
    let index = 0;
    const apply = (value: LeaderCommand): unknown => a.sm.apply({ index: ++index, term: 1, data: new Uint8Array(), value });
    apply({ kind: 'catalog', cmd: { kind: 'RegisterNode', node: { nodeId: 'n0', index: 0, slices: [0, 1] } } });
    apply({ kind: 'catalog', cmd: { kind: 'CreateTable', table } });
    expect(() => apply({ kind: 'catalog', cmd: { kind: 'CreateTable', table } })).toThrow(/already exists/);
    apply({ kind: 'commits', cmd: { kind: 'decide', id: 'd1', txns: [{ txnId: 'x', nodes: ['n0', 'n1'] }] } });
    apply({ kind: 'commits', cmd: { kind: 'acknowledge', nodeId: 'n0', txnIds: ['x'] } });
    expect(a.catalog.tables.map((t) => t.name)).toEqual(['t']);
    expect([a.commits.isCommitted('x', 'n0'), a.commits.isCommitted('x', 'n1')]).toEqual([false, true]);
    expect(a.catalog.allocateOid()).toBe(100_001);

    const b = replica();
    b.sm.restore(a.sm.snapshot());
    expect(b.catalog.exportState()).toEqual(a.catalog.exportState());
    expect(b.commits.isCommitted('x', 'n1')).toBe(true);
    expect(b.catalog.nodeById('n0')!.slices).toEqual([0, 1]);
  });
});

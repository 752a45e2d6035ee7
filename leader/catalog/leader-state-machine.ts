// The leader's durable state as one Raft state machine (cluster/raft): the catalog (DDL, table
// metadata, node membership and K-safety marks) and the commit decisions of distributed writes.
// Every leader process keeps a replica; the one that leads Raft serves clients and compute nodes,
// and a standby that wins an election after it takes over with every committed change.
import type { AppliedCommand, RaftStateMachine } from '../../cluster/raft/raft-server.ts';
import { SqlError, SqlState } from '../../common/errors/index.ts';
import type { CommitCommand, CommitLog, DecisionRecord } from '../scheduling/commit-log.ts';
import type { Catalog } from './catalog.ts';
import type { CatalogCommand } from './catalog-command.ts';
import type { CatalogState } from './catalog-types.ts';

/** One entry of the leader's log. */
export type LeaderCommand =
  | { readonly kind: 'catalog'; readonly cmd: CatalogCommand }
  | { readonly kind: 'commits'; readonly cmd: CommitCommand };

interface Snapshot {
  readonly version: 1;
  readonly catalog: CatalogState;
  readonly decisions: Record<string, DecisionRecord>;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Applies committed leader commands to the catalog and commit log replicas. */
export class LeaderStateMachine implements RaftStateMachine {
  constructor(private readonly catalog: Catalog, private readonly commits: CommitLog) {}

  apply(c: AppliedCommand): unknown {
    const v = c.value as LeaderCommand | null;
    if (v === null || typeof v !== 'object') throw new SqlError(SqlState.INTERNAL_ERROR, `malformed leader log entry at index ${c.index}`);
    if (v.kind === 'catalog') this.catalog.applyCommitted(v.cmd);
    else if (v.kind === 'commits') this.commits.applyCommitted(v.cmd);
    else throw new SqlError(SqlState.INTERNAL_ERROR, `unknown leader log entry at index ${c.index}`);
    return null;
  }

  snapshot(): Uint8Array {
    const s: Snapshot = { version: 1, catalog: this.catalog.exportState(), decisions: this.commits.exportDecisions() };
    return enc.encode(JSON.stringify(s));
  }

  restore(data: Uint8Array): void {
    const s = JSON.parse(dec.decode(data)) as Snapshot;
    if (s.version !== 1) throw new SqlError(SqlState.INTERNAL_ERROR, `unsupported leader snapshot version ${String(s.version)}`);
    this.catalog.restoreState(s.catalog);
    this.commits.restoreDecisions(s.decisions);
  }
}

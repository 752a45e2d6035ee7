// The leader's durable commit decisions: the second phase of a distributed write starts only after
// its decision is on disk, so a leader that dies between commit messages finishes the commit when
// the nodes come back instead of leaving it published on some nodes only (presumed abort: a
// prepared write with no decision record was never committed).
//
//   <dataDir>/commits/<decisionId>.json   { version, txns: [{ txnId, nodes: [nodeId, ...] }] }
//
// A record lists every write of one transaction (all commit together) and, per write, the nodes
// that have not yet acknowledged it; it is deleted once all have.
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { writeFileAtomic, fsyncDir } from '../../common/atomic-file.ts';
import type { Logger } from '../../common/log.ts';

/** One decision: the writes of a transaction and the nodes yet to publish each. */
export interface DecisionRecord {
  readonly version: 1;
  txns: { txnId: string; nodes: string[] }[];
}

/** A change to the replicated commit log (see {@link CommitLog.replicated}). */
export type CommitCommand =
  | { readonly kind: 'decide'; readonly id: string; readonly txns: readonly { txnId: string; nodes: readonly string[] }[] }
  | { readonly kind: 'acknowledge'; readonly nodeId: string; readonly txnIds: readonly string[] };

/** Pending commit decisions, persisted in files, or replicated with the catalog through Raft. */
export class CommitLog {
  private readonly decisions = new Map<string, DecisionRecord>();
  /** Serialises file writes per decision. */
  private chain: Promise<void> = Promise.resolve();

  private constructor(private readonly dir: string, private readonly log: Logger,
    private readonly replicate: ((cmd: CommitCommand) => Promise<void>) | null = null) {}

  /** A replica of the replicated commit log: `propose` commits a command through Raft, which applies it with {@link applyCommitted}. */
  static replicated(propose: (cmd: CommitCommand) => Promise<void>, log: Logger): CommitLog {
    return new CommitLog('', log, propose);
  }

  /** Applies a committed command (replicated log). */
  applyCommitted(cmd: CommitCommand): void {
    if (cmd.kind === 'decide') {
      this.decisions.set(cmd.id, { version: 1, txns: cmd.txns.map((t) => ({ txnId: t.txnId, nodes: [...t.nodes] })) });
      return;
    }
    for (const [id, rec] of this.decisions) {
      for (const t of rec.txns) {
        if (!cmd.txnIds.includes(t.txnId)) continue;
        const at = t.nodes.indexOf(cmd.nodeId);
        if (at >= 0) t.nodes.splice(at, 1);
      }
      if (rec.txns.every((t) => t.nodes.length === 0)) this.decisions.delete(id);
    }
  }

  /** Every pending decision (a snapshot of the replicated log). */
  exportDecisions(): Record<string, DecisionRecord> {
    return Object.fromEntries(this.decisions);
  }

  /** Replaces every pending decision (a replica restoring a snapshot). */
  restoreDecisions(decisions: Record<string, DecisionRecord>): void {
    this.decisions.clear();
    for (const [id, rec] of Object.entries(decisions)) this.decisions.set(id, structuredClone(rec));
  }

  /** Opens (creating) the log under `dataDir` and loads the decisions not yet acknowledged everywhere. */
  static async open(dataDir: string, log: Logger): Promise<CommitLog> {
    const dir = join(dataDir, 'commits');
    await mkdir(dir, { recursive: true });
    const cl = new CommitLog(dir, log);
    for (const name of await readdir(dir)) {
      if (!name.endsWith('.json')) {
        // A temp file of a decision write that never completed: that decision was never made.
        if (name.endsWith('.tmp')) await unlink(join(dir, name)).catch(() => undefined);
        continue;
      }
      const rec = JSON.parse(await readFile(join(dir, name), 'utf8')) as DecisionRecord;
      cl.decisions.set(name.slice(0, -'.json'.length), rec);
    }
    if (cl.decisions.size > 0) log.info({ decisions: cl.decisions.size }, 'commit decisions waiting for compute nodes');
    return cl;
  }

  /** Records that these writes commit, on these nodes; resolves once that is durable. */
  async decide(txns: readonly { txnId: string; nodes: readonly string[] }[]): Promise<string> {
    const id = randomUUID();
    if (this.replicate !== null) {
      await this.replicate({ kind: 'decide', id, txns });
      return id;
    }
    const rec: DecisionRecord = { version: 1, txns: txns.map((t) => ({ txnId: t.txnId, nodes: [...t.nodes] })) };
    await writeFileAtomic(join(this.dir, `${id}.json`), JSON.stringify(rec));
    this.decisions.set(id, rec);
    return id;
  }

  /** Whether `txnId` is decided (committed) and `nodeId` has yet to apply it. */
  isCommitted(txnId: string, nodeId: string): boolean {
    for (const rec of this.decisions.values()) {
      for (const t of rec.txns) if (t.txnId === txnId && t.nodes.includes(nodeId)) return true;
    }
    return false;
  }

  /** Write ids `nodeId` has yet to commit. */
  pendingFor(nodeId: string): string[] {
    const out: string[] = [];
    for (const rec of this.decisions.values()) for (const t of rec.txns) if (t.nodes.includes(nodeId)) out.push(t.txnId);
    return out;
  }

  /** `nodeId` has published `txnIds`; a decision every node applied is removed. */
  acknowledge(nodeId: string, txnIds: readonly string[]): Promise<void> {
    if (this.replicate !== null) {
      if (!this.pendingFor(nodeId).some((id) => txnIds.includes(id))) return Promise.resolve();
      return this.replicate({ kind: 'acknowledge', nodeId, txnIds });
    }
    const run = async (): Promise<void> => {
      for (const [id, rec] of this.decisions) {
        let changed = false;
        for (const t of rec.txns) {
          if (!txnIds.includes(t.txnId)) continue;
          const at = t.nodes.indexOf(nodeId);
          if (at >= 0) { t.nodes.splice(at, 1); changed = true; }
        }
        if (!changed) continue;
        if (rec.txns.every((t) => t.nodes.length === 0)) {
          this.decisions.delete(id);
          await unlink(join(this.dir, `${id}.json`)).catch(() => undefined);
          await fsyncDir(this.dir);
        } else {
          await writeFileAtomic(join(this.dir, `${id}.json`), JSON.stringify(rec));
        }
      }
    };
    const p = this.chain.then(run);
    this.chain = p.catch((err: unknown) => this.log.warn({ err }, 'could not update the commit log'));
    return p;
  }
}

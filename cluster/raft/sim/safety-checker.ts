// Raft's safety properties, checked continuously while the simulator runs.
import type { RaftNode } from '../raft-node.ts';
import type { LogEntry, NodeId } from '../raft-types.ts';

/** A broken safety property: the simulation stops and prints the seed and trace. */
export class SafetyViolation extends Error {
  constructor(readonly property: string, detail: string) {
    super(`${property}: ${detail}`);
    this.name = 'SafetyViolation';
  }
}

function sameEntry(a: LogEntry, b: LogEntry): boolean {
  if (a.term !== b.term || a.type !== b.type || a.data.length !== b.data.length) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}

function dataHash(e: LogEntry): number {
  let h = 0x811c9dc5 ^ e.type;
  for (let i = 0; i < e.data.length; i++) h = Math.imul(h ^ e.data[i]!, 16777619);
  return h >>> 0;
}

/**
 * Election Safety (at most one leader per term), Leader Completeness (a leader holds every entry
 * committed in an earlier term), State Machine Safety (every server applies the same entry at
 * an index, checked through entry identity and the state machine's hash chain, snapshots
 * included) and Log Matching (same index and term implies identical prefixes).
 */
export class SafetyChecker {
  private readonly leaders = new Map<number, NodeId>();
  /** Per index: the committed entry's term, and the term in which it was seen committed. */
  private readonly committedTerm: number[] = [];
  private readonly commitSeenInTerm: number[] = [];
  private readonly appliedTerm: number[] = [];
  private readonly appliedData: number[] = [];
  private readonly chainAt: number[] = [];
  private maxCommitted = 0;

  /** Highest index seen committed anywhere. */
  get highestCommitted(): number {
    return this.maxCommitted;
  }

  /** Number of terms that had a leader. */
  get leaderTerms(): number {
    return this.leaders.size;
  }

  /** A server just became leader of `term`. */
  onLeader(id: NodeId, term: number, node: RaftNode): void {
    const prev = this.leaders.get(term);
    if (prev !== undefined && prev !== id) throw new SafetyViolation('Election Safety', `${prev} and ${id} both led term ${term}`);
    this.leaders.set(term, id);
    for (let i = node.snapshotIndex + 1; i <= this.maxCommitted; i++) {
      const ct = this.committedTerm[i];
      if (ct === undefined || this.commitSeenInTerm[i]! >= term) continue;
      const have = node.termAt(i);
      if (have !== ct) {
        throw new SafetyViolation('Leader Completeness', `leader ${id} of term ${term} has term ${String(have)} at index ${i}, committed with term ${ct}`);
      }
    }
  }

  /** Entries a server released as committed while in `term`; every leader of a later term must hold them. */
  onCommitted(entries: readonly LogEntry[], term: number, nodes: Iterable<{ id: NodeId; node: RaftNode }>): void {
    for (const e of entries) {
      const known = this.committedTerm[e.index];
      if (known !== undefined) {
        if (known !== e.term) throw new SafetyViolation('State Machine Safety', `index ${e.index} committed with terms ${known} and ${e.term}`);
        if (term < this.commitSeenInTerm[e.index]!) this.commitSeenInTerm[e.index] = term;
        continue;
      }
      this.committedTerm[e.index] = e.term;
      this.commitSeenInTerm[e.index] = term;
      if (e.index > this.maxCommitted) this.maxCommitted = e.index;
    }
    for (const { id, node } of nodes) {
      if (node.role !== 'Leader' || node.term <= term) continue;
      for (const e of entries) {
        if (e.index <= node.snapshotIndex) continue;
        const have = node.termAt(e.index);
        if (have !== e.term) {
          throw new SafetyViolation('Leader Completeness', `leader ${id} of term ${node.term} has term ${String(have)} at index ${e.index}, committed in term ${term}`);
        }
      }
    }
  }

  /** A server applied `e`, after which its state machine hash is `chain`. */
  onApply(id: NodeId, e: LogEntry, chain: number): void {
    const t = this.appliedTerm[e.index];
    const d = dataHash(e);
    if (t === undefined) {
      this.appliedTerm[e.index] = e.term;
      this.appliedData[e.index] = d;
      this.chainAt[e.index] = chain;
      return;
    }
    if (t !== e.term || this.appliedData[e.index] !== d) {
      throw new SafetyViolation('State Machine Safety', `${id} applied (${e.index}, term ${e.term}) where another server applied term ${t}`);
    }
    if (this.chainAt[e.index] !== chain) {
      throw new SafetyViolation('State Machine Safety', `${id} reached index ${e.index} through a different history (hash chain differs)`);
    }
  }

  /** A server restored a snapshot covering up to `index` with hash `chain`. */
  onRestore(id: NodeId, index: number, chain: number): void {
    const known = this.chainAt[index];
    if (known === undefined) this.chainAt[index] = chain;
    else if (known !== chain) throw new SafetyViolation('State Machine Safety', `${id} restored a snapshot at ${index} whose history differs`);
  }

  /** Log Matching over every pair of live servers. */
  checkLogMatching(nodes: readonly { id: NodeId; node: RaftNode }[]): void {
    for (let x = 0; x < nodes.length; x++) {
      for (let y = x + 1; y < nodes.length; y++) {
        const a = nodes[x]!.node;
        const b = nodes[y]!.node;
        const lo = Math.max(a.snapshotIndex, b.snapshotIndex) + 1;
        const hi = Math.min(a.lastIndex, b.lastIndex);
        let matched = false;
        for (let i = hi; i >= lo; i--) {
          const ea = a.entryAt(i)!;
          const eb = b.entryAt(i)!;
          const same = sameEntry(ea, eb);
          if (!same && (matched || ea.term === eb.term)) {
            throw new SafetyViolation('Log Matching', `${nodes[x]!.id} and ${nodes[y]!.id} differ at index ${i} below a common entry`);
          }
          if (ea.term === eb.term) matched = true;
        }
      }
    }
  }
}

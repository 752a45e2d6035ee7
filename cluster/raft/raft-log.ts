// The in-memory Raft log: entries after the latest snapshot, addressed by absolute index.
import { internalError } from '../../common/errors/index.ts';
import type { LogEntry } from './raft-types.ts';

/**
 * Entries `snapshotIndex + 1 .. lastIndex`. The entry at `snapshotIndex` is represented only by
 * its term (`snapshotTerm`), which is all the consistency check needs.
 */
export class RaftLog {
  private entries: LogEntry[] = [];
  private baseIndex = 0;
  private baseTerm = 0;

  /** Index of the last entry covered by the snapshot (0 when none). */
  get snapshotIndex(): number {
    return this.baseIndex;
  }

  /** Term of the entry at {@link snapshotIndex}. */
  get snapshotTerm(): number {
    return this.baseTerm;
  }

  /** First index held as an entry. */
  get firstIndex(): number {
    return this.baseIndex + 1;
  }

  get lastIndex(): number {
    return this.baseIndex + this.entries.length;
  }

  get lastTerm(): number {
    return this.entries.length === 0 ? this.baseTerm : this.entries[this.entries.length - 1]!.term;
  }

  /** Term of the entry at `index`; undefined when it is compacted away or beyond the end. */
  termAt(index: number): number | undefined {
    if (index === this.baseIndex) return this.baseTerm;
    if (index < this.baseIndex || index > this.lastIndex) return undefined;
    return this.entries[index - this.baseIndex - 1]!.term;
  }

  /** The entry at `index`, if held. */
  entryAt(index: number): LogEntry | undefined {
    if (index <= this.baseIndex || index > this.lastIndex) return undefined;
    return this.entries[index - this.baseIndex - 1];
  }

  /** Entries `from .. min(toInclusive, from + maxCount - 1)`; `from` must be held. */
  slice(from: number, toInclusive: number, maxCount: number): LogEntry[] {
    if (from <= this.baseIndex) throw internalError(`log slice from ${from} below the snapshot at ${this.baseIndex}`);
    const end = Math.min(toInclusive, this.lastIndex, from + maxCount - 1);
    if (end < from) return [];
    return this.entries.slice(from - this.baseIndex - 1, end - this.baseIndex);
  }

  /** Appends entries that must continue the log exactly. */
  append(entries: readonly LogEntry[]): void {
    for (const e of entries) {
      if (e.index !== this.lastIndex + 1) throw internalError(`log append of index ${e.index} after ${this.lastIndex}`);
      this.entries.push(e);
    }
  }

  /** Drops every entry at or after `index`. */
  truncateFrom(index: number): void {
    if (index <= this.baseIndex) throw internalError(`log truncation at ${index} below the snapshot at ${this.baseIndex}`);
    if (index > this.lastIndex) return;
    this.entries.length = index - this.baseIndex - 1;
  }

  /** Drops entries up to `index` (which must be held or be the snapshot point), keeping the rest. */
  compactTo(index: number, term: number): void {
    if (index <= this.baseIndex) return;
    if (index > this.lastIndex) throw internalError(`log compaction to ${index} beyond the end at ${this.lastIndex}`);
    this.entries.splice(0, index - this.baseIndex);
    this.baseIndex = index;
    this.baseTerm = term;
  }

  /** Discards everything: the log becomes empty after a snapshot at (index, term). */
  resetTo(index: number, term: number): void {
    this.entries = [];
    this.baseIndex = index;
    this.baseTerm = term;
  }

  /** First index in `[lowest, upTo]` whose term equals that at `upTo` (for conflict hints). */
  firstIndexOfTermAt(upTo: number, lowest: number): number {
    const term = this.termAt(upTo);
    let i = upTo;
    const floor = Math.max(lowest, this.baseIndex + 1);
    while (i > floor && this.termAt(i - 1) === term) i--;
    return i;
  }

  /** Last index at or below `upTo` holding `term`, or 0 when the log (as held) has none. */
  lastIndexOfTerm(term: number, upTo: number): number {
    for (let i = Math.min(upTo, this.lastIndex); i > this.baseIndex; i--) {
      const t = this.entries[i - this.baseIndex - 1]!.term;
      if (t === term) return i;
      if (t < term) return 0;
    }
    return this.baseTerm === term && this.baseIndex > 0 ? this.baseIndex : 0;
  }
}

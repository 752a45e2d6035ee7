// The cluster configurations found in the log, so truncation can revert to the previous one.
import { EntryType, decodeConfig, type ClusterConfig, type LogEntry } from './raft-types.ts';

/** A configuration and the index of the entry (or snapshot) that holds it. */
export interface ConfigAt {
  readonly index: number;
  readonly config: ClusterConfig;
}

/**
 * Configurations in log order. The first comes from the snapshot (or is empty); the last is in
 * force, committed or not, because a Config entry takes effect as soon as it is appended.
 */
export class ConfigHistory {
  private list: ConfigAt[];

  constructor(base: ConfigAt) {
    this.list = [base];
  }

  /** The configuration in force. */
  get latest(): ClusterConfig {
    return this.list[this.list.length - 1]!.config;
  }

  /** Index of the entry holding the configuration in force. */
  get latestIndex(): number {
    return this.list[this.list.length - 1]!.index;
  }

  /** Starts over from a snapshot's configuration plus the Config entries among `entries`. */
  reset(base: ConfigAt, entries: Iterable<LogEntry>): void {
    this.list = [base];
    for (const e of entries) if (e.type === EntryType.Config) this.push(e);
  }

  /** Records a Config entry just appended. */
  push(e: LogEntry): void {
    this.list.push({ index: e.index, config: decodeConfig(e.data) });
  }

  /** Forgets configurations from entries at or after `index` (they were truncated). */
  truncateFrom(index: number): void {
    while (this.list.length > 1 && this.list[this.list.length - 1]!.index >= index) this.list.pop();
  }

  /** Keeps only what is needed once entries up to `index` are compacted into a snapshot. */
  compactTo(index: number): void {
    let keep = 0;
    for (let i = 0; i < this.list.length; i++) if (this.list[i]!.index <= index) keep = i;
    this.list = this.list.slice(keep);
  }

  /** The configuration in force at `index`. */
  at(index: number): ClusterConfig {
    let c = this.list[0]!.config;
    for (const x of this.list) if (x.index <= index) c = x.config;
    return c;
  }
}

// The simulated network: per-message delay, loss and duplication, plus partitions and cut links.
import type { Prng } from '../prng.ts';
import type { NodeId } from '../raft-types.ts';

/** Fault rates and delays of the simulated network (times in simulated ms). */
export interface NetConfig {
  minDelay: number;
  maxDelay: number;
  dropRate: number;
  dupRate: number;
}

/**
 * Decides the fate of each message: delivered after a random delay (so messages reorder),
 * dropped, or delivered twice. Partitions put servers in groups that cannot reach each other;
 * `cut` blocks one direction of one link.
 */
export class SimNetwork {
  private readonly group = new Map<NodeId, number>();
  private readonly cutLinks = new Set<string>();

  constructor(public config: NetConfig, private readonly rng: Prng) {}

  /** Splits the servers into groups; servers not named form one more group together. */
  partition(groups: readonly (readonly NodeId[])[]): void {
    this.group.clear();
    groups.forEach((g, i) => {
      for (const id of g) this.group.set(id, i + 1);
    });
  }

  /** Blocks messages from `from` to `to`. */
  cut(from: NodeId, to: NodeId): void {
    this.cutLinks.add(`${from}>${to}`);
  }

  /** Removes every partition and cut link. */
  heal(): void {
    this.group.clear();
    this.cutLinks.clear();
  }

  canReach(from: NodeId, to: NodeId): boolean {
    if ((this.group.get(from) ?? 0) !== (this.group.get(to) ?? 0)) return false;
    return this.cutLinks.size === 0 || !this.cutLinks.has(`${from}>${to}`);
  }

  get partitioned(): boolean {
    return this.group.size > 0 || this.cutLinks.size > 0;
  }

  /** Delivery delays for one message: none (lost), one, or two (duplicated). */
  fate(from: NodeId, to: NodeId): number[] {
    if (!this.canReach(from, to)) return [];
    const c = this.config;
    if (c.dropRate > 0 && this.rng.chance(c.dropRate)) return [];
    const d = this.rng.range(c.minDelay, c.maxDelay);
    if (c.dupRate > 0 && this.rng.chance(c.dupRate)) return [d, this.rng.range(c.minDelay, c.maxDelay)];
    return [d];
  }
}

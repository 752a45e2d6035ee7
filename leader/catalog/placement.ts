// K-safety placement: which nodes keep a copy of each slice besides the node that owns it.
//
// The rule is fixed and simple, so anyone can tell where a slice lives: with the nodes in index
// order as a ring, the slices of node i are copied to the next K nodes, i+1 … i+K (mod N). With
// N ≤ K nodes every other node holds a copy. A copy is `complete` when it holds every row its
// slice holds: copies assigned while the cluster had no table start empty with their slice and
// stay complete, because every write goes to all of a slice's copies, and so do copies of a
// joining node's new slices. A copy of an older slice assigned later (a node joined a cluster with
// data, which moves the ring) starts incomplete and is never read until recovery has filled it.
import type { NodeDef, ReplicaDef } from './catalog-types.ts';

/** The K a cluster of `nodeCount` nodes keeps: as configured, else 1 from three nodes on; at most N − 1. */
export function effectiveK(configured: number | undefined, nodeCount: number): number {
  const k = configured ?? (nodeCount >= 3 ? 1 : 0);
  return Math.max(0, Math.min(k, nodeCount - 1));
}

/**
 * Every node's copies under the ring rule for `k`, keeping the completeness of assignments that
 * did not change; new ones are complete when `empty` (no table exists yet) or when their slice is
 * one of `fresh` (a joining node's new slices, which hold no row yet).
 */
export function placeReplicas(nodes: readonly NodeDef[], k: number, empty: boolean, fresh: ReadonlySet<number> = new Set()): Map<string, ReplicaDef[]> {
  const ordered = [...nodes].sort((a, b) => a.index - b.index);
  const out = new Map<string, ReplicaDef[]>(ordered.map((n) => [n.nodeId, []]));
  ordered.forEach((owner, i) => {
    for (let step = 1; step <= k; step++) {
      const holder = ordered[(i + step) % ordered.length]!;
      const before = new Map((holder.replicas ?? []).map((r) => [r.slice, r]));
      for (const slice of owner.slices) {
        out.get(holder.nodeId)!.push({ slice, complete: before.get(slice)?.complete ?? (empty || fresh.has(slice)) });
      }
    }
  });
  for (const list of out.values()) list.sort((a, b) => a.slice - b.slice);
  return out;
}

/** The nodes holding slice `slice`: its owner first, then the nodes with a copy of it (complete or not). */
export function hostsOf(nodes: readonly NodeDef[], slice: number): { node: NodeDef; complete: boolean }[] {
  const out: { node: NodeDef; complete: boolean }[] = [];
  const owner = nodes.find((n) => n.slices.includes(slice));
  if (owner !== undefined) out.push({ node: owner, complete: true });
  for (const n of nodes) {
    const r = n.replicas?.find((x) => x.slice === slice);
    if (r !== undefined && n !== owner) out.push({ node: n, complete: r.complete });
  }
  return out;
}

/** The slices `node` keeps copies of. */
export function replicaSlices(node: NodeDef): number[] {
  return (node.replicas ?? []).map((r) => r.slice);
}

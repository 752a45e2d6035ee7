// K-safety placement: which nodes keep a copy of each slice besides the node that owns it.
//
// The rule is fixed and simple, so anyone can tell where a slice lives: with the nodes in index
// order as a ring, the slices of node i are copied to the next K nodes, i+1 … i+K (mod N). With
// N ≤ K nodes every other node holds a copy. Every write goes to every live holder of a slice, so
// a holder is current unless it is marked behind (NodeDef.behind): it was down during a committed
// write, or its copy was placed after data existed (a node joined a cluster with data, which moves
// the ring). A slice's copy on a node that is behind is never read until recovery has caught it up.
import type { NodeDef, ReplicaDef } from './catalog-types.ts';

/** The K a cluster of `nodeCount` nodes keeps: as configured, else 1 from three nodes on; at most N − 1. */
export function effectiveK(configured: number | undefined, nodeCount: number): number {
  const k = configured ?? (nodeCount >= 3 ? 1 : 0);
  return Math.max(0, Math.min(k, nodeCount - 1));
}

/** Every node's copies under the ring rule, and the new ones that start behind. */
export interface Placement {
  readonly replicas: Map<string, ReplicaDef[]>;
  readonly behind: Map<string, number[]>;
}

/**
 * Every node's copies under the ring rule for `k`. A copy a node did not hold before starts
 * behind, unless no table exists yet (`empty`) or its slice is one of `fresh` (a joining node's
 * new slices, which hold no row yet).
 */
export function placeReplicas(nodes: readonly NodeDef[], k: number, empty: boolean, fresh: ReadonlySet<number> = new Set()): Placement {
  const ordered = [...nodes].sort((a, b) => a.index - b.index);
  const replicas = new Map<string, ReplicaDef[]>(ordered.map((n) => [n.nodeId, []]));
  const behind = new Map<string, number[]>(ordered.map((n) => [n.nodeId, []]));
  ordered.forEach((owner, i) => {
    for (let step = 1; step <= k; step++) {
      const holder = ordered[(i + step) % ordered.length]!;
      const held = new Set(replicaSlices(holder));
      for (const slice of owner.slices) {
        replicas.get(holder.nodeId)!.push({ slice });
        if (!held.has(slice) && !empty && !fresh.has(slice)) behind.get(holder.nodeId)!.push(slice);
      }
    }
  });
  for (const list of replicas.values()) list.sort((a, b) => a.slice - b.slice);
  return { replicas, behind };
}

/** Whether `node` holds every committed row of `slice` (it must hold the slice). */
export function isCurrent(node: NodeDef, slice: number): boolean {
  return !(node.behind ?? []).includes(slice);
}

/** Whether every node's first slice, where its DISTSTYLE ALL copies live, is current. */
export function allCopiesCurrent(nodes: readonly NodeDef[]): boolean {
  return nodes.every((n) => n.slices.length === 0 || isCurrent(n, n.slices[0]!));
}

/** The nodes holding slice `slice`: its owner first, then the nodes with a copy of it, each with whether it is current. */
export function hostsOf(nodes: readonly NodeDef[], slice: number): { node: NodeDef; current: boolean }[] {
  const out: { node: NodeDef; current: boolean }[] = [];
  const owner = nodes.find((n) => n.slices.includes(slice));
  if (owner !== undefined) out.push({ node: owner, current: isCurrent(owner, slice) });
  for (const n of nodes) {
    if (n !== owner && (n.replicas ?? []).some((x) => x.slice === slice)) out.push({ node: n, current: isCurrent(n, slice) });
  }
  return out;
}

/** The slices `node` keeps copies of. */
export function replicaSlices(node: NodeDef): number[] {
  return (node.replicas ?? []).map((r) => r.slice);
}

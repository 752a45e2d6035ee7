import { describe, expect, it } from 'vitest';
import type { NodeDef } from './catalog-types.ts';
import { effectiveK, hostsOf, placeReplicas } from './placement.ts';

function nodes(n: number, slicesEach = 2): NodeDef[] {
  return Array.from({ length: n }, (_v, i) => ({
    nodeId: `n${i}`, index: i, slices: Array.from({ length: slicesEach }, (_w, j) => i * slicesEach + j),
  }));
}

function withPlacement(ns: NodeDef[], k: number, empty: boolean): NodeDef[] {
  const placed = placeReplicas(ns, k, empty);
  return ns.map((n) => ({ ...n, replicas: placed.replicas.get(n.nodeId)!, behind: placed.behind.get(n.nodeId)! }));
}

describe('K-safety placement', () => {
  it('is automatic from three nodes on and never more than N - 1', () => {
    expect([1, 2, 3, 4].map((n) => effectiveK(undefined, n))).toEqual([0, 0, 1, 1]);
    expect([1, 2, 3, 4].map((n) => effectiveK(2, n))).toEqual([0, 1, 2, 2]);
    expect(effectiveK(0, 5)).toBe(0);
  });

  it('copies node i\'s slices to the next K nodes of the ring, each slice on K + 1 distinct nodes', () => {
    for (const n of [1, 2, 3, 4, 5]) {
      for (const k of [0, 1, 2]) {
        const kk = effectiveK(k, n);
        const placed = withPlacement(nodes(n), kk, true);
        for (const owner of placed) {
          for (const slice of owner.slices) {
            const hosts = hostsOf(placed, slice);
            expect(hosts.map((h) => h.node.index)).toHaveLength(kk + 1);
            expect(new Set(hosts.map((h) => h.node.index)).size).toBe(kk + 1);
            expect(hosts[0]!.node).toBe(owner);
            // The copies are on the owner's successors, in ring order.
            expect(hosts.slice(1).map((h) => h.node.index).sort()).toEqual(Array.from({ length: kk }, (_v, s) => (owner.index + 1 + s) % n).sort());
            expect(hosts.every((h) => h.current)).toBe(true);
          }
        }
      }
    }
  });

  it('keeps copies that stay put current and starts moved ones behind once data exists', () => {
    const three = withPlacement(nodes(3), 1, true);
    // A fourth node joins a cluster with tables: node 2's slices move from node 0 to node 3.
    const joined: NodeDef = { nodeId: 'n3', index: 3, slices: [6, 7] };
    const placed = placeReplicas([...three, joined], 1, false, new Set(joined.slices));
    const four = [...three, joined].map((n) => ({ ...n, replicas: placed.replicas.get(n.nodeId)!, behind: placed.behind.get(n.nodeId)! }));
    const current = (slice: number): boolean[] => hostsOf(four, slice).slice(1).map((h) => h.current);
    expect(current(0)).toEqual([true]); // node 0's, still on node 1
    expect(current(2)).toEqual([true]); // node 1's, still on node 2
    expect(hostsOf(four, 4).slice(1).map((h) => [h.node.index, h.current])).toEqual([[3, false]]);
    // The new node's own slices hold nothing yet: their copies start current.
    expect(hostsOf(four, 6).slice(1).map((h) => [h.node.index, h.current])).toEqual([[0, true]]);
  });
});

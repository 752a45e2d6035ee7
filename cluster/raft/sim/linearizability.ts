// A Wing–Gong style linearizability checker for histories of single-register reads and writes.

/** One client operation on one register. `complete` is Infinity when the outcome is unknown. */
export interface RegisterOp {
  readonly id: number;
  readonly kind: 'write' | 'read';
  /** Written value, or the value the read returned. */
  readonly value: number;
  readonly invoke: number;
  readonly complete: number;
}

/** Outcome of a check: linearizable, or not with a short explanation. */
export type LinearizabilityResult = { readonly ok: true } | { readonly ok: false; readonly detail: string };

/** Histories per register beyond this are split-checked by the caller's workload design. */
export const MAX_OPS_PER_REGISTER = 64;

/**
 * Searches for a sequential order of the operations, consistent with real time, in which every
 * read returns the latest write (initially `initial`). Writes with an unknown outcome may take
 * effect at any point after their invocation or never. Memoises visited (linearized set, value)
 * states, which keeps small histories fast.
 */
export function checkRegister(opsIn: readonly RegisterOp[], initial = 0): LinearizabilityResult {
  const ops = [...opsIn].sort((a, b) => a.invoke - b.invoke);
  const n = ops.length;
  if (n > MAX_OPS_PER_REGISTER) throw new Error(`register history of ${n} operations exceeds ${MAX_OPS_PER_REGISTER}`);
  let mustLo = 0;
  let mustHi = 0;
  for (let i = 0; i < n; i++) {
    if (ops[i]!.complete !== Infinity) {
      if (i < 32) mustLo |= 1 << i;
      else mustHi |= 1 << (i - 32);
    }
  }
  mustLo >>>= 0;
  mustHi >>>= 0;
  const seen = new Set<string>();
  let deepest = 0;

  const search = (lo: number, hi: number, value: number, depth: number): boolean => {
    if (((lo & mustLo) >>> 0) === mustLo && ((hi & mustHi) >>> 0) === mustHi) return true;
    const key = `${lo}:${hi}:${value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    if (depth > deepest) deepest = depth;
    // An operation can go next only if it was invoked before every pending operation completed.
    let horizon = Infinity;
    for (let i = 0; i < n; i++) {
      const taken = i < 32 ? (lo >>> i) & 1 : (hi >>> (i - 32)) & 1;
      if (!taken && ops[i]!.complete < horizon) horizon = ops[i]!.complete;
    }
    for (let i = 0; i < n; i++) {
      const op = ops[i]!;
      if (op.invoke > horizon) break;
      const taken = i < 32 ? (lo >>> i) & 1 : (hi >>> (i - 32)) & 1;
      if (taken) continue;
      if (op.kind === 'read' && op.value !== value) continue;
      const nlo = i < 32 ? (lo | (1 << i)) >>> 0 : lo;
      const nhi = i < 32 ? hi : (hi | (1 << (i - 32))) >>> 0;
      if (search(nlo, nhi, op.kind === 'write' ? op.value : value, depth + 1)) return true;
    }
    return false;
  };

  if (search(0, 0, initial, 0)) return { ok: true };
  return { ok: false, detail: `no linearization of ${n} operations (deepest prefix ${deepest})` };
}

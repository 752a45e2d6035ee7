// Cardinalities and key formulas of TPC-H clause 4.2.3 for a scale factor, plus the --parts key-range split.

/** Rows per SF of the scaled tables (clause 4.2.5.2). */
export const BASE_ROWS = {
  supplier: 10_000,
  part: 200_000,
  partsupp: 800_000,
  customer: 150_000,
  orders: 1_500_000,
} as const;

/** floor(sf * base), tolerant of binary fractions such as 0.3 * 150000 = 44999.99999999999. */
export function scaled(sf: number, base: number): number {
  return Math.floor(sf * base + 1e-6);
}

/** The cardinalities and ranges generation needs for one scale factor. */
export interface Scale {
  readonly sf: number;
  readonly suppliers: number;
  readonly parts: number;
  readonly customers: number;
  readonly orders: number;
  /** O_CLERK is drawn from [1, clerks]. */
  readonly clerks: number;
  /** Rows of SUPPLIER with "Customer%Complaints" (and as many with "Customer%Recommends"). */
  readonly complaintRows: number;
}

/** Validates `sf` and derives its {@link Scale}. */
export function scaleFor(sf: number): Scale {
  if (!Number.isFinite(sf) || sf <= 0) throw new RangeError(`scale factor must be positive, got ${sf}`);
  // At least 4, so that every part can have 4 distinct suppliers.
  const suppliers = Math.max(4, scaled(sf, BASE_ROWS.supplier));
  return {
    sf,
    suppliers,
    parts: Math.max(1, scaled(sf, BASE_ROWS.part)),
    customers: Math.max(3, scaled(sf, BASE_ROWS.customer)),
    orders: Math.max(1, scaled(sf, BASE_ROWS.orders)),
    clerks: Math.max(1, scaled(sf, 1000)),
    // SF * 5 each; at least one below SF 0.2 so Q16's exclusion still has something to exclude.
    complaintRows: Math.min(Math.floor(suppliers / 2), Math.max(1, Math.ceil(sf * 5 - 1e-6))),
  };
}

/**
 * O_ORDERKEY of the order with 0-based index `i`: the first 8 keys of every 32 are used
 * (clause 4.2.3: sparse keys, 25% of [1, SF * 6,000,000]).
 */
export function orderKeyOf(i: number): number {
  return Math.floor(i / 8) * 32 + (i % 8) + 1;
}

/** The spec's formula: (partkey + (i * ((S/4) + (int)(partkey-1)/S))) modulo S + 1. */
function specSuppKey(partKey: number, i: number, suppliers: number): number {
  return ((partKey + i * (Math.floor(suppliers / 4) + Math.floor((partKey - 1) / suppliers))) % suppliers) + 1;
}

/**
 * PS_SUPPKEY / L_SUPPKEY of supplier number `i` (0..3) of part `partKey` with S suppliers, by
 * the spec's formula. Below S = 100 (SF < 0.01) the formula can give one part the same supplier
 * twice, which would break PARTSUPP's primary key; there a repeated key moves on to the next
 * supplier not yet used by that part. From SF 0.01 up this never triggers.
 */
export function suppKeyOf(partKey: number, i: number, suppliers: number): number {
  if (suppliers >= 100) return specSuppKey(partKey, i, suppliers);
  const used: number[] = [];
  let key = 0;
  for (let suppIdx = 0; suppIdx <= i; suppIdx++) {
    key = specSuppKey(partKey, suppIdx, suppliers);
    while (used.includes(key)) key = (key % suppliers) + 1;
    used.push(key);
  }
  return key;
}

/** P_RETAILPRICE in cents: 90000 + ((partkey/10) modulo 20001) + 100 * (partkey modulo 1000). */
export function retailPriceCents(partKey: number): number {
  return 90000 + (Math.floor(partKey / 10) % 20001) + 100 * (partKey % 1000);
}

/**
 * Maps a uniform r in [0, customers - floor(customers/3)) onto the customer keys not divisible
 * by 3 (O_CUSTKEY must satisfy O_CUSTKEY mod 3 != 0): 0->1, 1->2, 2->4, 3->5, ...
 */
export function orderCustKeyOf(r: number): number {
  return r + Math.floor(r / 2) + 1;
}

/** How many customer keys in [1, customers] are not divisible by 3. */
export function orderableCustomers(customers: number): number {
  return customers - Math.floor(customers / 3);
}

/** Half-open unit range [from, to) of share `part` (1-based) of `parts` over `total` units. */
export function partRange(total: number, parts: number, part: number): { from: number; to: number } {
  if (!Number.isInteger(parts) || parts < 1) throw new RangeError(`--parts must be a positive integer, got ${parts}`);
  if (!Number.isInteger(part) || part < 1 || part > parts) throw new RangeError(`--part must be in 1..${parts}, got ${part}`);
  return { from: Math.floor((total * (part - 1)) / parts), to: Math.floor((total * part) / parts) };
}

// Where decoded vectors get their memory: fresh typed arrays (the default; vectors live as long
// as anyone holds them) or a scan's recycling frames (vectors valid until the scan moves on).
//
// Fresh multi-hundred-KB allocations are costly where page faults are (VMs zero every new page),
// so a scan that is told its batches die at the next next() recycles the arrays of row groups
// the consumer is done with.

/** Hands out typed arrays of exactly n elements (views of possibly larger, reused arrays). */
export interface VectorAllocator {
  int32(n: number): Int32Array;
  uint32(n: number): Uint32Array;
  float64(n: number): Float64Array;
  uint8(n: number): Uint8Array;
  bigInt64(n: number): BigInt64Array;
}

/** Allocates new, zeroed arrays every time. */
export const FRESH_ALLOCATOR: VectorAllocator = {
  int32: (n) => new Int32Array(n),
  uint32: (n) => new Uint32Array(n),
  float64: (n) => new Float64Array(n),
  uint8: (n) => new Uint8Array(n),
  bigInt64: (n) => new BigInt64Array(n),
};

type Kind = 'int32' | 'uint32' | 'float64' | 'uint8' | 'bigInt64';
type Typed = Int32Array | Uint32Array | Float64Array | Uint8Array | BigInt64Array;

/**
 * One row group's allocations. Arrays are NOT zeroed when recycled: every decoder writes all n
 * elements it asks for (or zero-fills explicitly), which is checked by the codec tests.
 */
class Frame implements VectorAllocator {
  /** Arrays handed out by this frame, by kind; recycled when the frame is reused. */
  readonly used: Record<Kind, Typed[]> = { int32: [], uint32: [], float64: [], uint8: [], bigInt64: [] };
  free: Record<Kind, Typed[]> = { int32: [], uint32: [], float64: [], uint8: [], bigInt64: [] };

  private take<T extends Typed>(kind: Kind, n: number, make: (cap: number) => T): T {
    const pool = this.free[kind] as T[];
    for (let i = pool.length - 1; i >= 0; i--) {
      const a = pool[i]!;
      if (a.length >= n) {
        pool.splice(i, 1);
        (this.used[kind] as T[]).push(a);
        return a.subarray(0, n) as T;
      }
    }
    // Round capacities up so arrays fit the next row group of a similar size.
    const cap = n <= 1024 ? 1024 : 2 ** Math.ceil(Math.log2(n));
    const a = make(cap);
    (this.used[kind] as T[]).push(a);
    return a.subarray(0, n) as T;
  }

  int32(n: number): Int32Array { return this.take('int32', n, (c) => new Int32Array(c)); }
  uint32(n: number): Uint32Array { return this.take('uint32', n, (c) => new Uint32Array(c)); }
  float64(n: number): Float64Array { return this.take('float64', n, (c) => new Float64Array(c)); }
  uint8(n: number): Uint8Array { return this.take('uint8', n, (c) => new Uint8Array(c)); }
  bigInt64(n: number): BigInt64Array { return this.take('bigInt64', n, (c) => new BigInt64Array(c)); }

  /** Makes everything handed out reusable (the consumer is done with it). */
  recycle(): void {
    for (const k of Object.keys(this.used) as Kind[]) {
      this.free[k] = this.free[k].concat(this.used[k]);
      this.used[k] = [];
    }
  }
}

/**
 * A ring of frames, one per row group in flight: the k-th frame handed out reuses the arrays of
 * the (k − ring)-th, which the consumer has finished with once it asked for later batches.
 */
export class RecyclingAllocator {
  private readonly frames: Frame[];
  private seq = 0;

  constructor(private readonly ring: number) {
    this.frames = Array.from({ length: ring }, () => new Frame());
  }

  /** The allocator for the next row group, reusing the arrays of the row group `ring` steps back. */
  next(): VectorAllocator {
    const f = this.frames[this.seq++ % this.ring]!;
    f.recycle();
    return f;
  }
}

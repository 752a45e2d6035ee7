// A mergeable quantile sketch (Karnin, Lang and Liberty, "Optimal Quantile Approximation in
// Streams", 2016): values sit in levels of compactors; an item on level h stands for 2^h inputs.
// When a level fills up it is sorted and every other item (odd or even positions, by a coin flip)
// moves one level up, so memory stays about 3k items whatever the input size, and two sketches
// merge by concatenating their levels and compacting. Until level 0 first fills (k values) the
// sketch holds every value and its quantiles are exact.
//
// The coin comes from a fixed-seed generator, so a sketch fed the same values in the same order
// gives the same answer every time.

/** Items the top level holds; lower levels hold 2/3 of the one above (at least MIN_CAPACITY). */
const DEFAULT_K = 1024;
const MIN_CAPACITY = 8;

export class QuantileSketch<T> {
  /** levels[h]: items of weight 2^h. */
  readonly levels: T[][];
  /** Inputs seen. */
  count: number;
  private seed = 0x9e3779b9;

  constructor(private readonly compare: (a: T, b: T) => number, levels: T[][] = [[]], count = 0, private readonly k = DEFAULT_K) {
    this.levels = levels.length > 0 ? levels : [[]];
    this.count = count;
  }

  add(v: T): void {
    this.levels[0]!.push(v);
    this.count++;
    if (this.levels[0]!.length >= this.capacity(0)) this.compress();
  }

  /** Adds the other sketch's items (it is left as it was). */
  merge(other: QuantileSketch<T>): void {
    other.levels.forEach((items, h) => {
      while (this.levels.length <= h) this.levels.push([]);
      for (const v of items) this.levels[h]!.push(v);
    });
    this.count += other.count;
    this.compress();
  }

  /**
   * The first value (in order) whose cumulative weight reaches `fraction` of the total, as
   * percentile_disc picks it; undefined when the sketch is empty.
   */
  quantile(fraction: number): T | undefined {
    const items: { v: T; w: number }[] = [];
    this.levels.forEach((level, h) => { for (const v of level) items.push({ v, w: 2 ** h }); });
    if (items.length === 0) return undefined;
    items.sort((a, b) => this.compare(a.v, b.v));
    const total = items.reduce((s, x) => s + x.w, 0);
    const target = fraction * total;
    let seen = 0;
    for (const x of items) {
      seen += x.w;
      if (seen >= target) return x.v;
    }
    return items[items.length - 1]!.v;
  }

  private capacity(h: number): number {
    const depth = this.levels.length - 1 - h;
    return Math.max(MIN_CAPACITY, Math.ceil(this.k * (2 / 3) ** depth));
  }

  /** Compacts every level over its capacity, lowest first (a compaction can fill the next level). */
  private compress(): void {
    for (let h = 0; h < this.levels.length; h++) {
      const level = this.levels[h]!;
      if (level.length < this.capacity(h)) continue;
      if (h + 1 === this.levels.length) this.levels.push([]);
      level.sort(this.compare);
      // An odd item out stays on this level.
      const keep = level.length % 2 === 1 ? level.pop() : undefined;
      const up = this.levels[h + 1]!;
      for (let i = this.coin(); i < level.length; i += 2) up.push(level[i]!);
      level.length = 0;
      if (keep !== undefined) level.push(keep);
    }
  }

  /** 0 or 1 from a xorshift generator. */
  private coin(): number {
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed & 1;
  }
}

// PostgreSQL intervals: months, days and microseconds kept apart, as PostgreSQL does.

/** An interval value. */
export class Interval {
  constructor(readonly months: number, readonly days: number, readonly micros: bigint) {}

  /** PostgreSQL's default IntervalStyle 'postgres' output, e.g. "1 year 2 mons 3 days 04:05:06". */
  toString(): string {
    const parts: string[] = [];
    const years = Math.trunc(this.months / 12);
    const mons = this.months % 12;
    if (years !== 0) parts.push(`${years} year${years === 1 ? '' : 's'}`);
    if (mons !== 0) parts.push(`${mons} mon${mons === 1 ? '' : 's'}`);
    if (this.days !== 0) parts.push(`${this.days} day${this.days === 1 ? '' : 's'}`);
    if (this.micros !== 0n || parts.length === 0) {
      const neg = this.micros < 0n;
      let us = neg ? -this.micros : this.micros;
      const h = us / 3_600_000_000n; us %= 3_600_000_000n;
      const m = us / 60_000_000n; us %= 60_000_000n;
      const s = us / 1_000_000n; us %= 1_000_000n;
      let t = `${h.toString().padStart(2, '0')}:${m.toString().padStart(2, '0')}:${s.toString().padStart(2, '0')}`;
      if (us !== 0n) t += '.' + us.toString().padStart(6, '0').replace(/0+$/, '');
      const sign = neg ? '-' : (parts.length > 0 && (this.months < 0 || this.days < 0) ? '+' : '');
      parts.push(sign + t);
    }
    return parts.join(' ');
  }
}

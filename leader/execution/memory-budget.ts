// A per-statement cap on what the leader materialises (rows × columns), so one big query fails
// with 53200 instead of exhausting the leader's heap and taking every session down with it.
import { SqlError, SqlState } from '../../common/errors/index.ts';

/** Default cap on values held at once by one statement on the leader. */
export const DEFAULT_LEADER_CELLS = Number(process.env.COLONNADE_LEADER_MEMORY_CELLS ?? 40_000_000);

/** Counts materialised values and refuses to go past the limit. */
export class MemoryBudget {
  private used = 0;

  constructor(private readonly limitCells = DEFAULT_LEADER_CELLS) {}

  /** Accounts for `rows` rows of `width` values; throws 53200 past the limit. */
  charge(rows: number, width: number): void {
    this.used += rows * Math.max(width, 1);
    if (this.used > this.limitCells) {
      throw new SqlError(SqlState.OUT_OF_MEMORY, 'out of memory: the query needs more leader memory than allowed', {
        detail: `More than ${this.limitCells} values would be held on the leader (joins and sorts run there for now).`,
        hint: 'Add filters or join conditions, or raise COLONNADE_LEADER_MEMORY_CELLS.',
      });
    }
  }

  /** Gives back what a finished step held. */
  release(rows: number, width: number): void {
    this.used = Math.max(0, this.used - rows * Math.max(width, 1));
  }
}

// A per-statement cap on what one process materialises (rows × columns), so one big query fails
// with 53200 instead of exhausting the heap and taking every session (or a compute node) down.
import { SqlError, SqlState } from './errors/index.ts';

/** Where a budget applies: named in the error, with the variable that raises it. */
export interface BudgetPlace {
  readonly name: string;
  readonly setting: string;
}

/** The leader: joins on the leader, final sorts and aggregations. */
export const LEADER_PLACE: BudgetPlace = { name: 'leader', setting: 'COLONNADE_LEADER_MEMORY_CELLS' };
/** A compute node running one statement's fragment (e.g. the inputs of a join on the slices). */
export const SLICE_PLACE: BudgetPlace = { name: 'compute node', setting: 'COLONNADE_SLICE_MEMORY_CELLS' };

/** Default cap on values held at once by one statement on the leader. */
export const DEFAULT_LEADER_CELLS = Number(process.env.COLONNADE_LEADER_MEMORY_CELLS ?? 40_000_000);
/** Default cap on values one statement's join inputs may hold on a compute node. */
export const DEFAULT_SLICE_CELLS = Number(process.env.COLONNADE_SLICE_MEMORY_CELLS ?? 40_000_000);

/** Counts materialised values and refuses to go past the limit. */
export class MemoryBudget {
  private used = 0;

  constructor(private readonly limitCells = DEFAULT_LEADER_CELLS, private readonly place: BudgetPlace = LEADER_PLACE) {}

  /** Accounts for `rows` rows of `width` values; throws 53200 past the limit. */
  charge(rows: number, width: number): void {
    this.used += rows * Math.max(width, 1);
    if (this.used > this.limitCells) {
      throw new SqlError(SqlState.OUT_OF_MEMORY, `out of memory: the query needs more ${this.place.name} memory than allowed`, {
        detail: `More than ${this.limitCells} values would be held on the ${this.place.name}.`,
        hint: `Add filters or join conditions, or raise ${this.place.setting}.`,
      });
    }
  }

  /** Gives back what a finished step held. */
  release(rows: number, width: number): void {
    this.used = Math.max(0, this.used - rows * Math.max(width, 1));
  }
}

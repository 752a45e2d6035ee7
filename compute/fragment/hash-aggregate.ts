// Grouping with aggregate states: partial on each slice (accumulate), final on the leader (merge).
import { internalError } from '../../common/errors/index.ts';
import { datumKey } from '../../sql/expr/compare.ts';
import { resolveAggregate, type AggState, type AggregateImpl } from '../../sql/functions/aggregates.ts';
import type { Datum } from '../../sql/types/datum.ts';
import type { SqlType } from '../../sql/types/sql-type.ts';
import type { AggSpec } from './fragment.ts';

interface Group {
  readonly keys: Datum[];
  readonly states: AggState[];
  /** Per DISTINCT aggregate: the distinct values seen (by key). */
  readonly distinct: (Map<DistinctKey, Datum> | null)[];
}

/** A DISTINCT value's key: numbers, strings and bigints as themselves (a Map compares them by value, NaN and -0 as SQL does), the rest as datumKey's text. */
type DistinctKey = string | number | bigint;

function distinctKey(v: Datum): DistinctKey {
  return typeof v === 'number' || typeof v === 'string' || typeof v === 'bigint' ? v : datumKey(v);
}

/** Key values a Map tells apart as the key strings would (SameValueZero: -0 is 0, NaN is NaN). */
type Primitive = number | bigint | string | boolean | null;

function isPrimitive(v: Datum): boolean {
  return v === null || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string' || typeof v === 'boolean';
}

/** An aggregate as the table needs it: implementation plus whether it is DISTINCT. */
export interface AggSlot {
  readonly impl: AggregateImpl;
  readonly distinct: boolean;
  /** count(*) takes no argument. */
  readonly star: boolean;
}

/** Resolves the implementations for aggregate calls given their argument types. */
export function aggSlots(specs: readonly { name: string; argType: SqlType | null; distinct: boolean; options?: readonly Datum[] }[]): AggSlot[] {
  return specs.map((s) => {
    const impl = resolveAggregate(s.name, s.argType, s.options);
    if (!impl) throw internalError(`aggregate ${s.name} unresolved`);
    return { impl, distinct: s.distinct, star: s.argType === null };
  });
}

/** The slots of a fragment's aggregate calls (argument types from their bound arguments). */
export function fragmentAggSlots(aggs: readonly AggSpec[]): AggSlot[] {
  return aggSlots(aggs.map((a) => ({ name: a.name, argType: a.arg ? a.arg.type : null, distinct: a.distinct, ...(a.options ? { options: a.options } : {}) })));
}

/** A hash table of groups. */
export class HashAggregate {
  private readonly groups = new Map<string, Group>();
  /**
   * One key column holding a number, bigint, string or boolean: the value itself is the map key
   * (equal exactly when datumKey's strings are: -0 and 0, NaN and NaN alike), no key string built.
   */
  private readonly byValue = new Map<number | bigint | string | boolean, Group>();
  /**
   * Several key columns whose values are all primitives (or NULL): one map level per column, keyed
   * by the values themselves, so no key string is built per row. Leaves are Groups.
   */
  private readonly nested = new Map<Primitive, unknown>();
  private readonly nestedGroups: Group[] = [];

  constructor(private readonly slots: readonly AggSlot[], private readonly groupCount: number) {}

  /** Groups held. */
  get size(): number { return this.groups.size + this.byValue.size + this.nestedGroups.length; }

  private group(keys: Datum[]): Group {
    if (this.groupCount === 1) {
      const v = keys[0];
      if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string' || typeof v === 'boolean') {
        let g = this.byValue.get(v);
        if (!g) this.byValue.set(v, g = this.newGroup(keys));
        return g;
      }
    } else if (this.groupCount > 1 && keys.every(isPrimitive)) {
      let level = this.nested;
      const last = this.groupCount - 1;
      for (let c = 0; c < last; c++) {
        let next = level.get(keys[c] as Primitive) as Map<Primitive, unknown> | undefined;
        if (next === undefined) level.set(keys[c] as Primitive, next = new Map());
        level = next;
      }
      let g = level.get(keys[last] as Primitive) as Group | undefined;
      if (g === undefined) {
        level.set(keys[last] as Primitive, g = this.newGroup(keys));
        this.nestedGroups.push(g);
      }
      return g;
    }
    let k = '';
    for (const v of keys) k += datumKey(v) + '\u0001';
    let g = this.groups.get(k);
    if (!g) this.groups.set(k, g = this.newGroup(keys));
    return g;
  }

  private newGroup(keys: Datum[]): Group {
    return { keys, states: this.slots.map((s) => s.impl.init()), distinct: this.slots.map((s) => (s.distinct ? new Map() : null)) };
  }

  /** Every group, whichever map holds it. */
  private *allGroups(): Generator<Group> {
    yield* this.byValue.values();
    yield* this.nestedGroups;
    yield* this.groups.values();
  }

  /**
   * Adds one input row: its group keys and aggregate argument values (`args2`: the second
   * arguments of two-argument aggregates, by the same index).
   */
  accumulate(keys: Datum[], args: readonly Datum[], args2?: readonly Datum[]): void {
    const g = this.group(keys);
    for (let i = 0; i < this.slots.length; i++) {
      const slot = this.slots[i]!;
      const v = args[i] ?? null;
      if (v === null && !slot.star && slot.impl.acceptsNull !== true) continue;
      const two = slot.impl.accumulate2;
      if (two) {
        g.states[i] = two(g.states[i]!, v, args2?.[i] ?? null);
        continue;
      }
      const d = g.distinct[i];
      if (d) d.set(distinctKey(v), v);
      else g.states[i] = slot.impl.accumulate(g.states[i]!, v);
    }
  }

  /** Adds a partial row [keys..., states...] from a slice (DISTINCT states are value lists). */
  merge(row: readonly Datum[] | readonly (Datum | Datum[])[]): void {
    const keys = row.slice(0, this.groupCount) as Datum[];
    const g = this.group(keys);
    for (let i = 0; i < this.slots.length; i++) {
      const state = row[this.groupCount + i] as AggState;
      const d = g.distinct[i];
      if (d) for (const v of state as Datum[]) d.set(distinctKey(v), v);
      else g.states[i] = this.slots[i]!.impl.merge(g.states[i]!, state);
    }
  }

  /** Partial rows to send on: [keys..., states...] with DISTINCT values as lists. */
  partialRows(): (Datum | Datum[])[][] {
    const out: (Datum | Datum[])[][] = [];
    for (const g of this.allGroups()) {
      const row: (Datum | Datum[])[] = [...g.keys];
      for (let i = 0; i < this.slots.length; i++) {
        const d = g.distinct[i];
        row.push(d ? [...d.values()] : (g.states[i] as Datum | Datum[]));
      }
      out.push(row);
    }
    return out;
  }

  /** Final rows [keys..., results...]. With no GROUP BY and no input, one row of empty aggregates. */
  finalRows(): Datum[][] {
    if (this.size === 0 && this.groupCount === 0) this.group([]);
    const out: Datum[][] = [];
    for (const g of this.allGroups()) {
      const row: Datum[] = [...g.keys];
      for (let i = 0; i < this.slots.length; i++) {
        const slot = this.slots[i]!;
        const d = g.distinct[i];
        let state: AggState = g.states[i] ?? null;
        if (d) {
          state = slot.impl.init();
          for (const v of d.values()) state = slot.impl.accumulate(state, v);
        }
        row.push(slot.impl.finalize(state));
      }
      out.push(row);
    }
    return out;
  }
}

// Substitution parameters (clause 2.4.x.3): the validation set, and a qgen-like seeded generator of other valid sets.
import {
  COLORS, CONTAINERS, MODES, NATIONS, Q13_WORD1, Q13_WORD2, REGIONS, SEGMENTS, TYPES, TYPE_SYLLABLES,
} from '../gen/distributions.ts';
import { SequentialRandom } from '../gen/random-stream.ts';
import { queryTemplate } from './templates.ts';

/** Placeholder name -> text, for one query. */
export type QueryParams = Readonly<Record<string, string>>;

/** Clause 2.4.x.4 validation parameters (Q11's FRACTION is 0.0001 / SF). */
export function validationParams(id: number, sf: number): QueryParams {
  switch (id) {
    case 1: return { DELTA: '90' };
    case 2: return { SIZE: '15', TYPE: 'BRASS', REGION: 'EUROPE' };
    case 3: return { SEGMENT: 'BUILDING', DATE: '1995-03-15' };
    case 4: return { DATE: '1993-07-01' };
    case 5: return { REGION: 'ASIA', DATE: '1994-01-01' };
    case 6: return { DATE: '1994-01-01', DISCOUNT: '0.06', QUANTITY: '24' };
    case 7: return { NATION1: 'FRANCE', NATION2: 'GERMANY' };
    case 8: return { NATION: 'BRAZIL', REGION: 'AMERICA', TYPE: 'ECONOMY ANODIZED STEEL' };
    case 9: return { COLOR: 'green' };
    case 10: return { DATE: '1993-10-01' };
    case 11: return { NATION: 'GERMANY', FRACTION: fraction(sf) };
    case 12: return { SHIPMODE1: 'MAIL', SHIPMODE2: 'SHIP', DATE: '1994-01-01' };
    case 13: return { WORD1: 'special', WORD2: 'requests' };
    case 14: return { DATE: '1995-09-01' };
    case 15: return { DATE: '1996-01-01' };
    case 16: return {
      BRAND: 'Brand#45', TYPE: 'MEDIUM POLISHED',
      SIZE1: '49', SIZE2: '14', SIZE3: '23', SIZE4: '45', SIZE5: '19', SIZE6: '3', SIZE7: '36', SIZE8: '9',
    };
    case 17: return { BRAND: 'Brand#23', CONTAINER: 'MED BOX' };
    case 18: return { QUANTITY: '300' };
    case 19: return {
      QUANTITY1: '1', QUANTITY2: '10', QUANTITY3: '20', BRAND1: 'Brand#12', BRAND2: 'Brand#23', BRAND3: 'Brand#34',
    };
    case 20: return { COLOR: 'forest', DATE: '1994-01-01', NATION: 'CANADA' };
    case 21: return { NATION: 'SAUDI ARABIA' };
    case 22: return { I1: '13', I2: '31', I3: '23', I4: '29', I5: '30', I6: '18', I7: '17' };
    default: throw new RangeError(`TPC-H has queries 1..22, not ${id}`);
  }
}

/** Q11's FRACTION: 0.0001 / SF, printed without binary noise. */
function fraction(sf: number): string {
  return String(Number((0.0001 / sf).toPrecision(6)));
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
const ymd = (y: number, m: number, d: number): string => `${y}-${pad2(m)}-${pad2(d)}`;

/** Distinct picks of `count` values from [lo, hi]. */
function distinctInts(rng: SequentialRandom, count: number, lo: number, hi: number): number[] {
  const out: number[] = [];
  while (out.length < count) {
    const v = lo + rng.below(hi - lo + 1);
    if (!out.includes(v)) out.push(v);
  }
  return out;
}

const pick = <T>(rng: SequentialRandom, list: readonly T[]): T => list[rng.below(list.length)]!;
const brand = (rng: SequentialRandom): string => `Brand#${1 + rng.below(5)}${1 + rng.below(5)}`;
/** First day of a random month, months counted from January 1993 (offset 0) up to `lastOffset`. */
const monthStart = (rng: SequentialRandom, firstOffset: number, lastOffset: number): string => {
  const m = firstOffset + rng.below(lastOffset - firstOffset + 1);
  return ymd(1993 + Math.floor(m / 12), (m % 12) + 1, 1);
};
const yearStart = (rng: SequentialRandom): string => ymd(1993 + rng.below(5), 1, 1);

/**
 * A random valid parameter set for query `id`, following each query's substitution rules
 * (clause 2.4.x.3). Deterministic in (seed, id, sf).
 */
export function randomParams(id: number, seed: number, sf: number): QueryParams {
  const rng = new SequentialRandom((Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(id, 0x85ebca77)) >>> 0);
  switch (id) {
    case 1: return { DELTA: String(60 + rng.below(61)) };
    case 2: return { SIZE: String(1 + rng.below(50)), TYPE: pick(rng, TYPE_SYLLABLES[2]!), REGION: pick(rng, REGIONS) };
    case 3: return { SEGMENT: pick(rng, SEGMENTS.words), DATE: ymd(1995, 3, 1 + rng.below(31)) };
    case 4: return { DATE: monthStart(rng, 0, 57) };
    case 5: return { REGION: pick(rng, REGIONS), DATE: yearStart(rng) };
    case 6: return {
      DATE: yearStart(rng),
      DISCOUNT: `0.0${2 + rng.below(8)}`,
      QUANTITY: String(24 + rng.below(2)),
    };
    case 7: {
      const [a, b] = distinctInts(rng, 2, 0, NATIONS.length - 1);
      return { NATION1: NATIONS[a!]!.name, NATION2: NATIONS[b!]!.name };
    }
    case 8: {
      const nation = pick(rng, NATIONS);
      return { NATION: nation.name, REGION: REGIONS[nation.regionKey]!, TYPE: pick(rng, TYPES.words) };
    }
    case 9: return { COLOR: pick(rng, COLORS) };
    case 10: return { DATE: monthStart(rng, 1, 24) };
    case 11: return { NATION: pick(rng, NATIONS).name, FRACTION: fraction(sf) };
    case 12: {
      const [a, b] = distinctInts(rng, 2, 0, MODES.words.length - 1);
      return { SHIPMODE1: MODES.words[a!]!, SHIPMODE2: MODES.words[b!]!, DATE: yearStart(rng) };
    }
    case 13: return { WORD1: pick(rng, Q13_WORD1), WORD2: pick(rng, Q13_WORD2) };
    case 14: return { DATE: monthStart(rng, 0, 59) };
    case 15: return { DATE: monthStart(rng, 0, 57) };
    case 16: {
      const sizes = distinctInts(rng, 8, 1, 50);
      const params: Record<string, string> = {
        BRAND: brand(rng),
        TYPE: `${pick(rng, TYPE_SYLLABLES[0]!)} ${pick(rng, TYPE_SYLLABLES[1]!)}`,
      };
      sizes.forEach((s, sizeIdx) => { params[`SIZE${sizeIdx + 1}`] = String(s); });
      return params;
    }
    case 17: return { BRAND: brand(rng), CONTAINER: pick(rng, CONTAINERS.words) };
    case 18: return { QUANTITY: String(312 + rng.below(4)) };
    case 19: return {
      QUANTITY1: String(1 + rng.below(10)), QUANTITY2: String(10 + rng.below(11)), QUANTITY3: String(20 + rng.below(11)),
      BRAND1: brand(rng), BRAND2: brand(rng), BRAND3: brand(rng),
    };
    case 20: return { COLOR: pick(rng, COLORS), DATE: yearStart(rng), NATION: pick(rng, NATIONS).name };
    case 21: return { NATION: pick(rng, NATIONS).name };
    case 22: {
      const codes = distinctInts(rng, 7, 10, 34);
      const params: Record<string, string> = {};
      codes.forEach((c, codeIdx) => { params[`I${codeIdx + 1}`] = String(c); });
      return params;
    }
    default: throw new RangeError(`TPC-H has queries 1..22, not ${id}`);
  }
}

/** The query text with every [NAME] replaced; throws if a placeholder has no value. */
export function renderQuery(id: number, params: QueryParams): string {
  return queryTemplate(id).sql.replace(/\[([A-Z0-9]+)\]/g, (_m, name: string) => {
    const v = params[name];
    if (v === undefined) throw new RangeError(`query ${id}: no value for [${name}]`);
    return v;
  });
}

/** One ready-to-run query. */
export interface TpchQuery {
  id: number;
  sql: string;
  params: QueryParams;
}

/**
 * The 22 queries for a scale factor: validation parameters when `seed` is undefined (the
 * spec's qualification set), otherwise the seeded substitution set.
 */
export function tpchQueries(sf: number, seed?: number): TpchQuery[] {
  const out: TpchQuery[] = [];
  for (let id = 1; id <= 22; id++) {
    const params = seed === undefined ? validationParams(id, sf) : randomParams(id, seed, sf);
    out.push({ id, sql: renderQuery(id, params), params });
  }
  return out;
}

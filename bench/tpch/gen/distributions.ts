// The value lists of TPC-H clause 4.2.2.13 and 4.2.3: nations, regions, part syllables, and the pseudo-text word lists with weights.

/** A weighted list: pick by a uniform integer in [0, total). Words are pre-encoded for the hot path. */
export interface Distribution {
  readonly words: readonly string[];
  readonly bytes: readonly Buffer[];
  /** cumulative[i] = sum of weights 0..i. */
  readonly cumulative: Int32Array;
  readonly total: number;
  /** lookup[r] = index of the word chosen by r in [0, total): O(1) weighted picks. */
  readonly lookup: Uint8Array;
}

/** Builds a {@link Distribution} from `[word, weight]` pairs. */
export function distribution(entries: ReadonlyArray<readonly [string, number]>): Distribution {
  const cumulative = new Int32Array(entries.length);
  let total = 0;
  for (let entryIdx = 0; entryIdx < entries.length; entryIdx++) {
    total += entries[entryIdx]![1];
    cumulative[entryIdx] = total;
  }
  const lookup = new Uint8Array(total);
  let wordIdx = 0;
  for (let r = 0; r < total; r++) {
    while (cumulative[wordIdx]! <= r) wordIdx++;
    lookup[r] = wordIdx;
  }
  return {
    words: entries.map((e) => e[0]),
    bytes: entries.map((e) => Buffer.from(e[0], 'latin1')),
    cumulative,
    total,
    lookup,
  };
}

/** A distribution where every word weighs 1. */
export function uniform(words: readonly string[]): Distribution {
  return distribution(words.map((w) => [w, 1] as const));
}

/** Index of the word selected by `r` in [0, d.total): the first whose cumulative weight exceeds r. */
export function pickIndex(d: Distribution, r: number): number {
  return d.lookup[r]!;
}

/** The 5 regions in key order (R_REGIONKEY = index). */
export const REGIONS: readonly string[] = ['AFRICA', 'AMERICA', 'ASIA', 'EUROPE', 'MIDDLE EAST'];

/** The 25 nations in key order with their region keys (clause 4.2.3). */
export const NATIONS: ReadonlyArray<{ readonly name: string; readonly regionKey: number }> = [
  { name: 'ALGERIA', regionKey: 0 }, { name: 'ARGENTINA', regionKey: 1 }, { name: 'BRAZIL', regionKey: 1 },
  { name: 'CANADA', regionKey: 1 }, { name: 'EGYPT', regionKey: 4 }, { name: 'ETHIOPIA', regionKey: 0 },
  { name: 'FRANCE', regionKey: 3 }, { name: 'GERMANY', regionKey: 3 }, { name: 'INDIA', regionKey: 2 },
  { name: 'INDONESIA', regionKey: 2 }, { name: 'IRAN', regionKey: 4 }, { name: 'IRAQ', regionKey: 4 },
  { name: 'JAPAN', regionKey: 2 }, { name: 'JORDAN', regionKey: 4 }, { name: 'KENYA', regionKey: 0 },
  { name: 'MOROCCO', regionKey: 0 }, { name: 'MOZAMBIQUE', regionKey: 0 }, { name: 'PERU', regionKey: 1 },
  { name: 'CHINA', regionKey: 2 }, { name: 'ROMANIA', regionKey: 3 }, { name: 'SAUDI ARABIA', regionKey: 4 },
  { name: 'VIETNAM', regionKey: 2 }, { name: 'RUSSIA', regionKey: 3 }, { name: 'UNITED KINGDOM', regionKey: 3 },
  { name: 'UNITED STATES', regionKey: 1 },
];

/** P_TYPE syllables 1, 2, 3. */
export const TYPE_SYLLABLES: readonly (readonly string[])[] = [
  ['STANDARD', 'SMALL', 'MEDIUM', 'LARGE', 'ECONOMY', 'PROMO'],
  ['ANODIZED', 'BURNISHED', 'PLATED', 'POLISHED', 'BRUSHED'],
  ['TIN', 'NICKEL', 'BRASS', 'STEEL', 'COPPER'],
];

/** P_CONTAINER syllables 1, 2. */
export const CONTAINER_SYLLABLES: readonly (readonly string[])[] = [
  ['SM', 'LG', 'MED', 'JUMBO', 'WRAP'],
  ['CASE', 'BOX', 'BAG', 'JAR', 'PACK', 'PKG', 'CAN', 'DRUM'],
];

function combine(syllables: readonly (readonly string[])[]): string[] {
  let out: string[] = [''];
  for (const list of syllables) {
    const next: string[] = [];
    for (const prefix of out) for (const s of list) next.push(prefix === '' ? s : `${prefix} ${s}`);
    out = next;
  }
  return out;
}

/** All 150 part types. */
export const TYPES = uniform(combine(TYPE_SYLLABLES));
/** All 40 containers. */
export const CONTAINERS = uniform(combine(CONTAINER_SYLLABLES));
/** Market segments. */
export const SEGMENTS = uniform(['AUTOMOBILE', 'BUILDING', 'FURNITURE', 'HOUSEHOLD', 'MACHINERY']);
/** Order priorities. */
export const PRIORITIES = uniform(['1-URGENT', '2-HIGH', '3-MEDIUM', '4-NOT SPECIFIED', '5-LOW']);
/** Ship instructions. */
export const INSTRUCTIONS = uniform(['DELIVER IN PERSON', 'COLLECT COD', 'NONE', 'TAKE BACK RETURN']);
/** Ship modes. */
export const MODES = uniform(['REG AIR', 'AIR', 'RAIL', 'SHIP', 'TRUCK', 'MAIL', 'FOB']);

/** The 92 P_NAME colors. */
export const COLORS: readonly string[] = [
  'almond', 'antique', 'aquamarine', 'azure', 'beige', 'bisque', 'black', 'blanched', 'blue', 'blush',
  'brown', 'burlywood', 'burnished', 'chartreuse', 'chiffon', 'chocolate', 'coral', 'cornflower',
  'cornsilk', 'cream', 'cyan', 'dark', 'deep', 'dim', 'dodger', 'drab', 'firebrick', 'floral', 'forest',
  'frosted', 'gainsboro', 'ghost', 'goldenrod', 'green', 'grey', 'honeydew', 'hot', 'indian', 'ivory',
  'khaki', 'lace', 'lavender', 'lawn', 'lemon', 'light', 'lime', 'linen', 'magenta', 'maroon', 'medium',
  'metallic', 'midnight', 'mint', 'misty', 'moccasin', 'navajo', 'navy', 'olive', 'orange', 'orchid',
  'pale', 'papaya', 'peach', 'peru', 'pink', 'plum', 'powder', 'puff', 'purple', 'red', 'rose', 'rosy',
  'royal', 'saddle', 'salmon', 'sandy', 'seashell', 'sienna', 'sky', 'slate', 'smoke', 'snow', 'spring',
  'steel', 'tan', 'thistle', 'tomato', 'turquoise', 'violet', 'wheat', 'white', 'yellow',
];

/** Pseudo-text nouns. */
export const NOUNS = distribution([
  ['packages', 40], ['requests', 40], ['accounts', 40], ['deposits', 40], ['foxes', 20], ['ideas', 20],
  ['theodolites', 20], ['pinto beans', 20], ['instructions', 20], ['dependencies', 10], ['excuses', 10],
  ['platelets', 10], ['asymptotes', 10], ['courts', 5], ['dolphins', 5], ['multipliers', 1],
  ['sauternes', 1], ['warthogs', 1], ['frets', 1], ['dinos', 1], ['attainments', 1], ['somas', 1],
  ['Tiresias', 1], ['patterns', 1], ['forges', 1], ['braids', 1], ['frays', 1], ['warhorses', 1],
  ['dugouts', 1], ['notornis', 1], ['epitaphs', 1], ['pearls', 1], ['tithes', 1], ['waters', 1],
  ['orbits', 1], ['gifts', 1], ['sheaves', 1], ['depths', 1], ['sentiments', 1], ['decoys', 1],
  ['realms', 1], ['pains', 1], ['grouches', 1], ['escapades', 1], ['hockey players', 1],
]);

/** Pseudo-text verbs. */
export const VERBS = distribution([
  ['sleep', 20], ['wake', 20], ['are', 20], ['cajole', 20], ['haggle', 20], ['nag', 10], ['use', 10],
  ['boost', 10], ['affix', 5], ['detect', 5], ['integrate', 5], ['maintain', 1], ['nod', 1], ['was', 1],
  ['lose', 1], ['sublate', 1], ['solve', 1], ['thrash', 1], ['promise', 1], ['engage', 1], ['hinder', 1],
  ['print', 1], ['x-ray', 1], ['breach', 1], ['eat', 1], ['grow', 1], ['impress', 1], ['mold', 1],
  ['poach', 1], ['serve', 1], ['run', 1], ['dazzle', 1], ['snooze', 1], ['doze', 1], ['unwind', 1],
  ['kindle', 1], ['play', 1], ['hang', 1], ['believe', 1], ['doubt', 1],
]);

/** Pseudo-text adjectives. */
export const ADJECTIVES = distribution([
  ['special', 20], ['pending', 20], ['unusual', 20], ['express', 20], ['furious', 1], ['sly', 1],
  ['careful', 1], ['blithe', 1], ['quick', 1], ['fluffy', 1], ['slow', 1], ['quiet', 1], ['ruthless', 1],
  ['thin', 1], ['close', 1], ['dogged', 1], ['daring', 1], ['brave', 1], ['stealthy', 1], ['permanent', 1],
  ['enticing', 1], ['idle', 1], ['busy', 1], ['regular', 50], ['final', 40], ['ironic', 40], ['even', 30],
  ['bold', 20], ['silent', 10],
]);

/** Pseudo-text adverbs. */
export const ADVERBS = distribution([
  ['sometimes', 1], ['always', 1], ['never', 1], ['furiously', 50], ['slyly', 50], ['carefully', 50],
  ['blithely', 40], ['quickly', 30], ['fluffily', 20], ['slowly', 1], ['quietly', 1], ['ruthlessly', 1],
  ['thinly', 1], ['closely', 1], ['doggedly', 1], ['daringly', 1], ['bravely', 1], ['stealthily', 1],
  ['permanently', 1], ['enticingly', 1], ['idly', 1], ['busily', 1], ['regularly', 1], ['finally', 1],
  ['ironically', 1], ['evenly', 1], ['boldly', 1], ['silently', 1],
]);

/** Pseudo-text prepositions. */
export const PREPOSITIONS = distribution([
  ['about', 50], ['above', 50], ['according to', 50], ['across', 50], ['after', 50], ['against', 40],
  ['along', 40], ['alongside of', 30], ['among', 30], ['around', 20], ['at', 10], ['atop', 1],
  ['before', 1], ['behind', 1], ['beneath', 1], ['beside', 1], ['besides', 1], ['between', 1],
  ['beyond', 1], ['by', 1], ['despite', 1], ['during', 1], ['except', 1], ['for', 1], ['from', 1],
  ['in place of', 1], ['inside', 1], ['instead of', 1], ['into', 1], ['near', 1], ['of', 1], ['on', 1],
  ['outside', 1], ['over', 1], ['past', 1], ['since', 1], ['through', 1], ['throughout', 1], ['to', 1],
  ['toward', 1], ['under', 1], ['until', 1], ['up', 1], ['upon', 1], ['without', 1], ['with', 1],
  ['within', 1],
]);

/** Pseudo-text auxiliaries. */
export const AUXILIARIES = distribution([
  ['do', 1], ['may', 1], ['might', 1], ['shall', 1], ['will', 1], ['would', 1], ['can', 1], ['could', 1],
  ['should', 1], ['ought to', 1], ['must', 1], ['will have to', 1], ['shall have to', 1],
  ['could have to', 1], ['should have to', 1], ['must have to', 1], ['need to', 1], ['try to', 1],
]);

/** Sentence terminators. */
export const TERMINATORS = distribution([['.', 50], [';', 1], [':', 1], ['?', 1], ['!', 1], ['--', 1]]);

/** Sentence forms: N noun phrase, V verb phrase, P prepositional phrase, T terminator. */
export const GRAMMAR = distribution([['NVT', 3], ['NVPT', 3], ['NVNT', 3], ['NPVNT', 1], ['NPVPT', 1]]);

/** Noun phrase forms: N noun, J adjective, D adverb, ',' a comma after the preceding word. */
export const NOUN_PHRASES = distribution([['N', 10], ['JN', 20], ['J,JN', 10], ['DJN', 50]]);

/** Verb phrase forms: V verb, X auxiliary, D adverb. */
export const VERB_PHRASES = distribution([['V', 30], ['XV', 1], ['VD', 40], ['XVD', 1]]);

/** Q13 substitution words (clause 2.4.13.3). */
export const Q13_WORD1: readonly string[] = ['special', 'pending', 'unusual', 'express'];
/** Q13 second word. */
export const Q13_WORD2: readonly string[] = ['packages', 'requests', 'accounts', 'deposits'];

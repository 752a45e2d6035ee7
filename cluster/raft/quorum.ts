// Majority arithmetic over a configuration's voters.

/** Votes needed to win among `voterCount` voters. */
export function majority(voterCount: number): number {
  return (voterCount >> 1) + 1;
}

/**
 * The largest index that a majority of `matches` (one per voter) have reached. Sorts in place.
 * Returns 0 for an empty list.
 */
export function majorityIndex(matches: number[]): number {
  if (matches.length === 0) return 0;
  matches.sort((a, b) => b - a);
  return matches[majority(matches.length) - 1]!;
}

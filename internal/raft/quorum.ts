import type { NodeId } from './types.js';

// Majority arithmetic for a single (non-joint) voter set. Pure functions, no state.

export type VoteResult = 'won' | 'lost' | 'pending';

/**
 * The highest index acknowledged by a majority of voters. With voters sorted by acked index
 * descending, it is the index at position (majority - 1). An empty voter set commits nothing.
 */
export function committedIndex(voters: Iterable<NodeId>, acked: (id: NodeId) => number): number {
  const idx: number[] = [];
  for (const id of voters) idx.push(acked(id));
  if (idx.length === 0) return 0;
  idx.sort((a, b) => b - a);
  return idx[majority(idx.length) - 1]!;
}

export function majority(n: number): number {
  return Math.floor(n / 2) + 1;
}

/** Won once a majority granted, lost once a majority can no longer be reached. */
export function voteResult(voters: Iterable<NodeId>, votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  let granted = 0;
  let missing = 0;
  let n = 0;
  for (const id of voters) {
    n++;
    const v = votes.get(id);
    if (v === undefined) missing++;
    else if (v) granted++;
  }
  const q = majority(n);
  if (granted >= q) return 'won';
  if (granted + missing >= q) return 'pending';
  return 'lost';
}

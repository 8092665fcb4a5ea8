import type { Clock } from '../util/index.js';

/**
 * Ages an in-memory event history by revision: every `periodMs` it notes the current revision, and
 * hands `trimThrough` the revision it noted two periods earlier, so everything passed on was
 * appended at least 2 × periodMs ago. Used to let the watch rings forget a burst of writes once the
 * server is idle again (they are bounded by count and bytes, so a burst otherwise stays for good).
 * Returns a function that stops it.
 */
export function ageHistory(clock: Clock, periodMs: number, current: () => number, trimThrough: (revision: number) => void): () => void {
  const marks: number[] = [];
  let stopped = false;
  let cancel = clock.setTimeout(tick, periodMs);
  function tick(): void {
    if (stopped) return;
    marks.push(current());
    if (marks.length > 2) trimThrough(marks.shift()!);
    cancel = clock.setTimeout(tick, periodMs);
  }
  return () => {
    stopped = true;
    cancel();
  };
}

/**
 * Events of a quiet history older than this are dropped from memory, keeping at least
 * HISTORY_MIN_EVENTS. A watch that resumes from further back is still served, from the store's
 * history instead of memory. Upstream's watch cache aims to keep 75 s of events while writes flow.
 */
export const HISTORY_MAX_AGE_MS = 30_000;
export const HISTORY_MIN_EVENTS = 100;

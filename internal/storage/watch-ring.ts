import type { WatchEvent } from './backend.js';
import { eventBytes } from './keys.js';

/**
 * The in-memory tail of the event history, bounded by event count and bytes. It always holds every
 * event with revision > floor (evicting whole revisions from the head), so a reader whose cursor is
 * >= floor can replay from memory without gaps.
 */
export class WatchRing {
  private events: WatchEvent[] = [];
  private sizes: number[] = [];
  private head = 0;
  private bytes = 0;

  constructor(
    /** Every event with revision > floor is in the ring. */
    public floor: number,
    private readonly maxEvents: number,
    private readonly maxBytes: number,
  ) {}

  get length(): number {
    return this.events.length - this.head;
  }

  append(events: readonly WatchEvent[]): void {
    for (const ev of events) {
      const size = eventBytes(ev);
      this.events.push(ev);
      this.sizes.push(size);
      this.bytes += size;
    }
    while (this.length > 0 && (this.length > this.maxEvents || this.bytes > this.maxBytes)) this.evictRevision();
    // Reclaim the evicted prefix now and then, so eviction stays O(1) amortised.
    if (this.head > 1024 && this.head * 2 > this.events.length) {
      this.events = this.events.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * Drops whole revisions <= revision from the head while more than `keep` events remain (aging a
   * quiet ring), and gives the emptied array space back.
   */
  trimThrough(revision: number, keep: number): void {
    while (this.length > keep && this.events[this.head]!.kv.modRevision <= revision) this.evictRevision();
    if (this.head > 0 && this.head * 2 >= this.events.length) {
      this.events = this.events.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
  }

  /** Drops the oldest revision's events (all of them, so a revision is never half in the ring). */
  private evictRevision(): void {
    const rev = this.events[this.head]!.kv.modRevision;
    while (this.head < this.events.length && this.events[this.head]!.kv.modRevision === rev) {
      this.bytes -= this.sizes[this.head]!;
      this.events[this.head] = undefined as unknown as WatchEvent;
      this.head++;
    }
    this.floor = rev;
  }

  /**
   * Matching events with revision > after, at most about `limit` (never splitting a revision).
   * `scannedTo` is the revision through which the ring was examined: `end` when it reached the tail.
   */
  read(prefix: string, after: number, limit: number, end: number): { events: WatchEvent[]; scannedTo: number } {
    const out: WatchEvent[] = [];
    let i = this.firstAfter(after);
    for (; i < this.events.length; i++) {
      const ev = this.events[i]!;
      const rev = ev.kv.modRevision;
      if (out.length >= limit && rev !== out[out.length - 1]!.kv.modRevision) {
        // Everything below this event's revision has been examined (this revision has not).
        return { events: out, scannedTo: rev - 1 };
      }
      if (ev.kv.key.startsWith(prefix)) out.push(ev);
    }
    return { events: out, scannedTo: end };
  }

  /** Index of the first event with revision > after (binary search; revisions ascend). */
  private firstAfter(after: number): number {
    let lo = this.head;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.events[mid]!.kv.modRevision <= after) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  stats(): { events: number; bytes: number; floor: number } {
    return { events: this.length, bytes: this.bytes, floor: this.floor };
  }
}

import { realClock, type Clock } from '../util/index.js';
import type { WatchBatch, WatchEvent, WatchOptions } from './backend.js';
import { StorageError } from './errors.js';
import { HISTORY_MAX_AGE_MS, HISTORY_MIN_EVENTS, ageHistory } from './history-aging.js';
import { compactedError } from './read-revision.js';
import { HubWatcher, progressOptions, type ProgressOptions, type WatcherHost } from './watch-hub-watcher.js';
import { WatchRing } from './watch-ring.js';

/**
 * Reads committed history for catch-up when a watcher's start is older than the ring: the matching
 * events with afterRevision < revision <= untilRevision in revision order, at most about `limit`
 * of them, never splitting a revision, each with prevKv for updates and deletes. Synchronous, since
 * the embedded stores read SQLite synchronously; this is what keeps catch-up and live in step.
 */
export type HistoryReader = (prefix: string, afterRevision: number, untilRevision: number, limit: number) => WatchEvent[];

export interface WatchHubOptions {
  /** Revision and compaction point of the store when the hub starts. */
  revision: number;
  compactRevision: number;
  /** Without it, a watcher older than the ring gets Compacted. */
  readHistory?: HistoryReader;
  ringMaxEvents?: number;
  ringMaxBytes?: number;
  /**
   * With a history reader, ring events older than about this are dropped (down to the newest
   * HISTORY_MIN_EVENTS), so an idle store does not keep a burst of writes in memory; watchers that
   * start further back read history instead. Default HISTORY_MAX_AGE_MS; 0 keeps them.
   */
  ringMaxAgeMs?: number;
  /** Per-watcher queue bound; a watcher that exceeds it gets Compacted (and relists). */
  watcherMaxEvents?: number;
  watcherMaxBytes?: number;
  /** Largest batch handed to a consumer at once (whole revisions; a single revision may exceed it). */
  maxBatchEvents?: number;
  clock?: Clock;
}

const NO_EVENTS: readonly WatchEvent[] = [];

/**
 * The events of a batch under prefix. Every applied entry is offered to every live watcher (a server
 * has one per cached resource, ~40) and most batches hold one event: the batch itself when all
 * match, and a shared empty array when none does, so only a mixed batch costs an array.
 */
function matching(events: readonly WatchEvent[], prefix: string): readonly WatchEvent[] {
  let n = 0;
  for (let i = 0; i < events.length; i++) if (events[i]!.kv.key.startsWith(prefix)) n++;
  if (n === events.length) return events;
  if (n === 0) return NO_EVENTS;
  return events.filter((ev) => ev.kv.key.startsWith(prefix));
}

/**
 * Watch fan-out for the embedded backends (memory, sqlite, raftsqlite). The apply step calls
 * publish() with each applied batch's events in revision order; the hub appends them to a bounded
 * ring and pushes them to live watchers. A watcher starting in the past catches up from the ring or,
 * older than the ring, from the history reader, then goes live at the hub's revision. No polling.
 * Event objects are shared by the ring and every watcher: consumers must treat them as read-only.
 */
export class WatchHub implements WatcherHost {
  private rev: number;
  private compactRev: number;
  private ring: WatchRing;
  private readonly watchers = new Set<HubWatcher>();
  private closed = false;
  private readonly clock: Clock;
  private readonly limits;
  private readonly stopAging: () => void;
  /** One progress timer per interval, shared by the watchers that ask for it (see tickProgress). */
  private readonly tickers = new Map<number, { subs: Map<HubWatcher, ProgressOptions>; cancel: () => void }>();

  constructor(private readonly opts: WatchHubOptions) {
    this.rev = opts.revision;
    this.compactRev = opts.compactRevision;
    this.ring = new WatchRing(opts.revision, opts.ringMaxEvents ?? 10_000, opts.ringMaxBytes ?? 32 << 20);
    this.clock = opts.clock ?? realClock;
    this.limits = {
      maxQueueEvents: opts.watcherMaxEvents ?? 10_000,
      maxQueueBytes: opts.watcherMaxBytes ?? 64 << 20,
      maxBatchEvents: opts.maxBatchEvents ?? 1000,
    };
    const maxAge = opts.readHistory ? (opts.ringMaxAgeMs ?? HISTORY_MAX_AGE_MS) : 0;
    this.stopAging =
      maxAge > 0
        ? ageHistory(this.clock, maxAge / 2, () => this.rev, (rev) => this.ring.trimThrough(rev, HISTORY_MIN_EVENTS))
        : () => {};
  }

  get revision(): number {
    return this.rev;
  }

  get compactRevision(): number {
    return this.compactRev;
  }

  /**
   * Feeds one applied batch: its events in ascending revision order (all > the hub's revision), and
   * the store's revision after it. A batch without events (lease grant) only moves the revision.
   */
  publish(events: readonly WatchEvent[], revision: number): void {
    if (this.closed) return;
    if (events.length > 0 && events[0]!.kv.modRevision <= this.rev) {
      throw new Error(`watch hub: event revision ${events[0]!.kv.modRevision} not after ${this.rev}`);
    }
    this.ring.append(events);
    this.rev = Math.max(this.rev, revision);
    for (const w of this.watchers) {
      if (w.live) w.offer(w.prefix === '' ? events : matching(events, w.prefix), this.rev);
    }
  }

  /** Records a new compaction point: later watches (and catch-ups from history) below it fail. */
  setCompactRevision(revision: number): void {
    this.compactRev = Math.max(this.compactRev, revision);
  }

  /**
   * After the store's state was replaced wholesale (a Raft snapshot install): the ring is dropped, and
   * every watcher behind the new revision catches up from the new history (or gets Compacted below
   * its compaction point) instead of jumping ahead and silently missing events (etcd #15271).
   */
  reset(revision: number, compactRevision: number): void {
    if (revision < this.rev) throw new Error(`watch hub: reset to ${revision} behind ${this.rev}`);
    this.ring = new WatchRing(revision, this.opts.ringMaxEvents ?? 10_000, this.opts.ringMaxBytes ?? 32 << 20);
    this.rev = revision;
    this.compactRev = Math.max(this.compactRev, compactRevision);
    for (const w of this.watchers) if (w.cursor < revision) w.resumeCatchUp();
  }

  /** Backend.watch's contract. The start ("now" for 0) is fixed when watch() is called. */
  watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchBatch> {
    const start = opts.afterRevision > 0 ? opts.afterRevision : this.rev;
    const w = new HubWatcher(prefix, start, this, this.limits, opts.signal,
      progressOptions(opts.progressIntervalMs, opts.progressRepeatMs),
      opts.afterRevision > 0 ? start : 0,
    );
    if (this.closed) {
      w.fail(new StorageError('Unavailable', 'watch on a closed store'));
    } else if (start < this.compactRev) {
      w.fail(compactedError(start, this.compactRev));
    } else if (!w.done) {
      this.watchers.add(w);
      // At or past the head, nothing to catch up on: live at once, so no publish can slip past.
      if (start >= this.rev) w.live = true;
    }
    return { [Symbol.asyncIterator]: () => w.iterator() };
  }

  pull(w: HubWatcher): WatchBatch | null {
    const limit = this.limits.maxBatchEvents;
    for (;;) {
      if (w.cursor >= this.rev) {
        w.live = true;
        return null;
      }
      let events: WatchEvent[];
      let scannedTo: number;
      if (w.cursor >= this.ring.floor) {
        ({ events, scannedTo } = this.ring.read(w.prefix, w.cursor, limit, this.rev));
      } else {
        if (!this.opts.readHistory || w.cursor < this.compactRev) throw compactedError(w.cursor, this.compactRev);
        const until = this.ring.floor;
        events = this.opts.readHistory(w.prefix, w.cursor, until, limit);
        scannedTo = events.length < limit ? until : events[events.length - 1]!.kv.modRevision;
      }
      w.cursor = scannedTo;
      if (events.length > 0) return { revision: scannedTo, events };
    }
  }

  detach(w: HubWatcher): void {
    this.watchers.delete(w);
  }

  /**
   * Progress ticks for w every p.intervalMs. Every watcher of the same interval shares one timer
   * (started with the first, stopped after the last): a server keeps a backend watch per cached
   * resource (about 40), and a timer each, 10 times a second, was a fifth of an idle node's main
   * thread. A watcher's ticks then fall in the shared phase, never more than one interval apart.
   */
  tickProgress(w: HubWatcher, p: ProgressOptions): () => void {
    let t = this.tickers.get(p.intervalMs);
    if (!t) {
      const ticker = { subs: new Map<HubWatcher, ProgressOptions>(), cancel: () => {} };
      const tick = () => {
        for (const [sub, opts] of ticker.subs) sub.progressTick(opts);
        if (ticker.subs.size > 0) ticker.cancel = this.clock.setTimeout(tick, p.intervalMs);
      };
      ticker.cancel = this.clock.setTimeout(tick, p.intervalMs);
      this.tickers.set(p.intervalMs, (t = ticker));
    }
    const ticker = t;
    ticker.subs.set(w, p);
    return () => {
      ticker.subs.delete(w);
      if (ticker.subs.size > 0 || this.tickers.get(p.intervalMs) !== ticker) return;
      ticker.cancel();
      this.tickers.delete(p.intervalMs);
    };
  }

  /** Ends every watch (their iterators return) and refuses new ones. */
  close(): void {
    this.closed = true;
    this.stopAging();
    for (const w of [...this.watchers]) w.finish();
  }

  stats(): Record<string, number> {
    const ring = this.ring.stats();
    return { watchers: this.watchers.size, ringEvents: ring.events, ringBytes: ring.bytes, ringFloor: ring.floor, revision: this.rev };
  }
}

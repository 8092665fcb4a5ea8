import { StorageError } from '../errors.js';
import { bookmarkEvent, toObjectEvent, type DecodedChange } from '../object-store-events.js';
import type { ObjectEvent, SelectionPredicate } from '../object-store.js';

/** The most events one batch carries: a batch is encoded and written in one turn of the event loop. */
export const DEFAULT_MAX_BATCH = 256;

export interface CacheWatcherOptions {
  /** Key (non-recursive) or prefix (recursive) the watcher covers. */
  key: string;
  recursive: boolean;
  predicate: SelectionPredicate;
  allowBookmarks: boolean;
  /** Live events buffered beyond this many end the watch with Compacted: the client relists. */
  queueLimit: number;
  /**
   * Live events buffered beyond this many stored bytes end the watch the same way. The count alone
   * does not bound memory: a consumer that stops reading keeps every version it has not been sent
   * alive (and what the layers above cached per event), up to queueLimit objects of 1.5 MiB.
   */
  queueBytesLimit: number;
  bookmarkIntervalMs: number;
  /**
   * Hands each outgoing object a private copy (cached objects are shared); absent when the cache
   * shares its objects, and then every watcher gets the same read-only events.
   */
  copy?: (ev: ObjectEvent) => ObjectEvent;
}

/**
 * One watch served from the cache: the feed pushes changes synchronously, the consumer pulls them
 * through `events()`. A consumer that does not keep up is cut off instead of holding anyone back.
 */
export class CacheWatcher {
  private readonly backlog: ObjectEvent[] = [];
  private queue: ObjectEvent[] = [];
  /** Stored size of each queued event, parallel to queue. */
  private sizes: number[] = [];
  private head = 0;
  private queuedBytes = 0;
  private error: unknown;
  private ended = false;
  private wake: (() => void) | undefined;
  private lastSentMs = Date.now();

  constructor(private readonly o: CacheWatcherOptions) {}

  inRange(key: string): boolean {
    return this.o.recursive ? key.startsWith(this.o.key) : key === this.o.key;
  }

  /** Initial or replayed events, queued before any live one; not counted against the queue limit. */
  pushBacklog(ev: ObjectEvent): void {
    this.backlog.push(ev);
  }

  /** Called by the feed for every change, in revision order. */
  push(ch: DecodedChange): void {
    if (this.ended || !this.inRange(ch.key)) return;
    const ev = toObjectEvent(ch, this.o.predicate);
    if (!ev) return;
    const bytes = ch.bytes ?? 0;
    if (this.queue.length - this.head >= this.o.queueLimit || this.queuedBytes + bytes > this.o.queueBytesLimit) {
      this.fail(new StorageError('Compacted', 'watcher fell too far behind; relist and watch again'));
      return;
    }
    this.queue.push(ev);
    this.sizes.push(bytes);
    this.queuedBytes += bytes;
    this.lastSentMs = Date.now();
    this.notify();
  }

  /** Called after each feed batch: a BOOKMARK if the watcher is idle and asked for them. */
  progress(revision: number): void {
    if (this.ended || !this.o.allowBookmarks) return;
    const now = Date.now();
    if (now - this.lastSentMs < this.o.bookmarkIntervalMs * 0.9 || this.queue.length > this.head) return;
    this.lastSentMs = now;
    this.queue.push(bookmarkEvent(revision));
    this.sizes.push(0);
    this.notify();
  }

  /** Ends the watch with err once the consumer reads on; what is queued is dropped (the client relists). */
  fail(err: unknown): void {
    if (this.ended) return;
    this.error = err;
    this.queue = [];
    this.sizes = [];
    this.head = 0;
    this.queuedBytes = 0;
    this.end();
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  /** The events one at a time (see batches). */
  async *events(signal: AbortSignal): AsyncGenerator<ObjectEvent> {
    for await (const batch of this.batches(signal)) yield* batch;
  }

  /**
   * The events in batches: the backlog, then whatever was queued since the consumer last asked, at
   * most maxBatch at a time. A consumer that asks less often (a busy user's stream, see the
   * apiserver's watch-flush.ts) takes more per batch; queueing costs the feed one array push.
   */
  async *batches(signal: AbortSignal, maxBatch = DEFAULT_MAX_BATCH): AsyncGenerator<ObjectEvent[]> {
    const onAbort = () => this.end();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const copy = this.o.copy;
      const backlog = this.backlog.splice(0);
      for (let i = 0; i < backlog.length; i += maxBatch) {
        if (signal.aborted) return;
        const batch = backlog.slice(i, i + maxBatch);
        yield copy ? batch.map(copy) : batch;
      }
      for (;;) {
        if (signal.aborted) return;
        if (this.head < this.queue.length) {
          const batch = this.take(maxBatch);
          yield copy ? batch.map(copy) : batch;
          continue;
        }
        if (this.ended) break;
        await new Promise<void>((r) => (this.wake = r));
      }
      if (this.error && !signal.aborted) throw this.error;
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.ended = true;
    }
  }

  /** Takes up to n queued events, and lets go of them here. */
  private take(n: number): ObjectEvent[] {
    const end = Math.min(this.queue.length, this.head + n);
    for (let i = this.head; i < end; i++) this.queuedBytes -= this.sizes[i]!;
    const batch = this.head === 0 && end === this.queue.length ? this.queue : this.queue.slice(this.head, end);
    this.head = end;
    if (this.head === this.queue.length) {
      // Drained: drop the delivered events now. Kept until later, they held a long-lived watch's
      // last burst (decoded objects, ~5 MiB) for as long as it was quiet.
      this.queue = [];
      this.sizes = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
    return batch;
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}

import type { WatchBatch, WatchEvent } from './backend.js';
import { StorageError } from './errors.js';
import { eventBytes } from './keys.js';

/** What a watcher needs from its hub: catch-up reads and the current revision. */
export interface WatcherHost {
  readonly revision: number;
  /** Next catch-up batch for w, advancing w.cursor; null once w has caught up (it is then live). */
  pull(w: HubWatcher): WatchBatch | null;
  detach(w: HubWatcher): void;
  /** Calls w.progressTick(p) every p.intervalMs until the returned cancel is called. */
  tickProgress(w: HubWatcher, p: ProgressOptions): () => void;
}

export interface WatcherLimits {
  maxQueueEvents: number;
  maxQueueBytes: number;
  maxBatchEvents: number;
}

/** How a watcher sends progress notifications (WatchOptions.progressIntervalMs / progressRepeatMs). */
export interface ProgressOptions {
  intervalMs: number;
  /** An unchanged revision is sent again only every this many intervals (1: every interval). */
  repeatTicks: number;
}

export function progressOptions(intervalMs: number | undefined, repeatMs: number | undefined): ProgressOptions | undefined {
  if (!intervalMs || intervalMs <= 0) return undefined;
  return { intervalMs, repeatTicks: repeatMs ? Math.max(1, Math.round(repeatMs / intervalMs)) : 1 };
}

/**
 * One watch stream. It starts in catch-up mode (pulling history from the hub when its consumer asks)
 * and becomes live once its cursor reaches the hub's revision; from then on the hub pushes matching
 * events into its bounded queue. Both happen on the one JavaScript thread, so the switch cannot
 * lose or repeat an event.
 */
export class HubWatcher {
  /** Every matching change with revision <= cursor has been queued or delivered. */
  cursor: number;
  live = false;
  private queue: WatchBatch[] = [];
  private queuedEvents = 0;
  private queuedBytes = 0;
  private failure: StorageError | undefined;
  private finished = false;
  private wake: (() => void) | undefined;
  private deliveredSinceTick = false;
  /** The highest revision the consumer has been handed (0: it has not been told any). */
  private told: number;
  private quietTicks = 0;
  private cancelTimer: (() => void) | undefined;
  private readonly onAbort = () => this.finish();

  constructor(
    readonly prefix: string,
    startCursor: number,
    private readonly host: WatcherHost,
    private readonly limits: WatcherLimits,
    private readonly signal: AbortSignal,
    progress: ProgressOptions | undefined,
    /** The revision the consumer asked to start after, which it therefore knows (0: "now"). */
    knownRevision = 0,
  ) {
    this.cursor = startCursor;
    this.told = knownRevision;
    if (signal.aborted) this.finished = true;
    else signal.addEventListener('abort', this.onAbort, { once: true });
    if (progress && !this.finished) this.cancelTimer = host.tickProgress(this, progress);
  }

  get done(): boolean {
    return this.finished;
  }

  /**
   * Live delivery: events are this publish's events already filtered by prefix, in revision order,
   * read-only (the array may be shared with other watchers and is handed on as it is).
   */
  offer(events: readonly WatchEvent[], revision: number): void {
    if (this.finished || this.failure) return;
    const cursor = this.cursor;
    this.cursor = Math.max(cursor, revision);
    if (events.length === 0) return;
    // Ascending revisions: when the first is new, all are (the usual case; no copy).
    const fresh = events[0]!.kv.modRevision > cursor ? (events as WatchEvent[]) : events.filter((ev) => ev.kv.modRevision > cursor);
    if (fresh.length === 0) return;
    this.queue.push({ revision, events: fresh });
    this.queuedEvents += fresh.length;
    for (const ev of fresh) this.queuedBytes += eventBytes(ev);
    if (this.queuedEvents > this.limits.maxQueueEvents || this.queuedBytes > this.limits.maxQueueBytes) {
      this.fail(
        new StorageError('Compacted', `watcher on "${this.prefix}" fell too far behind (queue full); relist and watch again`, {
          revision: this.cursor,
        }),
      );
      return;
    }
    this.notify();
  }

  /** Back to catch-up mode (the hub lost the events this watcher needs from its ring). */
  resumeCatchUp(): void {
    this.live = false;
    this.notify();
  }

  /** Ends the stream with an error on the consumer's next read (after dropping what is queued). */
  fail(err: StorageError): void {
    if (this.finished || this.failure) return;
    this.failure = err;
    this.dropQueue();
    this.stop();
    this.notify();
  }

  /** Ends the stream normally (abort, close, or the consumer's return()). */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.dropQueue();
    this.stop();
    this.notify();
  }

  async next(): Promise<WatchBatch | undefined> {
    for (;;) {
      if (this.failure) {
        const err = this.failure;
        this.failure = undefined;
        this.finished = true;
        throw err;
      }
      if (this.queue.length > 0) return this.take();
      if (this.finished) return undefined;
      if (!this.live) {
        let batch: WatchBatch | null;
        try {
          batch = this.host.pull(this);
        } catch (err) {
          this.fail(err instanceof StorageError ? err : new StorageError('Unavailable', 'watch catch-up failed', {}, { cause: err }));
          continue;
        }
        if (batch) return this.delivered(batch);
        continue;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  iterator(): AsyncIterator<WatchBatch> {
    return {
      next: async () => {
        const value = await this.next();
        return value ? { value, done: false } : { value: undefined, done: true };
      },
      return: async () => {
        this.finish();
        return { value: undefined, done: true };
      },
    };
  }

  /** Merges queued batches (up to maxBatchEvents) into one; whole batches only, so no revision splits. */
  private take(): WatchBatch {
    const batches = [this.queue.shift()!];
    let n = batches[0]!.events.length;
    while (this.queue.length > 0 && n + this.queue[0]!.events.length <= this.limits.maxBatchEvents) {
      const b = this.queue.shift()!;
      batches.push(b);
      n += b.events.length;
    }
    const events = batches.length === 1 ? batches[0]!.events : batches.flatMap((b) => b.events);
    if (this.queue.length === 0) {
      this.queuedEvents = 0;
      this.queuedBytes = 0;
    } else {
      this.queuedEvents -= events.length;
      for (const ev of events) this.queuedBytes -= eventBytes(ev);
    }
    return this.delivered({ revision: batches[batches.length - 1]!.revision, events });
  }

  private delivered(batch: WatchBatch): WatchBatch {
    this.deliveredSinceTick = true;
    if (batch.revision > this.told) this.told = batch.revision;
    this.quietTicks = 0;
    return batch;
  }

  private dropQueue(): void {
    this.queue = [];
    this.queuedEvents = 0;
    this.queuedBytes = 0;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private stop(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.signal.removeEventListener('abort', this.onAbort);
    this.host.detach(this);
  }

  // A progress notification says "you have every change up to R". It is only true when the watcher
  // is live with nothing queued, so only then is one sent; a busy watcher needs none, and one that
  // already has R needs it only as often as its consumer asked (repeatTicks).
  /** One progress interval has passed (the host's shared ticker calls this). */
  progressTick(p: ProgressOptions): void {
    if (this.finished || this.failure) return;
    if (this.live && this.queue.length === 0 && !this.deliveredSinceTick) {
      const revision = this.host.revision;
      if (revision > this.told || ++this.quietTicks >= p.repeatTicks) {
        this.queue.push({ revision, events: [] });
        this.notify();
      }
    }
    this.deliveredSinceTick = false;
  }
}

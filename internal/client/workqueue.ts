import { realClock, type Clock } from '../util/index.js';

export interface WorkQueueOptions {
  clock?: Clock;
  /** First retry delay of a failing key (default 5 ms); doubles per failure up to maxDelayMs. */
  baseDelayMs?: number;
  /** Longest retry delay (default 1000 s, as client-go's default controller rate limiter). */
  maxDelayMs?: number;
}

/**
 * A rate-limited work queue in client-go's shape. Keys are deduplicated while waiting; a key being
 * processed (between get() and done()) is never handed to a second worker: adding it again marks it
 * dirty and it is queued once more when done() is called. addRateLimited() delays a key by its
 * per-key exponential backoff; forget() resets that backoff after a success.
 */
export class WorkQueue<K = string> {
  private readonly queue: K[] = [];
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly failures = new Map<K, number>();
  private readonly waiting = new Map<K, { at: number; cancel: () => void }>();
  private readonly getters: ((k: K | undefined) => void)[] = [];
  private shuttingDown = false;
  private readonly clock: Clock;

  constructor(private readonly opts: WorkQueueOptions = {}) {
    this.clock = opts.clock ?? realClock;
  }

  /** Queues key unless it is already waiting; a key in processing is queued again after done(). */
  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    const getter = this.getters.shift();
    if (getter) {
      this.dirty.delete(key);
      this.processing.add(key);
      getter(key);
    } else this.queue.push(key);
  }

  /** Queues key after ms; an earlier pending addAfter of the same key wins. */
  addAfter(key: K, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const at = this.clock.now() + ms;
    const prev = this.waiting.get(key);
    if (prev && prev.at <= at) return;
    prev?.cancel();
    const cancel = this.clock.setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, ms);
    this.waiting.set(key, { at, cancel });
  }

  /** Queues key after its backoff: base × 2^(failures so far), capped. */
  addRateLimited(key: K): void {
    this.addAfter(key, this.when(key));
  }

  /** The backoff the next addRateLimited(key) waits, counting it as one more failure. */
  when(key: K): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    return Math.min((this.opts.baseDelayMs ?? 5) * 2 ** n, this.opts.maxDelayMs ?? 1_000_000);
  }

  /** Resets key's backoff (call after it was processed successfully). */
  forget(key: K): void {
    this.failures.delete(key);
  }

  numRequeues(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  /** The next key to process; waits for one. undefined once the queue is shut down. */
  get(): Promise<K | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Marks key processed; if it was added meanwhile it is queued again now. */
  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.dirty.delete(key);
      this.add(key);
    }
  }

  get length(): number {
    return this.queue.length;
  }

  /** Ends the queue: waiting getters get undefined, pending delays are dropped. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const w of this.waiting.values()) w.cancel();
    this.waiting.clear();
    this.queue.length = 0;
    this.dirty.clear();
    for (const g of this.getters.splice(0)) g(undefined);
  }
}

/**
 * Runs `workers` loops that take keys from the queue and call reconcile until the signal aborts:
 * success forgets the key's backoff, a throw requeues it rate-limited (and is reported to onError).
 * Resolves once every loop returned.
 */
export async function runWorkers<K>(
  queue: WorkQueue<K>,
  workers: number,
  signal: AbortSignal,
  reconcile: (key: K) => Promise<void>,
  onError?: (key: K, err: unknown) => void,
): Promise<void> {
  const stop = () => queue.shutDown();
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });
  const loop = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await reconcile(key);
        queue.forget(key);
      } catch (err) {
        if (!signal.aborted) {
          onError?.(key, err);
          queue.addRateLimited(key);
        }
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, workers) }, loop));
  signal.removeEventListener('abort', stop);
}

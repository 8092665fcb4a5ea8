import { StorageError, type WatchBatch } from '../../storage/index.js';

/**
 * The per-watch buffer between the shared etcd stream and one consumer. Bounded: a consumer that
 * lets more than `limit` events pile up is cut off with Compacted (its client relists), so one slow
 * reader never holds the shared stream or the other watches back.
 */
export class BatchQueue implements AsyncIterable<WatchBatch> {
  private items: WatchBatch[] = [];
  private queuedEvents = 0;
  private error: unknown;
  private done = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly limit: number,
    private readonly onOverflow: () => void,
  ) {}

  get ended(): boolean {
    return this.done;
  }

  push(b: WatchBatch): void {
    if (this.done) return;
    this.queuedEvents += b.events.length;
    if (this.queuedEvents > this.limit) {
      this.fail(new StorageError('Compacted', `etcd watch: the consumer fell more than ${this.limit} events behind; relist`));
      this.onOverflow();
      return;
    }
    this.items.push(b);
    this.poke();
  }

  /** Ends the iterator with err after what is queued (err undefined: a clean end). */
  fail(err: unknown): void {
    if (this.done) return;
    this.error = err;
    this.done = true;
    this.poke();
  }

  end(): void {
    this.fail(undefined);
  }

  private poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WatchBatch> {
    for (;;) {
      const b = this.items.shift();
      if (b) {
        this.queuedEvents -= b.events.length;
        yield b;
        continue;
      }
      if (this.done) {
        if (this.error !== undefined) throw this.error;
        return;
      }
      await new Promise<void>((r) => (this.wake = r));
    }
  }
}

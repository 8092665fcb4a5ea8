/**
 * An event stream that can also be read a batch at a time. A watch's events pass through several
 * layers (the watch cache's watcher, the registry, the HTTP stream); one promise per layer per event
 * per watcher made a busy fan-out mostly promise traffic, so the layers hand arrays along instead:
 * whatever has queued up since the consumer last asked. Read it one way only, once: either iterate
 * the events or call batches().
 */
export interface Batched<T> extends AsyncIterable<T> {
  batches(): AsyncIterable<T[]>;
}

/** A Batched stream over a source of batches (started by the first read, of either kind). */
export function batched<T>(source: () => AsyncIterable<T[]>): Batched<T> {
  return { batches: source, [Symbol.asyncIterator]: () => flatten(source()[Symbol.asyncIterator]()) };
}

/**
 * The events of a batch source one at a time. Hand-written rather than a generator: an event from
 * the batch in hand costs one settled promise, not the several of `yield*` in an async generator.
 */
function flatten<T>(it: AsyncIterator<T[]>): AsyncIterator<T> {
  let batch: T[] = [];
  let i = 0;
  const next = async (): Promise<IteratorResult<T>> => {
    while (i >= batch.length) {
      const r = await it.next();
      if (r.done) return { done: true, value: undefined };
      batch = r.value;
      i = 0;
    }
    return { done: false, value: batch[i++]! };
  };
  return {
    next: () => (i < batch.length ? Promise.resolve({ done: false, value: batch[i++]! }) : next()),
    return: async () => {
      batch = [];
      await it.return?.();
      return { done: true, value: undefined };
    },
    throw: async (err: unknown) => {
      batch = [];
      if (it.throw) await it.throw(err);
      throw err;
    },
  };
}

export function isBatched<T>(it: AsyncIterable<T>): it is Batched<T> {
  return typeof (it as Partial<Batched<T>>).batches === 'function';
}

/**
 * The batches of a stream: its own when it has them; else the events are read ahead (at most
 * `readAhead` of them) and each batch is what was read since the last one, so a consumer that asks
 * seldom still gets everything that came meanwhile.
 */
export function batchesOf<T>(it: AsyncIterable<T>, readAhead = 256): AsyncIterable<T[]> {
  return isBatched(it) ? it.batches() : gather(it, readAhead);
}

async function* gather<T>(src: AsyncIterable<T>, readAhead: number): AsyncGenerator<T[]> {
  const it = src[Symbol.asyncIterator]();
  let queue: T[] = [];
  let ended = false;
  let failed = false;
  let error: unknown;
  let wakeConsumer: (() => void) | undefined;
  let wakeReader: (() => void) | undefined;
  let stopped = false;
  const reader = (async () => {
    try {
      while (!stopped) {
        if (queue.length >= readAhead) {
          await new Promise<void>((r) => (wakeReader = r));
          wakeReader = undefined;
          continue;
        }
        const r = await it.next();
        if (r.done) break;
        queue.push(r.value);
        wakeConsumer?.();
      }
    } catch (err) {
      failed = true;
      error = err;
    } finally {
      ended = true;
      wakeConsumer?.();
    }
  })();
  try {
    for (;;) {
      if (queue.length > 0) {
        const batch = queue;
        queue = [];
        wakeReader?.();
        yield batch;
        continue;
      }
      if (failed) throw error;
      if (ended) return;
      await new Promise<void>((r) => (wakeConsumer = r));
      wakeConsumer = undefined;
    }
  } finally {
    stopped = true;
    wakeReader?.();
    // Not awaited: the reader may be waiting on the source's next event, which ends with its signal.
    void it.return?.()?.catch(() => undefined);
    void reader;
  }
}

import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryBackend } from '../../backends/memory/index.js';
import type { WatchBatch, WatchOptions } from '../backend.js';
import { delegatingBackend } from '../testing/helpers.js';
import { isStorageError, StorageError } from '../errors.js';
import { createObjectStore } from '../object-store-impl.js';
import { cm, everythingPred, openWatch, summary } from '../testing/object-store-conformance-helpers.js';
import { createWatchCache, type WatchCache } from './watch-cache.js';

const P = '/registry/configmaps/';
const K = (n: string) => `${P}ns/${n}`;

/** The memory backend with call counters and a switch that breaks the cache's feed watch. */
function countingBackend() {
  const inner = createMemoryBackend();
  const calls = { list: 0, watch: 0 };
  let breakFeed: ((err: unknown) => void) | undefined;
  const backend = delegatingBackend(inner, {
    list: (p, o) => (calls.list++, inner.list(p, o)),
    watch(p: string, o: WatchOptions): AsyncIterable<WatchBatch> {
      calls.watch++;
      const src = inner.watch(p, o);
      return (async function* () {
        const failed = new Promise<never>((_, reject) => (breakFeed = reject));
        const it = src[Symbol.asyncIterator]();
        for (;;) {
          const r = await Promise.race([it.next(), failed]);
          if (r.done) return;
          yield r.value;
        }
      })();
    },
  });
  return { backend, calls, breakFeed: (err: unknown) => breakFeed?.(err) };
}

describe('watch cache behaviour', () => {
  let cache: WatchCache | undefined;
  afterEach(async () => {
    await cache?.close();
  });
  const setup = async (extra: { watcherQueueLimit?: number; watcherQueueBytes?: number; historySize?: number } = {}) => {
    const b = countingBackend();
    const inner = createObjectStore(b.backend);
    // Generous waits: on a loaded machine a late progress notification must not send reads to inner.
    cache = createWatchCache({ inner, backend: b.backend, prefix: P, progressIntervalMs: 20, consistentReadWaitMs: 5000, ...extra });
    await cache.ready();
    return { ...b, cache, inner };
  };

  it('serves "0" and consistent lists from memory once caught up', async () => {
    const { cache, calls } = await setup();
    for (const n of ['a', 'b', 'c']) await cache.create(K(n), cm(n));
    const before = calls.list;
    const zero = await cache.list(P, { predicate: everythingPred, resourceVersion: '0' });
    const consistent = await cache.list(P, { predicate: everythingPred });
    expect(consistent.items.map((o) => o.metadata.name)).toEqual(['a', 'b', 'c']);
    expect(zero.items.length).toBeLessThanOrEqual(3);
    expect(calls.list).toBe(before);
  });

  it('hands out copies: mutating a result does not change the cache', async () => {
    const { cache } = await setup();
    await cache.create(K('a'), cm('a', { k: 'v' }));
    const first = await cache.list(P, { predicate: everythingPred });
    (first.items[0]!.data as Record<string, string>).k = 'mutated';
    const again = await cache.list(P, { predicate: everythingPred });
    expect(again.items[0]!.data).toEqual({ k: 'v' });
  });

  it('serves watches from memory, resuming from the ring without a backend watch', async () => {
    const { cache, calls } = await setup();
    const a = await cache.create(K('a'), cm('a'));
    await cache.create(K('b'), cm('b'));
    const before = calls.watch;
    const w = openWatch(cache, P, { resourceVersion: a.metadata.resourceVersion });
    expect(summary(await w.take(1))).toEqual(['ADDED b']);
    expect(calls.watch).toBe(before);
    w.close();
  });

  it('sends a watch older than its ring to the inner store', async () => {
    const { cache, calls } = await setup({ historySize: 5 });
    const a = await cache.create(K('a'), cm('a'));
    for (let i = 0; i < 10; i++) await cache.guaranteedUpdate(K('a'), (o) => ({ ...o, data: { i: String(i) } }));
    const w = openWatch(cache, P, { resourceVersion: a.metadata.resourceVersion });
    expect((await w.take(10)).map((e) => e.type)).toEqual(Array(10).fill('MODIFIED'));
    expect(calls.watch).toBe(2); // the feed plus this watch
    w.close();
  });

  /**
   * A watcher whose consumer never pulls (its first pull only starts the generator so it registers)
   * beside a live one, while `write` runs; then what the stuck one still delivers and how it ends.
   */
  async function stuckAndLive(cache: WatchCache, count: number, write: () => Promise<void>): Promise<{ got: string[]; error: unknown }> {
    const ac = new AbortController();
    const stuck = cache.watch(P, { resourceVersion: '', sendInitialEvents: false, recursive: true, predicate: everythingPred, signal: ac.signal });
    const it = stuck[Symbol.asyncIterator]();
    const first = it.next();
    const live = openWatch(cache, P, { resourceVersion: '', sendInitialEvents: false });
    await new Promise((r) => setTimeout(r, 20));
    await write();
    expect((await live.take(count)).length).toBe(count);
    const got: string[] = [];
    let error: unknown;
    try {
      let r = await first;
      while (!r.done) {
        got.push(r.value.type);
        r = await it.next();
      }
    } catch (err) {
      error = err;
    }
    live.close();
    ac.abort();
    return { got, error };
  }

  it('cuts off a watcher that does not keep up, without holding back others', async () => {
    const { cache } = await setup({ watcherQueueLimit: 5 });
    const { got, error } = await stuckAndLive(cache, 20, async () => {
      for (let i = 0; i < 20; i++) await cache.create(K(`o${i}`), cm(`o${i}`));
    });
    // The stuck one gets at most what it had before the limit, then fails with Compacted.
    expect(got.length).toBeLessThanOrEqual(6);
    expect(isStorageError(error, 'Compacted')).toBe(true);
  });

  it('cuts off a watcher whose unread events pass the byte cap, though far under the count limit', async () => {
    const { cache } = await setup({ watcherQueueBytes: 256 << 10 });
    // Ten 64 KiB objects: 640 KiB for a consumer that reads nothing (the count limit is 10,000).
    const { got, error } = await stuckAndLive(cache, 10, async () => {
      for (let i = 0; i < 10; i++) await cache.create(K(`big${i}`), cm(`big${i}`, { v: 'x'.repeat(64 << 10) }));
    });
    expect(got.length).toBeLessThan(4);
    expect(isStorageError(error, 'Compacted')).toBe(true);
  });

  it('when the feed breaks, ends its watchers with Compacted, relists and serves again', async () => {
    const { cache, breakFeed, calls } = await setup();
    await cache.create(K('a'), cm('a'));
    const w = openWatch(cache, P, { resourceVersion: '' });
    expect(summary(await w.take(1))).toEqual(['ADDED a']);
    const lists = calls.list;
    breakFeed(new StorageError('Compacted', 'feed lagged'));
    await w.done();
    expect(isStorageError(w.error, 'Compacted')).toBe(true);
    await cache.ready();
    await cache.create(K('b'), cm('b'));
    const after = await cache.list(P, { predicate: everythingPred });
    expect(after.items.map((o) => o.metadata.name)).toEqual(['a', 'b']);
    expect(calls.list).toBeGreaterThan(lists); // it relisted
  });
});

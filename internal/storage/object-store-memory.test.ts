// The ObjectStore conformance suite over the real memory backend, plain and behind the watch cache.
// (Tests may import backends; storage's production code never does.)
import { createMemoryBackend } from '../backends/memory/index.js';
import { createObjectStore } from './object-store-impl.js';
import { runObjectStoreConformance } from './testing/object-store-conformance.js';
import { createWatchCache } from './watchcache/watch-cache.js';

const opts = { bookmarkIntervalMs: 100, futureRevisionWaitMs: 150 };

runObjectStoreConformance(
  'plain store over the memory backend',
  async () => {
    const backend = createMemoryBackend();
    return { store: createObjectStore(backend, opts), backend, close: () => backend.close() };
  },
  opts,
);

for (const shareObjects of [false, true]) {
  runObjectStoreConformance(
    `watch cache over the memory backend${shareObjects ? ' (shared frozen objects)' : ''}`,
    async () => {
      const backend = createMemoryBackend();
      const cache = createWatchCache({
        inner: createObjectStore(backend, opts),
        backend,
        prefix: '/registry/configmaps/',
        bookmarkIntervalMs: opts.bookmarkIntervalMs,
        progressIntervalMs: 20,
        historySize: 50,
        freshWaitMs: opts.futureRevisionWaitMs,
        shareObjects,
      });
      await cache.ready();
      return {
        store: cache,
        backend,
        async settle() {
          const { revision } = await backend.currentRevision();
          while (cache.revision < revision) await new Promise((r) => setTimeout(r, 5));
        },
        async close() {
          await cache.close();
          await backend.close();
        },
      };
    },
    opts,
  );
}

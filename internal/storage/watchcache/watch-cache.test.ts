import { createObjectStore } from '../object-store-impl.js';
import { runObjectStoreConformance } from '../testing/object-store-conformance.js';
import { createFakeBackend } from '../testing/object-store-conformance-fake-backend.js';
import { createWatchCache } from './watch-cache.js';

const opts = { bookmarkIntervalMs: 100, futureRevisionWaitMs: 150 };

runObjectStoreConformance(
  'watch cache over the plain store and the fake backend',
  async () => {
    const backend = createFakeBackend();
    const inner = createObjectStore(backend, opts);
    const cache = createWatchCache({
      inner,
      backend,
      prefix: '/registry/configmaps/',
      bookmarkIntervalMs: opts.bookmarkIntervalMs,
      progressIntervalMs: 20,
      historySize: 50,
      freshWaitMs: opts.futureRevisionWaitMs,
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

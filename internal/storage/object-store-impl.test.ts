import { createObjectStore } from './object-store-impl.js';
import { runObjectStoreConformance } from './testing/object-store-conformance.js';
import { createFakeBackend } from './testing/object-store-conformance-fake-backend.js';

const opts = { bookmarkIntervalMs: 100, futureRevisionWaitMs: 150 };

runObjectStoreConformance(
  'plain store over the fake backend',
  async () => {
    const backend = createFakeBackend();
    return { store: createObjectStore(backend, opts), backend, close: () => backend.close() };
  },
  opts,
);

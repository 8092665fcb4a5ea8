// The ObjectStore conformance suite over the real backends (memory, sqlite), plain and behind the
// watch cache. (Tests may import backends; storage's production code never does.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createMemoryBackend } from '../backends/memory/index.js';
import { createSqliteBackend } from '../backends/sqlite/index.js';
import type { Backend } from './backend.js';
import { createObjectStore } from './object-store-impl.js';
import { runObjectStoreConformance } from './testing/object-store-conformance.js';
import { createWatchCache } from './watchcache/watch-cache.js';

const opts = { bookmarkIntervalMs: 100, futureRevisionWaitMs: 150 };
const dir = mkdtempSync(join(tmpdir(), 'kplane-objstore-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

const backends: [string, () => Backend][] = [
  ['memory', () => createMemoryBackend()],
  ['sqlite', () => createSqliteBackend({ path: join(dir, `t${n++}.db`), compaction: false })],
];

for (const [name, makeBackend] of backends) {
  runObjectStoreConformance(
    `plain store over the ${name} backend`,
    async () => {
      const backend = makeBackend();
      return { store: createObjectStore(backend, opts), backend, close: () => backend.close() };
    },
    opts,
  );

  for (const shareObjects of [false, true]) {
    runObjectStoreConformance(
      `watch cache over the ${name} backend${shareObjects ? ' (shared frozen objects)' : ''}`,
      async () => {
        const backend = makeBackend();
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
}

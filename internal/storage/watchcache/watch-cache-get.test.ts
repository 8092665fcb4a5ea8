import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryBackend } from '../../backends/memory/index.js';
import type { ReadOptions } from '../backend.js';
import { delegatingBackend, holdableWatch } from '../testing/helpers.js';
import { createObjectStore } from '../object-store-impl.js';
import { cm } from '../testing/object-store-conformance-helpers.js';
import { createWatchCache, type WatchCache } from './watch-cache.js';

const P = '/registry/configmaps/';
const K = (n: string) => `${P}ns/${n}`;

/** The memory backend with its reads recorded and a feed watch that delivers only while `flowing`. */
function gatedBackend() {
  const inner = createMemoryBackend();
  const reads: ReadOptions[] = [];
  const held = holdableWatch(inner);
  const backend = delegatingBackend(inner, { get: (k, o = {}) => (reads.push(o), inner.get(k, o)), watch: held.watch });
  return { backend, reads, hold: held.hold, flow: held.flow };
}

describe('watch cache: consistent GET', () => {
  let cache: WatchCache | undefined;
  afterEach(async () => {
    await cache?.close();
  });

  it('behind the backend, reads the backend once, at the revision it just established (no second quorum round)', async () => {
    const b = gatedBackend();
    const inner = createObjectStore(b.backend);
    cache = createWatchCache({ inner, backend: b.backend, prefix: P, progressIntervalMs: 20, shareObjects: true });
    await cache.ready();
    b.hold();
    const created = await inner.create(K('a'), cm('a', { v: '1' }));
    const { revision } = await b.backend.currentRevision();
    expect(cache.revision).toBeLessThan(revision);
    b.reads.length = 0;
    const got = await cache.get(K('a'));
    expect(got.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    expect(b.reads).toEqual([{ revision }]);
    await expect(cache.get(K('missing'))).rejects.toMatchObject({ code: 'KeyNotFound' });
    b.flow();
    for (let i = 0; cache.revision < revision && i < 500; i++) await new Promise((r) => setTimeout(r, 10));
    b.reads.length = 0;
    expect((await cache.get(K('a'))).metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    expect(b.reads).toEqual([]); // caught up: from memory
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryBackend } from '../../backends/memory/index.js';
import type { Backend, ListOptions } from '../backend.js';
import { createObjectStore } from '../object-store-impl.js';
import { cm, everythingPred, openWatch, summary } from '../testing/object-store-conformance-helpers.js';
import { createWatchCacheRouter, type WatchCacheRouter } from './watch-cache-router.js';

describe('watch cache router', () => {
  let router: WatchCacheRouter | undefined;
  afterEach(async () => {
    await router?.close();
  });

  const setup = () => {
    const mem = createMemoryBackend();
    const lists: string[] = [];
    // Only list is observed: it shows whether a read reached the backend.
    const backend: Backend = Object.assign(Object.create(mem) as Backend, {
      list: (p: string, o?: ListOptions) => (lists.push(p), mem.list(p, o)),
    });
    router = createWatchCacheRouter({ inner: createObjectStore(backend), backend, progressIntervalMs: 20, consistentReadWaitMs: 5000 });
    return { router, lists };
  };

  it('routes reads under a cached prefix to its cache and the rest to inner', async () => {
    const { router, lists } = setup();
    await router.add('/registry/pods/').ready();
    await router.add('/registry/apps/deployments/').ready();
    await router.create('/registry/pods/ns/p', cm('p'));
    await router.create('/registry/podtemplates/ns/t', cm('t'));
    await router.create('/registry/apps/deployments/ns/d', cm('d'));
    lists.length = 0;
    expect((await router.list('/registry/pods/ns/', { predicate: everythingPred })).items).toHaveLength(1);
    expect((await router.list('/registry/apps/deployments/', { predicate: everythingPred })).items).toHaveLength(1);
    expect(lists).toEqual([]); // both from memory
    expect((await router.list('/registry/podtemplates/', { predicate: everythingPred })).items).toHaveLength(1);
    expect(lists).toEqual(['/registry/podtemplates/']); // not cached: the backend
    expect(router.prefixes().sort()).toEqual(['/registry/apps/deployments/', '/registry/pods/']);
  });

  it('ends watches of a removed cache and routes to inner afterwards', async () => {
    const { router, lists } = setup();
    await router.add('/registry/pods/').ready();
    const w = openWatch(router, '/registry/pods/', { resourceVersion: '' });
    await router.create('/registry/pods/ns/p', cm('p'));
    expect(summary(await w.take(1))).toEqual(['ADDED p']);
    await router.remove('/registry/pods/');
    await w.done();
    expect(w.ended).toBe(true);
    lists.length = 0;
    await router.list('/registry/pods/', { predicate: everythingPred });
    expect(lists).toEqual(['/registry/pods/']);
  });
});

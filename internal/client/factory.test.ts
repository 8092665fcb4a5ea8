import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createMemoryBackend } from '../backends/memory/index.js';
import { resourcePrefix } from '../registry/index.js';
import { ADMIN, createTestRegistry, fixtures } from '../registry/testing/index.js';
import { createObjectStore, createWatchCacheRouter } from '../storage/index.js';
import { FakeClock } from '../util/index.js';
import { registryPerTest } from './testing/test-registry.js';
import { createClient } from './client.js';
import { SharedInformerFactory } from './factory.js';

const CM = { group: '', version: 'v1', resource: 'configmaps' };
/** A resource this registry does not serve (as a custom resource after its CRD was deleted). */
const WIDGETS = { group: 'example.com', version: 'v1', resource: 'widgets' };

const perTest = registryPerTest();

describe('SharedInformerFactory', () => {
  it('a scoped view adds one abort listener however many handlers, and removes them all on abort', async () => {
    const r = perTest.open([fixtures.configMaps]);
    const f = new SharedInformerFactory(createClient(r.handler, ADMIN), perTest.signal);
    const plugin = new AbortController();
    const view = f.scoped(plugin.signal);
    const seen: string[] = [];
    for (let i = 0; i < 50; i++) view.informer(CM).addEventHandler({ onAdd: (o) => seen.push(`${i}:${o.metadata.name}`) });
    for (const r of [CM, { ...CM, resource: 'secrets' }, { ...CM, resource: 'services' }]) view.informer(r);
    const synced = view.waitForCacheSync();
    // The view's own listener, and one for the wait (not one per informer). secrets and services are
    // not served by this registry: their informers stop, so the wait answers false.
    expect(getEventListeners(plugin.signal, 'abort')).toHaveLength(2);
    expect(await synced).toBe(false);
    const c = createClient(r.handler, ADMIN);
    await c.create(CM, 'ns', { metadata: { name: 'a' } });
    for (let i = 0; i < 500 && seen.length < 50; i++) await new Promise((res) => setTimeout(res, 2));
    expect(seen).toHaveLength(50);
    plugin.abort();
    await c.create(CM, 'ns', { metadata: { name: 'b' } });
    await new Promise((res) => setTimeout(res, 50));
    expect(seen.filter((s) => s.endsWith(':b'))).toEqual([]);
  });

  it('stops an informer whose resource is not served (404) instead of relisting for ever, and starts a new one when asked again', async () => {
    const r = perTest.open([fixtures.configMaps]);
    const logged: string[] = [];
    const clock = new FakeClock();
    const f = new SharedInformerFactory(createClient(r.handler, ADMIN), perTest.signal, { clock, log: (msg) => logged.push(msg) });
    const inf = f.informer(WIDGETS);
    expect(await inf.waitForSync()).toBe(false);
    expect(inf.isGone()).toBe(true);
    expect(logged).toEqual(['informer example.com/v1/widgets: the resource is not served; informer stopped']);
    // No retry is pending: advancing the clock lists nothing again.
    clock.advance(60_000);
    await new Promise((res) => setTimeout(res, 20));
    expect(logged).toHaveLength(1);
    expect(f.informer(WIDGETS)).not.toBe(inf);
    // A served resource's informer is kept.
    const cms = f.informer(CM);
    expect(await cms.waitForSync()).toBe(true);
    expect(f.informer(CM)).toBe(cms);
  });

  it("informers hold the API server's watch cache objects (frozen, one copy per node), not a copy each", async () => {
    // The server's store: a watch cache per resource that hands out its frozen objects.
    const backend = createMemoryBackend();
    const cache = createWatchCacheRouter({ inner: createObjectStore(backend), backend, shareObjects: true });
    cache.add(resourcePrefix(fixtures.configMaps));
    const r = createTestRegistry([fixtures.configMaps], {}, { backend, objectStore: cache });
    try {
      const c = createClient(r.handler, ADMIN);
      await c.create(CM, 'ns', { metadata: { name: 'a' }, data: { k: 'v' } });
      const f = new SharedInformerFactory(c, perTest.signal);
      const all = f.informer(CM);
      const scoped = f.informer(CM, 'ns');
      expect(await all.waitForSync()).toBe(true);
      expect(await scoped.waitForSync()).toBe(true);
      const a = all.lister.get('ns', 'a')!;
      const b = scoped.lister.get('ns', 'a')!;
      expect(Object.isFrozen(a.data)).toBe(true);
      // Two informers and a read from the cache share the decoded data.
      expect(b.data).toBe(a.data);
      expect((await c.get(CM, 'ns', 'a', { resourceVersion: '0' })).data).toBe(a.data);
    } finally {
      await cache.close();
      await r.close();
    }
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import type { WatchEvent } from '../../api/index.js';
import { createMemoryBackend } from '../../backends/memory/index.js';
import { createObjectStore, createWatchCache, type WatchCache } from '../../storage/index.js';
import { configMaps } from '../testing/fixtures.js';
import { ADMIN, createTestRegistry, take, type TestRegistry } from '../testing/test-registry.js';

const CM = { group: '', version: 'v1', resource: 'configmaps', namespace: 'ns' } as const;

let r: TestRegistry | undefined;
let cache: WatchCache | undefined;
afterEach(async () => {
  await cache?.close();
  await r?.close();
});

describe('watch fan-out over a shared-object watch cache', () => {
  it('gives every watcher of a change the same presented event, identical to a per-watcher one', async () => {
    const backend = createMemoryBackend();
    cache = createWatchCache({ inner: createObjectStore(backend), backend, prefix: '/registry/configmaps/', shareObjects: true, progressIntervalMs: 20 });
    await cache.ready();
    r = createTestRegistry([configMaps], {}, { backend, objectStore: cache });
    const created = await r.obj({ ...CM, verb: 'create', body: { metadata: { name: 'c1' }, data: { a: '1' } }, params: {} });
    const ac = new AbortController();
    const watch = async (labelSelector?: string) =>
      (await r!.handler.watch({ user: ADMIN, ...CM, verb: 'watch', params: { resourceVersion: created.metadata.resourceVersion, labelSelector }, signal: ac.signal })).events;
    const streams = [await watch(), await watch(), await watch('x!=y')];
    await r.call({ ...CM, verb: 'update', name: 'c1', body: { ...created, data: { a: '2' } }, params: {} });
    const [a, b, c] = await Promise.all(streams.map(async (s) => (await take(s, 1))[0] as WatchEvent));
    ac.abort();
    expect(a).toBe(b);
    expect(a).toBe(c);
    expect(a).toMatchObject({ type: 'MODIFIED', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1' }, data: { a: '2' } } });
  });
});

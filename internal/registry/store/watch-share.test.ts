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

  it('gives every watch that starts with initial events the same ADDED event per object', async () => {
    const backend = createMemoryBackend();
    cache = createWatchCache({ inner: createObjectStore(backend), backend, prefix: '/registry/configmaps/', shareObjects: true, progressIntervalMs: 20 });
    await cache.ready();
    r = createTestRegistry([configMaps], {}, { backend, objectStore: cache });
    for (const name of ['c1', 'c2']) await r.obj({ ...CM, verb: 'create', body: { metadata: { name }, data: { a: '1' } }, params: {} });
    await r.obj({ ...CM, verb: 'get', name: 'c2', params: { resourceVersion: '' } });
    const ac = new AbortController();
    // No resourceVersion: each watch starts with the current objects as ADDED events.
    const watch = async () => (await r!.handler.watch({ user: ADMIN, ...CM, verb: 'watch', params: {}, signal: ac.signal })).events;
    const [a, b] = await Promise.all([watch(), watch()].map(async (s) => take(await s, 2)));
    ac.abort();
    expect((a as WatchEvent[]).map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED c1', 'ADDED c2']);
    expect(a[0]).toBe(b[0]);
    expect(a[1]).toBe(b[1]);
  });
});

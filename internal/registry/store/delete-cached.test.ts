import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryBackend } from '../../backends/memory/index.js';
import { createObjectStore, createWatchCache, type WatchCache } from '../../storage/index.js';
import { delegatingBackend, holdableWatch } from '../../storage/testing/helpers.js';
import { configMaps } from '../testing/fixtures.js';
import { createTestRegistry, type TestRegistry } from '../testing/test-registry.js';

const CM = { group: '', version: 'v1', resource: 'configmaps', namespace: 'ns' } as const;

let r: TestRegistry | undefined;
let cache: WatchCache | undefined;
afterEach(async () => {
  await cache?.close();
  await r?.close();
});

/** A registry over a shared-object watch cache whose feed can be held (the cache then lags). */
async function setup() {
  const mem = createMemoryBackend();
  const calls = { currentRevision: 0 };
  const held = holdableWatch(mem);
  const backend = delegatingBackend(mem, { currentRevision: () => (calls.currentRevision++, mem.currentRevision()), watch: held.watch });
  cache = createWatchCache({ inner: createObjectStore(backend), backend, prefix: '/registry/configmaps/', shareObjects: true, progressIntervalMs: 20 });
  await cache.ready();
  r = createTestRegistry([configMaps], {}, { backend, objectStore: cache });
  const settle = async () => {
    const { revision } = await mem.currentRevision();
    while (cache!.revision < revision) await new Promise((res) => setTimeout(res, 5));
  };
  return { calls, settle, hold: held.hold, flow: held.flow, registry: r };
}

describe('delete starts from the cached copy', () => {
  it('with the cache current, a delete asks the backend for no revision (no linearizable read first)', async () => {
    const { calls, settle, registry } = await setup();
    await registry.obj({ ...CM, verb: 'create', body: { metadata: { name: 'a' } }, params: {} });
    await settle();
    calls.currentRevision = 0;
    const res = await registry.call({ ...CM, verb: 'delete', name: 'a', params: {} });
    expect(res.code).toBe(200);
    expect(calls.currentRevision).toBe(0);
    await expect(registry.call({ ...CM, verb: 'get', name: 'a', params: {} })).rejects.toMatchObject({ code: 404 });
  });

  it('an object the cache has not seen yet is deleted, not NotFound', async () => {
    const { hold, flow, registry } = await setup();
    hold();
    await registry.obj({ ...CM, verb: 'create', body: { metadata: { name: 'new' } }, params: {} });
    const res = await registry.call({ ...CM, verb: 'delete', name: 'new', params: {} });
    flow();
    expect(res.code).toBe(200);
    await expect(registry.call({ ...CM, verb: 'get', name: 'new', params: {} })).rejects.toMatchObject({ code: 404 });
  });

  it('a precondition the stale copy fails but the committed state meets deletes', async () => {
    const { hold, flow, settle, registry } = await setup();
    const v1 = await registry.obj({ ...CM, verb: 'create', body: { metadata: { name: 'a' }, data: { k: '1' } }, params: {} });
    await settle();
    hold();
    const v2 = await registry.obj({ ...CM, verb: 'update', name: 'a', body: { ...v1, data: { k: '2' } }, params: {} });
    const res = await registry.call({ ...CM, verb: 'delete', name: 'a', params: { preconditions: { resourceVersion: v2.metadata.resourceVersion } } });
    flow();
    expect(res.code).toBe(200);
    // And a precondition the committed state fails is still a Conflict.
    const b = await registry.obj({ ...CM, verb: 'create', body: { metadata: { name: 'b' } }, params: {} });
    await expect(registry.call({ ...CM, verb: 'delete', name: 'b', params: { preconditions: { resourceVersion: `${b.metadata.resourceVersion}9` } } })).rejects.toMatchObject({ code: 409 });
  });

  it('a stale copy still terminating does not answer for an object already gone', async () => {
    const { hold, flow, settle, registry } = await setup();
    await registry.obj({ ...CM, verb: 'create', body: { metadata: { name: 'f', finalizers: ['example.com/x'] } }, params: {} });
    const pending = await registry.call({ ...CM, verb: 'delete', name: 'f', params: {} });
    expect(pending.code).toBe(200);
    await settle();
    hold();
    // The last finalizer goes: the object is deleted, which the held cache does not know.
    const cur = await registry.obj({ ...CM, verb: 'get', name: 'f', params: {} });
    await registry.call({ ...CM, verb: 'update', name: 'f', body: { ...cur, metadata: { ...cur.metadata, finalizers: [] } }, params: {} });
    await expect(registry.call({ ...CM, verb: 'delete', name: 'f', params: {} })).rejects.toMatchObject({ code: 404 });
    flow();
  });

  it('a stale copy that lost the compare retries and deletes the committed state', async () => {
    const { hold, flow, settle, registry } = await setup();
    const v1 = await registry.obj({ ...CM, verb: 'create', body: { metadata: { name: 'a' }, data: { k: '1' } }, params: {} });
    await settle();
    hold();
    await registry.obj({ ...CM, verb: 'update', name: 'a', body: { ...v1, data: { k: '2' } }, params: {} });
    const res = await registry.call({ ...CM, verb: 'delete', name: 'a', params: {} });
    flow();
    expect(res.code).toBe(200);
    await expect(registry.call({ ...CM, verb: 'get', name: 'a', params: {} })).rejects.toMatchObject({ code: 404 });
  });
});

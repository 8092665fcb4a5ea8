import { describe, expect, it } from 'vitest';
import { isApiError } from '../api/index.js';
import { createMemoryBackend } from '../backends/index.js';
import { builtinDefinitions, createRegistry, createServiceAllocator, serviceUsage } from '../registry/index.js';
import { createObjectStore } from '../storage/index.js';
import { ServiceTracker } from './service-ips.js';

const SYSTEM = { name: 'admin', groups: ['system:masters'] };

function registryOver(backend: ReturnType<typeof createMemoryBackend>, tracker: ServiceTracker) {
  const allocator = createServiceAllocator({ inUse: () => serviceUsage(tracker.values() as { spec?: unknown }[]) });
  return createRegistry({ definitions: builtinDefinitions({ serviceAllocator: allocator }), objectStore: createObjectStore(backend) });
}

const svc = (name: string, clusterIP?: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }], ...(clusterIP ? { clusterIP } : {}) } });

describe('ServiceTracker', () => {
  it('lets a fresh allocator (a restarted server) see the cluster IPs storage already holds', async () => {
    const backend = createMemoryBackend();
    const first = registryOver(backend, new ServiceTracker());
    await first.handler.handle({ user: SYSTEM, group: '', version: 'v1', resource: 'namespaces', verb: 'create', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }, params: {} });
    await first.handler.handle({ user: SYSTEM, group: '', version: 'v1', resource: 'services', namespace: 'default', verb: 'create', body: svc('a', '10.96.7.7'), params: {} });

    // "Restart": new allocator and tracker over the same storage.
    const tracker = new ServiceTracker();
    const second = registryOver(backend, tracker);
    const stop = new AbortController();
    await tracker.start(second.handler, stop.signal, () => {});
    expect(tracker.values().map((s) => s.metadata.name)).toEqual(['a']);
    const err = await second.handler
      .handle({ user: SYSTEM, group: '', version: 'v1', resource: 'services', namespace: 'default', verb: 'create', body: svc('b', '10.96.7.7'), params: {} })
      .catch((e: unknown) => e);
    expect(isApiError(err), JSON.stringify(err).slice(0, 300)).toBe(true);
    expect((err as { reason: string }).reason).toBe("Invalid");
    expect((err as Error).message).toContain('10.96.7.7');

    // Later writes arrive through the watch.
    await second.handler.handle({ user: SYSTEM, group: '', version: 'v1', resource: 'services', namespace: 'default', verb: 'create', body: svc('c'), params: {} });
    for (let i = 0; i < 100 && tracker.values().length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(tracker.values().map((s) => s.metadata.name).sort()).toEqual(['a', 'c']);
    stop.abort();
    await backend.close();
  });
});

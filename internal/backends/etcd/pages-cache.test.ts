import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalog, createHandler, resourcePrefix } from '../../registry/index.js';
import { builtinDefinitions } from '../../registry/resources/index.js';
import { createObjectStore, createWatchCacheRouter, type Backend } from '../../storage/index.js';
import { createEtcdBackend } from './etcd-backend.js';
import { etcdBinary, NO_ETCD, startEtcdCluster, type EtcdCluster } from './testing/etcd-cluster.js';

// On etcd as on the embedded store, the pages after the first of a paginated LIST are read from
// the watch cache (the snapshot it holds unchanged): the backend is asked for nothing per page.
const haveEtcd = etcdBinary() !== undefined;
if (!haveEtcd) describe.skip(NO_ETCD, () => it('needs etcd', () => {}));

describe.runIf(haveEtcd)('paginated LIST on etcd', () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcdCluster(1);
  }, 60_000);
  afterAll(async () => cluster?.close());

  it('reads no page after the first from etcd', async () => {
    const backend = await createEtcdBackend({ endpoints: cluster.endpoints, compactionIntervalMs: 0 });
    const calls: string[] = [];
    const counted = new Proxy(backend, {
      get(t, k, r) {
        const v = Reflect.get(t, k, r) as unknown;
        return typeof v === 'function' && k !== 'watch' ? (...a: unknown[]) => (calls.push(String(k)), (v as (...x: unknown[]) => unknown).apply(t, a)) : v;
      },
    }) as Backend;
    const catalog = createCatalog(builtinDefinitions());
    const cache = createWatchCacheRouter({ inner: createObjectStore(counted), backend: counted, shareObjects: true });
    const handler = createHandler({ catalog, objectStore: cache });
    try {
      await Promise.all(catalog.definitions().filter((d) => !d.serve && ['namespaces', 'configmaps'].includes(d.plural)).map((d) => cache.add(resourcePrefix(d)).ready()));
      const user = { name: 'admin', groups: ['system:masters'] };
      const cm = { group: '', version: 'v1', resource: 'configmaps', namespace: 'default' } as const;
      await handler.handle({ user, group: '', version: 'v1', resource: 'namespaces', verb: 'create', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }, params: {} });
      for (let i = 0; i < 25; i++) await handler.handle({ user, ...cm, verb: 'create', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}` } }, params: {} });
      calls.length = 0;
      let cont: string | undefined;
      const names: string[] = [];
      const perPage: string[][] = [];
      do {
        const before = calls.length;
        const res = await handler.handle({ user, ...cm, verb: 'list', params: { limit: 5, ...(cont ? { continue: cont } : {}) } });
        const body = res.body as { items: { metadata: { name: string } }[]; metadata: { continue?: string } };
        names.push(...body.items.map((o) => o.metadata.name));
        cont = body.metadata.continue;
        perPage.push(calls.slice(before));
      } while (cont);
      expect(names).toHaveLength(25);
      expect(perPage).toHaveLength(5);
      expect(perPage.slice(1)).toEqual([[], [], [], []]);
    } finally {
      await cache.close();
      await backend.close();
    }
  }, 60_000);
});

import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/index.js';
import { createClient } from '../client/index.js';
import { PluginHost, type Logger } from '../plugin/index.js';
import { ADMIN, createTestRegistry, fixtures, type TestRegistry } from '../registry/testing/index.js';
import { realClock } from '../util/index.js';
import { CRDS, crdPlugin } from './crd-plugin.js';

/** The host's informers and elections act as kube-controller-manager: these tests have no RBAC, so everyone may do everything. */
const ALLOW = { authorize: async () => ({ allowed: true }) };

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const NS = { group: '', version: 'v1', resource: 'namespaces' };
const W = { group: 'example.com', version: 'v1', resource: 'widgets' };
const crd: KubeObject = {
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
  },
};

const opened: { r: TestRegistry; host: PluginHost }[] = [];
afterEach(async () => {
  const all = opened.splice(0);
  for (const o of all) await o.host.stop();
  await all[0]?.r.close();
});

/** A registry replica over `shared`'s store (or a new one) running the crd plugin. */
function replica(shared?: TestRegistry) {
  const r = shared ? createTestRegistry([], { clock: realClock, authorizer: ALLOW }, { backend: shared.backend, objectStore: shared.objectStore }) : createTestRegistry([fixtures.namespaces], { clock: realClock, authorizer: ALLOW });
  const plugin = crdPlugin(r.crds, { retryMs: 10 });
  const host = new PluginHost({ plugins: [plugin], handler: r.handler, nodeName: 'n', log: quiet });
  host.start();
  opened.push({ r, host });
  return { r, plugin, client: createClient(r.handler, ADMIN) };
}

async function until(cond: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300 && !(await cond()); i++) await new Promise((res) => setTimeout(res, 10));
  expect(await cond()).toBe(true);
}

describe('crd plugin', () => {
  it('deleting a CRD removes its custom resources, then the CRD, and the catalog stops serving it', async () => {
    const { r, client, plugin } = replica();
    await until(() => plugin.synced());
    for (const ns of ['a', 'b']) await client.create(NS, undefined, { metadata: { name: ns } });
    await client.create(CRDS, undefined, crd);
    await client.create(W, 'a', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1' } });
    await client.create(W, 'b', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w2' } });
    await client.delete(CRDS, undefined, 'widgets.example.com');
    await until(() => !r.catalog.lookup('example.com', 'v1', 'widgets'));
    await expect(client.get(CRDS, undefined, 'widgets.example.com')).rejects.toMatchObject({ code: 404 });
    const left = await r.objectStore.list('/registry/example.com/widgets/', { predicate: { matches: () => true, everything: true } });
    expect(left.items).toEqual([]);
  });

  it('another replica learns CRDs written elsewhere from its informer, and forgets deleted ones', async () => {
    const first = replica();
    await first.client.create(CRDS, undefined, crd);
    const second = replica(first.r);
    await until(() => second.plugin.synced() && !!second.r.catalog.lookup('example.com', 'v1', 'widgets'));
    await first.client.patch(CRDS, undefined, 'widgets.example.com', 'json', [{ op: 'remove', path: '/metadata/finalizers' }]);
    await first.client.delete(CRDS, undefined, 'widgets.example.com');
    await until(() => !second.r.catalog.lookup('example.com', 'v1', 'widgets'));
  });
});

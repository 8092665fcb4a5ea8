import { afterEach, describe, expect, it } from 'vitest';
import { isApiError, type KubeObject, type OwnerReference } from '../../../internal/api/index.js';
import { NAMESPACES } from '../shared/refs.js';
import type { ServedResources } from '../shared/served.js';
import { eventually, startCluster, type Cluster } from '../testing/harness.js';
import { CRDS, WIDGETS, widgetCrd } from '../testing/objects.js';
import { garbageCollectorPlugin } from './index.js';

const CM = { group: '', version: 'v1', resource: 'configmaps' };
const CLUSTERROLES = { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles' };
const EVENTS = { group: 'events.k8s.io', version: 'v1', resource: 'events' };

let c: Cluster;
afterEach(async () => c?.stop());

async function setup(): Promise<void> {
  c = startCluster();
  for (const name of ['default', 'ns', 'other']) await c.client.create(NAMESPACES, undefined, { metadata: { name } });
  await c.client.create(CRDS, undefined, widgetCrd());
  c.start(garbageCollectorPlugin(c.served));
}

const ref = (o: KubeObject, block = false): OwnerReference => ({
  apiVersion: o.apiVersion ?? 'v1',
  kind: o.kind ?? 'ConfigMap',
  name: o.metadata.name!,
  uid: o.metadata.uid!,
  ...(block ? { blockOwnerDeletion: true } : {}),
});
const cm = (name: string, owners: OwnerReference[] = [], ns = 'ns') => c.client.create(CM, ns, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ownerReferences: owners } });
const exists = (r: typeof CM, ns: string | undefined, name: string) => c.client.get(r, ns, name).catch((err: unknown) => (isApiError(err, 'NotFound') ? undefined : Promise.reject(err)));

describe('garbage collector', () => {
  it('background: dependents of a deleted owner go, across kinds (a custom resource owning ConfigMaps)', async () => {
    await setup();
    const owner = await c.client.create(WIDGETS, 'ns', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } });
    await cm('dep1', [ref(owner)]);
    const other = await cm('keeper');
    await cm('dep2', [ref(owner), ref(other)]);
    await c.client.delete(WIDGETS, 'ns', 'w');
    await eventually(async () => expect(await exists(CM, 'ns', 'dep1')).toBeUndefined());
    // dep2 has another owner that still exists: it stays, without the reference to the gone one.
    await eventually(async () => expect((await exists(CM, 'ns', 'dep2'))?.metadata.ownerReferences).toEqual([ref(other)]));
  });

  it('foreground: the owner waits (foregroundDeletion) until its blocking dependents are gone', async () => {
    await setup();
    const owner = await cm('owner');
    const child = await cm('child', [ref(owner, true)]);
    await cm('grandchild', [ref(child, true)]);
    await c.client.delete(CM, 'ns', 'owner', { propagationPolicy: 'Foreground' });
    expect((await exists(CM, 'ns', 'owner'))?.metadata.finalizers).toEqual(['foregroundDeletion']);
    await eventually(async () => expect(await exists(CM, 'ns', 'owner')).toBeUndefined());
    expect(await exists(CM, 'ns', 'child')).toBeUndefined();
    expect(await exists(CM, 'ns', 'grandchild')).toBeUndefined();
  });

  it('orphan: dependents stay without the owner reference, then the owner goes', async () => {
    await setup();
    const owner = await cm('owner');
    await cm('kid', [ref(owner)]);
    await c.client.delete(CM, 'ns', 'owner', { propagationPolicy: 'Orphan' });
    await eventually(async () => expect(await exists(CM, 'ns', 'owner')).toBeUndefined());
    const kid = await exists(CM, 'ns', 'kid');
    expect(kid?.metadata.ownerReferences ?? []).toEqual([]);
  });

  it('dangling and cross-namespace owners count as absent; a cluster-scoped dependent of a namespaced kind is left alone', async () => {
    await setup();
    await cm('dangling', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'nobody', uid: 'no-such-uid' }]);
    const elsewhere = await cm('owner', [], 'other');
    await cm('cross', [ref(elsewhere)]);
    await c.client.create(CLUSTERROLES, undefined, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'odd', ownerReferences: [ref(elsewhere)] } });
    await eventually(async () => {
      expect(await exists(CM, 'ns', 'dangling')).toBeUndefined();
      expect(await exists(CM, 'ns', 'cross')).toBeUndefined();
    });
    await eventually(async () => {
      const events = (await c.client.list(EVENTS, 'default')).items;
      expect(events.map((e) => e.reason)).toContain('OwnerRefInvalidNamespace');
    });
    expect(await exists(CLUSTERROLES, undefined, 'odd')).toBeDefined();
    expect(await exists(CM, 'other', 'owner')).toBeDefined();
  });

  it('lets go of a resource that stops being served (a deleted CRD) and watches it again once served again', async () => {
    c = startCluster();
    await c.client.create(NAMESPACES, undefined, { metadata: { name: 'ns' } });
    await c.client.create(CRDS, undefined, widgetCrd());
    // The served set as the GC sees it, with the custom resource hidden on demand (the harness
    // runs no CRD controller, so a real CRD deletion would not finish here).
    let hidden = false;
    const listeners = new Set<() => void>();
    const served: ServedResources = {
      list: () => c.served.list().filter((r) => !(hidden && r.group === 'example.com')),
      onChange: (fn) => {
        listeners.add(fn);
        const off = c.served.onChange(fn);
        return () => (listeners.delete(fn), off());
      },
    };
    const setHidden = (h: boolean) => ((hidden = h), listeners.forEach((fn) => fn()));
    c.start(garbageCollectorPlugin(served));
    const widgets = c.informers.informer(WIDGETS);
    await eventually(async () => expect(widgets.handlerCount).toBe(1));
    setHidden(true);
    expect(widgets.handlerCount).toBe(0);
    const owner = await c.client.create(WIDGETS, 'ns', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } });
    await cm('dep', [ref(owner)]);
    await c.client.delete(WIDGETS, 'ns', 'w');
    // Served again (a re-created CRD): one handler again, and the dependent of the gone owner goes.
    setHidden(false);
    expect(widgets.handlerCount).toBe(1);
    await eventually(async () => expect(await exists(CM, 'ns', 'dep')).toBeUndefined());
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../internal/api/index.js';
import { NAMESPACES, PODS } from '../shared/refs.js';
import { eventually, notFound, startCluster, type Cluster } from '../testing/harness.js';
import { CRDS, WIDGETS, deployment, pod, widgetCrd } from '../testing/objects.js';
import { namespacePlugin } from './index.js';

const CM = { group: '', version: 'v1', resource: 'configmaps' };
const SECRETS = { group: '', version: 'v1', resource: 'secrets' };
const DEPLOY = { group: 'apps', version: 'v1', resource: 'deployments' };

let c: Cluster;
afterEach(async () => c?.stop());

const gone = (ref: typeof CM, ns: string | undefined, name: string) => notFound(c.client.get(ref, ns, name));

describe('namespace controller', () => {
  it('deletes all content (built-ins and custom resources), then the namespace; the name can be reused', async () => {
    c = startCluster();
    await c.client.create(CRDS, undefined, widgetCrd());
    await c.client.create(NAMESPACES, undefined, { metadata: { name: 'x' } });
    await c.client.create(CM, 'x', { metadata: { name: 'a' } });
    await c.client.create(SECRETS, 'x', { metadata: { name: 's' }, type: 'Opaque' } as KubeObject);
    await c.client.create(DEPLOY, 'x', deployment('web'));
    await c.client.create(WIDGETS, 'x', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } });
    await c.client.create(PODS, 'x', pod('p', { app: 'web' }));
    c.start(namespacePlugin(c.served));
    await c.client.delete(NAMESPACES, undefined, 'x');
    await eventually(async () => expect(await gone(NAMESPACES, undefined, 'x')).toBe(true));
    for (const [ref, name] of [[CM, 'a'], [SECRETS, 's'], [DEPLOY, 'web'], [WIDGETS, 'w'], [PODS, 'p']] as const) expect(await gone(ref, 'x', name)).toBe(true);
    await c.client.create(NAMESPACES, undefined, { metadata: { name: 'x' } });
    expect(await c.client.list(CM, 'x')).toMatchObject({ items: [] });
  });

  it('an object held by a finalizer keeps the namespace, with the conditions saying why', async () => {
    c = startCluster();
    await c.client.create(NAMESPACES, undefined, { metadata: { name: 'y' } });
    await c.client.create(CM, 'y', { metadata: { name: 'held', finalizers: ['example.com/hold'] } });
    c.start(namespacePlugin(c.served));
    await c.client.delete(NAMESPACES, undefined, 'y');
    const conditions = async () => ((await c.client.get(NAMESPACES, undefined, 'y')).status as { conditions?: { type: string; status: string; message: string }[] }).conditions ?? [];
    await eventually(async () => expect((await conditions()).find((x) => x.type === 'NamespaceFinalizersRemaining')?.status).toBe('True'));
    const byType = Object.fromEntries((await conditions()).map((x) => [x.type, x]));
    expect(byType.NamespaceContentRemaining).toMatchObject({ status: 'True', message: 'Some resources are remaining: configmaps. has 1 resource instances' });
    expect(byType.NamespaceFinalizersRemaining).toMatchObject({ message: 'Some finalizers are remaining: example.com/hold in 1 resource instances' });
    expect(byType.NamespaceDeletionContentFailure).toMatchObject({ status: 'False', reason: 'ContentDeleted' });
    await c.client.patch(CM, 'y', 'held', 'merge', { metadata: { finalizers: null } });
    await eventually(async () => expect(await gone(NAMESPACES, undefined, 'y')).toBe(true), 8000);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/index.js';
import { seededRand } from '../../util/index.js';
import { createTestRegistry, type TestRegistry } from '../testing/test-registry.js';
import { builtinDefinitions, createServiceAllocator } from './index.js';

// The definitions through the real verb pipeline (generic store over the memory backend).
let reg: TestRegistry | undefined;
afterEach(async () => {
  await reg?.close();
  reg = undefined;
});

function registry(): TestRegistry {
  reg = createTestRegistry(builtinDefinitions({ serviceAllocator: createServiceAllocator({ rand: seededRand(3) }) }));
  return reg;
}

const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } };
const deployment = (replicas: number): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } } },
});

describe('built-ins through the registry handler', () => {
  it('namespace, pod, deployment, scale, status and generation', async () => {
    const r = registry();
    const created = await r.obj({ verb: 'create', group: '', version: 'v1', resource: 'namespaces', body: ns, params: {} });
    expect(created).toMatchObject({ spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
    expect(created.metadata.generation).toBeUndefined();

    const pod = await r.obj({
      verb: 'create', group: '', version: 'v1', resource: 'pods', namespace: 'default', params: {},
      body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    });
    expect(pod).toMatchObject({ spec: { restartPolicy: 'Always', serviceAccountName: 'default' }, status: { phase: 'Pending', qosClass: 'BestEffort' } });
    expect(pod.metadata.generation).toBeUndefined();

    const d = await r.obj({ verb: 'create', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'default', body: deployment(2), params: {} });
    expect(d.metadata.generation).toBe(1);
    expect(d.spec).toMatchObject({ strategy: { type: 'RollingUpdate' }, revisionHistoryLimit: 10 });

    const scaled = await r.obj({
      verb: 'patch', group: 'apps', version: 'v1', resource: 'deployments', subresource: 'scale', namespace: 'default', name: 'web',
      patchType: 'merge', patch: { spec: { replicas: 4 } }, params: {},
    });
    expect(scaled).toMatchObject({ kind: 'Scale', spec: { replicas: 4 }, status: { selector: 'app=web' } });
    const afterScale = await r.obj({ verb: 'get', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'default', name: 'web', params: {} });
    expect(afterScale.metadata.generation).toBe(2);

    const withStatus = await r.obj({
      verb: 'patch', group: 'apps', version: 'v1', resource: 'deployments', subresource: 'status', namespace: 'default', name: 'web',
      patchType: 'merge', patch: { spec: { replicas: 9 }, status: { replicas: 4, readyReplicas: 3 } }, params: {},
    });
    expect(withStatus.spec).toMatchObject({ replicas: 4 });
    expect(withStatus.status).toEqual({ replicas: 4, readyReplicas: 3 });
    expect(withStatus.metadata.generation).toBe(2);

    const bad = await r.call({ verb: 'create', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'default', params: {},
      body: { ...deployment(1), metadata: { name: 'bad' }, spec: { ...(deployment(1).spec as object), selector: { matchLabels: { app: 'other' } } } } }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 422, reason: 'Invalid' });
    expect((bad as Error).message).toContain('`selector` does not match template `labels`');
  });

  it('service gets a cluster IP; events.k8s.io reads core events', async () => {
    const r = registry();
    await r.call({ verb: 'create', group: '', version: 'v1', resource: 'namespaces', body: ns, params: {} });
    const svc = await r.obj({
      verb: 'create', group: '', version: 'v1', resource: 'services', namespace: 'default', params: {},
      body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } },
    });
    expect((svc.spec as { clusterIP: string }).clusterIP).toMatch(/^10\./);
    await r.call({
      verb: 'create', group: '', version: 'v1', resource: 'events', namespace: 'default', params: {},
      body: { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e1' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, message: 'hello', reason: 'Test', type: 'Normal' },
    });
    const ev = await r.obj({ verb: 'get', group: 'events.k8s.io', version: 'v1', resource: 'events', namespace: 'default', name: 'e1', params: {} });
    expect(ev).toMatchObject({ apiVersion: 'events.k8s.io/v1', regarding: { kind: 'Pod', name: 'p' }, note: 'hello' });
  });
});

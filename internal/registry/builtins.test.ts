import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, type KubeObject } from '../api/index.js';
import { builtinDefinitions } from './resources/index.js';
import { createTestRegistry, type TestRegistry, failure } from './testing/test-registry.js';

// The generic engine with the real built-in definitions: the seams between store and strategies
// that kubectl exercises first (namespaces, the kubernetes Service, configmaps, deployments, pods).
let r: TestRegistry;
afterEach(async () => r?.close());

const NS = { group: '', version: 'v1', resource: 'namespaces' } as const;
const SVC = { group: '', version: 'v1', resource: 'services', namespace: 'default' } as const;
const CM = { group: '', version: 'v1', resource: 'configmaps', namespace: 'default' } as const;
const DEPLOY = { group: 'apps', version: 'v1', resource: 'deployments', namespace: 'default' } as const;
const PODS = { group: '', version: 'v1', resource: 'pods', namespace: 'default' } as const;

describe('built-in definitions through the generic store', () => {
  it('bootstraps namespaces and the kubernetes Service idempotently', async () => {
    r = createTestRegistry(builtinDefinitions());
    for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      const ns = await r.obj({ ...NS, verb: 'create', body: { metadata: { name } }, params: {} });
      expect(ns.status).toEqual({ phase: 'Active' });
      expect(ns.spec).toEqual({ finalizers: ['kubernetes'] });
      expect(ns.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': name });
      expect(ns.metadata.generation).toBeUndefined();
    }
    const svc = await r.obj({
      ...SVC,
      verb: 'create',
      body: { metadata: { name: 'kubernetes' }, spec: { type: 'ClusterIP', clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] } },
      params: {},
    });
    expect((svc.spec as { clusterIP: string }).clusterIP).toBe('10.96.0.1');
    const again = await failure(r.call({ ...NS, verb: 'create', body: { metadata: { name: 'default' } }, params: {} }));
    expect(again.reason).toBe('AlreadyExists');
  });

  it('runs kubectl-like flows: create, SMP, scale, status, delete with propagation', async () => {
    r = createTestRegistry(builtinDefinitions());
    await r.call({ ...NS, verb: 'create', body: { metadata: { name: 'default' } }, params: {} });
    await r.call({ ...CM, verb: 'create', body: { metadata: { name: 'c' }, data: { a: '1' } }, params: { fieldValidation: 'Strict' } });
    const strict = await failure(r.call({ ...CM, verb: 'create', body: { metadata: { name: 'd' }, data: { a: '1' }, bogus: 1 } as KubeObject, params: { fieldValidation: 'Strict' } }));
    expect(strict.message).toBe('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"');
    const d = await r.obj({
      ...DEPLOY,
      verb: 'create',
      body: {
        metadata: { name: 'web' },
        spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
      },
      params: { fieldValidation: 'Strict' },
    });
    expect(d.metadata.generation).toBe(1);
    const patched = await r.obj({
      ...DEPLOY,
      verb: 'patch',
      name: 'web',
      patchType: 'strategic',
      patch: { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:2' }] } } } },
      params: {},
    });
    expect(patched.metadata.generation).toBe(2);
    const scale = await r.obj({ ...DEPLOY, verb: 'get', name: 'web', subresource: 'scale', params: {} });
    expect(scale).toMatchObject({ kind: 'Scale', spec: { replicas: 1 }, status: { selector: 'app=web' } });
    const status = await r.obj({ ...DEPLOY, verb: 'patch', name: 'web', subresource: 'status', patchType: 'merge', patch: { status: { observedGeneration: 2 } }, params: {} });
    expect((status.status as { observedGeneration: number }).observedGeneration).toBe(2);
    const fg = await r.obj({ ...DEPLOY, verb: 'delete', name: 'web', params: { propagationPolicy: 'Foreground' } });
    expect(fg.metadata.finalizers).toEqual(['foregroundDeletion']);
  });

  it('binds, gracefully deletes and evicts pods', async () => {
    r = createTestRegistry(builtinDefinitions());
    await r.call({ ...NS, verb: 'create', body: { metadata: { name: 'default' } }, params: {} });
    const pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
    await r.call({ ...PODS, verb: 'create', body: pod, params: {} });
    const bound = await r.call({ ...PODS, verb: 'create', name: 'p', subresource: 'binding', body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { apiVersion: 'v1', kind: 'Node', name: 'n1' } } as KubeObject, params: {} });
    expect(bound.code).toBe(201);
    const scheduled = await r.obj({ ...PODS, verb: 'get', name: 'p', params: {} });
    expect((scheduled.status as { conditions: unknown[] }).conditions).toContainEqual(expect.objectContaining({ type: 'PodScheduled', status: 'True' }));
    const pending = await r.obj({ ...PODS, verb: 'delete', name: 'p', params: {} });
    expect(pending.metadata.deletionTimestamp).toBeDefined();
    expect(pending.metadata.deletionGracePeriodSeconds).toBe(30);
    await r.call({ ...PODS, verb: 'delete', name: 'p', params: { gracePeriodSeconds: 0 } });
    expect((await failure(r.call({ ...PODS, verb: 'get', name: 'p', params: {} }))).code).toBe(404);
    await r.call({ ...PODS, verb: 'create', body: { ...pod, metadata: { name: 'q' } }, params: {} });
    const ev = await r.call({ ...PODS, verb: 'create', name: 'q', subresource: 'eviction', body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'q' } } as KubeObject, params: {} });
    expect(ev.code).toBe(201);
  });

  it('evicts only within a PodDisruptionBudget, taking one disruption from its status', async () => {
    r = createTestRegistry(builtinDefinitions());
    await r.call({ ...NS, verb: 'create', body: { metadata: { name: 'default' } }, params: {} });
    const PDB = { group: 'policy', version: 'v1', resource: 'poddisruptionbudgets', namespace: 'default' } as const;
    const pdb = await r.obj({ ...PDB, verb: 'create', body: { metadata: { name: 'web' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } } }, params: {} });
    const setBudget = (allowed: number, rv?: string) =>
      r.obj({ ...PDB, verb: 'update', name: 'web', subresource: 'status', body: { ...pdb, metadata: { ...pdb.metadata, resourceVersion: rv }, status: { observedGeneration: 1, disruptionsAllowed: allowed, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 } }, params: {} });
    let cur = await setBudget(0);
    const pod = await r.obj({ ...PODS, verb: 'create', body: { metadata: { name: 'w', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }, params: {} });
    await r.call({ ...PODS, verb: 'update', name: 'w', subresource: 'status', body: { ...pod, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }, params: {} });
    const evict = () => r.call({ ...PODS, verb: 'create', name: 'w', subresource: 'eviction', body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'w' } } as KubeObject, params: {} });
    const refused = await failure(evict());
    expect(refused.code).toBe(429);
    expect(refused.message).toBe("Cannot evict pod as it would violate the pod's disruption budget.");
    cur = await setBudget(1, cur.metadata.resourceVersion);
    expect((await evict()).code).toBe(201);
    const after = await r.obj({ ...PDB, verb: 'get', name: 'web', params: {} });
    expect(after.status).toMatchObject({ disruptionsAllowed: 0, disruptedPods: { w: expect.any(String) } });
    expect((await failure(r.call({ ...PODS, verb: 'get', name: 'w', params: {} }))).code).toBe(404); // unbound: deleted at once
  });

  it('terminates a namespace until /finalize empties spec.finalizers', async () => {
    r = createTestRegistry(builtinDefinitions());
    await r.call({ ...NS, verb: 'create', body: { metadata: { name: 'team' } }, params: {} });
    const term = await r.obj({ ...NS, verb: 'delete', name: 'team', params: {} });
    expect(term.status).toEqual({ phase: 'Terminating' });
    const refused = await failure(r.call({ ...CM, namespace: 'team', verb: 'create', body: { metadata: { name: 'x' } }, params: {} }));
    expect(refused.code).toBe(403);
    await r.call({ ...NS, verb: 'update', name: 'team', subresource: 'finalize', body: { ...term, spec: { finalizers: [] } }, params: {} });
    expect((await failure(r.call({ ...NS, verb: 'get', name: 'team', params: {} }))).code).toBe(404);
  });
});

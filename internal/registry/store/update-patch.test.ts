import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, type KubeObject } from '../../api/index.js';
import { configMaps, deployments, simpleStrategy } from '../testing/fixtures.js';
import { createTestRegistry, type TestRegistry, failure } from '../testing/test-registry.js';

const CM = { group: '', version: 'v1', resource: 'configmaps', namespace: 'ns' } as const;
const DEPLOY = { group: 'apps', version: 'v1', resource: 'deployments', namespace: 'ns' } as const;
const OPTIMISTIC = 'the object has been modified; please apply your changes to the latest version and try again';

let r: TestRegistry;
afterEach(async () => r?.close());

async function makeCm(name = 'c1'): Promise<KubeObject> {
  return r.obj({ ...CM, verb: 'create', body: { metadata: { name }, data: { a: '1' } }, params: {} });
}

async function makeDeploy(): Promise<KubeObject> {
  return r.obj({ ...DEPLOY, verb: 'create', body: { metadata: { name: 'web', labels: { app: 'web' } }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } } } }, params: {} });
}

describe('update (PUT)', () => {
  it('replaces the object and keeps uid and creationTimestamp', async () => {
    r = createTestRegistry([configMaps]);
    const c = await makeCm();
    r.clock.advance(5000);
    const out = await r.obj({ ...CM, verb: 'update', name: 'c1', body: { metadata: { name: 'c1', resourceVersion: c.metadata.resourceVersion, creationTimestamp: null }, data: { a: '2' } } as KubeObject, params: {} });
    expect(out.data).toEqual({ a: '2' });
    expect(out.metadata.uid).toBe(c.metadata.uid);
    expect(out.metadata.creationTimestamp).toBe(c.metadata.creationTimestamp);
    expect(Number(out.metadata.resourceVersion)).toBeGreaterThan(Number(c.metadata.resourceVersion));
  });

  it('answers a stale resourceVersion with 409 Conflict and the upstream message', async () => {
    r = createTestRegistry([configMaps]);
    const c = await makeCm();
    await r.call({ ...CM, verb: 'update', name: 'c1', body: { ...c, data: { a: '2' } }, params: {} });
    const err = await failure(r.call({ ...CM, verb: 'update', name: 'c1', body: { ...c, data: { a: '3' } }, params: {} }));
    expect(err.code).toBe(409);
    expect(err.reason).toBe('Conflict');
    expect(err.message).toBe(`Operation cannot be fulfilled on configmaps "c1": ${OPTIMISTIC}`);
  });

  it('answers another uid with 409 and a name unlike the URL with 400', async () => {
    r = createTestRegistry([configMaps]);
    const c = await makeCm();
    const err = await failure(r.call({ ...CM, verb: 'update', name: 'c1', body: { ...c, metadata: { ...c.metadata, uid: 'other' } }, params: {} }));
    expect(err.code).toBe(409);
    expect(err.message).toBe(`Operation cannot be fulfilled on configmaps "c1": Precondition failed: UID in precondition: other, UID in object meta: ${c.metadata.uid}`);
    const err2 = await failure(r.call({ ...CM, verb: 'update', name: 'c1', body: { ...c, metadata: { ...c.metadata, name: 'c2' } }, params: {} }));
    expect(err2.code).toBe(400);
    expect(err2.message).toBe('the name of the object (c2) does not match the name on the URL (c1)');
  });

  it('allows unconditional updates only when the strategy does', async () => {
    const strict = { ...configMaps, plural: 'strictmaps', kind: 'StrictMap', strategy: simpleStrategy({ allowUnconditionalUpdate: false }) };
    r = createTestRegistry([configMaps, strict]);
    await makeCm();
    const out = await r.obj({ ...CM, verb: 'update', name: 'c1', body: { metadata: { name: 'c1' }, data: { a: '9' } }, params: {} });
    expect(out.data).toEqual({ a: '9' });
    const S = { group: '', version: 'v1', resource: 'strictmaps', namespace: 'ns' } as const;
    await r.call({ ...S, verb: 'create', body: { metadata: { name: 's' } }, params: {} });
    const err = await failure(r.call({ ...S, verb: 'update', name: 's', body: { metadata: { name: 's' } }, params: {} }));
    expect(err.code).toBe(422);
    expect(err.message).toBe('StrictMap "s" is invalid: metadata.resourceVersion: Invalid value: "0x0": must be specified for an update');
  });

  it('answers 404 for a missing object unless the strategy creates on update', async () => {
    const upsert = { ...configMaps, plural: 'endpoints', kind: 'Endpoints', strategy: simpleStrategy({ allowCreateOnUpdate: true }) };
    r = createTestRegistry([configMaps, upsert]);
    const err = await failure(r.call({ ...CM, verb: 'update', name: 'x', body: { metadata: { name: 'x' } }, params: {} }));
    expect(err.code).toBe(404);
    const res = await r.call({ group: '', version: 'v1', resource: 'endpoints', namespace: 'ns', verb: 'update', name: 'x', body: { metadata: { name: 'x' } }, params: {} });
    expect(res.code).toBe(201);
  });

  it('bumps generation on spec changes only, and main-resource writes keep status', async () => {
    r = createTestRegistry([deployments]);
    const d = await makeDeploy();
    const labelled = await r.obj({ ...DEPLOY, verb: 'patch', name: 'web', patchType: 'merge', patch: { metadata: { labels: { x: 'y' } }, status: { replicas: 7 } }, params: {} });
    expect(labelled.metadata.generation).toBe(1);
    expect(labelled.status).toBeUndefined();
    const scaled = await r.obj({ ...DEPLOY, verb: 'patch', name: 'web', patchType: 'merge', patch: { spec: { replicas: 3 } }, params: {} });
    expect(scaled.metadata.generation).toBe(2);
    expect(scaled.metadata.uid).toBe(d.metadata.uid);
  });

  it('the status subresource changes only status', async () => {
    r = createTestRegistry([deployments]);
    const d = await makeDeploy();
    const body = { ...d, spec: { replicas: 9 }, metadata: { ...d.metadata, labels: { evil: 'yes' } }, status: { replicas: 1, observedGeneration: 1 } };
    const out = await r.obj({ ...DEPLOY, verb: 'update', name: 'web', subresource: 'status', body, params: {} });
    expect(out.status).toEqual({ replicas: 1, observedGeneration: 1 });
    expect(out.spec).toEqual(d.spec);
    expect(out.metadata.labels).toEqual({ app: 'web' });
    expect(out.metadata.generation).toBe(1);
    const patched = await r.obj({ ...DEPLOY, verb: 'patch', name: 'web', subresource: 'status', patchType: 'merge', patch: { status: { availableReplicas: 1 }, spec: { replicas: 5 } }, params: {} });
    expect(patched.status).toEqual({ replicas: 1, observedGeneration: 1, availableReplicas: 1 });
    expect((patched.spec as { replicas: number }).replicas).toBe(1);
  });
});

describe('patch', () => {
  it('applies merge and JSON patches', async () => {
    r = createTestRegistry([configMaps]);
    await makeCm();
    const merged = await r.obj({ ...CM, verb: 'patch', name: 'c1', patchType: 'merge', patch: { data: { a: null, b: '2' } }, params: {} });
    expect(merged.data).toEqual({ b: '2' });
    const jp = await r.obj({ ...CM, verb: 'patch', name: 'c1', patchType: 'json', patch: [{ op: 'add', path: '/data/c', value: '3' }], params: {} });
    expect(jp.data).toEqual({ b: '2', c: '3' });
  });

  it('answers a patch carrying a stale resourceVersion with 409', async () => {
    r = createTestRegistry([configMaps]);
    const c = await makeCm();
    await r.call({ ...CM, verb: 'patch', name: 'c1', patchType: 'merge', patch: { data: { a: '2' } }, params: {} });
    const err = await failure(r.call({ ...CM, verb: 'patch', name: 'c1', patchType: 'merge', patch: { metadata: { resourceVersion: c.metadata.resourceVersion }, data: { a: '3' } }, params: {} }));
    expect(err.code).toBe(409);
    expect(err.message).toBe(`Operation cannot be fulfilled on configmaps "c1": ${OPTIMISTIC}`);
    const err2 = await failure(
      r.call({ ...CM, verb: 'patch', name: 'c1', patchType: 'json', patch: [{ op: 'test', path: '/data/a', value: 'nope' }], params: {} }),
    );
    expect(err2.code).toBe(422);
  });

  it('answers 404 for a missing object; apply needs a fieldManager', async () => {
    r = createTestRegistry([configMaps]);
    const err = await failure(r.call({ ...CM, verb: 'patch', name: 'x', patchType: 'merge', patch: {}, params: {} }));
    expect(err.code).toBe(404);
    const err2 = await failure(r.call({ ...CM, verb: 'patch', name: 'x', patchType: 'apply', patch: {}, params: {} }));
    expect(err2.code).toBe(422);
    expect(err2.message).toBe('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  });

  it('answers strategic merge patch on custom resources with 415', async () => {
    r = createTestRegistry([{ ...configMaps, group: 'example.com', plural: 'widgets', kind: 'Widget', custom: true }]);
    const err = await failure(r.call({ group: 'example.com', version: 'v1', resource: 'widgets', namespace: 'ns', verb: 'patch', name: 'x', patchType: 'strategic', patch: {}, params: {} }));
    expect(err.code).toBe(415);
    expect(err.message).toContain('application/merge-patch+json');
  });

  it('applies strategic merge patches on built-ins with their merge keys', async () => {
    r = createTestRegistry([deployments]);
    await r.call({
      ...DEPLOY,
      verb: 'create',
      body: { metadata: { name: 'web' }, spec: { template: { spec: { containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }] } } } },
      params: {},
    });
    const out = await r.obj({ ...DEPLOY, verb: 'patch', name: 'web', patchType: 'strategic', patch: { spec: { template: { spec: { containers: [{ name: 'b', image: 'b:2' }] } } } }, params: {} });
    expect((out.spec as { template: { spec: { containers: unknown[] } } }).template.spec.containers).toEqual([
      { name: 'a', image: 'a:1' },
      { name: 'b', image: 'b:2' },
    ]);
  });
});

describe('scale subresource', () => {
  it('reads and writes spec.replicas as autoscaling/v1 Scale', async () => {
    r = createTestRegistry([deployments]);
    const d = await makeDeploy();
    const scale = await r.obj({ ...DEPLOY, verb: 'get', name: 'web', subresource: 'scale', params: {} });
    expect(scale).toEqual({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name: 'web', namespace: 'ns', uid: d.metadata.uid, resourceVersion: d.metadata.resourceVersion, creationTimestamp: d.metadata.creationTimestamp },
      spec: { replicas: 1 },
      status: { replicas: 0, selector: 'app=web' },
    });
    const patched = await r.obj({ ...DEPLOY, verb: 'patch', name: 'web', subresource: 'scale', patchType: 'merge', patch: { spec: { replicas: 4 } }, params: {} });
    expect(patched.spec).toEqual({ replicas: 4 });
    const parent = await r.obj({ ...DEPLOY, verb: 'get', name: 'web', params: {} });
    expect((parent.spec as { replicas: number }).replicas).toBe(4);
    expect(parent.metadata.generation).toBe(2);
    const stale = await failure(r.call({ ...DEPLOY, verb: 'update', name: 'web', subresource: 'scale', body: { ...scale, spec: { replicas: 2 } }, params: {} }));
    expect(stale.code).toBe(409);
    const bad = await failure(r.call({ ...DEPLOY, verb: 'update', name: 'web', subresource: 'scale', body: { metadata: { name: 'web' }, spec: { replicas: -1 } }, params: {} }));
    expect(bad.message).toBe('Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
  });

  it('answers 405 for verbs a subresource does not serve and 404 for unknown ones', async () => {
    r = createTestRegistry([deployments]);
    expect((await failure(r.call({ ...DEPLOY, verb: 'delete', name: 'web', subresource: 'scale', params: {} }))).code).toBe(405);
    expect((await failure(r.call({ ...DEPLOY, verb: 'get', name: 'web', subresource: 'nope', params: {} }))).code).toBe(404);
  });
});

describe('dry run', () => {
  it('runs create, update, patch and delete fully but stores nothing and emits no event', async () => {
    r = createTestRegistry([configMaps]);
    const ac = new AbortController();
    const { events } = await r.handler.watch({ user: { name: 'a', groups: ['system:masters'] }, ...CM, verb: 'watch', params: {}, signal: ac.signal });
    const seen: string[] = [];
    const pump = (async () => {
      for await (const ev of events) seen.push(`${ev.type} ${ev.object.metadata?.name}`);
    })();
    const created = await r.call({ ...CM, verb: 'create', body: { metadata: { generateName: 'd-' } }, params: { dryRun: true } });
    expect(created.code).toBe(201);
    expect((created.body as KubeObject).metadata.name).toMatch(/^d-/);
    const invalid = await failure(r.call({ ...CM, verb: 'create', body: { metadata: { name: 'BAD' } }, params: { dryRun: true } }));
    expect(invalid.code).toBe(422);
    const listed = await r.obj({ ...CM, verb: 'list', params: {} });
    expect(listed.items).toEqual([]);
    const c = await makeCm();
    const upd = await r.obj({ ...CM, verb: 'update', name: 'c1', body: { ...c, data: { a: 'dry' } }, params: { dryRun: true } });
    expect(upd.data).toEqual({ a: 'dry' });
    await r.call({ ...CM, verb: 'patch', name: 'c1', patchType: 'merge', patch: { data: { z: '1' } }, params: { dryRun: true } });
    const applyCfg = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { z: '2' } });
    await r.call({ ...CM, verb: 'patch', name: 'c1', patchType: 'apply', patch: applyCfg('c1'), params: { dryRun: true, fieldManager: 'm' } });
    expect((await r.call({ ...CM, verb: 'patch', name: 'c2', patchType: 'apply', patch: applyCfg('c2'), params: { dryRun: true, fieldManager: 'm' } })).code).toBe(201);
    await r.call({ ...CM, verb: 'delete', name: 'c1', params: { dryRun: true } });
    const after = await r.obj({ ...CM, verb: 'get', name: 'c1', params: {} });
    expect(after).toEqual(c);
    await r.call({ ...CM, verb: 'delete', name: 'c1', params: {} });
    await new Promise((res) => setTimeout(res, 30));
    ac.abort();
    await pump;
    expect(seen).toEqual(['ADDED c1', 'DELETED c1']);
  });
});

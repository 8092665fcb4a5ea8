import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, type KubeObject, type ManagedFieldsEntry } from '../../api/index.js';
import { configMaps, deployments } from '../testing/fixtures.js';
import { createTestRegistry, type TestRegistry, failure } from '../testing/test-registry.js';

const CM = { group: '', version: 'v1', resource: 'configmaps', namespace: 'ns' } as const;
const DEPLOY = { group: 'apps', version: 'v1', resource: 'deployments', namespace: 'ns' } as const;
const KUBECTL_UA = 'kubectl/v1.32.5 (linux/amd64) kubernetes/abc';

let r: TestRegistry;
afterEach(async () => r?.close());

const managers = (o: KubeObject) => (o.metadata.managedFields ?? []).map((e) => `${e.manager}/${e.operation}${e.subresource ? `/${e.subresource}` : ''}`);
const entry = (o: KubeObject, manager: string): ManagedFieldsEntry | undefined => o.metadata.managedFields?.find((e) => e.manager === manager);
const cmConfig = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1' }, data });
const apply = (patch: unknown, fieldManager: string | undefined, extra: { force?: boolean; dryRun?: boolean } = {}) =>
  r.call({ ...CM, verb: 'patch', name: 'c1', patchType: 'apply', patch, params: { fieldManager, ...extra } });

describe('managedFields of non-apply writes', () => {
  it('records create and update under fieldManager, else the User-Agent product', async () => {
    r = createTestRegistry([configMaps]);
    const c = await r.obj({ ...CM, verb: 'create', body: { metadata: { name: 'c1' }, data: { a: '1' } }, params: { fieldManager: 'kubectl-create' } });
    expect(managers(c)).toEqual(['kubectl-create/Update']);
    expect(entry(c, 'kubectl-create')).toMatchObject({ apiVersion: 'v1', fieldsType: 'FieldsV1', time: '2026-01-01T00:00:00Z', fieldsV1: { 'f:data': { '.': {}, 'f:a': {} } } });
    const u = await r.obj({ ...CM, userAgent: KUBECTL_UA, verb: 'patch', name: 'c1', patchType: 'merge', patch: { data: { b: '2' } }, params: {} });
    expect(managers(u)).toEqual(['kubectl-create/Update', 'kubectl/Update']);
    expect(entry(u, 'kubectl')?.fieldsV1).toEqual({ 'f:data': { 'f:b': {} } });
  });

  it('records a scale patch under subresource "scale" and a status update under "status"', async () => {
    r = createTestRegistry([deployments]);
    const body = { metadata: { name: 'web' }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } } } };
    await r.call({ ...DEPLOY, verb: 'create', body, params: { fieldManager: 'kubectl-create' } });
    await r.call({ ...DEPLOY, userAgent: KUBECTL_UA, verb: 'patch', name: 'web', subresource: 'scale', patchType: 'merge', patch: { spec: { replicas: 3 } }, params: {} });
    const cur = await r.obj({ ...DEPLOY, verb: 'get', name: 'web', params: {} });
    await r.call({ ...DEPLOY, verb: 'update', name: 'web', subresource: 'status', body: { ...cur, status: { replicas: 3 } }, params: { fieldManager: 'ctrl' } });
    const d = await r.obj({ ...DEPLOY, verb: 'get', name: 'web', params: {} });
    expect(managers(d)).toEqual(['kubectl-create/Update', 'kubectl/Update/scale', 'ctrl/Update/status']);
    expect(entry(d, 'kubectl')?.fieldsV1).toEqual({ 'f:spec': { 'f:replicas': {} } });
    expect(entry(d, 'kubectl-create')?.fieldsV1).toEqual({ 'f:spec': { 'f:selector': {} } });
    expect(entry(d, 'ctrl')?.fieldsV1).toEqual({ 'f:status': { 'f:replicas': {} } });
  });
});

describe('managedFields of a kind whose status the strategy sets on create', () => {
  // As a pod: the strategy stores status.phase Pending; a status writer then reports the rest.
  const pendingOnCreate = { ...deployments, strategy: { ...deployments.strategy, prepareForCreate: (obj: KubeObject) => void (obj.status = { phase: 'Pending' }) } };

  it('gives the creator no status fields, and a status update leaves the creator’s entry as stored', async () => {
    r = createTestRegistry([pendingOnCreate]);
    const body = { metadata: { name: 'web' }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } } }, status: { phase: 'Running' } };
    const created = await r.obj({ ...DEPLOY, verb: 'create', body, params: { fieldManager: 'ctrl' } });
    expect(created.status).toEqual({ phase: 'Pending' });
    expect(entry(created, 'ctrl')?.fieldsV1).toEqual({ 'f:spec': { 'f:replicas': {}, 'f:selector': {} } });
    const updated = await r.obj({ ...DEPLOY, verb: 'update', name: 'web', subresource: 'status', body: { ...created, status: { phase: 'Running', ready: true } }, params: { fieldManager: 'kubelet' } });
    expect(managers(updated)).toEqual(['ctrl/Update', 'kubelet/Update/status']);
    expect(entry(updated, 'ctrl')).toEqual(entry(created, 'ctrl'));
    expect(entry(updated, 'kubelet')?.fieldsV1).toEqual({ 'f:status': { 'f:phase': {}, 'f:ready': {} } });
  });

  it('still takes a field from the owner whose stored entry has it, and drops an entry left empty', async () => {
    r = createTestRegistry([pendingOnCreate]);
    const body = { metadata: { name: 'web' }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } } } };
    await r.call({ ...DEPLOY, verb: 'create', body, params: { fieldManager: 'ctrl' } });
    const scaled = await r.obj({ ...DEPLOY, verb: 'patch', name: 'web', patchType: 'merge', patch: { spec: { replicas: 2, selector: { matchLabels: { app: 'web' } } } }, params: { fieldManager: 'scaler' } });
    expect(entry(scaled, 'ctrl')?.fieldsV1).toEqual({ 'f:spec': { 'f:selector': {} } });
    expect(entry(scaled, 'scaler')?.fieldsV1).toEqual({ 'f:spec': { 'f:replicas': {} } });
    const moved = await r.obj({ ...DEPLOY, verb: 'patch', name: 'web', patchType: 'json', patch: [{ op: 'remove', path: '/spec/selector' }], params: { fieldManager: 'other' } });
    expect(managers(moved)).toEqual(['scaler/Update']);
  });
});

describe('server-side apply through the store', () => {
  it('creates a missing object (201), and an unchanged apply stores nothing', async () => {
    r = createTestRegistry([configMaps]);
    const res = await apply(cmConfig({ a: '1' }), 'kubectl');
    expect(res.code).toBe(201);
    const c = res.body as KubeObject;
    expect(c.metadata.uid).toBeTruthy();
    expect(managers(c)).toEqual(['kubectl/Apply']);
    r.clock.advance(60_000);
    const again = await apply(cmConfig({ a: '1' }), 'kubectl');
    expect(again.code).toBe(200);
    expect((again.body as KubeObject).metadata.resourceVersion).toBe(c.metadata.resourceVersion);
    expect(entry(again.body as KubeObject, 'kubectl')?.time).toBe('2026-01-01T00:00:00Z');
  });

  it('reports a conflict naming the other manager and field; force takes ownership; dropped fields go', async () => {
    r = createTestRegistry([configMaps]);
    await apply(cmConfig({ a: '1', b: '1' }), 'alice');
    const err = await failure(apply(cmConfig({ a: '2' }), 'bob'));
    expect(err.code).toBe(409);
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "alice": .data.a');
    expect(err.status.details?.causes).toEqual([{ reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.data.a' }]);
    const forced = (await apply(cmConfig({ a: '2' }), 'bob', { force: true })).body as KubeObject;
    expect(forced.data).toEqual({ a: '2', b: '1' });
    expect(entry(forced, 'alice')?.fieldsV1).toEqual({ 'f:data': { '.': {}, 'f:b': {} } });
    // alice stops applying b: nobody else owns it, so it is removed.
    const dropped = (await apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1' } }, 'alice')).body as KubeObject;
    expect(dropped.data).toEqual({ a: '2' });
  });

  it('needs a fieldManager, refuses another kind, and keeps dry runs out of storage', async () => {
    r = createTestRegistry([configMaps]);
    expect((await failure(apply(cmConfig({ a: '1' }), undefined))).code).toBe(422);
    const wrongKind = await failure(apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'c1' } }, 'kubectl'));
    expect(wrongKind.code).toBe(400);
    const dry = await apply(cmConfig({ a: '1' }), 'kubectl', { dryRun: true });
    expect(dry.code).toBe(201);
    expect((await failure(r.call({ ...CM, verb: 'get', name: 'c1', params: {} }))).code).toBe(404);
  });

  it('treats a stale resourceVersion in the config, or in any patch, as a precondition (409)', async () => {
    r = createTestRegistry([configMaps]);
    const c = (await apply(cmConfig({ a: '1' }), 'kubectl')).body as KubeObject;
    const stale = c.metadata.resourceVersion!;
    await apply(cmConfig({ a: '2' }), 'kubectl');
    const withRv = { ...cmConfig({ a: '3' }), metadata: { name: 'c1', resourceVersion: stale } };
    expect((await failure(apply(withRv, 'kubectl'))).code).toBe(409);
    const merge = r.call({ ...CM, verb: 'patch', name: 'c1', patchType: 'merge', patch: { metadata: { resourceVersion: stale }, data: { a: '4' } }, params: {} });
    expect((await failure(merge)).code).toBe(409);
    const json = r.call({ ...CM, verb: 'patch', name: 'c1', patchType: 'json', patch: [{ op: 'replace', path: '/metadata/resourceVersion', value: stale }], params: {} });
    expect((await failure(json)).code).toBe(409);
  });

  it("follows kubectl's client-side → server-side apply migration", async () => {
    r = createTestRegistry([configMaps]);
    const csa = await r.obj({ ...CM, verb: 'create', body: { metadata: { name: 'c1' }, data: { a: '1' } }, params: { fieldManager: 'kubectl-client-side-apply' } });
    // kubectl rewrites the managedFields so its apply manager owns what CSA owned, locked on the RV.
    const migrated = (csa.metadata.managedFields ?? []).map((e) => (e.manager === 'kubectl-client-side-apply' ? { ...e, manager: 'kubectl', operation: 'Apply' } : e));
    const ops = [
      { op: 'replace', path: '/metadata/managedFields', value: migrated },
      { op: 'replace', path: '/metadata/resourceVersion', value: csa.metadata.resourceVersion },
    ];
    const m = await r.obj({ ...CM, verb: 'patch', name: 'c1', patchType: 'json', patch: ops, params: {} });
    expect(managers(m)).toEqual(['kubectl/Apply']);
    // The migrated manager may now change and drop the field without a conflict.
    const out = (await apply(cmConfig({ b: '2' }), 'kubectl')).body as KubeObject;
    expect(out.data).toEqual({ b: '2' });
    expect(managers(out)).toEqual(['kubectl/Apply']);
  });
});

describe('server-side apply by "kubectl" after client-side apply', () => {
  it('takes over the fields of the last-applied annotation without a conflict; other managers still conflict', async () => {
    r = createTestRegistry([configMaps]);
    const last = JSON.stringify(cmConfig({ a: '1' }));
    await r.call({ ...CM, verb: 'create', body: { metadata: { name: 'c1', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': last } }, data: { a: '1' } }, params: { fieldManager: 'kubectl-client-side-apply' } });
    expect((await failure(apply(cmConfig({ a: '2' }), 'other'))).code).toBe(409);
    const out = (await apply(cmConfig({ a: '2' }), 'kubectl')).body as KubeObject;
    expect(out.data).toEqual({ a: '2' });
  });
});

describe('patch options', () => {
  it('refuses force on a non-apply patch (422 PatchOptions)', async () => {
    r = createTestRegistry([configMaps]);
    await r.call({ ...CM, verb: 'create', body: { metadata: { name: 'c1' } }, params: {} });
    const err = await failure(r.call({ ...CM, verb: 'patch', name: 'c1', patchType: 'merge', patch: { data: { a: '1' } }, params: { force: true } }));
    expect(err.code).toBe(422);
    expect(err.message).toBe('PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
  });

  it('keeps stored managedFields when an update sends null, resets them on []', async () => {
    r = createTestRegistry([configMaps]);
    const c = await r.obj({ ...CM, verb: 'create', body: { metadata: { name: 'c1' }, data: { a: '1' } }, params: { fieldManager: 'one' } });
    const kept = await r.obj({ ...CM, verb: 'update', name: 'c1', body: { ...c, metadata: { ...c.metadata, managedFields: null as never }, data: { a: '1', b: '2' } }, params: { fieldManager: 'two' } });
    expect(managers(kept)).toEqual(['one/Update', 'two/Update']);
    const reset = await r.obj({ ...CM, verb: 'update', name: 'c1', body: { ...kept, metadata: { ...kept.metadata, managedFields: [] }, data: { a: '1', b: '3' } }, params: { fieldManager: 'three' } });
    expect(managers(reset)).toEqual(['three/Update']);
  });
});

describe('status subresource with every patch type', () => {
  it('changes only .status, and records the manager under subresource "status"', async () => {
    r = createTestRegistry([deployments]);
    const body = { metadata: { name: 'web' }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } } } };
    await r.call({ ...DEPLOY, verb: 'create', body, params: { fieldManager: 'kubectl-create' } });
    const st = (patchType: 'json' | 'merge' | 'strategic' | 'apply', patch: unknown, fieldManager: string) =>
      r.obj({ ...DEPLOY, verb: 'patch', name: 'web', subresource: 'status', patchType, patch, params: { fieldManager } });
    await st('merge', { spec: { replicas: 5 }, status: { replicas: 1 } }, 'merge');
    await st('json', [{ op: 'add', path: '/status/readyReplicas', value: 1 }, { op: 'replace', path: '/spec/replicas', value: 6 }], 'json');
    await st('strategic', { status: { conditions: [{ type: 'Available', status: 'True' }] } }, 'smp');
    const applied = await st('apply', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 7 }, status: { availableReplicas: 1 } }, 'ctrl');
    expect(applied.spec).toEqual(body.spec);
    expect(applied.status).toEqual({ replicas: 1, readyReplicas: 1, conditions: [{ type: 'Available', status: 'True' }], availableReplicas: 1 });
    expect(managers(applied)).toEqual(['kubectl-create/Update', 'merge/Update/status', 'json/Update/status', 'smp/Update/status', 'ctrl/Apply/status']);
    // The main resource ignores status.
    const main = await r.obj({ ...DEPLOY, verb: 'patch', name: 'web', patchType: 'merge', patch: { status: { replicas: 9 } }, params: {} });
    expect((main.status as { replicas: number }).replicas).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { builtinSchema } from '../openapi/index.js';
import type { KubeObject } from '../types.js';
import { applyConfig, lastAppliedFields, managerName, trackUpdate } from './manager.js';

const deploySchema = builtinSchema({ group: 'apps', version: 'v1', kind: 'Deployment' });
const cmSchema = builtinSchema({ group: '', version: 'v1', kind: 'ConfigMap' });
const T = '2026-11-23T00:00:00Z';

const ctx = (manager: string, schema = deploySchema) => ({ manager, apiVersion: 'apps/v1', time: T, schema });

function deploy(containers: unknown[], replicas?: number): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { ...(replicas !== undefined ? { replicas } : {}), selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers } } },
  };
}

function apply(live: KubeObject | undefined, config: KubeObject, manager: string, force = false): KubeObject {
  return applyConfig({ live, config, force, ...ctx(manager) });
}

function conflict(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('no conflict');
}

const containers = (o: KubeObject) => (o.spec as { template: { spec: { containers: { name: string; image: string }[] } } }).template.spec.containers;

describe('trackUpdate', () => {
  it('records a create like kubectl create configmap does (f:data with its own node)', () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'd', uid: 'u' }, data: { a: 'b' } };
    const out = trackUpdate(undefined, cm, { manager: 'kubectl-create', apiVersion: 'v1', time: T, schema: cmSchema });
    expect(out.metadata.managedFields).toEqual([
      { manager: 'kubectl-create', operation: 'Update', apiVersion: 'v1', time: T, fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { '.': {}, 'f:a': {} } } },
    ]);
  });

  it('moves ownership of changed fields to the updater', () => {
    const a = apply(undefined, deploy([{ name: 'app', image: 'v1' }], 3), 'alice');
    const scaled = { ...a, spec: { ...(a.spec as object), replicas: 5 } };
    const out = trackUpdate(a, scaled, ctx('kubectl-scale'));
    const m = Object.fromEntries(out.metadata.managedFields!.map((e) => [e.manager, e.fieldsV1 as Record<string, Record<string, unknown>>]));
    expect(m['kubectl-scale']).toEqual({ 'f:spec': { 'f:replicas': {} } });
    expect(m.alice!['f:spec']).not.toHaveProperty('f:replicas');
  });

  it('walks only what changed, yet a map that lost a key keeps its other members and its owner', () => {
    const podSchema = builtinSchema({ group: '', version: 'v1', kind: 'Pod' });
    const pctx = (manager: string) => ({ manager, apiVersion: 'v1', time: T, schema: podSchema });
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', labels: { app: 'a', tier: 'web' } },
      spec: { nodeSelector: { zone: 'z1' }, containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }] }], tolerations: [{ key: 'k', operator: 'Exists' }] },
    };
    const created = trackUpdate(undefined, pod, pctx('creator'));
    // Drop one label (the other equal), bind to a node, add a status: a deep copy, as the store hands it over.
    const next = structuredClone(created) as KubeObject & { spec: Record<string, unknown> };
    delete next.metadata.labels!.tier;
    next.spec.nodeName = 'n1';
    next.status = { conditions: [{ type: 'PodScheduled', status: 'True' }] };
    const out = trackUpdate(created, next, pctx('binder'));
    const m = Object.fromEntries(out.metadata.managedFields!.map((e) => [e.manager, e.fieldsV1 as Record<string, Record<string, unknown>>]));
    expect(m.binder).toEqual({ 'f:spec': { 'f:nodeName': {} }, 'f:status': { 'f:conditions': { 'k:{"type":"PodScheduled"}': { '.': {}, 'f:status': {}, 'f:type': {} } } } });
    expect(m.creator!['f:metadata']!['f:labels']).toEqual({ '.': {}, 'f:app': {} });
    expect(m.creator!['f:spec']!['f:nodeSelector']).toEqual({});
    expect(m.creator!['f:spec']!['f:containers']).toEqual((created.metadata.managedFields![0]!.fieldsV1 as Record<string, Record<string, unknown>>)['f:spec']!['f:containers']);
  });

  it('a status write with spec equal by value (a copy) takes nothing from the spec owner, whose entry stays as stored', () => {
    const created = trackUpdate(undefined, deploy([{ name: 'app', image: 'v1' }], 3), ctx('creator'));
    const withStatus = { ...structuredClone(created), status: { replicas: 3, readyReplicas: 1 } };
    const out = trackUpdate(created, withStatus, { ...ctx('ctrl'), subresource: 'status' });
    expect(out.metadata.managedFields![0]).toBe(created.metadata.managedFields![0]);
    expect(out.metadata.managedFields![1]).toMatchObject({ manager: 'ctrl', subresource: 'status', fieldsV1: { 'f:status': { 'f:replicas': {}, 'f:readyReplicas': {} } } });
    // A later write that removes a status field and changes the spec: each owner loses exactly its field.
    const next = structuredClone(out);
    next.status = { replicas: 3 };
    (next.spec as { replicas: number }).replicas = 4;
    const m = Object.fromEntries(trackUpdate(out, next, ctx('scaler')).metadata.managedFields!.map((e) => [e.manager, e.fieldsV1]));
    expect(m.ctrl).toEqual({ 'f:status': { 'f:replicas': {} } });
    expect(m.scaler).toEqual({ 'f:spec': { 'f:replicas': {} } });
    expect(m.creator).not.toHaveProperty(['f:spec', 'f:replicas']);
  });
});

describe('applyConfig (server-side apply)', () => {
  it('an applied empty map merges into the live map and conflicts with no owner of it', () => {
    const cm = (data: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data });
    const live = applyConfig({ live: undefined, config: cm({ a: '1' }), force: false, ...ctx('alice', cmSchema), apiVersion: 'v1' });
    const out = applyConfig({ live, config: cm({}), force: false, ...ctx('bob', cmSchema), apiVersion: 'v1' });
    expect(out.data).toEqual({ a: '1' });
  });

  it('creates, then conflicts when another manager changes an owned value, naming manager and field', () => {
    const live = apply(undefined, deploy([{ name: 'app', image: 'v1' }], 3), 'kubectl');
    const err = conflict(() => apply(live, deploy([{ name: 'app', image: 'v1' }], 5), 'other'));
    expect(err.code).toBe(409);
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas');
    expect(err.details?.causes).toEqual([{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl"', field: '.spec.replicas' }]);
  });

  it('shares ownership when the value is the same, and force takes it over', () => {
    const live = apply(undefined, deploy([{ name: 'app', image: 'v1' }], 3), 'a');
    const shared = apply(live, deploy([{ name: 'app', image: 'v1' }], 3), 'b');
    expect(shared.metadata.managedFields!.map((e) => e.manager)).toEqual(['a', 'b']);
    const forced = apply(shared, deploy([{ name: 'app', image: 'v2' }], 3), 'b', true);
    expect(containers(forced)[0]!.image).toBe('v2');
    const aFields = JSON.stringify(forced.metadata.managedFields!.find((e) => e.manager === 'a')!.fieldsV1);
    expect(aFields).not.toContain('f:image');
  });

  it('merges associative lists by key and removes what a manager stops applying', () => {
    const live = apply(undefined, deploy([{ name: 'app', image: 'v1' }]), 'a');
    const both = apply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec: { containers: [{ name: 'sidecar', image: 's' }] } } } } as KubeObject, 'b');
    expect(containers(both).map((c) => c.name)).toEqual(['app', 'sidecar']);
    const dropped = apply(both, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: {} } as KubeObject, 'b');
    expect(containers(dropped).map((c) => c.name)).toEqual(['app']);
  });

  it('keeps a dropped field that another manager also owns', () => {
    const live = apply(undefined, deploy([{ name: 'app', image: 'v1' }], 2), 'a');
    const b = apply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2 } } as KubeObject, 'b');
    const aDrops = apply(b, deploy([{ name: 'app', image: 'v1' }]), 'a');
    expect((aDrops.spec as { replicas: number }).replicas).toBe(2);
  });

  it('takes managedFields rewritten by a JSON patch as the new baseline (kubectl CSA→SSA migration)', () => {
    const created = trackUpdate(undefined, deploy([{ name: 'app', image: 'v1' }], 1), ctx('kubectl-client-side-apply'));
    const rewritten = { ...created, metadata: { ...created.metadata, managedFields: created.metadata.managedFields!.map((e) => ({ ...e, manager: 'kubectl', operation: 'Apply' as const })) } };
    const out = trackUpdate(created, rewritten, ctx('kubectl-client-side-apply'));
    expect(out.metadata.managedFields!.map((e) => `${e.manager}/${e.operation}`)).toEqual(['kubectl/Apply']);
  });
});

describe('managerName', () => {
  it('uses fieldManager, else the user agent up to "/"', () => {
    expect(managerName('kubectl-edit', 'kubectl/v1.32')).toBe('kubectl-edit');
    expect(managerName(undefined, 'kubectl.1.33/v1.33.1 (linux/amd64) kubernetes/abc')).toBe('kubectl.1.33');
    expect(managerName(undefined, undefined)).toBe('unknown');
  });
});

describe('associative list keys with schema defaults', () => {
  it('matches an applied port without protocol to the live port defaulted to TCP', () => {
    const live = deploy([{ name: 'app', image: 'a', ports: [{ containerPort: 80, protocol: 'TCP' }] }]);
    const withManaged = apply(live, deploy([{ name: 'app', image: 'a', ports: [{ containerPort: 80 }] }]), 'kubectl');
    const again = apply(withManaged, deploy([{ name: 'app', image: 'b', ports: [{ containerPort: 80 }] }]), 'kubectl');
    expect(containers(again)).toEqual([{ name: 'app', image: 'b', ports: [{ containerPort: 80, protocol: 'TCP' }] }]);
    const owned = JSON.stringify(again.metadata.managedFields?.[0]?.fieldsV1);
    expect(owned).toContain('"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}"');
  });
});

describe('lastAppliedFields (client-side → server-side apply without conflicts)', () => {
  const LAST = 'kubectl.kubernetes.io/last-applied-configuration';
  const live = trackUpdate(undefined, { ...deploy([{ name: 'app', image: 'a' }], 2), metadata: { name: 'web', annotations: { [LAST]: JSON.stringify(deploy([{ name: 'app', image: 'a' }], 2)) } } }, ctx('kubectl-client-side-apply'));

  it('lets the fields of the annotation be taken over; reports only the others', () => {
    const allowed = lastAppliedFields(live, deploySchema);
    const out = applyConfig({ live, config: deploy([{ name: 'app', image: 'b' }], 3), force: false, allowedConflicts: allowed, ...ctx('kubectl') });
    expect(containers(out)[0]!.image).toBe('b');
    expect(out.metadata.managedFields!.map((e) => e.manager)).toEqual(['kubectl-client-side-apply', 'kubectl']);
    const other = trackUpdate(live, { ...live, metadata: { ...live.metadata, labels: { x: '1' } } }, ctx('someone'));
    const cfg = { ...deploy([{ name: 'app', image: 'b' }], 3), metadata: { name: 'web', labels: { x: '2' } } };
    const err = conflict(() => applyConfig({ live: other, config: cfg, force: false, allowedConflicts: lastAppliedFields(other, deploySchema), ...ctx('kubectl') }));
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "someone" using apps/v1: .metadata.labels.x');
  });

  it('is undefined without the annotation', () => {
    expect(lastAppliedFields(deploy([]), deploySchema)).toBeUndefined();
  });
});

describe('conflict messages (upstream getConflictMessage)', () => {
  it('groups several conflicts by sorted manager, naming how an Update manager wrote', () => {
    const cm = (data: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data });
    const v1 = (m: string) => ({ ...ctx(m, cmSchema), apiVersion: 'v1' });
    let live = applyConfig({ live: undefined, config: cm({ a: '1', b: '1' }), force: false, ...v1('zed') });
    live = trackUpdate(live, { ...live, data: { a: '1', b: '1', c: '1' } }, { ...v1('editor'), subresource: undefined });
    const err = conflict(() => applyConfig({ live, config: cm({ a: '2', b: '2', c: '2' }), force: false, ...v1('me') }));
    expect(err.message).toBe('Apply failed with 3 conflicts: conflicts with "editor" using v1:\n- .data.c\nconflicts with "zed":\n- .data.a\n- .data.b');
    expect(err.status.details?.causes?.map((c) => c.message)).toEqual(['conflict with "zed"', 'conflict with "zed"', 'conflict with "editor" using v1']);
  });
});

describe('applyConfig leaves its inputs alone', () => {
  it('removes a dropped field from the result, not from the live object it shares subtrees with', () => {
    const cm = (labels?: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', ...(labels ? { labels } : {}) }, data: { a: '1' } });
    const live = applyConfig({ live: undefined, config: cm({ x: '1' }), force: false, ...ctx('m', cmSchema), apiVersion: 'v1' });
    const frozen = JSON.parse(JSON.stringify(live)) as KubeObject;
    const deepFreeze = (v: unknown): void => {
      if (v && typeof v === 'object') {
        Object.freeze(v);
        for (const x of Object.values(v)) deepFreeze(x);
      }
    };
    deepFreeze(frozen);
    const out = applyConfig({ live: frozen, config: cm(), force: false, ...ctx('m', cmSchema), apiVersion: 'v1' });
    expect(out.metadata.labels).toBeUndefined();
    expect(frozen.metadata.labels).toEqual({ x: '1' });
  });
});

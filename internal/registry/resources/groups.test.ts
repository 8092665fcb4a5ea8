import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/index.js';
import { builtinDefinitions } from './index.js';
import { create, fields, row, update } from './shared/test-helpers.js';
import { hpaV1ToV2, hpaV2ToV1 } from './autoscaling/convert.js';
import { fromCoreEvent, toCoreEvent } from './events/convert.js';
import { groupCases as cases } from './testdata.js';

const defs = builtinDefinitions();
const def = (group: string, version: string, plural: string) => defs.find((d) => d.group === group && d.version === version && d.plural === plural)!;
const o = (apiVersion: string, kind: string, name: string, rest: Record<string, unknown> = {}): KubeObject => ({ apiVersion, kind, metadata: { name }, ...rest });


describe('every built-in definition', () => {
  it('has one test case here or in its group test', () => {
    const tested = new Set([...cases.map(([g, v, p]) => `${g}/${v}/${p}`)]);
    const elsewhere = ['', 'apps', 'batch'];
    const missing = defs.filter((d) => !elsewhere.includes(d.group) && !tested.has(`${d.group}/${d.version}/${d.plural}`));
    expect(missing.map((d) => d.plural)).toEqual([]);
  });

  it('has a cell for every upstream column, and singular/listKind names', () => {
    for (const d of defs) {
      expect(d.singular).toBe(d.kind.toLowerCase());
      expect(d.listKind).toBe(`${d.kind}List`);
      for (const c of d.columns ?? []) expect(typeof c.cell).toBe('function');
    }
  });
});

describe.each(cases)('%s/%s %s', (group, version, plural, valid, invalid) => {
  it('accepts the valid object and prints a row', () => {
    const d = def(group, version, plural);
    const { obj, errs } = create(d, valid);
    expect(errs).toEqual([]);
    const cells = Object.values(row(d, obj));
    expect(cells.length).toBe(d.columns?.length ?? 0);
    expect(cells.every((c) => c !== undefined)).toBe(true);
  });
  it.each(invalid.map((x, i) => [i, ...x] as const))('rejects invalid #%i', (_i, bad, expected) => {
    expect(fields(create(def(group, version, plural), bad).errs)).toEqual(expected);
  });
});

describe('group behaviour', () => {
  it('rbac binding cells and immutable roleRef', () => {
    const d = def('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings');
    const b = create(d, o('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'x', {
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'User', name: 'a' }, { kind: 'Group', name: 'g' }, { kind: 'ServiceAccount', name: 'sa', namespace: 'kube-system' }],
    })).obj;
    expect(row(d, b)).toEqual({ Name: 'x', Role: 'ClusterRole/view', Age: '60s', Users: 'a', Groups: 'g', ServiceAccounts: 'kube-system/sa' });
    const changed = { ...b, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' } };
    expect(fields(update(d, changed, b).errs)).toEqual(['roleRef']);
    expect(row(def('rbac.authorization.k8s.io', 'v1', 'roles'), b)['Created At']).toBe('2026-11-23T09:59:00Z');
  });

  it('events.k8s.io shares core storage and converts field names both ways', () => {
    const d = def('events.k8s.io', 'v1', 'events');
    expect(d).toMatchObject({ storageGroup: '', storageResource: 'events' });
    const v1 = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e' }, regarding: { kind: 'Pod', name: 'p' }, note: 'hi', reportingController: 'c', deprecatedCount: 2 };
    const core = toCoreEvent(v1);
    expect(core).toEqual({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'p' }, message: 'hi', reportingComponent: 'c', count: 2 });
    expect(fromCoreEvent(core)).toEqual(v1);
    expect(row(d, v1)).toMatchObject({ Object: 'pod/p', Message: 'hi', Count: 2, Source: 'c' });
    expect(d.strategy.selectableFields?.(v1)).toMatchObject({ 'regarding.name': 'p', 'involvedObject.name': 'p', reportingController: 'c' });
  });

  it('hpa v1 ⇄ v2 conversion keeps everything through annotations', () => {
    const v2: KubeObject = {
      apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' },
      spec: {
        scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
          { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
        ],
      },
      status: { currentReplicas: 2, desiredReplicas: 2, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 30 } } }], conditions: [{ type: 'AbleToScale', status: 'True' }] },
    };
    const v1 = hpaV2ToV1(v2);
    expect(v1.spec).toEqual({ scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 60 });
    expect(v1.status).toEqual({ currentReplicas: 2, desiredReplicas: 2, currentCPUUtilizationPercentage: 30 });
    expect(Object.keys(v1.metadata.annotations ?? {}).sort()).toEqual(['autoscaling.alpha.kubernetes.io/conditions', 'autoscaling.alpha.kubernetes.io/metrics']);
    expect(hpaV1ToV2(v1)).toEqual(v2);
    const v1def = def('autoscaling', 'v1', 'horizontalpodautoscalers');
    expect(row(v1def, v1)).toMatchObject({ Reference: 'Deployment/web', Targets: '30%/60%, <unknown>/100Mi', MinPods: '1', MaxPods: 5, Replicas: 2 });
  });

  it('hpa v2 defaults a cpu 80% target', () => {
    const d = def('autoscaling', 'v2', 'horizontalpodautoscalers');
    const hpa = create(d, cases.find((c) => c[2] === 'horizontalpodautoscalers' && c[1] === 'v2')![3]).obj;
    expect((hpa.spec as { metrics: unknown }).metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
    expect(row(d, hpa).Targets).toBe('<unknown>/80%');
  });

  it('storage class defaults and default-class marker', () => {
    const d = def('storage.k8s.io', 'v1', 'storageclasses');
    const sc = create(d, o('storage.k8s.io/v1', 'StorageClass', 'local', { provisioner: 'p', metadata: { name: 'local', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } })).obj;
    expect(sc).toMatchObject({ reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' });
    expect(Object.values(row(d, sc))).toEqual(['local (default)', 'p', 'Delete', 'Immediate', false, '60s']);
  });

  it('csr records the requester and serves approval separately', () => {
    const d = def('certificates.k8s.io', 'v1', 'certificatesigningrequests');
    const csr = create(d, cases.find((c) => c[2] === 'certificatesigningrequests')![3]).obj;
    expect(csr.spec).toMatchObject({ username: 'admin', groups: ['system:masters'], usages: ['digital signature', 'key encipherment'] });
    expect(row(d, csr)).toMatchObject({ Requestor: 'admin', Condition: 'Pending', RequestedDuration: '<none>' });
    const approved = update(d, { ...csr, status: { conditions: [{ type: 'Approved', status: 'True' }] } }, csr, 'approval').obj;
    expect(row(d, approved).Condition).toBe('Approved');
  });

  it('networkpolicy policyTypes default; ingress hosts/ports cells', () => {
    const np = create(def('networking.k8s.io', 'v1', 'networkpolicies'), o('networking.k8s.io/v1', 'NetworkPolicy', 'n', { spec: { egress: [{ ports: [{ port: 53 }] }] } })).obj;
    expect(np.spec).toEqual({ podSelector: {}, egress: [{ ports: [{ port: 53, protocol: 'TCP' }] }], policyTypes: ['Ingress', 'Egress'] });
    const ingDef = def('networking.k8s.io', 'v1', 'ingresses');
    const ing = create(ingDef, o('networking.k8s.io/v1', 'Ingress', 'i', { spec: { ingressClassName: 'nginx', tls: [{}], rules: [{ host: 'a' }, { host: 'b' }, {}, { host: 'c' }, { host: 'd' }, { host: 'e' }] } })).obj;
    expect(row(ingDef, ing)).toMatchObject({ Class: 'nginx', Hosts: 'a,b,c,d + 2 more...', Ports: '80, 443', Address: '' });
  });
});

import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../api/index.js';
import { create, fields, NOW, row, update } from '../shared/test-helpers.js';
import { appsDefinitions } from './index.js';

const defs = appsDefinitions();
const def = (plural: string) => defs.find((d) => d.plural === plural)!;
const template = { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } };
const selector = { matchLabels: { app: 'nginx' } };
const obj = (kind: string, spec: Record<string, unknown>, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'apps/v1', kind, metadata: { name: 'nginx' }, spec, ...extra,
});

describe('deployment', () => {
  it('defaults like `kubectl create deployment nginx --image=nginx --replicas=3` on v1.26', () => {
    const { obj: d, errs } = create(def('deployments'), obj('Deployment', { replicas: 3, selector, template }));
    expect(errs).toEqual([]);
    // Expected: what `kubectl get deploy nginx -o yaml` shows on an upstream cluster.
    expect(d.spec).toEqual({
      progressDeadlineSeconds: 600,
      replicas: 3,
      revisionHistoryLimit: 10,
      selector: { matchLabels: { app: 'nginx' } },
      strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
      template: {
        metadata: { creationTimestamp: null, labels: { app: 'nginx' } },
        spec: {
          containers: [{
            image: 'nginx', imagePullPolicy: 'Always', name: 'nginx', resources: {},
            terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
          }],
          dnsPolicy: 'ClusterFirst',
          restartPolicy: 'Always',
          schedulerName: 'default-scheduler',
          securityContext: {},
          terminationGracePeriodSeconds: 30,
        },
      },
    });
    expect(d.status).toEqual({});
    expect(def('deployments').trackGeneration).toBe(true);
  });

  it.each([
    ['no selector', { template }, ['spec.selector']],
    ['selector does not match', { selector: { matchLabels: { app: 'other' } }, template }, ['spec.template.metadata.labels']],
    ['restartPolicy Never', { selector, template: { ...template, spec: { ...template.spec, restartPolicy: 'Never' } } }, ['spec.template.spec.restartPolicy']],
    ['negative replicas', { replicas: -1, selector, template }, ['spec.replicas']],
    ['recreate with rollingUpdate', { selector, template, strategy: { type: 'Recreate', rollingUpdate: {} } }, ['spec.strategy.rollingUpdate']],
    ['both zero', { selector, template, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } }, ['spec.strategy.rollingUpdate.maxUnavailable']],
  ])('%s → 422', (_n, spec, expected) => {
    expect(fields(create(def('deployments'), obj('Deployment', spec)).errs)).toEqual(expected);
  });

  it('selector is immutable; status kept on main update; /status keeps spec', () => {
    const { obj: d } = create(def('deployments'), obj('Deployment', { selector, template }));
    const moved = structuredClone(d);
    (moved.spec as Record<string, unknown>).selector = { matchLabels: { app: 'nginx', tier: 'web' } };
    ((moved.spec as any).template.metadata.labels as Record<string, string>).tier = 'web';
    expect(fields(update(def('deployments'), moved, d).errs)).toEqual(['spec.selector']);
    const withStatus = { ...structuredClone(d), status: { replicas: 5 } };
    expect(update(def('deployments'), withStatus, d).obj.status).toEqual({});
    const statusWrite = { ...structuredClone(d), spec: { replicas: 9 }, status: { replicas: 1, readyReplicas: 1 } };
    const viaStatus = update(def('deployments'), statusWrite, d, 'status').obj;
    expect(viaStatus.spec).toEqual(d.spec);
    expect(viaStatus.status).toEqual({ replicas: 1, readyReplicas: 1 });
  });

  it('table cells: READY 0/3, UP-TO-DATE, AVAILABLE, AGE, CONTAINERS, IMAGES, SELECTOR', () => {
    const { obj: d } = create(def('deployments'), obj('Deployment', { replicas: 3, selector, template }));
    d.status = { replicas: 3, updatedReplicas: 2, availableReplicas: 1, readyReplicas: 1 };
    expect(Object.values(row(def('deployments'), d, NOW + 200_000))).toEqual(['nginx', '1/3', 2, 1, '4m20s', 'nginx', 'nginx', 'app=nginx']);
    expect(def('deployments').subresources?.find((s) => s.name === 'scale')?.scale).toEqual({
      specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector',
    });
  });
});

describe('replicaset, statefulset, daemonset, controllerrevision', () => {
  it('replicaset valid/invalid and cells', () => {
    const { obj: rs, errs } = create(def('replicasets'), obj('ReplicaSet', { selector, template }));
    expect(errs).toEqual([]);
    expect((rs.spec as Record<string, unknown>).replicas).toBe(1);
    // ReplicaSetStatus.replicas has no omitempty: present at 0 after create and after a /status write without it.
    expect(rs.status).toEqual({ replicas: 0 });
    expect(update(def('replicasets'), { ...structuredClone(rs), status: { readyReplicas: 0 } }, rs, 'status').obj.status).toEqual({ replicas: 0, readyReplicas: 0 });
    rs.status = { replicas: 1, readyReplicas: 1 };
    expect(Object.values(row(def('replicasets'), rs))).toEqual(['nginx', 1, 1, 1, '60s', 'nginx', 'nginx', 'app=nginx']);
    expect(fields(create(def('replicasets'), obj('ReplicaSet', { selector: {}, template })).errs)).toEqual(['spec.selector']);
  });

  it('statefulset defaults, update rules and cells', () => {
    const { obj: sts, errs } = create(def('statefulsets'), obj('StatefulSet', {
      serviceName: 'nginx', selector, template,
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    }));
    expect(errs).toEqual([]);
    expect(sts.spec).toMatchObject({
      replicas: 1, podManagementPolicy: 'OrderedReady', revisionHistoryLimit: 10,
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    });
    expect((sts.spec as any).volumeClaimTemplates[0]).toMatchObject({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', spec: { volumeMode: 'Filesystem' }, status: { phase: 'Pending' } });
    expect(sts.status).toEqual({ replicas: 0, availableReplicas: 0 });
    const scaled = { ...structuredClone(sts), spec: { ...(sts.spec as object), replicas: 3 } };
    expect(update(def('statefulsets'), scaled, sts).errs).toEqual([]);
    const renamed = { ...structuredClone(sts), spec: { ...(sts.spec as object), serviceName: 'other' } };
    expect(fields(update(def('statefulsets'), renamed, sts).errs)).toEqual(['spec']);
    expect(Object.values(row(def('statefulsets'), sts))).toEqual(['nginx', '0/1', '60s', 'nginx', 'nginx']);
    expect(fields(create(def('statefulsets'), obj('StatefulSet', { selector, template, podManagementPolicy: 'Whenever' })).errs)).toEqual(['spec.podManagementPolicy']);
  });

  it('daemonset defaults and cells', () => {
    const ds = create(def('daemonsets'), obj('DaemonSet', { selector, template: { ...template, spec: { ...template.spec, nodeSelector: { 'kubernetes.io/os': 'linux' } } } }));
    expect(ds.errs).toEqual([]);
    expect(ds.obj.spec).toMatchObject({ revisionHistoryLimit: 10, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } } });
    expect(Object.values(row(def('daemonsets'), ds.obj))).toEqual([
      'nginx', 0, 0, 0, 0, 0, 'kubernetes.io/os=linux', '60s', 'nginx', 'nginx', 'app=nginx',
    ]);
    expect(fields(create(def('daemonsets'), obj('DaemonSet', { selector, template, updateStrategy: { type: 'Sometimes' } })).errs)).toEqual(['spec.updateStrategy.type']);
  });

  it('controllerrevision', () => {
    const cr = create(def('controllerrevisions'), {
      apiVersion: 'apps/v1', kind: 'ControllerRevision', revision: 2, data: {},
      metadata: { name: 'fluentd-6c5f', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'fluentd', uid: 'u', controller: true }] },
    });
    expect(cr.errs).toEqual([]);
    expect(row(def('controllerrevisions'), cr.obj)).toEqual({ Name: 'fluentd-6c5f', Controller: 'daemonset.apps/fluentd', Revision: 2, Age: '60s' });
    expect(fields(create(def('controllerrevisions'), { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'x' }, revision: -1 }).errs)).toEqual(['revision']);
  });
});

import { describe, expect, it } from 'vitest';
import type { Pod } from '../workloads/pods.js';
import { pod } from '../workloads/testing.js';
import { POD_NAME_LABEL, REVISION_LABEL, type Revisions, type StatefulSet, planStatefulSet } from './decide.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function sts(spec: Partial<StatefulSet['spec']> = {}): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', namespace: 'default', uid: 'uid-db', generation: 1 },
    spec: {
      replicas: 3,
      serviceName: 'db',
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'pg' }] } },
      ...spec,
    },
  };
}

function member(s: StatefulSet, ordinal: number, opts: { ready?: boolean; revision?: string; phase?: string } = {}): Pod {
  const p = pod(`db-${ordinal}`, { node: 'n1', phase: opts.phase ?? 'Running', ready: opts.ready === false ? false : '2025-12-31T00:00:00Z' });
  p.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'uid-db', controller: true }];
  p.metadata.labels = { app: 'web', [REVISION_LABEL]: opts.revision ?? 'db-new' };
  return p;
}
// The set's template is revision db-new; `old` is the current revision's (image pg:old).
const revs = (s: StatefulSet, current = 'db-new'): Revisions => ({
  current: { name: current, template: current === 'db-new' ? s.spec.template : { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'pg:old' }] } } },
  update: { name: 'db-new', template: s.spec.template },
});
const sync = (s: StatefulSet, pods: Pod[], claims: Set<string>, now: number, manage: boolean, current?: string) => planStatefulSet(s, revs(s, current), pods, claims, now, manage);
const names = (ps: { metadata: { name?: string } }[]) => ps.map((p) => p.metadata.name);

describe('planStatefulSet', () => {
  it('OrderedReady: creates db-0 first, with identity and claims', () => {
    const s = sts({ volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }] });
    const plan = sync(s, [], new Set(), T0, true);
    expect(names(plan.create)).toEqual(['db-0']);
    expect(names(plan.claims)).toEqual(['data-db-0']);
    const p = plan.create[0]!;
    expect(p.metadata.labels).toMatchObject({ [POD_NAME_LABEL]: 'db-0', 'apps.kubernetes.io/pod-index': '0' });
    expect(p.spec).toMatchObject({ hostname: 'db-0', subdomain: 'db', volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-db-0' } }] });
  });
  it('OrderedReady waits for db-0 to be ready before db-1', () => {
    const s = sts();
    expect(sync(s, [member(s, 0, { ready: false })], new Set(), T0, true).create).toEqual([]);
    expect(names(sync(s, [member(s, 0)], new Set(), T0, true).create)).toEqual(['db-1']);
  });
  it('Parallel creates all missing at once', () => {
    expect(names(sync(sts({ podManagementPolicy: 'Parallel' }), [], new Set(), T0, true).create)).toEqual(['db-0', 'db-1', 'db-2']);
  });
  it('scales down from the highest ordinal, one at a time', () => {
    const s = sts({ replicas: 1 });
    expect(names(sync(s, [member(s, 0), member(s, 1), member(s, 2)], new Set(), T0, true).delete)).toEqual(['db-2']);
  });
  it('rolling update replaces the highest old pod down to the partition', () => {
    const s = sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } });
    const pods = [member(s, 0, { revision: 'old' }), member(s, 1, { revision: 'old' }), member(s, 2)];
    expect(names(sync(s, pods, new Set(), T0, true).delete)).toEqual(['db-1']);
    const done = [member(s, 0, { revision: 'old' }), member(s, 1), member(s, 2)];
    const plan = sync(s, done, new Set(), T0, true);
    expect(plan.delete).toEqual([]);
    expect(plan.status).toMatchObject({ replicas: 3, readyReplicas: 3, updatedReplicas: 2, updateRevision: 'db-new' });
  });
  it('OnDelete leaves old pods alone; a failed pod is replaced', () => {
    const s = sts({ updateStrategy: { type: 'OnDelete' } });
    expect(sync(s, [member(s, 0, { revision: 'old' }), member(s, 1), member(s, 2)], new Set(), T0, true).delete).toEqual([]);
    expect(names(sync(s, [member(s, 0, { phase: 'Failed' })], new Set(), T0, true).delete)).toEqual(['db-0']);
  });
  it('a pod recreated below the partition gets the current revision, above it the update', () => {
    const s = sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
    const image = (p: Pod) => (p.spec as { containers: { image: string }[] }).containers[0]!.image;
    const below = sync(s, [member(s, 1, { revision: 'old' }), member(s, 2)], new Set(), T0, true, 'old').create;
    expect(names(below)).toEqual(['db-0']);
    expect([below[0]!.metadata.labels?.[REVISION_LABEL], image(below[0]!)]).toEqual(['old', 'pg:old']);
    const above = sync(s, [member(s, 0, { revision: 'old' }), member(s, 1, { revision: 'old' })], new Set(), T0, true, 'old').create;
    expect([above[0]!.metadata.name, above[0]!.metadata.labels?.[REVISION_LABEL], image(above[0]!)]).toEqual(['db-2', 'db-new', 'pg']);
  });
  it('status: the update revision becomes current once every replica is updated and ready', () => {
    const s = sts();
    const rolling = sync(s, [member(s, 0, { revision: 'old' }), member(s, 1), member(s, 2)], new Set(), T0, false, 'old').status;
    expect(rolling).toMatchObject({ currentRevision: 'old', updateRevision: 'db-new', currentReplicas: 1, updatedReplicas: 2, collisionCount: 0 });
    const notReady = sync(s, [member(s, 0), member(s, 1), member(s, 2, { ready: false })], new Set(), T0, false, 'old').status;
    expect(notReady).toMatchObject({ currentRevision: 'old', currentReplicas: 0 });
    const done = sync(s, [member(s, 0), member(s, 1), member(s, 2)], new Set(), T0, false, 'old').status;
    expect(done).toMatchObject({ currentRevision: 'db-new', updateRevision: 'db-new', currentReplicas: 3, updatedReplicas: 3 });
  });
});

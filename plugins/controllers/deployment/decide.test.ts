import { describe, expect, it } from 'vitest';
import { planDeployment } from './decide.js';
import { type Deployment, type ReplicaSet, REVISION, REVISION_HISTORY } from './types.js';
import { fenceposts } from './util.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function deployment(replicas: number, image = 'nginx:1', extra: Partial<Deployment['spec']> = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'uid-web', generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      ...extra,
    },
  };
}

/**
 * Drives planDeployment to a fixed point against a fake world in which every ReplicaSet's pods
 * are instantly ready and available (what the replicaset controller and nodes would report).
 * Returns the ReplicaSets and the largest total and smallest available pod counts seen.
 */
function converge(d: Deployment, rss: ReplicaSet[], opts: { now?: number } = {}) {
  let seq = rss.length;
  let maxTotal = 0;
  let minAvailable = Infinity;
  for (let i = 0; i < 100; i++) {
    for (const rs of rss) {
      const n = rs.spec.replicas ?? 0;
      rs.status = { replicas: n, readyReplicas: n, availableReplicas: n, observedGeneration: rs.metadata.generation ?? 0 };
    }
    maxTotal = Math.max(maxTotal, rss.reduce((s, rs) => s + (rs.spec.replicas ?? 0), 0));
    minAvailable = Math.min(minAvailable, rss.reduce((s, rs) => s + (rs.status?.availableReplicas ?? 0), 0));
    const plan = planDeployment(d, rss, [], opts.now ?? T0 + i * 1000);
    let changed = false;
    if (plan.create) {
      rss.push({ ...plan.create, metadata: { ...plan.create.metadata, uid: `rs-${++seq}`, creationTimestamp: new Date(T0 + seq * 1000).toISOString() } });
      changed = true;
    }
    for (const u of plan.update) {
      const at = rss.findIndex((r) => r.metadata.uid === u.metadata.uid);
      rss[at] = u;
      changed = true;
    }
    for (const del of plan.delete) {
      rss.splice(rss.findIndex((r) => r.metadata.uid === del.metadata.uid), 1);
      changed = true;
    }
    if (plan.revision) d.metadata.annotations = { ...d.metadata.annotations, [REVISION]: plan.revision };
    if (JSON.stringify(d.status) !== JSON.stringify(plan.status)) changed = true;
    d.status = plan.status;
    if (!changed) return { rss, maxTotal, minAvailable };
  }
  throw new Error('no fixed point');
}

const sizes = (rss: ReplicaSet[]) => rss.map((rs) => rs.spec.replicas);

describe('fenceposts', () => {
  const cases: [number, number | string, number | string, number, number][] = [
    [10, '25%', '25%', 3, 2],
    [3, '25%', '25%', 1, 0],
    [3, 0, 0, 0, 1],
    [4, 2, '50%', 2, 2],
    [1, '0%', '0%', 0, 1],
  ];
  for (const [replicas, surge, unavailable, s, u] of cases) {
    it(`${replicas} replicas, surge ${surge}, unavailable ${unavailable}`, () => {
      expect(fenceposts(deployment(replicas, 'x', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } } }))).toEqual({ surge: s, unavailable: u });
    });
  }
});

describe('planDeployment', () => {
  it('creates the first ReplicaSet with the hash label, selector and revision 1', () => {
    const plan = planDeployment(deployment(3), [], [], T0);
    const rs = plan.create!;
    const hash = rs.metadata.labels!['pod-template-hash']!;
    expect(rs.metadata.name).toBe(`web-${hash}`);
    expect(rs.spec.selector!.matchLabels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs.spec.template!.metadata!.labels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs.spec.replicas).toBe(3);
    expect(rs.metadata.annotations).toMatchObject({ [REVISION]: '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' });
    expect(rs.metadata.ownerReferences![0]).toMatchObject({ kind: 'Deployment', name: 'web', controller: true });
    expect(plan.revision).toBe('1');
    expect(plan.status.conditions!.find((c) => c.type === 'Progressing')).toMatchObject({ reason: 'NewReplicaSetCreated' });
  });

  it('rolls out within maxSurge and maxUnavailable and reports it complete', () => {
    const d = deployment(10);
    const { rss } = converge(d, []);
    expect(d.status).toMatchObject({ replicas: 10, updatedReplicas: 10, availableReplicas: 10, unavailableReplicas: 0, observedGeneration: 1 });
    d.spec.template!.spec = { containers: [{ name: 'c', image: 'nginx:2' }] };
    d.metadata.generation = 2;
    const r = converge(d, rss);
    expect(r.maxTotal).toBeLessThanOrEqual(13);
    expect(r.minAvailable).toBeGreaterThanOrEqual(8);
    expect(sizes(r.rss)).toEqual([0, 10]);
    expect(d.metadata.annotations![REVISION]).toBe('2');
    const progressing = d.status!.conditions!.find((c) => c.type === 'Progressing')!;
    expect(progressing).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
    expect(d.status!.conditions!.find((c) => c.type === 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
  });

  it('undo: the old ReplicaSet becomes new again with the next revision and a revision history', () => {
    const d = deployment(2);
    let rss = converge(d, []).rss;
    d.spec.template!.spec = { containers: [{ name: 'c', image: 'nginx:2' }] };
    rss = converge(d, rss).rss;
    d.spec.template!.spec = { containers: [{ name: 'c', image: 'nginx:1' }] };
    const r = converge(d, rss);
    expect(r.rss.length).toBe(2);
    const back = r.rss.find((rs) => rs.spec.replicas === 2)!;
    expect(back.metadata.annotations).toMatchObject({ [REVISION]: '3', [REVISION_HISTORY]: '1' });
    expect(d.metadata.annotations![REVISION]).toBe('3');
  });

  it('Recreate scales the old ReplicaSet to 0 before the new one appears', () => {
    const d = deployment(3, 'nginx:1', { strategy: { type: 'Recreate' } });
    const { rss } = converge(d, []);
    d.spec.template!.spec = { containers: [{ name: 'c', image: 'nginx:2' }] };
    const step1 = planDeployment(d, rss, [], T0);
    expect(step1.create).toBeUndefined();
    expect(sizes(step1.update)).toEqual([0]);
    // The old ReplicaSet is at 0 but a pod of it still runs: still no new ReplicaSet.
    const old = { ...step1.update[0]!, status: { replicas: 0 } };
    const runningPod = { metadata: { name: 'p', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: old.metadata.uid!, controller: true }] }, status: { phase: 'Running' } };
    expect(planDeployment(d, [old], [runningPod], T0).create).toBeUndefined();
    expect(planDeployment(d, [old], [], T0).create!.spec.replicas).toBe(3);
  });

  it('scaling mid-rollout spreads the change proportionally', () => {
    const d = deployment(10, 'nginx:1', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } });
    const rsOld: ReplicaSet = {
      metadata: { name: 'web-old', uid: 'a', creationTimestamp: '2026-01-01T00:00:00Z', labels: { app: 'web' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'uid-web', controller: true }], annotations: { [REVISION]: '1', 'deployment.kubernetes.io/desired-replicas': '10', 'deployment.kubernetes.io/max-replicas': '13' } },
      spec: { replicas: 8, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:0' }] } } },
      status: { replicas: 8, availableReplicas: 8 },
    };
    const rsNew: ReplicaSet = { ...structuredClone(rsOld), metadata: { ...structuredClone(rsOld.metadata), name: 'web-new', uid: 'b', creationTimestamp: '2026-01-01T00:01:00Z', annotations: { ...rsOld.metadata.annotations, [REVISION]: '2' } }, spec: { ...rsOld.spec, replicas: 5, template: d.spec.template } };
    d.spec.replicas = 20;
    const plan = planDeployment(d, [rsOld, rsNew], [], T0);
    // 13 pods for a max of 13 become 23 for a max of 23: 8 → 14, 5 → 9 (leftover to the largest).
    expect(Object.fromEntries(plan.update.map((rs) => [rs.metadata.name, rs.spec.replicas]))).toEqual({ 'web-old': 14, 'web-new': 9 });
  });

  it('paused: scales but does not roll out, and says so in Progressing', () => {
    const d = deployment(2);
    const { rss } = converge(d, []);
    d.spec.paused = true;
    d.spec.template!.spec = { containers: [{ name: 'c', image: 'nginx:2' }] };
    const plan = planDeployment(d, rss, [], T0);
    expect(plan.create).toBeUndefined();
    expect(plan.status.conditions!.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'Unknown', reason: 'DeploymentPaused' });
    d.spec.replicas = 4;
    expect(sizes(planDeployment(d, rss, [], T0).update)).toEqual([4]);
  });

  it('reports ProgressDeadlineExceeded when no progress is made in time', () => {
    const d = deployment(1, 'nginx:1', { progressDeadlineSeconds: 60 });
    const p1 = planDeployment(d, [], [], T0);
    const rs = { ...p1.create!, metadata: { ...p1.create!.metadata, uid: 'rs1', creationTimestamp: '2026-01-01T00:00:00Z' }, status: { replicas: 1, availableReplicas: 0 } };
    d.status = p1.status;
    const p2 = planDeployment(d, [rs], [], T0 + 30_000);
    expect(p2.status.conditions!.find((c) => c.type === 'Progressing')!.reason).not.toBe('ProgressDeadlineExceeded');
    expect(p2.requeueAfterMs).toBeGreaterThan(0);
    d.status = p2.status;
    const p3 = planDeployment(d, [rs], [], T0 + 200_000);
    expect(p3.status.conditions!.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
  });

  it('keeps revisionHistoryLimit old ReplicaSets', () => {
    const d = deployment(1, 'v0', { revisionHistoryLimit: 2 });
    let rss: ReplicaSet[] = [];
    for (let v = 0; v < 5; v++) {
      d.spec.template!.spec = { containers: [{ name: 'c', image: `v${v}` }] };
      rss = converge(d, rss).rss;
    }
    expect(rss.length).toBe(3);
    expect(rss.map((rs) => rs.metadata.annotations![REVISION]).sort()).toEqual(['3', '4', '5']);
  });
});

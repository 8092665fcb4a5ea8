import { describe, expect, it } from 'vitest';
import type { Pod } from '../workloads/pods.js';
import { pod } from '../workloads/testing.js';
import { planJob } from './decide.js';
import { formatIndexes, parseIndexes } from './indexes.js';
import { jobPod } from './pod.js';
import { type Job, TRACKING_FINALIZER } from './types.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function job(spec: Partial<Job['spec']> = {}, status?: Job['status']): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', namespace: 'default', uid: 'uid-pi' },
    spec: {
      parallelism: 1,
      completions: 1,
      backoffLimit: 6,
      selector: { matchLabels: { 'controller-uid': 'uid-pi' } },
      template: { metadata: { labels: { 'controller-uid': 'uid-pi' } }, spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'Never' } },
      ...spec,
    },
    ...(status ? { status } : {}),
  };
}

function jp(name: string, phase: string, extra: { index?: number; finalizer?: boolean; exit?: number; finishedAt?: string } = {}): Pod {
  const p = pod(name, { labels: { 'controller-uid': 'uid-pi' }, phase, node: 'n1' });
  p.metadata.ownerReferences = [{ apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: 'uid-pi', controller: true }];
  if (extra.finalizer !== false) p.metadata.finalizers = [TRACKING_FINALIZER];
  if (extra.index !== undefined) p.metadata.annotations = { 'batch.kubernetes.io/job-completion-index': String(extra.index) };
  if (extra.exit !== undefined || extra.finishedAt) p.status!.containerStatuses = [{ name: 'c', state: { terminated: { exitCode: extra.exit ?? 1, finishedAt: extra.finishedAt } } } as never];
  return p;
}

const types = (s: Job['status']) => (s?.conditions ?? []).filter((c) => c.status === 'True').map((c) => c.type);

describe('planJob', () => {
  it('starts: creates parallelism pods and sets startTime', () => {
    const plan = planJob(job({ parallelism: 2, completions: 5 }), [], T0, true);
    expect(plan.create.length).toBe(2);
    expect(plan.status).toMatchObject({ active: 2, startTime: '2026-01-01T00:00:00Z', ready: 0, terminating: 0, uncountedTerminatedPods: {} });
  });

  it('counts a succeeded pod once: interim uncounted, finalizer removal, then Complete', () => {
    const j = job();
    const done = jp('a', 'Succeeded');
    const plan = planJob(j, [done], T0, true);
    expect(plan.interim!.uncountedTerminatedPods).toEqual({ succeeded: ['uid-a'], failed: [] });
    expect(plan.removeFinalizers.map((p) => p.metadata.name)).toEqual(['a']);
    expect(plan.status.succeeded).toBe(1);
    expect(types(plan.status)).toEqual(['SuccessCriteriaMet', 'Complete']);
    expect(plan.status.completionTime).toBe('2026-01-01T00:00:00Z');
    // The same pod seen again after its finalizer is gone is not counted twice.
    const again = planJob({ ...j, status: { ...plan.status, conditions: [] } }, [jp('a', 'Succeeded', { finalizer: false })], T0, true);
    expect(again.status.succeeded).toBe(1);
    expect(again.interim).toBeUndefined();
  });

  it('a pod recorded as uncounted before a crash is counted on the next sync', () => {
    const plan = planJob(job({}, { uncountedTerminatedPods: { succeeded: ['uid-gone'] } }), [], T0, true);
    expect(plan.status.succeeded).toBe(1);
    expect(types(plan.status)).toContain('Complete');
  });

  it('replaces a failed pod after the backoff delay, and fails past backoffLimit', () => {
    const failedAt = '2026-01-01T00:00:00Z';
    const early = planJob(job(), [jp('a', 'Failed', { exit: 1, finishedAt: failedAt })], T0 + 5_000, true);
    expect(early.create).toEqual([]);
    expect(early.requeueAfterMs).toBe(5_000);
    expect(planJob(job(), [jp('a', 'Failed', { exit: 1, finishedAt: failedAt })], T0 + 10_000, true).create.length).toBe(1);
    const over = planJob(job({ backoffLimit: 1 }, { failed: 1 }), [jp('b', 'Failed', { exit: 1 }), jp('c', 'Running')], T0, true);
    expect(types(over.status)).toEqual(['FailureTarget']);
    expect(over.delete.map((p) => p.metadata.name)).toEqual(['c']);
    const final = planJob(job({ backoffLimit: 1 }, { ...over.status }), [jp('b', 'Failed', { exit: 1, finalizer: false })], T0, true);
    expect(final.status.conditions!.find((c) => c.type === 'Failed')).toMatchObject({ reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
  });

  it('activeDeadlineSeconds fails the job and kills its pods', () => {
    const j = job({ activeDeadlineSeconds: 30 }, { startTime: '2026-01-01T00:00:00Z' });
    expect(planJob(j, [jp('a', 'Running')], T0 + 10_000, true).requeueAfterMs).toBe(20_000);
    const plan = planJob(j, [jp('a', 'Running')], T0 + 30_000, true);
    expect(plan.delete.length).toBe(1);
    expect(plan.status.conditions!.find((c) => c.type === 'FailureTarget')!.reason).toBe('DeadlineExceeded');
  });

  it('podFailurePolicy: FailJob on an exit code, Ignore does not count', () => {
    const rules = [
      { action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } },
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
    ];
    const fail = planJob(job({ podFailurePolicy: { rules } }), [jp('a', 'Failed', { exit: 42 })], T0, true);
    expect(fail.status.conditions!.find((c) => c.type === 'Failed')).toMatchObject({ reason: 'PodFailurePolicy', message: 'Container c for pod default/a failed with exit code 42 matching FailJob rule at index 0' });
    const disrupted = jp('b', 'Failed');
    disrupted.status!.conditions = [{ type: 'DisruptionTarget', status: 'True' }];
    const ignored = planJob(job({ podFailurePolicy: { rules } }), [disrupted], T0, true);
    expect(ignored.status.failed).toBeUndefined();
    expect(ignored.create.length).toBe(1);
    expect(ignored.removeFinalizers.length).toBe(1);
  });

  it('Indexed: creates the missing indexes, lowest first, and tracks completedIndexes', () => {
    const j = job({ completionMode: 'Indexed', completions: 4, parallelism: 2 }, { completedIndexes: '0' });
    const plan = planJob(j, [jp('p2', 'Succeeded', { index: 2 }), jp('p1', 'Running', { index: 1 })], T0, true);
    expect(plan.create).toEqual([{ index: 3 }]);
    expect(plan.status).toMatchObject({ completedIndexes: '0,2', succeeded: 2, active: 2 });
    const p = jobPod(j, 3);
    expect(p.metadata.generateName).toBe('pi-3-');
    expect(p.metadata.annotations!['batch.kubernetes.io/job-completion-index']).toBe('3');
    expect((p.spec as { hostname?: string }).hostname).toBe('pi-3');
    expect(p.metadata.finalizers).toContain(TRACKING_FINALIZER);
  });

  it('suspend deletes active pods and says so', () => {
    const plan = planJob(job({ suspend: true }), [jp('a', 'Running')], T0, true);
    expect(plan.delete.length).toBe(1);
    expect(types(plan.status)).toEqual(['Suspended']);
  });

  it('a finished job only removes leftover finalizers', () => {
    const plan = planJob(job({}, { conditions: [{ type: 'Complete', status: 'True' }] }), [jp('a', 'Succeeded')], T0, true);
    expect(plan.removeFinalizers.length).toBe(1);
    expect(plan.create).toEqual([]);
  });
});

describe('completed index strings', () => {
  it('round-trips ranges', () => {
    expect(formatIndexes([5, 0, 1, 2, 7, 8])).toBe('0-2,5,7-8');
    expect([...parseIndexes('0-2,5,7-8', 8)]).toEqual([0, 1, 2, 5, 7]);
  });
});

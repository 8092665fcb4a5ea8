import { describe, expect, it } from 'vitest';
import { labelSelectorAsQuery } from '../../../internal/api/index.js';
import { pod } from '../workloads/testing.js';
import { slowStart } from '../workloads/slow-start.js';
import { type ReplicaTarget, planReplicas } from './decide.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const rs = (replicas: number, extra: { deleting?: boolean } = {}): ReplicaTarget => ({
  owner: { metadata: { name: 'rs', uid: 'uid-rs', generation: 2, ...(extra.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) } },
  selector: labelSelectorAsQuery({ matchLabels: { app: 'web' } }),
  replicas,
  minReadySeconds: 0,
  templateLabels: { app: 'web' },
});
const names = (ps: { metadata: { name?: string } }[]) => ps.map((p) => p.metadata.name);

describe('planReplicas', () => {
  it('creates the missing replicas', () => {
    const plan = planReplicas(rs(3), [pod('a', { owner: 'rs' })], T0, true);
    expect(plan.create).toBe(2);
    expect(plan.delete).toEqual([]);
    expect(plan.status).toMatchObject({ replicas: 1, observedGeneration: 2 });
  });
  it('deletes the surplus in upstream order', () => {
    const pods = [pod('a', { owner: 'rs', node: 'n1', ready: 'x' }), pod('b', { owner: 'rs', phase: 'Pending' }), pod('c', { owner: 'rs', node: 'n2', ready: false })];
    expect(names(planReplicas(rs(1), pods, T0, true).delete)).toEqual(['b', 'c']);
  });
  it('terminal and terminating pods do not count', () => {
    const pods = [pod('a', { owner: 'rs', phase: 'Succeeded' }), pod('b', { owner: 'rs', deleting: true }), pod('c', { owner: 'rs' })];
    expect(planReplicas(rs(2), pods, T0, true).create).toBe(1);
  });
  it('adopts matching orphans and releases owned pods that no longer match', () => {
    const pods = [pod('orphan'), pod('moved', { owner: 'rs', labels: { app: 'other' } }), pod('theirs', { owner: 'other' })];
    const plan = planReplicas(rs(1), pods, T0, true);
    expect(names(plan.adopt)).toEqual(['orphan']);
    expect(names(plan.release)).toEqual(['moved']);
    expect(plan.create).toBe(0);
  });
  it('a deleting owner adopts nothing and manages nothing', () => {
    const plan = planReplicas(rs(3, { deleting: true }), [pod('orphan')], T0, true);
    expect(plan.adopt).toEqual([]);
    expect(plan.create).toBe(0);
  });
  it('unmet expectations: status only', () => {
    const plan = planReplicas(rs(3), [], T0, false);
    expect(plan.create).toBe(0);
    expect(plan.status.replicas).toBe(0);
  });
  it('caps one sync at the burst size', () => {
    expect(planReplicas(rs(2000), [], T0, true).create).toBe(500);
  });
  it('counts ready and available pods, and requeues for minReadySeconds', () => {
    const t = { ...rs(2), minReadySeconds: 30 };
    const pods = [pod('a', { owner: 'rs', ready: '2026-01-01T00:00:00Z' }), pod('b', { owner: 'rs', ready: '2025-12-31T23:00:00Z' })];
    const plan = planReplicas(t, pods, T0 + 10_000, true);
    expect(plan.status).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 1, fullyLabeledReplicas: 2 });
    expect(plan.requeueAfterMs).toBe(20_000);
  });
});

describe('slowStart', () => {
  it('creates in batches of 1, 2, 4 and stops at the first failing batch', async () => {
    let calls = 0;
    const r = await slowStart(10, async () => {
      calls++;
      if (calls === 5) throw new Error('quota');
    });
    expect(r.done).toBe(6);
    expect(calls).toBe(7);
    expect(String(r.error)).toContain('quota');
  });
});

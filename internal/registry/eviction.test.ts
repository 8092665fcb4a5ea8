import { describe, expect, it } from 'vitest';
import { isApiError, type KubeObject } from '../api/index.js';
import { consumeDisruption, decideEviction } from './eviction.js';

const pod = (phase: string, ready = true, labels: Record<string, string> = { app: 'web' }): KubeObject => ({
  metadata: { name: 'p', namespace: 'default', labels },
  status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
const pdb = (name: string, status: Record<string, unknown>, spec: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name, namespace: 'default', generation: 1 },
  spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
  status: { observedGeneration: 1, ...status },
});

function refusal(f: () => unknown) {
  try {
    f();
  } catch (err) {
    if (isApiError(err)) return { reason: err.reason, code: err.code, message: err.message, causes: err.details?.causes };
  }
  return undefined;
}

describe('decideEviction', () => {
  it('deletes pods without a budget, and pending, finished or terminating pods at once', () => {
    expect(decideEviction(pod('Running'), [])).toEqual({ kind: 'delete' });
    const exhausted = pdb('b', { disruptionsAllowed: 0 });
    expect(decideEviction(pod('Pending'), [exhausted])).toEqual({ kind: 'delete' });
    expect(decideEviction(pod('Succeeded'), [exhausted])).toEqual({ kind: 'delete' });
    expect(decideEviction(pod('Running', true, { app: 'db' }), [exhausted])).toEqual({ kind: 'delete' });
  });

  it('refuses with 429 and upstream text when the budget allows no disruption', () => {
    expect(refusal(() => decideEviction(pod('Running'), [pdb('web-pdb', { disruptionsAllowed: 0, desiredHealthy: 2, currentHealthy: 2 })]))).toEqual({
      reason: 'TooManyRequests',
      code: 429,
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
      causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget web-pdb needs 2 healthy pods and has 2 currently' }],
    });
    const stale = pdb('b', { disruptionsAllowed: 1, observedGeneration: 0 });
    expect(refusal(() => decideEviction(pod('Running'), [stale]))?.causes?.[0]?.message).toBe('The disruption budget b is still being processed by the server.');
    expect(refusal(() => decideEviction(pod('Running'), [pdb('a', {}), pdb('b', {})]))).toMatchObject({ code: 500, message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.' });
  });

  it('consumes one disruption of the budget', () => {
    const b = pdb('b', { disruptionsAllowed: 1 });
    expect(decideEviction(pod('Running'), [b])).toEqual({ kind: 'consume', pdb: b });
    expect(consumeDisruption(b, 'p', 'now').status).toMatchObject({ disruptionsAllowed: 0, disruptedPods: { p: 'now' } });
  });

  it('lets an unready pod go while the budget is met', () => {
    expect(decideEviction(pod('Running', false), [pdb('b', { disruptionsAllowed: 0, desiredHealthy: 2, currentHealthy: 2 })])).toEqual({ kind: 'delete' });
    expect(refusal(() => decideEviction(pod('Running', false), [pdb('b', { disruptionsAllowed: 0, desiredHealthy: 3, currentHealthy: 2 })]))?.code).toBe(429);
    expect(decideEviction(pod('Running', false), [pdb('b', { disruptionsAllowed: 0, desiredHealthy: 3, currentHealthy: 2 }, { unhealthyPodEvictionPolicy: 'AlwaysAllow' })])).toEqual({ kind: 'delete' });
  });
});

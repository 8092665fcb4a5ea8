import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../internal/api/index.js';
import { evictionTime, isStale, observe, reconcileTaints, TokenBucket, unknownConditions, wantsNoExecute } from './health.js';

const node = (ready: string, spec: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name: 'n' },
  spec,
  status: { conditions: [{ type: 'Ready', status: ready, lastHeartbeatTime: 'hb', lastTransitionTime: 'tt' }] },
});
const lease = (renew: string): KubeObject => ({ metadata: { name: 'n' }, spec: { renewTime: renew } });

describe('node health', () => {
  it('is stale once the Lease stopped changing for longer than the grace period', () => {
    let o = observe(undefined, node('True'), lease('r1'), 0);
    o = observe(o, node('True'), lease('r2'), 10_000);
    expect(o.probeTime).toBe(10_000);
    o = observe(o, node('True'), lease('r2'), 45_000);
    expect(isStale(o, 45_000, 40_000)).toBe(false);
    expect(isStale(o, 50_001, 40_000)).toBe(true);
  });

  it('marks every condition Unknown once, keeping heartbeats', () => {
    const conds = unknownConditions(node('True'), 'now')!;
    expect(conds.find((c) => c.type === 'Ready')).toEqual({ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastHeartbeatTime: 'hb', lastTransitionTime: 'now' });
    expect(conds.find((c) => c.type === 'DiskPressure')?.message).toBe('Kubelet never posted node status.');
    expect(unknownConditions(node('Unknown'), 'now')).toBeUndefined();
  });

  it('adds unreachable NoSchedule at once and NoExecute when the limiter allows, removes both when Ready', () => {
    const n = node('Unknown', { taints: [{ key: 'mine', effect: 'NoSchedule' }] });
    expect(reconcileTaints(n, 't', false)).toEqual([{ key: 'mine', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: 't' }]);
    expect(wantsNoExecute(n)).toBe(true);
    const tainted = reconcileTaints(n, 't', true)!;
    expect(tainted).toHaveLength(3);
    const back = node('True', { taints: tainted });
    expect(reconcileTaints(back, 't2', true)).toEqual([{ key: 'mine', effect: 'NoSchedule' }]);
    expect(reconcileTaints(node('True', { unschedulable: true }), 't', true)).toEqual([{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: 't' }]);
    expect(reconcileTaints(node('True'), 't', true)).toBeUndefined();
  });

  it('evicts after the smallest tolerationSeconds, at once when untolerated, never when tolerated for ever', () => {
    const taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2026-01-01T00:00:00Z' };
    const t0 = Date.parse(taint.timeAdded);
    const pod = (tolerations: unknown[]): KubeObject => ({ metadata: { name: 'p' }, spec: { tolerations } });
    expect(evictionTime(pod([{ key: taint.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }]), [taint], 0)).toBe(t0 + 300_000);
    expect(evictionTime(pod([]), [taint], 0)).toBe('now');
    expect(evictionTime(pod([{ operator: 'Exists' }]), [taint], 0)).toBeUndefined();
  });

  it('rate-limits with a token bucket', () => {
    const b = new TokenBucket(0.1, 1, 0);
    expect(b.take(0)).toBe(true);
    expect(b.take(5000)).toBe(false);
    expect(b.take(10_000)).toBe(true);
  });
});

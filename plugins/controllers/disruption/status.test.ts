import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../internal/api/index.js';
import { pdbStatus, scaled } from './status.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');
const pod = (name: string, ready = true, extra: Record<string, unknown> = {}): KubeObject => ({ metadata: { name, ...extra }, status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } });
const pdb = (spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject => ({ metadata: { name: 'b', generation: 2 }, spec: { selector: { matchLabels: { app: 'web' } }, ...spec }, status });

describe('pdbStatus', () => {
  it('minAvailable as a count', () => {
    const s = pdbStatus(pdb({ minAvailable: 2 }), [pod('a'), pod('b'), pod('c', false)], undefined, NOW, 'now');
    expect(s).toMatchObject({ currentHealthy: 2, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 0, observedGeneration: 2 });
    expect(s.conditions[0]).toMatchObject({ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods' });
  });

  it('maxUnavailable and percentages use the controllers scale', () => {
    expect(pdbStatus(pdb({ maxUnavailable: 1 }), [pod('a'), pod('b'), pod('c')], 3, NOW, 'now')).toMatchObject({ desiredHealthy: 2, disruptionsAllowed: 1 });
    expect(pdbStatus(pdb({ minAvailable: '50%' }), [pod('a'), pod('b'), pod('c')], 3, NOW, 'now')).toMatchObject({ desiredHealthy: 2, disruptionsAllowed: 1 });
    expect(pdbStatus(pdb({ maxUnavailable: '50%' }), [pod('a')], undefined, NOW, 'now').conditions[0]).toMatchObject({ reason: 'SyncFailed' });
    expect(scaled('34%', 3)).toBe(2);
  });

  it('keeps recent evictions out of the healthy count until the pod is gone', () => {
    const old = { disruptedPods: { a: '2026-01-01T00:09:30Z', gone: '2026-01-01T00:09:30Z', stale: '2026-01-01T00:00:00Z' } };
    const s = pdbStatus(pdb({ minAvailable: 1 }, old), [pod('a'), pod('b'), pod('stale')], undefined, NOW, 'now');
    expect(s.disruptedPods).toEqual({ a: '2026-01-01T00:09:30Z' });
    expect(s).toMatchObject({ currentHealthy: 2, disruptionsAllowed: 1 });
  });
});

import { describe, expect, it } from 'vitest';
import { isPodAvailable, nextAvailableIn, podsToDelete } from './pods.js';
import { pod } from './testing.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

describe('podsToDelete (upstream ActivePodsWithRanks order)', () => {
  const cases: { name: string; pods: ReturnType<typeof pod>[]; first: string }[] = [
    { name: 'unscheduled before scheduled', pods: [pod('a', { node: 'n1', ready: 'x' }), pod('b', { phase: 'Pending' })], first: 'b' },
    { name: 'pending before running', pods: [pod('a', { node: 'n1' }), pod('b', { node: 'n1', phase: 'Pending' })], first: 'b' },
    { name: 'unknown before running', pods: [pod('a', { node: 'n1' }), pod('b', { node: 'n1', phase: 'Unknown' })], first: 'b' },
    { name: 'not ready before ready', pods: [pod('a', { node: 'n1', ready: '2026-01-01T00:00:00Z' }), pod('b', { node: 'n1', ready: false })], first: 'b' },
    {
      name: 'lower deletion cost first',
      pods: [pod('a', { node: 'n1', annotations: { 'controller.kubernetes.io/pod-deletion-cost': '10' } }), pod('b', { node: 'n2' })],
      first: 'b',
    },
    { name: 'doubled up on a node first', pods: [pod('a', { node: 'n1' }), pod('b', { node: 'n2' }), pod('c', { node: 'n2' })], first: 'b' },
    {
      name: 'ready for less time first',
      pods: [pod('a', { node: 'n1', ready: '2026-01-01T00:00:00Z' }), pod('b', { node: 'n2', ready: '2026-01-01T00:05:00Z' })],
      first: 'b',
    },
    { name: 'more restarts first', pods: [pod('a', { node: 'n1' }), pod('b', { node: 'n2', restarts: 3 })], first: 'b' },
    { name: 'newer first', pods: [pod('a', { node: 'n1' }), pod('b', { node: 'n2', created: '2026-01-02T00:00:00Z' })], first: 'b' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(podsToDelete(c.pods, c.pods, 1).map((p) => p.metadata.name)).toEqual([c.first]);
    });
  }
  it('nothing for a count of 0', () => expect(podsToDelete([pod('a')], [], 0)).toEqual([]));
});

describe('availability', () => {
  it('needs minReadySeconds of readiness', () => {
    const p = pod('a', { ready: '2026-01-01T00:00:00Z' });
    expect(isPodAvailable(p, 0, T0)).toBe(true);
    expect(isPodAvailable(p, 10, T0 + 9_000)).toBe(false);
    expect(isPodAvailable(p, 10, T0 + 10_000)).toBe(true);
    expect(nextAvailableIn([p], 10, T0 + 4_000)).toBe(6_000);
    expect(isPodAvailable(pod('b', { ready: false }), 0, T0)).toBe(false);
  });
});

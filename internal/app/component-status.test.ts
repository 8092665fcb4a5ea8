import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/index.js';
import { componentProbe, leaseHealth, storageHealth } from './component-status.js';

const NOW = Date.parse('2026-12-07T21:00:00Z');
function lease(holder: string, renewedSecondsAgo: number, duration = 15): KubeObject {
  return { metadata: { name: 'kube-scheduler' }, spec: { holderIdentity: holder, leaseDurationSeconds: duration, renewTime: new Date(NOW - renewedSecondsAgo * 1000).toISOString() } } as KubeObject;
}

describe('leaseHealth', () => {
  it.each([
    ['held and renewed', lease('node-a_1f2e', 3), { healthy: true, message: 'ok' }],
    ['never created', undefined, { healthy: false, error: 'no node has run it yet (no Lease kube-system/kube-scheduler)' }],
    ['released', lease('', 3), { healthy: false, error: 'no node holds the Lease kube-system/kube-scheduler' }],
    ['expired', lease('node-a_1f2e', 20), { healthy: false, error: 'the Lease kube-system/kube-scheduler held by node-a expired at 2026-12-07T20:59:55.000Z' }],
    ['expires exactly now', lease('node-a_1f2e', 15), { healthy: false }],
  ])('%s', (_what, l, want) => {
    expect(leaseHealth('scheduler', 'kube-scheduler', l, NOW)).toMatchObject({ name: 'scheduler', ...want });
  });
});

describe('storageHealth', () => {
  it('names members as kube-apiserver does, with its healthy message', () => {
    expect(storageHealth([{ healthy: true }, { healthy: false, error: 'https://b:2379 does not answer' }])).toEqual([
      { name: 'etcd-0', healthy: true, message: '{"health":"true","reason":""}' },
      { name: 'etcd-1', healthy: false, error: 'https://b:2379 does not answer' },
    ]);
  });
});

describe('componentProbe', () => {
  it('reports scheduler, controller-manager, then the datastore', async () => {
    const probe = componentProbe({
      lease: async (name) => (name === 'kube-scheduler' ? lease('node-b_99', 1) : undefined),
      storage: async () => [{ healthy: true }],
      now: () => NOW,
    });
    const got = await probe();
    expect(got.map((c) => [c.name, c.healthy])).toEqual([['scheduler', true], ['controller-manager', false], ['etcd-0', true]]);
  });
});

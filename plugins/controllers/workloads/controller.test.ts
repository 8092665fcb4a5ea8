import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../internal/api/index.js';
import { statusOnlyChange } from './controller.js';

const rs = (meta: Partial<KubeObject['metadata']>, status: unknown = { replicas: 1 }): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'web', namespace: 'ns', generation: 2, resourceVersion: '10', labels: { app: 'web' }, annotations: { a: '1' }, ...meta },
  spec: { replicas: 3 },
  status,
});

describe('statusOnlyChange (which primary updates a controller may batch)', () => {
  const old = rs({});
  it.each<[string, KubeObject, boolean]>([
    ['status, resourceVersion and managedFields only', rs({ resourceVersion: '11', managedFields: [{ manager: 'x' }] }, { replicas: 2 }), true],
    ['equal labels in another object', rs({ resourceVersion: '11', labels: { app: 'web' } }), true],
    ['a spec change (new generation)', rs({ generation: 3 }), false],
    ['a label', rs({ labels: { app: 'web', x: 'y' } }), false],
    ['an annotation (e.g. the revision)', rs({ annotations: { a: '2' } }), false],
    ['an owner reference', rs({ ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'u', controller: true }] }), false],
    ['a finalizer', rs({ finalizers: ['f'] }), false],
    ['deletion', rs({ deletionTimestamp: '2026-01-01T00:00:00Z' }), false],
  ])('%s → %s', (_name, cur, want) => {
    expect(statusOnlyChange(old, cur)).toBe(want);
  });

  it('is never true for a kind without generation (nothing tells a spec change apart)', () => {
    const a = rs({ generation: undefined });
    expect(statusOnlyChange(a, rs({ generation: undefined, resourceVersion: '11' }))).toBe(false);
  });
});

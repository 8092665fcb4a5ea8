import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../internal/api/index.js';
import { ttlDecision } from './decide.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const job = (ttl: number | undefined, cond?: { type: string; status: string; at?: string }, extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  metadata: { name: 'j', namespace: 'ns', ...extra },
  spec: ttl === undefined ? {} : { ttlSecondsAfterFinished: ttl },
  status: cond ? { conditions: [{ type: cond.type, status: cond.status, lastTransitionTime: cond.at ?? '2026-01-01T00:00:00Z' }] } : {},
});

describe('ttlDecision', () => {
  const cases: [string, KubeObject, number, unknown][] = [
    ['no ttl', job(undefined, { type: 'Complete', status: 'True' }), T0 + 1e6, { action: 'none' }],
    ['not finished', job(10), T0 + 1e6, { action: 'none' }],
    ['condition not True', job(10, { type: 'Failed', status: 'False' }), T0 + 1e6, { action: 'none' }],
    ['complete, ttl not yet over', job(10, { type: 'Complete', status: 'True' }), T0 + 4000, { action: 'wait', ms: 6000 }],
    ['failed, ttl over', job(10, { type: 'Failed', status: 'True' }), T0 + 10_000, { action: 'delete' }],
    ['ttl 0 deletes at once', job(0, { type: 'Complete', status: 'True' }), T0, { action: 'delete' }],
    ['already being deleted', job(0, { type: 'Complete', status: 'True' }, { deletionTimestamp: '2026-01-01T00:00:00Z' }), T0, { action: 'none' }],
  ];
  for (const [name, j, now, want] of cases) it(name, () => expect(ttlDecision(j, now)).toEqual(want));
});

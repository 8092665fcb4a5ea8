import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../internal/api/index.js';
import { cleanDecision, DECIDED_TTL_MS, PENDING_TTL_MS } from './clean.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const csr = (conditions: object[], created = T0, status: object = {}): KubeObject => ({
  metadata: { name: 'c', creationTimestamp: iso(created) },
  spec: {},
  status: { conditions, ...status },
});

describe('cleanDecision', () => {
  it('keeps a pending request a day', () => {
    expect(cleanDecision(csr([]), T0 + 1000)).toEqual({ action: 'wait', ms: PENDING_TTL_MS - 1000 });
    expect(cleanDecision(csr([]), T0 + PENDING_TTL_MS)).toMatchObject({ action: 'delete', why: 'pending for over a day' });
  });

  it('keeps a denied or failed request an hour after the decision', () => {
    const denied = csr([{ type: 'Denied', status: 'True', lastUpdateTime: iso(T0 + 10_000) }]);
    expect(cleanDecision(denied, T0 + 10_000)).toEqual({ action: 'wait', ms: DECIDED_TTL_MS });
    expect(cleanDecision(denied, T0 + 10_000 + DECIDED_TTL_MS)).toMatchObject({ action: 'delete', why: 'denied over an hour ago' });
    const failed = csr([{ type: 'Approved', status: 'True', lastUpdateTime: iso(T0) }, { type: 'Failed', status: 'True', lastUpdateTime: iso(T0) }]);
    expect(cleanDecision(failed, T0 + DECIDED_TTL_MS)).toMatchObject({ action: 'delete', why: 'failed over an hour ago' });
  });

  it('keeps an approved request that is not issued yet (the signer may be away), and an issued one an hour', () => {
    const approved = csr([{ type: 'Approved', status: 'True', lastUpdateTime: iso(T0) }]);
    expect(cleanDecision(approved, T0 + 10 * PENDING_TTL_MS)).toEqual({ action: 'none' });
    const issued = csr([{ type: 'Approved', status: 'True', lastUpdateTime: iso(T0) }], T0, { certificate: 'bm90IGEgY2VydA==' });
    expect(cleanDecision(issued, T0 + DECIDED_TTL_MS - 1)).toEqual({ action: 'wait', ms: 1 });
    expect(cleanDecision(issued, T0 + DECIDED_TTL_MS)).toMatchObject({ action: 'delete', why: 'issued over an hour ago' });
  });

  it('leaves an object being deleted alone', () => {
    const c = csr([]);
    c.metadata.deletionTimestamp = iso(T0);
    expect(cleanDecision(c, T0 + 2 * PENDING_TTL_MS)).toEqual({ action: 'none' });
  });
});

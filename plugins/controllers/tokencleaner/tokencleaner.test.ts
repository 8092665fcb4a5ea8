import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../internal/api/index.js';
import { cleanDecision } from './decide.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const b64 = (s: string) => Buffer.from(s).toString('base64');
const secret = (expiration: string | undefined, type = 'bootstrap.kubernetes.io/token', meta: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  metadata: { name: 'bootstrap-token-abcdef', namespace: 'kube-system', ...meta },
  type,
  data: { 'token-id': b64('abcdef'), ...(expiration === undefined ? {} : { expiration: b64(expiration) }) },
});

describe('cleanDecision', () => {
  const cases: [string, KubeObject, number, unknown][] = [
    ['no expiration', secret(undefined), T0, { action: 'none' }],
    ['not a bootstrap token', secret('2025-01-01T00:00:00Z', 'Opaque'), T0, { action: 'none' }],
    ['expires later', secret('2026-01-01T00:00:10Z'), T0, { action: 'wait', ms: 10_000 }],
    ['expired', secret('2025-12-31T23:59:59Z'), T0, { action: 'delete' }],
    ['expires now', secret('2026-01-01T00:00:00Z'), T0, { action: 'delete' }],
    ['unparsable expiration', secret('soon'), T0, { action: 'delete' }],
    ['already being deleted', secret('2025-01-01T00:00:00Z', undefined, { deletionTimestamp: '2026-01-01T00:00:00Z' }), T0, { action: 'none' }],
  ];
  for (const [name, s, now, want] of cases) it(name, () => expect(cleanDecision(s, now)).toEqual(want));
});

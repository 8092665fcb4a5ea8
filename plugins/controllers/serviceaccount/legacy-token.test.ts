import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../internal/api/index.js';
import { filledSecret, legacyTokenAction } from './legacy-token-decide.js';

const CA = '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const sa: KubeObject = { metadata: { name: 'bot', namespace: 'ns', uid: 'sa-uid' } };
const secret = (data: Record<string, string> = {}, uid?: string, type = 'kubernetes.io/service-account-token'): KubeObject => ({
  metadata: { name: 'bot-token', namespace: 'ns', annotations: { 'kubernetes.io/service-account.name': 'bot', ...(uid ? { 'kubernetes.io/service-account.uid': uid } : {}) } },
  type,
  data,
});
const full = { token: b64('t'), 'ca.crt': b64(CA), namespace: b64('ns') };

describe('legacyTokenAction', () => {
  const cases: [string, KubeObject, KubeObject | undefined, unknown][] = [
    ['another type', secret({}, undefined, 'Opaque'), sa, { action: 'none' }],
    ['new Secret: fill with a token', secret(), sa, { action: 'fill', needsToken: true }],
    ['complete', secret(full, 'sa-uid'), sa, { action: 'none' }],
    ['stale ca.crt: fill, keep the token', secret({ ...full, 'ca.crt': b64('old') }, 'sa-uid'), sa, { action: 'fill', needsToken: false }],
    ['uid annotation missing', secret(full), sa, { action: 'fill', needsToken: false }],
    ['ServiceAccount gone', secret(full, 'sa-uid'), undefined, { action: 'delete' }],
    ['ServiceAccount recreated (uid differs)', secret(full, 'old-uid'), sa, { action: 'delete' }],
    ['ServiceAccount being deleted', secret(full, 'sa-uid'), { metadata: { ...sa.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } }, { action: 'delete' }],
  ];
  for (const [name, s, account, want] of cases) it(name, () => expect(legacyTokenAction(s, account, CA)).toEqual(want));

  it('fills token, ca.crt, namespace and the uid annotation on a copy', () => {
    const s = secret({ extra: b64('kept') });
    const out = filledSecret(s, sa, CA, 'jwt');
    expect(out.data).toEqual({ extra: b64('kept'), token: b64('jwt'), 'ca.crt': b64(CA), namespace: b64('ns') });
    expect(out.metadata.annotations).toMatchObject({ 'kubernetes.io/service-account.uid': 'sa-uid' });
    expect(s.data).toEqual({ extra: b64('kept') });
    expect(legacyTokenAction(out, sa, CA)).toEqual({ action: 'none' });
  });
});

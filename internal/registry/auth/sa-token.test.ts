import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/index.js';
import { legacyServiceAccountTokenAuthenticator, serviceAccountTokenAuthenticator } from './sa-authenticator.js';
import { ServiceAccountTokens } from './sa-token.js';

const pem = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const key = pem();
const NOW = 1_800_000_000;

describe('ServiceAccount tokens', () => {
  const tokens = new ServiceAccountTokens(key);
  const sa = { name: 'bot', uid: 'sa-uid' };

  it('issue → verify round trip with upstream claims', async () => {
    const { token, expiresAt } = await tokens.issue({ namespace: 'ns', serviceAccount: sa, audiences: tokens.apiAudiences, expirationSeconds: 3600, now: NOW, bound: { kind: 'Pod', name: 'p', uid: 'pod-uid' } });
    expect(expiresAt).toBe(NOW + 3600);
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(payload).toMatchObject({ iss: 'https://kubernetes.default.svc.cluster.local', sub: 'system:serviceaccount:ns:bot', 'kubernetes.io': { namespace: 'ns', serviceaccount: sa, pod: { name: 'p', uid: 'pod-uid' } } });
    expect((await tokens.verify(token, NOW + 10))?.claims.pod?.uid).toBe('pod-uid');
  });

  it('refuses an expired token, another audience, another key', async () => {
    const { token } = await tokens.issue({ namespace: 'ns', serviceAccount: sa, audiences: ['vault'], expirationSeconds: 600, now: NOW });
    expect(await tokens.verify(token, NOW)).toBeUndefined(); // audience "vault" is not the API's
    expect(await tokens.verify(token, NOW, ['vault'])).toBeDefined();
    expect(await tokens.verify(token, NOW + 601, ['vault'])).toBeUndefined();
    expect(await new ServiceAccountTokens(pem()).verify(token, NOW, ['vault'])).toBeUndefined();
    expect(await tokens.verify('not.a.jwt', NOW)).toBeUndefined();
  });

  it('publishes the key in a JWKS with the same kid', async () => {
    const jwks = await tokens.jwks();
    expect(jwks.keys[0]).toMatchObject({ kid: tokens.kid, alg: 'RS256', use: 'sig', kty: 'RSA' });
    expect(tokens.discovery()).toMatchObject({ issuer: tokens.issuer, jwks_uri: `${tokens.issuer}/openid/v1/jwks` });
  });

  it('authenticates only while the service account and the bound pod exist with their uids', async () => {
    const objects = new Map<string, KubeObject>([
      ['serviceaccounts/bot', { metadata: { name: 'bot', uid: 'sa-uid' } }],
      ['pods/p', { metadata: { name: 'p', uid: 'pod-uid' } }],
    ]);
    const auth = serviceAccountTokenAuthenticator(tokens, async (r, _ns, name) => objects.get(`${r}/${name}`), () => NOW);
    const { token } = await tokens.issue({ namespace: 'ns', serviceAccount: sa, audiences: tokens.apiAudiences, expirationSeconds: 3600, now: NOW, bound: { kind: 'Pod', name: 'p', uid: 'pod-uid' } });
    const user = await auth(token);
    expect(user).toMatchObject({ name: 'system:serviceaccount:ns:bot', uid: 'sa-uid', groups: ['system:serviceaccounts', 'system:serviceaccounts:ns'] });
    expect(user?.extra?.['authentication.kubernetes.io/pod-name']).toEqual(['p']);
    objects.set('pods/p', { metadata: { name: 'p', uid: 'other-uid' } }); // deleted and recreated
    expect(await auth(token)).toBeUndefined();
    objects.delete('pods/p');
    expect(await auth(token)).toBeUndefined();
  });

  it('legacy Secret-based tokens: upstream claims; valid while the Secret holds the token and the ServiceAccount exists with its uid', async () => {
    const token = await tokens.issueLegacy({ namespace: 'ns', secretName: 'bot-token', serviceAccount: sa });
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(payload).toEqual({
      iss: 'kubernetes/serviceaccount',
      sub: 'system:serviceaccount:ns:bot',
      'kubernetes.io/serviceaccount/namespace': 'ns',
      'kubernetes.io/serviceaccount/secret.name': 'bot-token',
      'kubernetes.io/serviceaccount/service-account.name': 'bot',
      'kubernetes.io/serviceaccount/service-account.uid': 'sa-uid',
    });
    // A bound token is not a legacy token, and the other way round.
    const { token: bound } = await tokens.issue({ namespace: 'ns', serviceAccount: sa, audiences: tokens.apiAudiences, expirationSeconds: 3600, now: NOW });
    expect(await tokens.verifyLegacy(bound)).toBeUndefined();
    expect(await tokens.verify(token, NOW)).toBeUndefined();
    const b64 = (t: string) => Buffer.from(t).toString('base64');
    const objects = new Map<string, KubeObject>([
      ['serviceaccounts/bot', { metadata: { name: 'bot', uid: 'sa-uid' } }],
      ['secrets/bot-token', { metadata: { name: 'bot-token', uid: 's-uid' }, data: { token: b64(token) } }],
    ]);
    const auth = legacyServiceAccountTokenAuthenticator(tokens, async (r, _ns, name) => objects.get(`${r}/${name}`));
    expect(await auth(token)).toEqual({ name: 'system:serviceaccount:ns:bot', uid: 'sa-uid', groups: ['system:serviceaccounts', 'system:serviceaccounts:ns'] });
    expect(await auth(bound)).toBeUndefined();
    expect(await new ServiceAccountTokens(pem()).verifyLegacy(token)).toBeUndefined();
    objects.set('secrets/bot-token', { metadata: { name: 'bot-token', uid: 's-uid' }, data: { token: b64('another') } }); // the Secret no longer holds it
    expect(await auth(token)).toBeUndefined();
    objects.set('secrets/bot-token', { metadata: { name: 'bot-token', uid: 's-uid' }, data: { token: b64(token) } });
    objects.set('serviceaccounts/bot', { metadata: { name: 'bot', uid: 'new-uid' } }); // recreated
    expect(await auth(token)).toBeUndefined();
    objects.set('serviceaccounts/bot', { metadata: { name: 'bot', uid: 'sa-uid' } });
    // Last use is labelled once a day; an invalid-since label refuses the token.
    const marked: string[] = [];
    const tracking = legacyServiceAccountTokenAuthenticator(tokens, async (r, _ns, name) => objects.get(`${r}/${name}`), async (ns, name, day) => void marked.push(`${ns}/${name}@${day}`), () => '2026-12-08');
    objects.set('secrets/bot-token', { metadata: { name: 'bot-token', uid: 's-uid', labels: { 'kubernetes.io/legacy-token-last-used': '2026-12-07' } }, data: { token: b64(token) } });
    expect(await tracking(token)).toBeDefined();
    expect(marked).toEqual(['ns/bot-token@2026-12-08']);
    objects.set('secrets/bot-token', { metadata: { name: 'bot-token', uid: 's-uid', labels: { 'kubernetes.io/legacy-token-last-used': '2026-12-08' } }, data: { token: b64(token) } });
    expect(await tracking(token)).toBeDefined();
    expect(marked).toHaveLength(1);
    const failing = legacyServiceAccountTokenAuthenticator(tokens, async (r, _ns, name) => objects.get(`${r}/${name}`), async () => Promise.reject(new Error('conflict')), () => '2026-12-09');
    expect(await failing(token)).toBeDefined(); // a failed label write does not fail the request
    objects.set('secrets/bot-token', { metadata: { name: 'bot-token', uid: 's-uid', labels: { 'kubernetes.io/legacy-token-invalid-since': '2026-12-01' } }, data: { token: b64(token) } });
    expect(await tracking(token)).toBeUndefined();
    objects.delete('secrets/bot-token');
    expect(await auth(token)).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/index.js';
import { bootstrapTokenAuthenticator, bootstrapTokenSecret, bootstrapTokenUser, generateBootstrapToken, parseBootstrapToken } from './bootstrap-token.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const tok = { id: 'abcdef', secret: '0123456789abcdef' };
const secret = (over: Record<string, string | undefined> = {}, meta: Partial<KubeObject['metadata']> = {}, type = 'bootstrap.kubernetes.io/token'): KubeObject => {
  const s = bootstrapTokenSecret({ ...tok, expiresAt: NOW + 60_000, extraGroups: ['system:bootstrappers:worker'] });
  const data = s.data as Record<string, string>;
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete data[k];
    else data[k] = Buffer.from(v).toString('base64');
  }
  return { ...s, type, metadata: { ...s.metadata, ...meta } };
};

describe('bootstrap tokens', () => {
  it('parses <id>.<secret> of [a-z0-9]{6}.[a-z0-9]{16} and generates such tokens', () => {
    expect(parseBootstrapToken('abcdef.0123456789abcdef')).toEqual(tok);
    for (const bad of ['ABCDEF.0123456789abcdef', 'abcde.0123456789abcdef', 'abcdef.0123456789abcde', 'abcdef0123456789abcdef', 'a.b.c']) expect(parseBootstrapToken(bad)).toBeUndefined();
    const g = generateBootstrapToken();
    expect(parseBootstrapToken(`${g.id}.${g.secret}`)).toEqual(g);
  });

  it('authenticates as system:bootstrap:<id> in system:bootstrappers plus the extra groups', () => {
    expect(bootstrapTokenUser(tok, secret(), NOW)).toEqual({ name: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:bootstrappers:worker'] });
    expect(bootstrapTokenUser(tok, secret({ expiration: undefined, 'auth-extra-groups': undefined }), NOW)).toEqual({ name: 'system:bootstrap:abcdef', groups: ['system:bootstrappers'] });
  });

  const refused: [string, KubeObject | undefined, number?][] = [
    ['no Secret', undefined],
    ['expired', secret(), NOW + 60_000],
    ['unparsable expiration', secret({ expiration: 'tomorrow' })],
    ['no usage-bootstrap-authentication', secret({ 'usage-bootstrap-authentication': undefined })],
    ['usage not "true"', secret({ 'usage-bootstrap-authentication': 'yes' })],
    ['wrong secret', secret({ 'token-secret': 'fedcba9876543210' })],
    ['token-id does not match', secret({ 'token-id': 'zzzzzz' })],
    ['another type', secret({}, {}, 'Opaque')],
    ['being deleted', secret({}, { deletionTimestamp: '2026-01-01T00:00:00Z' })],
    ['extra group outside system:bootstrappers:', secret({ 'auth-extra-groups': 'system:masters' })],
  ];
  for (const [name, s, now] of refused) it(`refuses: ${name}`, () => expect(bootstrapTokenUser(tok, s, now ?? NOW)).toBeUndefined());

  it('the authenticator reads kube-system/bootstrap-token-<id> and ignores other bearer tokens', async () => {
    const seen: string[] = [];
    const auth = bootstrapTokenAuthenticator(async (resource, ns, name) => {
      seen.push(`${resource} ${ns}/${name}`);
      return secret();
    }, () => NOW);
    expect((await auth('abcdef.0123456789abcdef'))?.name).toBe('system:bootstrap:abcdef');
    expect(await auth('eyJhbGciOi.x.y')).toBeUndefined();
    expect(seen).toEqual(['secrets kube-system/bootstrap-token-abcdef']);
  });
});

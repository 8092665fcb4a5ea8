import { randomInt, timingSafeEqual } from 'node:crypto';
import type { KubeObject } from '../../api/index.js';
import type { UserInfo } from '../strategy.js';
import type { ObjectLookup } from './token-request.js';

// Bootstrap tokens (upstream's cluster-bootstrap): a Secret of type bootstrap.kubernetes.io/token
// named bootstrap-token-<id> in kube-system; the bearer token is "<id>.<secret>".

export const BOOTSTRAP_TOKEN_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_NAMESPACE = 'kube-system';
export const BOOTSTRAP_SECRET_PREFIX = 'bootstrap-token-';
export const BOOTSTRAPPERS_GROUP = 'system:bootstrappers';
export const BOOTSTRAP_USER_PREFIX = 'system:bootstrap:';

const TOKEN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const EXTRA_GROUP = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A fresh random token id (6) and secret (16) from [a-z0-9], as kubeadm generates them. */
export function generateBootstrapToken(): { id: string; secret: string } {
  const pick = (n: number) => Array.from({ length: n }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return { id: pick(6), secret: pick(16) };
}

/** "<id>.<secret>" split, or undefined when the text is not a bootstrap token. */
export function parseBootstrapToken(token: string): { id: string; secret: string } | undefined {
  const m = TOKEN.exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}

/** A Secret's data value as text ('' when absent). */
export function secretValue(secret: KubeObject, key: string): string {
  const v = (secret.data as Record<string, unknown> | undefined)?.[key];
  return typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : '';
}

/** True when the Secret's expiration (RFC 3339) has passed at `nowMs`; an unparsable one counts as expired, as upstream. */
export function bootstrapTokenExpired(secret: KubeObject, nowMs: number): boolean {
  const exp = secretValue(secret, 'expiration');
  if (!exp) return false;
  const t = Date.parse(exp);
  return Number.isNaN(t) || t <= nowMs;
}

/**
 * The user a bootstrap token authenticates as, given its Secret (as upstream's authenticator):
 * the Secret's type, token-id and token-secret (compared in constant time) match, it is not being
 * deleted nor expired, usage-bootstrap-authentication is "true" and every auth-extra-groups entry
 * starts with system:bootstrappers:. Undefined otherwise.
 */
export function bootstrapTokenUser(token: { id: string; secret: string }, secret: KubeObject | undefined, nowMs: number): UserInfo | undefined {
  if (!secret || secret.type !== BOOTSTRAP_TOKEN_TYPE || secret.metadata.deletionTimestamp) return undefined;
  if (secret.metadata.name !== `${BOOTSTRAP_SECRET_PREFIX}${token.id}` || secretValue(secret, 'token-id') !== token.id) return undefined;
  const stored = Buffer.from(secretValue(secret, 'token-secret'));
  const given = Buffer.from(token.secret);
  if (stored.length !== given.length || !timingSafeEqual(stored, given)) return undefined;
  if (bootstrapTokenExpired(secret, nowMs)) return undefined;
  if (secretValue(secret, 'usage-bootstrap-authentication') !== 'true') return undefined;
  const extra = secretValue(secret, 'auth-extra-groups')
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean);
  if (extra.some((g) => !EXTRA_GROUP.test(g))) return undefined;
  return { name: `${BOOTSTRAP_USER_PREFIX}${token.id}`, groups: [BOOTSTRAPPERS_GROUP, ...extra.filter((g) => g !== BOOTSTRAPPERS_GROUP)] };
}

/** The bearer-token authenticator for bootstrap tokens (Secrets read as the apiserver). */
export function bootstrapTokenAuthenticator(lookup: ObjectLookup, now: () => number = Date.now) {
  return async (bearer: string): Promise<UserInfo | undefined> => {
    const token = parseBootstrapToken(bearer);
    if (!token) return undefined;
    return bootstrapTokenUser(token, await lookup('secrets', BOOTSTRAP_NAMESPACE, `${BOOTSTRAP_SECRET_PREFIX}${token.id}`), now());
  };
}

/** The Secret of a bootstrap token (stringData is not used: the values go in data, base64). */
export function bootstrapTokenSecret(opts: { id: string; secret: string; expiresAt?: number; description?: string; extraGroups?: string[]; usages?: ('authentication' | 'signing')[]; labels?: Record<string, string> }): KubeObject {
  const data: Record<string, string> = { 'token-id': opts.id, 'token-secret': opts.secret };
  if (opts.expiresAt !== undefined) data.expiration = new Date(Math.floor(opts.expiresAt / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  if (opts.description) data.description = opts.description;
  for (const u of opts.usages ?? ['authentication']) data[`usage-bootstrap-${u}`] = 'true';
  if (opts.extraGroups?.length) data['auth-extra-groups'] = opts.extraGroups.join(',');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `${BOOTSTRAP_SECRET_PREFIX}${opts.id}`, namespace: BOOTSTRAP_NAMESPACE, ...(opts.labels ? { labels: opts.labels } : {}) },
    type: BOOTSTRAP_TOKEN_TYPE,
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

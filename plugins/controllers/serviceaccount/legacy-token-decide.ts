import type { KubeObject } from '../../../internal/api/index.js';

export const SA_TOKEN_TYPE = 'kubernetes.io/service-account-token';
export const SA_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
export const SA_UID_ANNOTATION = 'kubernetes.io/service-account.uid';

export type LegacyTokenAction = { action: 'none' } | { action: 'delete' } | { action: 'fill'; needsToken: boolean };

const b64 = (s: string) => Buffer.from(s).toString('base64');
const dataOf = (s: KubeObject) => (s.data ?? {}) as Record<string, string>;

/**
 * What upstream's tokens controller does with a Secret of type kubernetes.io/service-account-token
 * (it never creates one: a user asks for it): delete it when its ServiceAccount is gone (or was
 * recreated: the uid annotation differs); otherwise fill token, ca.crt, namespace and the uid
 * annotation where missing or stale (a token is made only when there is none).
 */
export function legacyTokenAction(secret: KubeObject, sa: KubeObject | undefined, caPem: string): LegacyTokenAction {
  if (secret.type !== SA_TOKEN_TYPE || secret.metadata.deletionTimestamp) return { action: 'none' };
  const uid = secret.metadata.annotations?.[SA_UID_ANNOTATION];
  if (!sa || sa.metadata.deletionTimestamp || (uid && uid !== sa.metadata.uid)) return { action: 'delete' };
  const d = dataOf(secret);
  const needsToken = !d.token;
  const stale = needsToken || d['ca.crt'] !== b64(caPem) || d.namespace !== b64(secret.metadata.namespace ?? '') || uid !== sa.metadata.uid;
  return stale ? { action: 'fill', needsToken } : { action: 'none' };
}

/** The Secret with token, ca.crt, namespace and the ServiceAccount's uid filled in (a copy). */
export function filledSecret(secret: KubeObject, sa: KubeObject, caPem: string, token: string | undefined): KubeObject {
  const out = structuredClone(secret) as KubeObject;
  out.metadata.annotations = { ...out.metadata.annotations, [SA_UID_ANNOTATION]: sa.metadata.uid! };
  out.data = { ...dataOf(secret), 'ca.crt': b64(caPem), namespace: b64(secret.metadata.namespace ?? ''), ...(token ? { token: b64(token) } : {}) };
  return out;
}

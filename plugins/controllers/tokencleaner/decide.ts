import type { KubeObject } from '../../../internal/api/index.js';

export const BOOTSTRAP_TOKEN_TYPE = 'bootstrap.kubernetes.io/token';

export type CleanDecision = { action: 'none' } | { action: 'delete' } | { action: 'wait'; ms: number };

/**
 * The token cleaner's decision for a Secret (upstream tokencleaner): only bootstrap-token Secrets
 * with an `expiration`; delete once it has passed (an unparsable expiration counts as passed, as the
 * authenticator refuses such a token), otherwise wait for what is left.
 */
export function cleanDecision(secret: KubeObject, now: number): CleanDecision {
  if (secret.type !== BOOTSTRAP_TOKEN_TYPE || secret.metadata.deletionTimestamp) return { action: 'none' };
  const raw = (secret.data as Record<string, unknown> | undefined)?.expiration;
  if (typeof raw !== 'string') return { action: 'none' };
  const at = Date.parse(Buffer.from(raw, 'base64').toString('utf8'));
  if (Number.isNaN(at) || at <= now) return { action: 'delete' };
  return { action: 'wait', ms: at - now };
}

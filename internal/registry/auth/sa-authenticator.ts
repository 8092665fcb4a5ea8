import type { UserInfo } from '../strategy.js';
import { serviceAccountUser, type ServiceAccountTokens } from './sa-token.js';
import type { ObjectLookup } from './token-request.js';

/**
 * Authenticates a bearer token as a ServiceAccount token (upstream's validator): a valid signature,
 * issuer, audience and lifetime, then the service account still exists with the uid the token
 * names, and a bound Pod or Secret still exists with its uid and is not being deleted. The user
 * carries upstream's extra keys (pod name and uid, node, credential id). Undefined when the token
 * is not a valid ServiceAccount token.
 */
export function serviceAccountTokenAuthenticator(tokens: ServiceAccountTokens, lookup: ObjectLookup, now: () => number = () => Math.floor(Date.now() / 1000)) {
  const alive = async (resource: 'pods' | 'secrets' | 'serviceaccounts' | 'nodes', namespace: string | undefined, ref: { name: string; uid: string }) => {
    const obj = await lookup(resource, namespace, ref.name);
    return !!obj && obj.metadata.uid === ref.uid && !obj.metadata.deletionTimestamp;
  };
  return async (token: string): Promise<UserInfo | undefined> => {
    const verified = await tokens.verify(token, now());
    if (!verified) return undefined;
    const c = verified.claims;
    if (!(await alive('serviceaccounts', c.namespace, c.serviceaccount))) return undefined;
    if (c.pod && !(await alive('pods', c.namespace, c.pod))) return undefined;
    if (c.secret && !(await alive('secrets', c.namespace, c.secret))) return undefined;
    if (c.node && !c.pod && !(await alive('nodes', undefined, c.node))) return undefined;
    const extra: Record<string, string[]> = {};
    if (c.pod) {
      extra['authentication.kubernetes.io/pod-name'] = [c.pod.name];
      extra['authentication.kubernetes.io/pod-uid'] = [c.pod.uid];
    }
    if (c.node) {
      extra['authentication.kubernetes.io/node-name'] = [c.node.name];
      extra['authentication.kubernetes.io/node-uid'] = [c.node.uid];
    }
    if (verified.jti) extra['authentication.kubernetes.io/credential-id'] = [`JTI=${verified.jti}`];
    const user = serviceAccountUser(c.namespace, c.serviceaccount.name, c.serviceaccount.uid);
    return Object.keys(extra).length ? { ...user, extra } : user;
  };
}

/** Upstream's labels on a legacy token Secret: the day it last authenticated; set by an admin, the day from which it is refused. */
export const LAST_USED_LABEL = 'kubernetes.io/legacy-token-last-used';
export const INVALID_SINCE_LABEL = 'kubernetes.io/legacy-token-invalid-since';

/**
 * Authenticates a legacy Secret-based ServiceAccount token (upstream's legacy validator): signed by
 * the cluster's key with issuer kubernetes/serviceaccount, its Secret still exists, is not being
 * deleted, holds this very token and is not labelled invalid, and the ServiceAccount exists with
 * the uid the token names. A use on a new day (UTC) labels the Secret with that day through
 * `markUsed` (its failure does not fail the request, as upstream).
 */
export function legacyServiceAccountTokenAuthenticator(
  tokens: ServiceAccountTokens,
  lookup: ObjectLookup,
  markUsed?: (namespace: string, name: string, day: string) => Promise<void>,
  today: () => string = () => new Date().toISOString().slice(0, 10),
) {
  return async (token: string): Promise<UserInfo | undefined> => {
    const c = await tokens.verifyLegacy(token);
    if (!c) return undefined;
    const secret = await lookup('secrets', c.namespace, c.secretName);
    const stored = (secret?.data as Record<string, unknown> | undefined)?.token;
    if (!secret || secret.metadata.deletionTimestamp || typeof stored !== 'string' || Buffer.from(stored, 'base64').toString('utf8') !== token) return undefined;
    if (secret.metadata.labels?.[INVALID_SINCE_LABEL]) return undefined;
    const sa = await lookup('serviceaccounts', c.namespace, c.serviceAccount.name);
    if (!sa || sa.metadata.deletionTimestamp || sa.metadata.uid !== c.serviceAccount.uid) return undefined;
    const day = today();
    if (markUsed && secret.metadata.labels?.[LAST_USED_LABEL] !== day) await markUsed(c.namespace, c.secretName, day).catch(() => undefined);
    return serviceAccountUser(c.namespace, c.serviceAccount.name, c.serviceAccount.uid);
  };
}

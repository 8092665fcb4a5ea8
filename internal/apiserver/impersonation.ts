import type { IncomingHttpHeaders } from 'node:http';
import { apiErrors } from '../api/index.js';
import { forbiddenError, type AuthorizationAttributes, type Authorizer, type UserInfo } from '../registry/index.js';
import { AUTHENTICATED_GROUP, UNAUTHENTICATED_GROUP } from './auth.js';

const SA_PREFIX = 'system:serviceaccount:';
const EXTRA_PREFIX = 'impersonate-extra-';

function values(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
}

/** Whether the request asks to act as someone else (any Impersonate-* header). */
export function wantsImpersonation(headers: IncomingHttpHeaders): boolean {
  for (const k in headers) if (k.startsWith('impersonate-')) return true;
  return false;
}

/**
 * Impersonation headers (kubectl --as, --as-group, --as-uid), authorized as upstream: the caller
 * needs `impersonate` on users (or serviceaccounts for a service account name), on each group,
 * on uids and on userextras/<key> in authentication.k8s.io. Returns the user to act as; throws
 * 403 with upstream's message for the first refused attribute, 400 without Impersonate-User.
 */
export async function impersonate(headers: IncomingHttpHeaders, caller: UserInfo, authorizer: Authorizer): Promise<UserInfo> {
  const name = values(headers['impersonate-user'])[0];
  const groups = values(headers['impersonate-group']);
  const uid = values(headers['impersonate-uid'])[0];
  const extra: Record<string, string[]> = {};
  for (const k in headers) {
    if (k.startsWith(EXTRA_PREFIX)) extra[decodeURIComponent(k.slice(EXTRA_PREFIX.length))] = values(headers[k]);
  }
  if (!name) throw apiErrors.badRequest('requested impersonation of groups, uid or extra without impersonating a user');
  const check = async (attrs: Omit<AuthorizationAttributes, 'user' | 'version' | 'verb'>) => {
    const full: AuthorizationAttributes = { ...attrs, user: caller, verb: 'impersonate', version: '' };
    const d = await authorizer.authorize(full);
    if (!d.allowed) throw forbiddenError(full, d.reason);
  };
  const sa = name.startsWith(SA_PREFIX) ? name.slice(SA_PREFIX.length).split(':') : undefined;
  const asGroups = [...groups];
  if (sa && sa.length === 2) {
    await check({ group: '', resource: 'serviceaccounts', namespace: sa[0], name: sa[1] });
    if (groups.length === 0) asGroups.push('system:serviceaccounts', `system:serviceaccounts:${sa[0]}`);
  } else {
    await check({ group: '', resource: 'users', name });
  }
  for (const g of groups) await check({ group: '', resource: 'groups', name: g });
  if (uid) await check({ group: 'authentication.k8s.io', resource: 'uids', name: uid });
  for (const [key, vals] of Object.entries(extra)) {
    for (const v of vals) await check({ group: 'authentication.k8s.io', resource: 'userextras', subresource: key, name: v });
  }
  const own = name === 'system:anonymous' ? UNAUTHENTICATED_GROUP : AUTHENTICATED_GROUP;
  if (!asGroups.includes(own)) asGroups.push(own);
  return { name, groups: asGroups, ...(uid ? { uid } : {}), ...(Object.keys(extra).length ? { extra } : {}) };
}

import { ApiError, groupResourceString } from '../api/index.js';
import type { AuthorizationAttributes, Authorizer } from './request.js';

/**
 * The default authorizer until RBAC exists: members of system:masters may do anything, everyone
 * else nothing (the admin kubeconfig's client certificate carries O=system:masters).
 */
export const mastersOnlyAuthorizer: Authorizer = {
  authorize: async (attrs) => (attrs.user.groups.includes('system:masters') ? { allowed: true } : { allowed: false }),
};

/** Allows everything (tests, single-user development). */
export const allowAllAuthorizer: Authorizer = { authorize: async () => ({ allowed: true }) };

/**
 * 403 with upstream's wording (apiserver responsewriters.forbiddenMessage + errors.NewForbidden):
 * `configmaps "x" is forbidden: User "u" cannot get resource "configmaps" in API group "" in the namespace "ns"`.
 */
export function forbiddenError(attrs: AuthorizationAttributes, reason?: string): ApiError {
  if (attrs.path !== undefined) {
    // Non-resource URLs: `forbidden: User "u" cannot get path "/api"` with empty details.
    const why = `User "${attrs.user.name}" cannot ${attrs.verb} path "${attrs.path}"${reason ? `: ${reason}` : ''}`;
    return new ApiError('Forbidden', `forbidden: ${why}`, { details: {} });
  }
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const scope = attrs.namespace ? `in the namespace "${attrs.namespace}"` : 'at the cluster scope';
  let why = `User "${attrs.user.name}" cannot ${attrs.verb} resource "${resource}" in API group "${attrs.group}" ${scope}`;
  if (reason) why += `: ${reason}`;
  const gr = groupResourceString({ group: attrs.group, resource: attrs.resource });
  const message = attrs.name ? `${gr} "${attrs.name}" is forbidden: ${why}` : `${gr} is forbidden: ${why}`;
  return new ApiError('Forbidden', message, {
    details: { ...(attrs.name ? { name: attrs.name } : {}), ...(attrs.group ? { group: attrs.group } : {}), kind: attrs.resource },
  });
}

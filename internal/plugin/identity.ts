import type { UserInfo } from '../client/index.js';

const SA_PREFIX = 'system:serviceaccount:';
const NODE_PREFIX = 'system:node:';
const AUTHENTICATED = 'system:authenticated';

/**
 * The identity a plugin's client acts as, from the user name alone, with the groups upstream's
 * authenticators give that name, so RBAC and the Node authorizer treat the plugin as they would
 * the upstream component it replaces:
 * - `system:serviceaccount:<ns>:<sa>` (a controller under its own ServiceAccount): system:serviceaccounts
 *   and system:serviceaccounts:<ns>;
 * - `system:node:<name>` (a kubelet): system:nodes;
 * - `system:kplane:*` and `system:apiserver`: parts that upstream runs inside kube-apiserver over its
 *   loopback client (the CRD controller, the `kubernetes` endpoints) or kplane diagnostics: system:masters;
 * - any other name (system:kube-scheduler, system:kube-controller-manager): no extra group.
 * Everyone is in system:authenticated.
 */
export function pluginIdentity(name: string, extraGroups: string[] = []): UserInfo {
  const groups: string[] = [];
  if (name.startsWith(SA_PREFIX)) {
    const ns = name.slice(SA_PREFIX.length).split(':')[0];
    groups.push('system:serviceaccounts', `system:serviceaccounts:${ns}`);
  } else if (name.startsWith(NODE_PREFIX)) groups.push('system:nodes');
  else if (name.startsWith('system:kplane:') || name === 'system:apiserver') groups.push('system:masters');
  return { name, groups: [...new Set([...groups, ...extraGroups, AUTHENTICATED])] };
}

/**
 * The host's own clients. Shared informers read as kube-controller-manager does (its role lists and
 * watches every resource; upstream's controller manager also builds its informers from its own
 * credentials); leader election writes Leases in kube-system as kube-controller-manager, which the
 * `system:kplane:leader-locking` Role allows for every Lease there.
 */
export const INFORMER_USER = 'system:kube-controller-manager';
export const ELECTION_USER = 'system:kube-controller-manager';

/** The user-name prefix of kube-controller-manager's controllers (each under its kube-system ServiceAccount). */
export const CONTROLLER_USER_PREFIX = `${SA_PREFIX}kube-system:`;

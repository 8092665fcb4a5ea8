import type { AuthorizationAttributes, Authorizer } from '../../request.js';
import type { RbacIndex } from './index-store.js';
import { rulesAllow } from './rules.js';

/** A decision with upstream's three outcomes: a no-opinion passes the request to the next authorizer. */
export type Decision = { decision: 'allow' | 'deny' | 'no-opinion'; reason?: string };

/** One link of the authorizer chain (--authorization-mode). */
export interface ChainedAuthorizer {
  name: string;
  decide(attrs: AuthorizationAttributes): Decision | Promise<Decision>;
}

export const MASTERS_GROUP = 'system:masters';

/** Members of system:masters may do anything (upstream puts this first in every chain). */
export const privilegedGroupAuthorizer: ChainedAuthorizer = {
  name: 'PrivilegedGroup',
  decide: (a) => (a.user.groups.includes(MASTERS_GROUP) ? { decision: 'allow' } : { decision: 'no-opinion' }),
};

export const alwaysAllowAuthorizer: ChainedAuthorizer = { name: 'AlwaysAllow', decide: () => ({ decision: 'allow' }) };

/** RBAC over the in-memory index: allow when a bound role grants it, otherwise no opinion. */
export function rbacAuthorizer(index: RbacIndex): ChainedAuthorizer {
  return {
    name: 'RBAC',
    decide(a) {
      const { rules } = index.rulesFor(a.user, a.path === undefined ? a.namespace : undefined);
      return rulesAllow(rules, a) ? { decision: 'allow' } : { decision: 'no-opinion' };
    },
  };
}

/** The chain: the first allow or deny decides; nobody having an opinion is a denial. */
export function unionAuthorizer(chain: ChainedAuthorizer[]): Authorizer {
  return {
    async authorize(attrs) {
      for (const link of chain) {
        const d = await link.decide(attrs);
        if (d.decision === 'allow') return { allowed: true };
        if (d.decision === 'deny') return { allowed: false, reason: d.reason };
      }
      return { allowed: false };
    },
  };
}

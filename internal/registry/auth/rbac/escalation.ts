import { ApiError, type KubeObject } from '../../../api/index.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../admission.js';
import type { Authorizer } from '../../request.js';
import type { RbacIndex } from './index-store.js';
import { MASTERS_GROUP } from './authorizer.js';
import { ruleString, uncoveredRules, type PolicyRule } from './rules.js';

const RBAC = 'rbac.authorization.k8s.io';

function forbidden(a: AdmissionAttributes, why: string): ApiError {
  const gr = `${a.definition.plural}.${RBAC}`;
  return new ApiError('Forbidden', `${gr} "${a.name}" is forbidden: ${why}`, { details: { name: a.name, group: RBAC, kind: a.definition.plural } });
}

function notHeld(a: AdmissionAttributes, missing: PolicyRule[]): ApiError {
  const groups = JSON.stringify(a.user.groups).replace(/,/g, ', ');
  return forbidden(a, `user "${a.user.name}" (groups=${groups}) is attempting to grant RBAC permissions not currently held:\n${missing.map(ruleString).join('\n')}`);
}

/**
 * Escalation prevention (upstream's RBAC storage checks), as a validating admission step: a Role or
 * ClusterRole may only hold rules its author holds, unless the author may `escalate` it; a binding
 * only grants a role whose rules its author holds, unless the author may `bind` it; an
 * aggregationRule needs `escalate`. system:masters is exempt, as upstream.
 */
export function rbacEscalationPlugin(index: RbacIndex, authorizer: Authorizer): AdmissionPlugin {
  const may = async (a: AdmissionAttributes, verb: string, resource: string, name: string, namespace?: string) =>
    (await authorizer.authorize({ user: a.user, verb, group: RBAC, version: 'v1', resource, name, ...(namespace ? { namespace } : {}) })).allowed;
  return {
    name: 'RBACEscalation',
    async validate(a) {
      if (a.definition.group !== RBAC || !a.object) return;
      if (a.operation !== 'CREATE' && a.operation !== 'UPDATE') return;
      if (a.user.groups.includes(MASTERS_GROUP)) return;
      const obj = a.object;
      const ns = a.namespace;
      switch (a.definition.plural) {
        case 'roles':
        case 'clusterroles': {
          if (await may(a, 'escalate', a.definition.plural, a.name, ns)) return;
          if (obj.aggregationRule) throw forbidden(a, 'must have cluster-admin privileges to use the aggregationRule');
          const missing = uncoveredRules(index.rulesFor(a.user, ns).rules, (obj.rules as PolicyRule[] | undefined) ?? []);
          if (missing.length) throw notHeld(a, missing);
          return;
        }
        case 'rolebindings':
        case 'clusterrolebindings': {
          const ref = (obj.roleRef ?? {}) as { kind?: string; name?: string };
          const roleResource = ref.kind === 'Role' ? 'roles' : 'clusterroles';
          if (await may(a, 'bind', roleResource, ref.name ?? '', ref.kind === 'Role' ? ns : undefined)) return;
          const role: KubeObject | undefined = ref.kind === 'Role' ? index.role(ns ?? '', ref.name ?? '') : index.clusterRole(ref.name ?? '');
          const rules = role ? (ref.kind === 'Role' ? ((role.rules as PolicyRule[] | undefined) ?? []) : index.clusterRoleRules(role)) : [];
          const missing = uncoveredRules(index.rulesFor(a.user, ns).rules, rules);
          if (missing.length) throw notHeld(a, missing);
          return;
        }
      }
    },
  };
}

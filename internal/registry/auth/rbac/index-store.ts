import { labelSelectorAsQuery, type KubeObject, type LabelSelector } from '../../../api/index.js';
import type { UserInfo } from '../../strategy.js';
import type { PolicyRule } from './rules.js';

export type RbacResource = 'clusterroles' | 'roles' | 'clusterrolebindings' | 'rolebindings';

interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
}

/** Whether a binding subject names this user (upstream's appliesToUser). */
export function subjectMatches(s: Subject, user: UserInfo, bindingNamespace: string | undefined): boolean {
  switch (s.kind) {
    case 'User':
      return s.name === user.name;
    case 'Group':
      return !!s.name && user.groups.includes(s.name);
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      return !!ns && user.name === `system:serviceaccount:${ns}:${s.name}`;
    }
    default:
      return false;
  }
}

/** The rules a user holds in a namespace (or cluster-wide), with the bindings that gave them. */
export interface ResolvedRules {
  rules: PolicyRule[];
  /** Role references that could not be found (the answer is then incomplete, as upstream says). */
  missing: string[];
}

/**
 * The RBAC objects in memory, fed by watches, with the rules of each (user, namespace) pair cached
 * until the next RBAC change: a request costs one Map lookup, however many bindings exist.
 */
export class RbacIndex {
  private readonly objects: Record<RbacResource, Map<string, KubeObject>> = {
    clusterroles: new Map(),
    roles: new Map(),
    clusterrolebindings: new Map(),
    rolebindings: new Map(),
  };
  /** RoleBindings by namespace, so a request looks only at its own namespace's bindings. */
  private readonly bindingsByNamespace = new Map<string, Map<string, KubeObject>>();
  private readonly cache = new Map<string, ResolvedRules>();
  private readonly listeners = new Set<(resource: RbacResource) => void>();

  put(resource: RbacResource, obj: KubeObject): void {
    const key = keyOf(obj);
    this.objects[resource].set(key, obj);
    if (resource === 'rolebindings') {
      const ns = obj.metadata.namespace ?? '';
      let m = this.bindingsByNamespace.get(ns);
      if (!m) this.bindingsByNamespace.set(ns, (m = new Map()));
      m.set(obj.metadata.name ?? '', obj);
    }
    this.changed(resource);
  }

  delete(resource: RbacResource, obj: KubeObject): void {
    this.objects[resource].delete(keyOf(obj));
    if (resource === 'rolebindings') this.bindingsByNamespace.get(obj.metadata.namespace ?? '')?.delete(obj.metadata.name ?? '');
    this.changed(resource);
  }

  /** Drops every object of a resource (a watch that relists). */
  reset(resource: RbacResource): void {
    this.objects[resource].clear();
    if (resource === 'rolebindings') this.bindingsByNamespace.clear();
    this.changed(resource);
  }

  onChange(fn: (resource: RbacResource) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(resource: RbacResource): void {
    this.cache.clear();
    for (const l of this.listeners) l(resource);
  }

  clusterRole(name: string): KubeObject | undefined {
    return this.objects.clusterroles.get(name);
  }

  clusterRoles(): KubeObject[] {
    return [...this.objects.clusterroles.values()];
  }

  role(namespace: string, name: string): KubeObject | undefined {
    return this.objects.roles.get(`${namespace}/${name}`);
  }

  /**
   * A ClusterRole's rules; for an aggregated one, the rules of every ClusterRole its selectors
   * match (themselves resolved the same way), as the aggregation controller would write them.
   */
  clusterRoleRules(role: KubeObject, seen = new Set<string>()): PolicyRule[] {
    const agg = role.aggregationRule as { clusterRoleSelectors?: LabelSelector[] } | undefined;
    if (!agg?.clusterRoleSelectors) return (role.rules as PolicyRule[] | undefined) ?? [];
    seen.add(role.metadata.name ?? '');
    const out: PolicyRule[] = [];
    const queries = agg.clusterRoleSelectors.map((s) => labelSelectorAsQuery(s));
    for (const other of this.objects.clusterroles.values()) {
      const name = other.metadata.name ?? '';
      if (seen.has(name)) continue;
      const labels = other.metadata.labels ?? {};
      if (!queries.some((q) => q.matches(labels))) continue;
      seen.add(name);
      out.push(...this.clusterRoleRules(other, seen));
    }
    return out;
  }

  /** Every rule the user holds: cluster-wide bindings, plus the namespace's RoleBindings. */
  rulesFor(user: UserInfo, namespace: string | undefined): ResolvedRules {
    const key = `${user.name}\u0000${user.groups.join('\u0001')}\u0000${namespace ?? ''}`;
    let hit = this.cache.get(key);
    if (hit) return hit;
    const rules: PolicyRule[] = [];
    const missing: string[] = [];
    for (const b of this.objects.clusterrolebindings.values()) {
      if (!appliesTo(b, user, undefined)) continue;
      const ref = b.roleRef as { kind?: string; name?: string };
      const role = this.clusterRole(ref.name ?? '');
      if (role) rules.push(...this.clusterRoleRules(role));
      else missing.push(`clusterrole.rbac.authorization.k8s.io "${ref.name}" not found`);
    }
    if (namespace) {
      for (const b of this.bindingsByNamespace.get(namespace)?.values() ?? []) {
        if (!appliesTo(b, user, namespace)) continue;
        const ref = b.roleRef as { kind?: string; name?: string };
        if (ref.kind === 'ClusterRole') {
          const role = this.clusterRole(ref.name ?? '');
          if (role) rules.push(...this.clusterRoleRules(role));
          else missing.push(`clusterrole.rbac.authorization.k8s.io "${ref.name}" not found`);
        } else {
          const role = this.role(namespace, ref.name ?? '');
          if (role) rules.push(...((role.rules as PolicyRule[] | undefined) ?? []));
          else missing.push(`role.rbac.authorization.k8s.io "${ref.name}" not found`);
        }
      }
    }
    hit = { rules, missing };
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, hit);
    return hit;
  }
}

function appliesTo(binding: KubeObject, user: UserInfo, namespace: string | undefined): boolean {
  const subjects = (binding.subjects as Subject[] | undefined) ?? [];
  for (const s of subjects) if (subjectMatches(s, user, namespace)) return true;
  return false;
}

function keyOf(obj: KubeObject): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : (obj.metadata.name ?? '');
}

import type { AuthorizationAttributes } from '../../request.js';

/** rbac.authorization.k8s.io/v1 PolicyRule. */
export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

const has = (list: readonly string[] | undefined, v: string) => !!list && (list.includes('*') || list.includes(v));

/** "pods", "pods/log"; "*" matches all, "*\/scale" any resource's scale, "pods/*" every pods subresource. */
function resourceMatches(rule: PolicyRule, resource: string, subresource: string | undefined): boolean {
  const rs = rule.resources ?? [];
  const full = subresource ? `${resource}/${subresource}` : resource;
  for (const r of rs) {
    if (r === '*' || r === full) return true;
    if (!subresource) continue;
    if (r === `*/${subresource}` || r === `${resource}/*`) return true;
  }
  return false;
}

/** A non-resource URL rule: exact, "*", or a prefix ending in "*". */
function urlMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === '*' || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

/** Upstream's RuleAllows: one rule against one request. */
export function ruleAllows(rule: PolicyRule, a: AuthorizationAttributes): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (a.path !== undefined) return urlMatches(rule, a.path);
  if (!has(rule.apiGroups, a.group) || !resourceMatches(rule, a.resource, a.subresource)) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (!!a.name && names.includes(a.name));
}

export function rulesAllow(rules: readonly PolicyRule[], a: AuthorizationAttributes): boolean {
  for (const r of rules) if (ruleAllows(r, a)) return true;
  return false;
}

/**
 * Whether `owner` rules cover every permission of `requested` (upstream's validation.Covers, used
 * for escalation prevention): each requested rule is split into single (group, resource, name,
 * verb) or (url, verb) grants, and each must be allowed by one owner rule. A "*" in the request is
 * covered only by a "*" in the owner's rule.
 */
export function uncoveredRules(owner: readonly PolicyRule[], requested: readonly PolicyRule[]): PolicyRule[] {
  const missing: PolicyRule[] = [];
  for (const req of requested) {
    for (const verb of req.verbs) {
      if (req.nonResourceURLs?.length) {
        for (const url of req.nonResourceURLs) {
          const ok = owner.some((o) => has(o.verbs, verb) && (o.nonResourceURLs ?? []).some((u) => u === '*' || u === url || (u.endsWith('*') && url.startsWith(u.slice(0, -1)))));
          if (!ok) missing.push({ nonResourceURLs: [url], verbs: [verb] });
        }
        continue;
      }
      for (const group of req.apiGroups ?? []) {
        for (const resource of req.resources ?? []) {
          const names = req.resourceNames?.length ? req.resourceNames : [undefined];
          for (const name of names) {
            const ok = owner.some((o) => {
              if (!has(o.verbs, verb) || !has(o.apiGroups, group)) return false;
              const [res, sub] = resource.split('/', 2) as [string, string | undefined];
              const resOk = (o.resources ?? []).some((r) => r === '*' || r === resource || (sub !== undefined && (r === `${res}/*` || r === `*/${sub}`)));
              if (!resOk) return false;
              const on = o.resourceNames ?? [];
              return on.length === 0 || (name !== undefined && on.includes(name));
            });
            if (!ok) missing.push({ apiGroups: [group], resources: [resource], verbs: [verb], ...(name !== undefined ? { resourceNames: [name] } : {}) });
          }
        }
      }
    }
  }
  return missing;
}

/** Upstream's compact rendering of a rule in escalation messages: {APIGroups:[""], Resources:["pods"], Verbs:["create"]}. */
export function ruleString(r: PolicyRule): string {
  const q = (xs: string[]) => xs.map((x) => JSON.stringify(x)).join(' ');
  const parts: string[] = [];
  if (r.apiGroups?.length) parts.push(`APIGroups:[${q(r.apiGroups)}]`);
  if (r.resources?.length) parts.push(`Resources:[${q(r.resources)}]`);
  if (r.resourceNames?.length) parts.push(`ResourceNames:[${q(r.resourceNames)}]`);
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:[${q(r.nonResourceURLs)}]`);
  parts.push(`Verbs:[${q(r.verbs)}]`);
  return `{${parts.join(', ')}}`;
}

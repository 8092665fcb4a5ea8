// The audit policy (audit.k8s.io/v1 Policy): the first rule that matches a request gives its level
// and the stages left out; no rule matching means level None (nothing recorded), as upstream.
import { ApiError } from '../../api/index.js';

export type AuditLevel = 'None' | 'Metadata' | 'Request' | 'RequestResponse';
export type AuditStage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';

const LEVELS: AuditLevel[] = ['None', 'Metadata', 'Request', 'RequestResponse'];
const STAGES: AuditStage[] = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];

export interface GroupResources {
  group?: string;
  resources?: string[];
  resourceNames?: string[];
}

export interface PolicyRule {
  level: AuditLevel;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  namespaces?: string[];
  nonResourceURLs?: string[];
  omitStages?: AuditStage[];
}

export interface AuditPolicy {
  rules: PolicyRule[];
  omitStages?: AuditStage[];
}

/** What the policy looks at: who, which verb, and the resource or the non-resource path. */
export interface AuditRequest {
  user: { name: string; groups: string[] };
  verb: string;
  /** Resource requests. */
  resource?: { group: string; resource: string; subresource?: string; namespace?: string; name?: string };
  /** Non-resource requests (the URL path). */
  path?: string;
}

/** Checks a parsed policy document; throws a readable error for what upstream would refuse. */
export function parsePolicy(doc: unknown): AuditPolicy {
  const p = doc as { apiVersion?: string; kind?: string; rules?: unknown; omitStages?: unknown } | null;
  const bad = (msg: string) => new ApiError('BadRequest', `audit policy: ${msg}`);
  if (!p || typeof p !== 'object' || p.kind !== 'Policy' || !/^audit\.k8s\.io\/v1(beta1|alpha1)?$/.test(p.apiVersion ?? '')) throw bad('expected apiVersion audit.k8s.io/v1, kind Policy');
  if (!Array.isArray(p.rules) || p.rules.length === 0) throw bad('rules: at least one rule is required');
  const stages = (s: unknown, at: string) => {
    if (s === undefined) return undefined;
    if (!Array.isArray(s) || s.some((x) => !STAGES.includes(x as AuditStage))) throw bad(`${at}: stages must be among ${STAGES.join(', ')}`);
    return s as AuditStage[];
  };
  const rules = p.rules.map((r: PolicyRule, i: number) => {
    if (!LEVELS.includes(r?.level)) throw bad(`rules[${i}].level: must be one of ${LEVELS.join(', ')}`);
    if (r.resources?.length && r.nonResourceURLs?.length) throw bad(`rules[${i}]: rules cannot apply to both regular resources and non-resource URLs`);
    return { ...r, omitStages: stages(r.omitStages, `rules[${i}].omitStages`) };
  });
  return { rules, omitStages: stages(p.omitStages, 'omitStages') };
}

const listed = (list: string[] | undefined, v: string) => !list?.length || list.includes(v);

function resourceMatches(grs: GroupResources[], r: NonNullable<AuditRequest['resource']>): boolean {
  const full = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  return grs.some((gr) => {
    if ((gr.group ?? '') !== r.group) return false;
    const res = gr.resources ?? [];
    const named = !gr.resourceNames?.length || (r.name !== undefined && gr.resourceNames.includes(r.name));
    if (!named) return false;
    if (res.length === 0) return true;
    return res.some((e) => e === full || e === '*' || (e === `${r.resource}/*` && !!r.subresource) || (r.subresource !== undefined && e === `*/${r.subresource}`));
  });
}

function urlMatches(patterns: string[], path: string): boolean {
  return patterns.some((p) => (p.endsWith('*') ? path.startsWith(p.slice(0, -1)) : p === path));
}

function ruleMatches(rule: PolicyRule, req: AuditRequest): boolean {
  if (!listed(rule.users, req.user.name)) return false;
  if (rule.userGroups?.length && !req.user.groups.some((g) => rule.userGroups!.includes(g))) return false;
  if (!listed(rule.verbs, req.verb)) return false;
  const hasResources = !!rule.resources?.length || !!rule.namespaces?.length;
  if (req.resource) {
    if (rule.nonResourceURLs?.length) return false;
    if (rule.namespaces?.length && !rule.namespaces.includes(req.resource.namespace ?? '')) return false;
    return !rule.resources?.length || resourceMatches(rule.resources, req.resource);
  }
  if (hasResources) return false;
  return !rule.nonResourceURLs?.length || urlMatches(rule.nonResourceURLs, req.path ?? '');
}

/** The level and omitted stages for a request (level None: record nothing). */
export function auditLevel(policy: AuditPolicy, req: AuditRequest): { level: AuditLevel; omitStages: Set<AuditStage> } {
  const rule = policy.rules.find((r) => ruleMatches(r, req));
  return { level: rule?.level ?? 'None', omitStages: new Set([...(policy.omitStages ?? []), ...(rule?.omitStages ?? [])]) };
}

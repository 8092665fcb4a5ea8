import type { LabelSelector } from '../../../api/index.js';
import type { AdmissionAttributes } from '../../admission.js';
import { ruleMatches, webhookMatches, type WebhookRule } from '../webhook/index.js';

/** admissionregistration.k8s.io/v1 NamedRuleWithOperations. */
export interface NamedRule extends WebhookRule {
  resourceNames?: string[];
}

/** MatchResources of a policy (matchConstraints) or of a binding (matchResources). */
export interface MatchResources {
  resourceRules?: NamedRule[];
  excludeResourceRules?: NamedRule[];
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
  matchPolicy?: 'Exact' | 'Equivalent';
}

const named = (r: NamedRule, a: AdmissionAttributes) => ruleMatches(r, a) && (!r.resourceNames?.length || r.resourceNames.includes(a.name));

/**
 * Whether a request falls under MatchResources: a resource rule (with its resourceNames) matches,
 * no exclude rule does, and the selectors match as for webhooks (admission configuration objects
 * themselves are exempt, as upstream).
 */
export function matchesResources(m: MatchResources, a: AdmissionAttributes, namespaceLabels: Record<string, string> | undefined): boolean {
  const rules = (m.resourceRules ?? []).filter((r) => named(r, a));
  if (rules.length === 0 || (m.excludeResourceRules ?? []).some((r) => named(r, a))) return false;
  return webhookMatches({ name: '', clientConfig: {}, rules, namespaceSelector: m.namespaceSelector, objectSelector: m.objectSelector }, a, namespaceLabels);
}

import { labelSelectorAsQuery, type KubeObject, type LabelSelector } from '../../../api/index.js';
import type { AdmissionAttributes } from '../../admission.js';
import type { Loose } from '../lookup.js';

/** admissionregistration.k8s.io/v1 RuleWithOperations. */
export interface WebhookRule {
  operations?: string[];
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  scope?: 'Cluster' | 'Namespaced' | '*';
}

/** The fields of a MutatingWebhook / ValidatingWebhook that admission reads (defaults applied by the registry). */
export interface Webhook {
  name: string;
  clientConfig: { url?: string; caBundle?: string; service?: { namespace: string; name: string; path?: string; port?: number } };
  rules?: WebhookRule[];
  failurePolicy?: 'Fail' | 'Ignore';
  sideEffects?: string;
  timeoutSeconds?: number;
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
  admissionReviewVersions?: string[];
  reinvocationPolicy?: 'Never' | 'IfNeeded';
  matchPolicy?: 'Exact' | 'Equivalent';
  matchConditions?: { name: string; expression: string }[];
}

const inList = (list: string[] | undefined, v: string) => !!list && (list.includes('*') || list.includes(v));

/** Whether a rule's resources entry names this resource/subresource (upstream's rule matcher). */
function resourceMatches(entries: string[] | undefined, resource: string, sub: string | undefined): boolean {
  const want = sub ? `${resource}/${sub}` : resource;
  return (entries ?? []).some((e) => {
    if (e === '*/*' || e === want) return true;
    const [r, s] = e.split('/');
    if (s === undefined) return r === '*' && !sub;
    return (r === '*' || r === resource) && (s === '*' ? !!sub : s === sub);
  });
}

/** One rule against a request: operation, group, version, resource (with subresource) and scope. */
export function ruleMatches(rule: WebhookRule, a: AdmissionAttributes): boolean {
  const d = a.definition;
  if (!inList(rule.operations, a.operation)) return false;
  if (!inList(rule.apiGroups, d.group) || !inList(rule.apiVersions, d.version)) return false;
  if (!resourceMatches(rule.resources, d.plural, a.subresource)) return false;
  const scope = rule.scope ?? '*';
  if (scope === 'Cluster') return !d.namespaced;
  if (scope === 'Namespaced') return d.namespaced;
  return true;
}

/** Webhooks never see the objects that configure admission (upstream exempts them, so a bad webhook can be removed). */
export function isExemptResource(a: AdmissionAttributes): boolean {
  return a.definition.group === 'admissionregistration.k8s.io';
}

const labelsOf = (o: KubeObject | undefined) => (o?.metadata.labels ?? {}) as Record<string, string>;

/**
 * Whether a webhook is called for a request: some rule matches, the object's (or the old object's)
 * labels match objectSelector, and the namespace's labels match namespaceSelector (a Namespace is
 * judged by its own labels; other cluster-scoped objects always match). `namespaceLabels` is the
 * request namespace's labels, or undefined when there is none.
 */
export function webhookMatches(w: Webhook, a: AdmissionAttributes, namespaceLabels: Record<string, string> | undefined): boolean {
  if (isExemptResource(a) || a.operation === 'CONNECT') return false;
  if (!(w.rules ?? []).some((r) => ruleMatches(r, a))) return false;
  const objSel = labelSelectorAsQuery(w.objectSelector ?? {});
  if (!objSel.matches(labelsOf(a.object)) && !(a.oldObject && objSel.matches(labelsOf(a.oldObject)))) return false;
  const nsSel = labelSelectorAsQuery(w.namespaceSelector ?? {});
  const isNamespace = a.definition.group === '' && a.definition.plural === 'namespaces';
  if (isNamespace) return nsSel.matches(labelsOf(a.object ?? a.oldObject));
  if (!a.definition.namespaced) return true;
  return nsSel.matches(namespaceLabels ?? {});
}

/** The webhooks of configuration objects, in upstream's order: configurations by name, then their list order. */
export function webhooksOf(configs: KubeObject[]): Webhook[] {
  return [...configs]
    .sort((x, y) => (x.metadata.name ?? '').localeCompare(y.metadata.name ?? ''))
    .flatMap((c) => ((c as Loose).webhooks ?? []) as Webhook[]);
}

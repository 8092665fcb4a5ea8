// ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1): policies bound by
// ValidatingAdmissionPolicyBindings are evaluated in the validating phase with CEL; a failed
// validation denies (Deny), warns (Warn) or is only recorded (Audit) as the binding says.
import { ApiError, groupResourceString, type KubeObject, type StatusReason } from '../../../api/index.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../admission.js';
import { isExemptResource } from '../webhook/match.js';
import { admissionActivation } from './activation.js';
import { evaluatePolicy, type Failure, type PolicySpec } from './evaluate.js';
import { matchesResources, type MatchResources } from './match.js';

export { admissionActivation, compileCached, MATCH_CONDITION_VARS, POLICY_VARS } from './activation.js';
export { evaluatePolicy, type PolicySpec } from './evaluate.js';

export interface PolicyDeps {
  /** The current policies and bindings (from the watch cache). */
  policies(): Promise<KubeObject[]>;
  bindings(): Promise<KubeObject[]>;
  getNamespace(name: string): Promise<KubeObject | undefined>;
}

interface BindingSpec {
  policyName?: string;
  validationActions?: string[];
  matchResources?: MatchResources;
  paramRef?: unknown;
}

const ALL = [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*', '*/*'] }];
const CODES: Record<string, number> = { Invalid: 422, Forbidden: 403, Unauthorized: 401, RequestEntityTooLarge: 413 };

/**
 * The ValidatingAdmissionPolicy plugin: for each binding (by name) whose policy exists and whose
 * policy matchConstraints and binding matchResources both match the request, the policy is
 * evaluated; Warn failures become Warning headers ("Validation failed for ValidatingAdmissionPolicy
 * 'p' with binding 'b': msg"), the first Deny failure refuses the request with upstream's Status
 * (`<resource> "<name>" is forbidden: ValidatingAdmissionPolicy 'p' with binding 'b' denied
 * request: msg`, reason from the validation, Invalid 422 by default, the message as a cause).
 * Policies with paramKind are not supported: their failurePolicy decides.
 */
export function validatingAdmissionPolicy(deps: PolicyDeps): AdmissionPlugin {
  return {
    name: 'ValidatingAdmissionPolicy',
    async validate(a) {
      if (isExemptResource(a) || a.operation === 'CONNECT') return;
      const bindings = await deps.bindings();
      if (bindings.length === 0) return;
      const policies = new Map((await deps.policies()).map((p) => [p.metadata.name, p]));
      let namespace: KubeObject | undefined | null = null;
      const ns = async () => (namespace === null ? (namespace = a.namespace && a.definition.namespaced ? await deps.getNamespace(a.namespace) : undefined) : namespace);
      const denied: { policy: string; binding: string; failure: Failure }[] = [];
      for (const b of [...bindings].sort((x, y) => (x.metadata.name ?? '').localeCompare(y.metadata.name ?? ''))) {
        const bs = (b.spec ?? {}) as BindingSpec;
        const policy = policies.get(bs.policyName ?? '');
        if (!policy) continue;
        const spec = (policy.spec ?? {}) as PolicySpec;
        const labels = ((await ns())?.metadata.labels ?? {}) as Record<string, string>;
        if (!matchesResources(spec.matchConstraints ?? {}, a, labels)) continue;
        // A binding's matchResources without resourceRules narrows by selectors only.
        const narrow = bs.matchResources && (bs.matchResources.resourceRules?.length ? bs.matchResources : { ...bs.matchResources, resourceRules: ALL });
        if (narrow && !matchesResources(narrow, a, labels)) continue;
        const failures = spec.paramKind
          ? (spec.failurePolicy ?? 'Fail') === 'Fail'
            ? [{ message: 'policies with paramKind are not supported by this server' }]
            : []
          : evaluatePolicy(spec, admissionActivation(a, await ns()));
        const actions = bs.validationActions ?? [];
        for (const f of failures) {
          if (actions.includes('Deny')) denied.push({ policy: policy.metadata.name!, binding: b.metadata.name!, failure: f });
          if (actions.includes('Warn')) (a.warnings ??= []).push(`Validation failed for ValidatingAdmissionPolicy '${policy.metadata.name}' with binding '${b.metadata.name}': ${f.message}`);
        }
      }
      if (denied.length) throw denial(a, denied[0]!);
    },
  };
}

function denial(a: AdmissionAttributes, d: { policy: string; binding: string; failure: Failure }): ApiError {
  const message = `ValidatingAdmissionPolicy '${d.policy}' with binding '${d.binding}' denied request: ${d.failure.message}`;
  const reason = (d.failure.reason && CODES[d.failure.reason] ? d.failure.reason : 'Invalid') as StatusReason;
  const gr = groupResourceString({ group: a.definition.group, resource: a.definition.plural });
  const name = a.name || a.object?.metadata.generateName || '';
  return new ApiError(reason, `${gr} "${name}" is forbidden: ${message}`, {
    code: CODES[reason],
    details: { name, ...(a.definition.group ? { group: a.definition.group } : {}), kind: a.definition.plural, causes: [{ message }] },
  });
}

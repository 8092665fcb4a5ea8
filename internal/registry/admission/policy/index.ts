// ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1): policies bound by
// ValidatingAdmissionPolicyBindings are evaluated in the validating phase with CEL; a failed
// validation denies (Deny), warns (Warn) or is recorded in the audit log (Audit) as the binding
// says; auditAnnotations add "<policy>/<key>" annotations to the request's audit event.
import { ApiError, groupResourceString, type KubeObject, type StatusReason } from '../../../api/index.js';
import { AuthzSession, authorizerValue, toCel, type AuthzCheck, type AuthzDecision } from '../../../cel/index.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../admission.js';
import { addAuditAnnotation } from '../../audit-annotations.js';
import { isExemptResource } from '../webhook/match.js';
import { admissionActivation } from './activation.js';
import { evaluateAuthorized, type Failure, type PolicySpec } from './evaluate.js';
import { matchWithPolicy, type Equivalents } from '../equivalent.js';
import { matchesResources, type MatchResources } from './match.js';
import { selectParams, type ParamRef, type ParamSource } from './params.js';

export { admissionActivation, compileCached, MATCH_CONDITION_VARS, POLICY_VARS } from './activation.js';
export { evaluatePolicy, type PolicySpec } from './evaluate.js';
export type { ParamSource } from './params.js';

export interface PolicyDeps {
  /** The current policies and bindings (from the watch cache). */
  policies(): Promise<KubeObject[]>;
  bindings(): Promise<KubeObject[]>;
  getNamespace(name: string): Promise<KubeObject | undefined>;
  /** Param objects by paramKind (absent: every paramKind counts as not served). */
  params?: ParamSource;
  /** Other served versions of a resource, for matchPolicy Equivalent (absent: Exact only). */
  equivalents?: Equivalents;
  /** Answers the `authorizer` variable's checks (absent: every check is an error). */
  authorize?: (c: AuthzCheck) => Promise<AuthzDecision>;
}

interface BindingSpec {
  policyName?: string;
  validationActions?: string[];
  matchResources?: MatchResources;
  paramRef?: ParamRef;
}

/** The audit annotation that lists the failures of bindings with the Audit action (upstream's key and JSON). */
export const AUDIT_FAILURE_KEY = 'validation.policy.admission.k8s.io/validation_failure';

const ALL = [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*', '*/*'] }];
const CODES: Record<string, number> = { Invalid: 422, Forbidden: 403, Unauthorized: 401, RequestEntityTooLarge: 413 };

/**
 * The ValidatingAdmissionPolicy plugin: for each binding (by name) whose policy exists and whose
 * policy matchConstraints and binding matchResources both match the request, the policy is
 * evaluated; Warn failures become Warning headers ("Validation failed for ValidatingAdmissionPolicy
 * 'p' with binding 'b': msg"), the first Deny failure refuses the request with upstream's Status
 * (`<resource> "<name>" is forbidden: ValidatingAdmissionPolicy 'p' with binding 'b' denied
 * request: msg`, reason from the validation, Invalid 422 by default, the message as a cause).
 * A policy with paramKind is evaluated once per param its binding's paramRef selects (`params`).
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
      const session = new AuthzSession({ name: a.user.name, groups: a.user.groups ?? [] });
      const authz = { session, decide: deps.authorize ?? (async () => ({ allowed: false, error: 'no authorizer' })) };
      const authorizer = authorizerValue(session, { group: a.definition.group, resource: a.definition.plural, subresource: a.subresource ?? '', namespace: a.namespace ?? '', name: a.name });
      const denied: { policy: string; binding: string; failure: Failure }[] = [];
      const audited: Record<string, unknown>[] = [];
      for (const b of [...bindings].sort((x, y) => (x.metadata.name ?? '').localeCompare(y.metadata.name ?? ''))) {
        const bs = (b.spec ?? {}) as BindingSpec;
        const policy = policies.get(bs.policyName ?? '');
        if (!policy) continue;
        const spec = (policy.spec ?? {}) as PolicySpec;
        const labels = ((await ns())?.metadata.labels ?? {}) as Record<string, string>;
        const constraints = spec.matchConstraints ?? {};
        // Under matchPolicy Equivalent a rule may match another version of the resource: the policy sees the request in that version.
        const seen = matchWithPolicy(a, constraints.matchPolicy, deps.equivalents, (x) => matchesResources(constraints, x, labels));
        if (!seen) continue;
        // A binding's matchResources without resourceRules narrows by selectors only.
        const narrow = bs.matchResources && (bs.matchResources.resourceRules?.length ? bs.matchResources : { ...bs.matchResources, resourceRules: ALL });
        if (narrow && !matchWithPolicy(a, narrow.matchPolicy, deps.equivalents, (x) => matchesResources(narrow, x, labels))) continue;
        const failures: Failure[] = [];
        const vars = { ...admissionActivation(seen, await ns()), authorizer };
        const audit = (key: string, value: string) => addAuditAnnotation(a.auditAnnotations, `${policy.metadata.name}/${key}`, value);
        if (!spec.paramKind) failures.push(...(await evaluateAuthorized(spec, vars, authz, audit)));
        else {
          const p = await selectParams(spec.paramKind, bs.paramRef, a, deps.params ?? { resolve: () => undefined });
          // A configuration error counts only under failurePolicy Fail, as an expression error does.
          const configError = (msg: string) => ((spec.failurePolicy ?? 'Fail') === 'Fail' ? [{ message: `failed to configure binding: ${msg}` }] : []);
          if ('error' in p) failures.push(...configError(p.error));
          else if ('none' in p) failures.push(...(p.none === 'Deny' ? configError('no params found for policy binding with `Deny` parameterNotFoundAction') : []));
          else for (const param of p.params) failures.push(...(await evaluateAuthorized(spec, { ...vars, params: toCel(param) }, authz, audit)));
        }
        const actions = bs.validationActions ?? [];
        for (const f of failures) {
          if (actions.includes('Deny')) denied.push({ policy: policy.metadata.name!, binding: b.metadata.name!, failure: f });
          if (actions.includes('Warn')) (a.warnings ??= []).push(`Validation failed for ValidatingAdmissionPolicy '${policy.metadata.name}' with binding '${b.metadata.name}': ${f.message}`);
          if (actions.includes('Audit')) audited.push({ message: f.message, policy: policy.metadata.name!, binding: b.metadata.name!, ...(f.expressionIndex !== undefined ? { expressionIndex: f.expressionIndex } : {}), validationActions: actions });
        }
      }
      if (audited.length) addAuditAnnotation(a.auditAnnotations, AUDIT_FAILURE_KEY, JSON.stringify(audited));
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

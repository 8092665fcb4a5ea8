import { type FieldError, type KubeObject, fieldErrors } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { defineBuiltin } from '../shared/define.js';
import { arr, child, get, isObj, objs, setDefault, str, type Obj } from '../shared/object.js';
import { defineStrategy, statusStrategy } from '../shared/strategy.js';
import { compileCached, MATCH_CONDITION_VARS, POLICY_VARS } from '../../admission/policy/activation.js';
import { upstream } from '../upstream/index.js';
import { jsonEqual } from '../../../util/index.js';
import { typeChecking } from './typecheck.js';

// admissionregistration.k8s.io/v1: stored and served with upstream's defaults and the checks users
// hit first (CEL expressions must compile). Calling webhooks and evaluating CEL policies is
// admission's job, not the registry's.

const FAILURE_POLICIES = ['Fail', 'Ignore'];
const SIDE_EFFECTS = ['None', 'NoneOnDryRun'];
const VALIDATION_ACTIONS = ['Audit', 'Deny', 'Warn'];

/** SetDefaults_Rule and the selectors/policies of a webhook or a policy's match constraints. */
function defaultMatch(m: Obj): void {
  setDefault(m, 'namespaceSelector', {});
  setDefault(m, 'objectSelector', {});
  setDefault(m, 'matchPolicy', 'Equivalent');
  for (const r of [...objs(m.rules), ...objs(m.resourceRules)]) setDefault(r, 'scope', '*');
}

function defaultWebhooks(cfg: KubeObject, mutating: boolean): void {
  for (const w of objs(cfg.webhooks)) {
    setDefault(w, 'failurePolicy', 'Fail');
    setDefault(w, 'timeoutSeconds', 10);
    if (mutating) setDefault(w, 'reinvocationPolicy', 'Never');
    defaultMatch(w);
    const svc = get(w, 'clientConfig', 'service');
    if (isObj(svc)) setDefault(svc, 'port', 443);
  }
}

function validateWebhooks(cfg: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  objs(cfg.webhooks).forEach((w, i) => {
    const at = `webhooks[${i}]`;
    const name = str(w.name);
    if (!name) errs.push(fieldErrors.required(`${at}.name`, ''));
    else if (name.split('.').length < 3) errs.push(fieldErrors.invalid(`${at}.name`, name, 'should be a domain with at least three segments separated by dots'));
    if (name && names.has(name)) errs.push(fieldErrors.duplicate(`${at}.name`, name));
    names.add(name);
    const cc = isObj(w.clientConfig) ? w.clientConfig : {};
    if (!cc.url === !cc.service) errs.push(fieldErrors.required(`${at}.clientConfig`, 'exactly one of url or service is required'));
    if (!SIDE_EFFECTS.includes(str(w.sideEffects))) errs.push(fieldErrors.notSupported(`${at}.sideEffects`, w.sideEffects, SIDE_EFFECTS));
    errs.push(...expressionErrors(objs(w.matchConditions), `${at}.matchConditions`, MATCH_CONDITION_VARS));
    if (arr(w.admissionReviewVersions).length === 0) errs.push(fieldErrors.required(`${at}.admissionReviewVersions`, 'must specify one of v1, v1beta1'));
    if (!FAILURE_POLICIES.includes(str(w.failurePolicy))) errs.push(fieldErrors.notSupported(`${at}.failurePolicy`, w.failurePolicy, FAILURE_POLICIES));
  });
  return errs;
}

/** CEL expressions that do not compile, with upstream's message (`compilation failed: ERROR: <input>:l:c: ...`). */
function expressionErrors(items: Obj[], at: string, vars: readonly string[], fields = ['expression']): FieldError[] {
  const errs: FieldError[] = [];
  items.forEach((item, i) => {
    for (const f of fields) {
      const src = str(item[f]);
      if (!src) continue;
      const c = compileCached(src, vars);
      if ('error' in c) errs.push(fieldErrors.invalid(`${at}[${i}].${f}`, src, `compilation failed: ${c.error}`));
    }
  });
  return errs;
}

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** auditAnnotations: a key (unique; "<policy>/<key>" must be a qualified name) and a valueExpression that compiles. */
function auditAnnotationErrors(items: Obj[], policy: string): FieldError[] {
  const errs: FieldError[] = [];
  const keys = new Set<string>();
  items.forEach((an, i) => {
    const at = `spec.auditAnnotations[${i}]`;
    const key = str(an.key);
    if (!key) errs.push(fieldErrors.required(`${at}.key`, ''));
    else if (key.length > 63 || !QUALIFIED_NAME.test(key)) errs.push(fieldErrors.invalid(`${at}.key`, `${policy}/${key}`, "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"));
    else if (keys.has(key)) errs.push(fieldErrors.duplicate(`${at}.key`, key));
    keys.add(key);
    if (!str(an.valueExpression)) errs.push(fieldErrors.required(`${at}.valueExpression`, 'valueExpression is not specified'));
  });
  errs.push(...expressionErrors(items, 'spec.auditAnnotations', POLICY_VARS, ['valueExpression']));
  return errs;
}

const webhookStrategy = (mutating: boolean) =>
  defineStrategy({ namespaced: false, generation: true, defaults: (c) => defaultWebhooks(c, mutating), validate: validateWebhooks });

export const validatingAdmissionPolicyStrategy = defineStrategy({
  namespaced: false,
  status: true,
  generation: true,
  defaults(p) {
    const spec = child(p, 'spec');
    setDefault(spec, 'failurePolicy', 'Fail');
    defaultMatch(child(spec, 'matchConstraints'));
  },
  // The API server's own type-checking controller fills status as each generation is written.
  onCreate(p) {
    p.status = { observedGeneration: 1, typeChecking: typeChecking(p) };
  },
  onUpdate(p, old) {
    if (jsonEqual(p.spec, old.spec)) return;
    p.status = { ...(isObj(old.status) ? old.status : {}), observedGeneration: (old.metadata.generation ?? 0) + 1, typeChecking: typeChecking(p) };
  },
  validate(p) {
    const spec = isObj(p.spec) ? p.spec : {};
    const errs: FieldError[] = [];
    if (!FAILURE_POLICIES.includes(str(spec.failurePolicy))) errs.push(fieldErrors.notSupported('spec.failurePolicy', spec.failurePolicy, FAILURE_POLICIES));
    if (objs(get(spec, 'matchConstraints', 'resourceRules')).length === 0) errs.push(fieldErrors.required('spec.matchConstraints.resourceRules', ''));
    if (objs(spec.validations).length === 0 && objs(spec.auditAnnotations).length === 0) {
      errs.push(fieldErrors.required('spec.validations', 'validations or auditAnnotations must contain at least one item'));
    }
    objs(spec.validations).forEach((v, i) => {
      if (!str(v.expression)) errs.push(fieldErrors.required(`spec.validations[${i}].expression`, ''));
    });
    errs.push(...expressionErrors(objs(spec.validations), 'spec.validations', POLICY_VARS, ['expression', 'messageExpression']));
    errs.push(...expressionErrors(objs(spec.matchConditions), 'spec.matchConditions', POLICY_VARS));
    errs.push(...expressionErrors(objs(spec.variables), 'spec.variables', POLICY_VARS));
    errs.push(...auditAnnotationErrors(objs(spec.auditAnnotations), str(p.metadata.name)));
    return errs;
  },
});

export const validatingAdmissionPolicyBindingStrategy = defineStrategy({
  namespaced: false,
  generation: true,
  defaults(b) {
    const spec = child(b, 'spec');
    if (isObj(spec.matchResources)) defaultMatch(spec.matchResources);
  },
  validate(b) {
    const spec = isObj(b.spec) ? b.spec : {};
    const errs: FieldError[] = [];
    if (!str(spec.policyName)) errs.push(fieldErrors.required('spec.policyName', ''));
    const actions = arr(spec.validationActions);
    if (actions.length === 0) errs.push(fieldErrors.required('spec.validationActions', ''));
    actions.forEach((a, i) => {
      if (!VALIDATION_ACTIONS.includes(str(a))) errs.push(fieldErrors.notSupported(`spec.validationActions[${i}]`, a, VALIDATION_ACTIONS));
    });
    return errs;
  },
});

/** The printer's ParamKind ("<unset>" or apiVersion/Kind) and ParamRef cells. */
function paramKind(p: KubeObject): string {
  const k = get(p, 'spec', 'paramKind');
  return isObj(k) ? `${str(k.apiVersion)}/${str(k.kind)}` : '<unset>';
}
function paramRef(b: KubeObject): string {
  const r = get(b, 'spec', 'paramRef');
  if (!isObj(r)) return '<unset>';
  if (str(r.name)) return str(r.namespace) ? `${str(r.namespace)}/${str(r.name)}` : `*/${str(r.name)}`;
  return '*/*';
}

export function admissionregistrationDefinitions(): ResourceDefinition[] {
  const up = (plural: string) => upstream('admissionregistration.k8s.io', 'v1', plural);
  const webhooks = (o: KubeObject) => objs(o.webhooks).length;
  return [
    defineBuiltin(up('mutatingwebhookconfigurations'), { strategy: webhookStrategy(true), cells: { Webhooks: webhooks } }),
    defineBuiltin(up('validatingwebhookconfigurations'), { strategy: webhookStrategy(false), cells: { Webhooks: webhooks } }),
    defineBuiltin(up('validatingadmissionpolicies'), {
      strategy: validatingAdmissionPolicyStrategy,
      cells: { Validations: (p) => objs(get(p, 'spec', 'validations')).length, ParamKind: paramKind },
      subresources: { status: { strategy: statusStrategy(validatingAdmissionPolicyStrategy) } },
    }),
    defineBuiltin(up('validatingadmissionpolicybindings'), {
      strategy: validatingAdmissionPolicyBindingStrategy,
      cells: { PolicyName: (b) => str(get(b, 'spec', 'policyName')), ParamRef: paramRef },
    }),
  ];
}

import { builtinSchema, type KubeObject } from '../../../api/index.js';
import { undefinedFields, type FieldSchema } from '../../../cel/index.js';
import { allUpstream } from '../upstream/index.js';
import { arr, isObj, objs, str, type Obj } from '../shared/object.js';

/** A warning of status.typeChecking.expressionWarnings. */
export interface ExpressionWarning {
  fieldRef: string;
  warning: string;
}

/**
 * The kinds a policy's matchConstraints name exactly (no wildcard group, version or resource, no
 * subresource), with their built-in schemas: upstream type-checks only against those.
 */
function checkedKinds(spec: Obj): { gvk: string; schema: FieldSchema }[] {
  const out: { gvk: string; schema: FieldSchema }[] = [];
  const rules = objs((isObj(spec.matchConstraints) ? spec.matchConstraints : {}).resourceRules);
  for (const r of rules) {
    const [groups, versions, resources] = [arr(r.apiGroups), arr(r.apiVersions), arr(r.resources)].map((xs) => xs.map(String));
    if ([...groups!, ...versions!, ...resources!].some((x) => x.includes('*')) || resources!.some((x) => x.includes('/'))) continue;
    for (const group of groups!) {
      for (const version of versions!) {
        for (const plural of resources!) {
          const u = allUpstream().find((x) => x.group === group && x.version === version && x.plural === plural);
          const schema = u && builtinSchema({ group, version, kind: u.kind });
          const gvk = `${group}/${version}, Kind=${u?.kind}`;
          if (schema && !out.some((k) => k.gvk === gvk)) out.push({ gvk, schema });
        }
      }
    }
  }
  return out;
}

/**
 * status.typeChecking of a ValidatingAdmissionPolicy, as upstream's type-checking controller
 * writes it: for every expression, the references through `object` and `oldObject` to fields the
 * schema of a matched built-in kind does not declare (`apps/v1, Kind=Deployment: ERROR: <input>:1:12:
 * undefined field 'replica'` ...). kplane checks field references only (not operand types), and
 * only against built-in kinds.
 */
export function typeChecking(policy: KubeObject): { expressionWarnings?: ExpressionWarning[] } {
  const spec = (isObj(policy.spec) ? policy.spec : {}) as Obj;
  const kinds = checkedKinds(spec);
  if (kinds.length === 0) return {};
  const expressions: [string, string][] = [];
  objs(spec.validations).forEach((v, i) => {
    expressions.push([`spec.validations[${i}].expression`, str(v.expression)]);
    if (str(v.messageExpression)) expressions.push([`spec.validations[${i}].messageExpression`, str(v.messageExpression)]);
  });
  objs(spec.auditAnnotations).forEach((a, i) => expressions.push([`spec.auditAnnotations[${i}].valueExpression`, str(a.valueExpression)]));
  objs(spec.matchConditions).forEach((m, i) => expressions.push([`spec.matchConditions[${i}].expression`, str(m.expression)]));
  objs(spec.variables).forEach((v, i) => expressions.push([`spec.variables[${i}].expression`, str(v.expression)]));
  const warnings: ExpressionWarning[] = [];
  for (const [fieldRef, source] of expressions) {
    const found = kinds.flatMap((k) => undefinedFields(source, { object: k.schema, oldObject: k.schema }).map((e) => `${k.gvk}: ${e}`));
    if (found.length) warnings.push({ fieldRef, warning: found.join('\n') });
  }
  return warnings.length ? { expressionWarnings: warnings } : {};
}

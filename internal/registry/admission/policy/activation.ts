import { compile, toCel, type CelValue, type CompileResult } from '../../../cel/index.js';
import type { KubeObject } from '../../../api/index.js';
import type { AdmissionAttributes } from '../../admission.js';
import { admissionReview } from '../webhook/review.js';

/** Variables an admission policy expression may read (upstream's). */
export const POLICY_VARS = ['object', 'oldObject', 'request', 'params', 'namespaceObject', 'variables', 'authorizer'];
/** Variables a webhook matchCondition may read. */
export const MATCH_CONDITION_VARS = ['object', 'oldObject', 'request', 'authorizer'];

const cache = new Map<string, CompileResult>();

/** Compiles an admission expression once per (source, variables); policies are re-read on every request. */
export function compileCached(source: string, vars: readonly string[]): CompileResult {
  const key = `${vars.join(',')}\u0000${source}`;
  let r = cache.get(key);
  if (!r) {
    if (cache.size > 2000) cache.clear();
    r = compile(source, vars);
    cache.set(key, r);
  }
  return r;
}

/** The CEL values of an admission request: object, oldObject (null when absent), request, namespaceObject. */
export function admissionActivation(a: AdmissionAttributes, namespace: KubeObject | undefined): Record<string, CelValue> {
  const { object: _o, oldObject: _old, uid: _uid, ...request } = admissionReview(a, '').request as Record<string, unknown>;
  return {
    object: toCel(a.operation === 'DELETE' ? null : (a.object ?? null)),
    oldObject: toCel(a.oldObject ?? null),
    request: toCel(request),
    namespaceObject: toCel(namespace ?? null),
  };
}

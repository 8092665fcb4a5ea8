import { celMapOf, type AuthzCheck, type AuthzDecision, type AuthzSession, type CelValue, type Meter } from '../../../cel/index.js';
import { compileCached, POLICY_VARS } from './activation.js';
import type { MatchResources } from './match.js';

/** The parts of a ValidatingAdmissionPolicy spec that evaluation reads. */
export interface PolicySpec {
  failurePolicy?: 'Fail' | 'Ignore';
  paramKind?: { apiVersion?: string; kind?: string };
  matchConstraints?: MatchResources;
  matchConditions?: { name: string; expression: string }[];
  variables?: { name: string; expression: string }[];
  validations?: { expression: string; message?: string; messageExpression?: string; reason?: string }[];
  auditAnnotations?: { key: string; valueExpression: string }[];
}

/** One failed validation: the message a denial or warning carries, and the Status reason. */
export interface Failure {
  message: string;
  reason?: string;
  /** The index of the validation that failed (absent for configuration and matchCondition errors). */
  expressionIndex?: number;
}

/** Upstream's bounds: one expression, and one (policy, binding) evaluation as a whole. */
export const PER_CALL_LIMIT = 1_000_000;
export const BINDING_BUDGET = 10_000_000;

/**
 * Evaluates a policy for one request, as upstream's validator: matchConditions first (all must be
 * true, else the policy does not apply), then variables in order, then every validation. A
 * validation that is false fails with its messageExpression, message or "failed expression: <expr>";
 * one that cannot compile or evaluate fails only under failurePolicy Fail, with the error. Then
 * auditAnnotations: each string value goes to `audit(key, value)`.
 */
export function evaluatePolicy(spec: PolicySpec, vars: Record<string, CelValue>, audit?: (key: string, value: string) => void): Failure[] {
  const fail = (spec.failurePolicy ?? 'Fail') === 'Fail';
  const budget = { left: BINDING_BUDGET };
  const run = (expression: string, scope: Record<string, CelValue>): { value: CelValue } | { error: string } => {
    const c = compileCached(expression, POLICY_VARS);
    if ('error' in c) return { error: `compilation failed: ${c.error}` };
    const meter: Meter = { used: 0, limit: Math.min(PER_CALL_LIMIT, budget.left) };
    const r = c.program.eval(scope, meter);
    budget.left -= meter.used;
    return r;
  };
  const errorFailure = (expression: string, error: string): Failure[] => (fail ? [{ message: `expression '${expression}' resulted in error: ${error}` }] : []);
  const scope: Record<string, CelValue> = { ...vars, params: vars.params ?? null, variables: celMapOf(new Map()) };
  for (const m of spec.matchConditions ?? []) {
    const r = run(m.expression, scope);
    if ('error' in r) return errorFailure(m.expression, r.error);
    if (r.value !== true) return [];
  }
  const values = new Map<string, CelValue>();
  for (const v of spec.variables ?? []) {
    const r = run(v.expression, { ...scope, variables: celMapOf(new Map(values)) });
    if ('value' in r) values.set(v.name, r.value);
  }
  scope.variables = celMapOf(values);
  const failures: Failure[] = [];
  for (const [i, v] of (spec.validations ?? []).entries()) {
    const r = run(v.expression, scope);
    if ('error' in r) {
      failures.push(...errorFailure(v.expression, r.error).map((f) => ({ ...f, expressionIndex: i })));
      continue;
    }
    if (r.value === true) continue;
    failures.push({ message: message(v, scope, run), ...(v.reason ? { reason: v.reason } : {}), expressionIndex: i });
  }
  // auditAnnotations: a string value is recorded under "<key>"; null leaves the key out.
  for (const an of spec.auditAnnotations ?? []) {
    const r = run(an.valueExpression, scope);
    if ('error' in r) failures.push(...errorFailure(an.valueExpression, r.error));
    else if (typeof r.value === 'string' && r.value) audit?.(an.key, r.value);
  }
  return failures;
}

type Runner = (expression: string, scope: Record<string, CelValue>) => { value: CelValue } | { error: string };

function message(v: NonNullable<PolicySpec['validations']>[number], scope: Record<string, CelValue>, run: Runner): string {
  if (v.messageExpression) {
    const r = run(v.messageExpression, scope);
    if ('value' in r && typeof r.value === 'string' && r.value.trim() && !/[\n\r]/.test(r.value)) return r.value.trim();
  }
  return v.message?.trim() ? v.message : `failed expression: ${v.expression.trim()}`;
}

/** Rounds of evaluation while authorizer checks get answered (each round answers at least one). */
const MAX_AUTHZ_ROUNDS = 32;

/**
 * evaluatePolicy with the `authorizer` variable answered: each run that asked checks not yet
 * known is repeated once they are answered (CEL is pure: the rerun takes the same path); audit
 * annotations are recorded from the final run only.
 */
export async function evaluateAuthorized(
  spec: PolicySpec,
  vars: Record<string, CelValue>,
  authz: { session: AuthzSession; decide: (c: AuthzCheck) => Promise<AuthzDecision> } | undefined,
  audit?: (key: string, value: string) => void,
): Promise<Failure[]> {
  for (let round = 0; ; round++) {
    const notes: [string, string][] = [];
    const failures = evaluatePolicy(spec, vars, (k, v) => notes.push([k, v]));
    if (!authz || authz.session.pending.size === 0 || round >= MAX_AUTHZ_ROUNDS) {
      for (const [k, v] of notes) audit?.(k, v);
      return failures;
    }
    await authz.session.resolve(authz.decide);
  }
}

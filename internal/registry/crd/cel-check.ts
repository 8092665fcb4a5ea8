import { fieldErrors, type FieldError } from '../../api/index.js';
import { MAX_REQUEST_BYTES } from '../../cel/index.js';
import { compiledRules, minSize, shapeOfSchema } from './cel-compile.js';
import type { Schema, ValidationRule } from './prune.js';

/** Upstream's static bounds: one rule's estimated cost (times how often it can run), and all rules of a CRD. */
export const STATIC_COST_LIMIT = 10_000_000;
export const STATIC_CRD_COST_LIMIT = 100_000_000;

const REASONS = ['FieldValueRequired', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueDuplicate'];
const HINT = 'try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared';

interface Where {
  /** How many times a value at this node can occur in one object; undefined = unbounded. */
  cardinality: number | undefined;
  /** The schema path of the nearest list whose items cannot be correlated with old items. */
  uncorrelatable?: string;
}

/**
 * Checks a CRD version's x-kubernetes-validations when the CRD is written, with upstream's field
 * paths and messages: rules and messageExpressions must compile, reasons must be known, fieldPaths
 * must name a field, oldSelf only where old values correlate, and the estimated cost of each rule
 * (times how often it may run) and of all rules together must stay within upstream's limits.
 */
export function celRuleErrors(schema: Schema, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const total = { cost: 0 };
  visit(schema, path, { cardinality: 1 }, true, errs, total);
  if (total.cost > STATIC_CRD_COST_LIMIT) {
    errs.push(fieldErrors.forbidden(path, `x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of ${factor(total.cost, STATIC_CRD_COST_LIMIT)} (${HINT})`));
  }
  return errs;
}

function visit(s: Schema, path: string, where: Where, root: boolean, errs: FieldError[], total: { cost: number }): void {
  compiledRules(s).forEach((c, i) => {
    const at = `${path}.x-kubernetes-validations[${i}]`;
    const rule = c.rule;
    if (c.error) errs.push({ type: 'FieldValueInvalid', field: `${at}.rule`, detail: `${goRule(rule)}: ${c.error}` });
    if (c.messageError) errs.push({ type: 'FieldValueInvalid', field: `${at}.messageExpression`, detail: `${goRule(rule)}: ${c.messageError}` });
    if (rule.message !== undefined && rule.message.trim() === '' && rule.message !== '') errs.push(fieldErrors.invalid(`${at}.message`, rule.message, 'message must be non-empty if specified'));
    if (/[\n\r]/.test(rule.message ?? '')) errs.push(fieldErrors.invalid(`${at}.message`, rule.message, 'message must not contain line breaks'));
    if (rule.reason !== undefined && !REASONS.includes(rule.reason)) errs.push(fieldErrors.notSupported(`${at}.reason`, rule.reason, REASONS));
    if (c.fieldPathError) errs.push(fieldErrors.invalid(`${at}.fieldPath`, rule.fieldPath, `fieldPath must be a valid path: ${c.fieldPathError}`));
    if (c.program?.uses.has('oldSelf') && where.uncorrelatable) {
      errs.push({ type: 'FieldValueInvalid', field: `${at}.rule`, detail: `${goRule(rule)}: oldSelf cannot be used on the uncorrelatable portion of the schema within ${where.uncorrelatable}` });
    }
    for (const p of [c.program, c.message]) {
      if (!p) continue;
      const shape = shapeOfSchema(s, root);
      const perCall = p.estimate({ self: shape, oldSelf: shape });
      const runs = where.cardinality ?? Math.floor(MAX_REQUEST_BYTES / (minSize(s) + 1));
      const cost = perCall * runs;
      total.cost += cost;
      if (cost > STATIC_COST_LIMIT) errs.push(fieldErrors.forbidden(`${at}.${p === c.program ? 'rule' : 'messageExpression'}`, `estimated rule cost exceeds budget by factor of ${factor(cost, STATIC_COST_LIMIT)} (${HINT})`));
    }
  });
  const times = (n: number | undefined) => (where.cardinality === undefined || n === undefined ? undefined : where.cardinality * n);
  for (const [k, sub] of Object.entries(s.properties ?? {})) visit(sub, `${path}.properties[${k}]`, where, false, errs, total);
  if (s.items) {
    const correlates = s['x-kubernetes-list-type'] === 'map';
    visit(s.items, `${path}.items`, { cardinality: times(s.maxItems), uncorrelatable: where.uncorrelatable ?? (correlates ? undefined : path) }, false, errs, total);
  }
  if (typeof s.additionalProperties === 'object') {
    visit(s.additionalProperties, `${path}.additionalProperties`, { ...where, cardinality: times(s.maxProperties) }, false, errs, total);
  }
}

/** Upstream's factor wording: "more than 100x", "2.5x", or six decimals below 1.5. */
function factor(cost: number, limit: number): string {
  const f = cost / limit;
  if (f > 100) return 'more than 100x';
  if (f < 1.5) return `${f.toFixed(6)}x`;
  return `${f.toFixed(1)}x`;
}

/** The rule as Go's %#v prints apiextensions.ValidationRule in upstream's messages. */
function goRule(r: ValidationRule): string {
  const q = (s: string | undefined) => JSON.stringify(s ?? '');
  const reason = r.reason === undefined ? '(*apiextensions.FieldValueErrorReason)(nil)' : `"${r.reason}"`;
  const optional = r.optionalOldSelf === undefined ? '(*bool)(nil)' : `${r.optionalOldSelf}`;
  return `apiextensions.ValidationRule{Rule:${q(r.rule)}, Message:${q(r.message)}, MessageExpression:${q(r.messageExpression)}, Reason:${reason}, FieldPath:${q(r.fieldPath)}, OptionalOldSelf:${optional}}`;
}

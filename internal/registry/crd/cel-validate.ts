import { COST_EXCEEDED, toCel, type CelValue } from '../../cel/index.js';
import type { FieldError } from '../../api/index.js';
import { isObject } from '../store/util.js';
import { compiledRules, numberHint, type CompiledRule } from './cel-compile.js';
import type { Schema } from './prune.js';

/** Upstream's runtime bounds: one rule's evaluation, and all rules of one object together. */
export const PER_CALL_LIMIT = 1_000_000;
export const RUNTIME_BUDGET = 10_000_000;
const MAX_MESSAGE_BYTES = 5 * 1024;

const OUT_OF_BUDGET = 'validation failed due to running out of cost budget, no further validation rules will be run';

interface Walk {
  budget: number;
  errs: FieldError[];
  /** False once the budget ran out: no further rules run. */
  go: boolean;
}

/**
 * Evaluates every x-kubernetes-validations rule of the schema against obj, as the apiextensions
 * server does on create, update and status update: a node's rules run where the node has a value
 * (not null), `oldSelf` is the old value of the same node where it can be correlated (object
 * fields and map values by key, list-type=map items by their keys), and transition rules (those
 * that read oldSelf) run only when such an old value exists. Errors carry upstream's field paths
 * and messages; the whole object has one cost budget.
 */
export function validateRules(obj: unknown, old: unknown, schema: Schema | undefined): FieldError[] {
  if (!schema || !hasRules(schema)) return [];
  const w: Walk = { budget: RUNTIME_BUDGET, errs: [], go: true };
  walk(w, '', obj, old, schema, true);
  return w.errs;
}

const withRules = new WeakMap<Schema, boolean>();

/** Whether the schema has x-kubernetes-validations anywhere. */
export function hasRules(s: Schema | undefined): boolean {
  if (!s) return false;
  let v = withRules.get(s);
  if (v === undefined) {
    v =
      !!s['x-kubernetes-validations']?.length ||
      hasRules(s.items) ||
      (typeof s.additionalProperties === 'object' && hasRules(s.additionalProperties)) ||
      Object.values(s.properties ?? {}).some(hasRules) ||
      (s.allOf ?? []).some(hasRules);
    withRules.set(s, v);
  }
  return v;
}

function child(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

function walk(w: Walk, path: string, v: unknown, old: unknown, s: Schema, root: boolean): void {
  if (!w.go || v === null || v === undefined || !hasRules(s)) return;
  if (s['x-kubernetes-validations']?.length) evaluate(w, path, v, old ?? undefined, s, root);
  for (const sub of s.allOf ?? []) walk(w, path, v, old, sub, root);
  if (Array.isArray(v) && s.items) {
    const olds = correlate(s, old);
    v.forEach((item, i) => walk(w, `${path}[${i}]`, item, olds(item), s.items!, false));
  } else if (isObject(v)) {
    const oldMap = isObject(old) ? old : undefined;
    const extra = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
    for (const [k, x] of Object.entries(v)) {
      if (root && (k === 'apiVersion' || k === 'kind' || k === 'metadata')) continue;
      const sub = s.properties?.[k];
      if (sub) walk(w, child(path, k), x, oldMap?.[k], sub, false);
      else if (extra) walk(w, `${path}[${k}]`, x, oldMap?.[k], extra, false);
    }
  }
}

/** Old items of a list-type=map list, found by their key fields; other lists do not correlate. */
function correlate(s: Schema, old: unknown): (item: unknown) => unknown {
  const keys = s['x-kubernetes-list-map-keys'];
  if (s['x-kubernetes-list-type'] !== 'map' || !keys?.length || !Array.isArray(old)) return () => undefined;
  const keyOf = (x: unknown) => (isObject(x) ? JSON.stringify(keys.map((k) => x[k] ?? null)) : undefined);
  const byKey = new Map(old.map((x) => [keyOf(x), x]));
  return (item) => byKey.get(keyOf(item));
}

/** The value `self` sees: at the root, metadata shows only name and generateName (as upstream). */
function selfValue(v: unknown, root: boolean): unknown {
  if (!root || !isObject(v) || !isObject(v.metadata)) return v;
  const { name, generateName } = v.metadata as { name?: string; generateName?: string };
  return { ...v, metadata: { ...(name !== undefined ? { name } : {}), ...(generateName !== undefined ? { generateName } : {}) } };
}

function evaluate(w: Walk, path: string, v: unknown, old: unknown, s: Schema, root: boolean): void {
  const at = path || '<nil>';
  const type = s.type ?? '';
  const rules = compiledRules(s);
  if (w.budget <= 0) return stop(w, { type: 'FieldValueInvalid', field: at, value: type, detail: OUT_OF_BUDGET });
  const hint = numberHint(s);
  const self = toCel(selfValue(v, root), hint);
  const vars: Record<string, CelValue> = { self };
  if (old !== undefined) vars.oldSelf = toCel(selfValue(old, root), hint);
  for (const r of rules) {
    if (r.error) {
      w.errs.push({ type: 'FieldValueInvalid', field: at, value: type, detail: `rule compile error: ${r.error}` });
      continue;
    }
    if (!r.program) continue;
    if (r.program.uses.has('oldSelf') && old === undefined) continue;
    const meter = { used: 0, limit: Math.min(PER_CALL_LIMIT, w.budget) };
    const res = r.program.eval(vars, meter);
    w.budget -= meter.used;
    if ('error' in res) {
      if (res.error.startsWith(COST_EXCEEDED)) {
        const detail = meter.limit < PER_CALL_LIMIT ? OUT_OF_BUDGET : `'${res.error}': no further validation rules will be run due to call cost exceeds limit for rule: ${ruleText(r)}`;
        return stop(w, { type: 'FieldValueInvalid', field: at, value: type, detail });
      }
      const detail = res.error.startsWith('no such overload') || res.error.startsWith('no matching overload')
        ? `'${res.error}': call arguments did not match a supported operator, function or macro signature for rule: ${ruleText(r)}`
        : `${res.error} evaluating rule: ${ruleText(r)}`;
      w.errs.push({ type: 'FieldValueInvalid', field: at, value: type, detail });
      continue;
    }
    if (res.value === true) continue;
    if (res.value !== false) {
      w.errs.push({ type: 'FieldValueInvalid', field: at, value: type, detail: `rule compile error: cel expression must evaluate to a bool` });
      continue;
    }
    const field = r.fieldPath ? child(path, r.fieldPath) : at;
    w.errs.push(failure(r, field, type, message(w, r, vars)));
  }
}

function stop(w: Walk, e: FieldError): void {
  w.errs.push(e);
  w.go = false;
  w.budget = -1;
}

/** The rule's messageExpression when it yields a usable one-line string, else message, else "failed rule: <rule>". */
function message(w: Walk, r: CompiledRule, vars: Record<string, CelValue>): string {
  if (r.message) {
    const meter = { used: 0, limit: Math.min(PER_CALL_LIMIT, Math.max(w.budget, 0)) };
    const res = r.message.eval(vars, meter);
    w.budget -= meter.used;
    if ('value' in res && typeof res.value === 'string') {
      const m = res.value.trim();
      if (m && !/[\n\r]/.test(m) && Buffer.byteLength(m) <= MAX_MESSAGE_BYTES) return m;
    }
  }
  return r.rule.message?.trim() ? r.rule.message.trim() : `failed rule: ${ruleText(r)}`;
}

function ruleText(r: CompiledRule): string {
  return r.rule.message?.trim() ? r.rule.message.trim() : r.rule.rule.trim();
}

function failure(r: CompiledRule, field: string, type: string, detail: string): FieldError {
  switch (r.rule.reason) {
    case 'FieldValueForbidden':
      return { type: 'FieldValueForbidden', field, detail };
    case 'FieldValueRequired':
      return { type: 'FieldValueRequired', field, detail };
    case 'FieldValueDuplicate':
      return { type: 'FieldValueDuplicate', field, value: type };
    default:
      return { type: 'FieldValueInvalid', field, value: type, detail };
  }
}

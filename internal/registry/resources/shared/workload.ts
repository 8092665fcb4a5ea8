import { type FieldError, type KubeObject, fieldErrors } from '../../../api/index.js';
import type { ScalePaths } from '../../definition.js';
import type { Cell } from './define.js';
import { containerCells } from './define.js';
import { get, isObj } from './object.js';
import { immutable } from './meta.js';
import { validatePodTemplate } from './pod-spec-validation.js';
import { isEmptySelector, selectorMatches, validateLabelSelector } from './selectors.js';

/** Replica-style scale: spec.replicas, status.replicas and a LabelSelector at spec.selector. */
export const REPLICAS_SCALE: ScalePaths = {
  specReplicasPath: '.spec.replicas',
  statusReplicasPath: '.status.replicas',
  labelSelectorPath: '.spec.selector',
};

export function validateNonNegative(value: unknown, field: string): FieldError[] {
  if (value === undefined) return [];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    return [fieldErrors.invalid(field, value, 'must be greater than or equal to 0')];
  }
  return [];
}

/**
 * apps/v1 and batch/v1 shape: a required, non-empty spec.selector that selects the template's
 * labels (422 "`selector` does not match template `labels`" otherwise), and a valid template.
 */
export function validateSelectorAndTemplate(obj: KubeObject, specField = 'spec', selectorRequired = true): FieldError[] {
  const spec = get(obj, ...specField.split('.'));
  const selector = get(spec, 'selector');
  const template = get(spec, 'template');
  const errs: FieldError[] = [];
  if (selector === undefined || selector === null) {
    if (selectorRequired) errs.push(fieldErrors.required(`${specField}.selector`, ''));
  } else {
    errs.push(...validateLabelSelector(selector, `${specField}.selector`));
    if (isEmptySelector(selector)) errs.push(fieldErrors.invalid(`${specField}.selector`, selector, `empty selector is invalid for ${obj.kind ? obj.kind.toLowerCase() : 'this resource'}`));
  }
  errs.push(...validatePodTemplate(template, `${specField}.template`));
  if (isObj(selector) && !isEmptySelector(selector) && isObj(template)) {
    const labels = get(template, 'metadata', 'labels');
    if (!selectorMatches(selector, labels)) {
      errs.push(fieldErrors.invalid(`${specField}.template.metadata.labels`, labels ?? {}, '`selector` does not match template `labels`'));
    }
  }
  return errs;
}

/** Containers and Images cells of a workload whose pod template is at spec.template. */
export const templateCells: Record<string, Cell> = containerCells((o) => get(o, 'spec', 'template'));

/** Controllers of long-running pods need restartPolicy Always in the template. */
export function validateRestartAlways(obj: KubeObject, field = 'spec.template.spec.restartPolicy'): FieldError[] {
  const policy = get(obj, ...field.split('.'));
  return policy === undefined || policy === 'Always' ? [] : [fieldErrors.notSupported(field, policy, ['Always'])];
}

/** apps/v1 selectors cannot change after creation. */
export function validateSelectorUnchanged(obj: KubeObject, old: KubeObject, field = 'spec.selector'): FieldError[] {
  const path = field.split('.');
  return immutable(field, get(obj, ...path), get(old, ...path));
}

/** An int-or-percent ("25%" or 1); returns the error text, or undefined when valid. */
export function intOrPercentError(v: unknown): string | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? undefined : 'must be greater than or equal to 0';
  if (typeof v === 'string') {
    const m = /^(\d+)%$/.exec(v);
    if (!m) return "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";
    return Number(m[1]) > 100 ? 'must not be greater than 100%' : undefined;
  }
  return 'must be an integer or percentage';
}

export function isZeroIntOrPercent(v: unknown): boolean {
  return v === 0 || v === '0%' || v === undefined;
}

/**
 * Status counters Go serializes even at zero (int32 fields without omitempty), filled in on every
 * write so clients that require them (the Python client's `replicas`) always find them.
 */
export function zeroStatusCounters(obj: KubeObject, fields: readonly string[]): void {
  const status = isObj(obj.status) ? obj.status : (obj.status = {});
  for (const f of fields) if (status[f] === undefined || status[f] === null) status[f] = 0;
}

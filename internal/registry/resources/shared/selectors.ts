import { type FieldError, fieldErrors } from '../../../api/index.js';
import { isQualifiedName as qualifiedName, isValidLabelValue as labelValue, validateLabels as validateLabelMap } from './validation.js';
import { arr, isObj, str, type Obj } from './object.js';


/** "a=b,c=d" sorted by key, or "<none>" for an empty map (labels.FormatLabels). */
export function formatLabels(map: unknown): string {
  const s = labelsString(map);
  return s === '' ? '<none>' : s;
}

export function labelsString(map: unknown): string {
  if (!isObj(map)) return '';
  return Object.keys(map).sort().map((k) => `${k}=${str(map[k])}`).join(',');
}

/** The selector string of a metav1.LabelSelector, as LabelSelectorAsSelector(...).String() gives it. */
export function selectorString(sel: unknown): string {
  if (!isObj(sel)) return '';
  const reqs: [string, string][] = [];
  if (isObj(sel.matchLabels)) for (const [k, v] of Object.entries(sel.matchLabels)) reqs.push([k, `${k}=${str(v)}`]);
  for (const e of arr(sel.matchExpressions)) {
    if (!isObj(e)) continue;
    const key = str(e.key);
    const values = arr(e.values).map(str).sort();
    const text: Record<string, string> = {
      In: `${key} in (${values.join(',')})`,
      NotIn: `${key} notin (${values.join(',')})`,
      Exists: key,
      DoesNotExist: `!${key}`,
    };
    reqs.push([key, text[str(e.operator)] ?? key]);
  }
  return reqs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((r) => r[1]).join(',');
}

/** metav1.FormatLabelSelector: the selector string, "<none>" when empty. */
export function formatLabelSelector(sel: unknown): string {
  const s = selectorString(sel);
  return s === '' ? '<none>' : s;
}

/** Does a metav1.LabelSelector select these labels? An empty selector selects everything. */
export function selectorMatches(sel: unknown, labels: unknown): boolean {
  if (!isObj(sel)) return false;
  const l: Obj = isObj(labels) ? labels : {};
  if (isObj(sel.matchLabels)) for (const [k, v] of Object.entries(sel.matchLabels)) if (l[k] !== v) return false;
  for (const e of arr(sel.matchExpressions)) {
    if (!isObj(e)) continue;
    const key = str(e.key);
    const has = typeof l[key] === 'string';
    const values = arr(e.values);
    const ok = { In: has && values.includes(l[key]), NotIn: !has || !values.includes(l[key]), Exists: has, DoesNotExist: !has }[str(e.operator)];
    if (!ok) return false;
  }
  return true;
}

export function isEmptySelector(sel: unknown): boolean {
  if (!isObj(sel)) return true;
  return Object.keys(isObj(sel.matchLabels) ? sel.matchLabels : {}).length === 0 && arr(sel.matchExpressions).length === 0;
}

/** metav1 LabelSelector validation (ValidateLabelSelector). */
export function validateLabelSelector(sel: unknown, field: string): FieldError[] {
  if (sel === undefined || sel === null) return [];
  if (!isObj(sel)) return [fieldErrors.invalid(field, sel, 'must be a label selector')];
  const errs = validateLabelMap(isObj(sel.matchLabels) ? (sel.matchLabels as Record<string, string>) : undefined, `${field}.matchLabels`);
  arr(sel.matchExpressions).forEach((e, i) => {
    const f = `${field}.matchExpressions[${i}]`;
    if (!isObj(e)) return void errs.push(fieldErrors.invalid(f, e, 'must be an object'));
    for (const m of qualifiedName(str(e.key))) errs.push(fieldErrors.invalid(`${f}.key`, e.key, m));
    const op = str(e.operator);
    const values = arr(e.values);
    if (op === 'In' || op === 'NotIn') {
      if (values.length === 0) errs.push(fieldErrors.required(`${f}.values`, 'must be specified when `operator` is \'In\' or \'NotIn\''));
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length > 0) errs.push(fieldErrors.forbidden(`${f}.values`, 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\''));
    } else errs.push(fieldErrors.invalid(`${f}.operator`, op, 'not a valid selector operator'));
    values.forEach((v, j) => {
      for (const m of labelValue(str(v))) errs.push(fieldErrors.invalid(`${f}.values[${j}]`, v, m));
    });
  });
  return errs;
}

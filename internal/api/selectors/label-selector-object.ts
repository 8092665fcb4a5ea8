import type { LabelOperator, LabelRequirement } from './label-requirement.js';
import { requirementError } from './label-requirement.js';
import { type LabelQuery, everythingLabels, labelQuery, nothingLabels } from './label-selector.js';
import { SelectorError } from './selector-error.js';

/** metav1.LabelSelectorRequirement as it appears in object specs. */
export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | string;
  values?: string[];
}

/** metav1.LabelSelector (spec.selector of Deployments, PDBs, NetworkPolicies, ...). */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

const OPERATORS: Record<string, LabelOperator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * Converts a LabelSelector object into a query, as upstream LabelSelectorAsSelector does:
 * undefined/null selects nothing, an empty selector selects everything, matchLabels are
 * equality requirements ANDed with matchExpressions. Throws SelectorError InvalidLabelSelector
 * for an unknown operator or invalid keys/values.
 */
export function labelSelectorAsQuery(selector: LabelSelector | null | undefined): LabelQuery {
  if (selector === undefined || selector === null) return nothingLabels;
  const labels = Object.entries(selector.matchLabels ?? {});
  const exprs = selector.matchExpressions ?? [];
  if (labels.length + exprs.length === 0) return everythingLabels;
  const reqs: LabelRequirement[] = [];
  for (const [key, value] of labels) reqs.push(checked({ key, operator: '=', values: [value] }));
  for (const e of exprs) {
    const operator = OPERATORS[e.operator];
    if (!operator) throw new SelectorError('InvalidLabelSelector', `${JSON.stringify(e.operator)} is not a valid label selector operator`);
    reqs.push(checked({ key: e.key, operator, values: [...(e.values ?? [])] }));
  }
  return labelQuery(reqs);
}

/** The equality query for a label set (selectors built from matchLabels-like maps). */
export function labelQueryFromSet(set: Record<string, string> | undefined): LabelQuery {
  return labelQuery(Object.entries(set ?? {}).map(([key, value]) => ({ key, operator: '=' as const, values: [value] })));
}

function checked(r: LabelRequirement): LabelRequirement {
  const err = requirementError(r);
  if (err) throw new SelectorError('InvalidLabelSelector', err);
  return r;
}

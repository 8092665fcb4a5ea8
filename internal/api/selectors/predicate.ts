import { ApiError } from '../errors.js';
import type { KubeObject } from '../types.js';
import { type FieldQuery, type Fields, checkSelectableFields, everythingFields, parseFieldSelector } from './field-selector.js';
import { type LabelQuery, everythingLabels, parseLabelSelector } from './label-selector.js';
import { isSelectorError } from './selector-error.js';

/** Structurally the storage SelectionPredicate, plus the parsed queries for index lookups. */
export interface SelectorPredicate {
  matches(obj: KubeObject): boolean;
  readonly everything: boolean;
  readonly labels: LabelQuery;
  readonly fields: FieldQuery;
}

export interface SelectorOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** When given, field selectors on other fields are refused with 400 (see checkSelectableFields). */
  allowedFields?: readonly string[];
}

/** The selectable fields every object has. Cluster-scoped objects have namespace "". */
export function defaultFieldsOf(obj: KubeObject): Record<string, string> {
  return { 'metadata.name': obj.metadata?.name ?? '', 'metadata.namespace': obj.metadata?.namespace ?? '' };
}

/**
 * Builds the list/watch predicate from the request's selectors. Throws ApiError BadRequest (400)
 * with upstream's message when a selector does not parse or names an unsupported field.
 * `fieldsOf` is only called for objects when a field selector is present.
 */
export function buildPredicate(opts: SelectorOptions, fieldsOf: (obj: KubeObject) => Fields = defaultFieldsOf): SelectorPredicate {
  let labels: LabelQuery = everythingLabels;
  let fields: FieldQuery = everythingFields;
  try {
    if (opts.labelSelector) labels = parseLabelSelector(opts.labelSelector);
    if (opts.fieldSelector) fields = parseFieldSelector(opts.fieldSelector);
    if (opts.allowedFields) checkSelectableFields(fields, opts.allowedFields);
  } catch (err) {
    if (isSelectorError(err)) throw new ApiError('BadRequest', err.message, { cause: err });
    throw err;
  }
  const everything = labels.empty && fields.empty;
  return {
    labels,
    fields,
    everything,
    matches: everything
      ? () => true
      : (obj) => labels.matches(obj.metadata?.labels) && (fields.empty || fields.matches(fieldsOf(obj))),
  };
}

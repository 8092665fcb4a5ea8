import { buildPredicate as buildSelectorPredicate, type KubeObject } from '../../api/index.js';
import type { SelectionPredicate } from '../../storage/index.js';
import type { ResourceDefinition } from '../definition.js';

/** Values of the selectable fields of obj: metadata.name/namespace plus strategy.selectableFields. */
export function fieldValues(def: ResourceDefinition, obj: KubeObject): Record<string, string> {
  const base = { 'metadata.name': obj.metadata?.name ?? '', 'metadata.namespace': obj.metadata?.namespace ?? '' };
  return { ...base, ...(def.strategy.selectableFields?.(obj) ?? {}) };
}

/** Field names a selector may use: found by asking the strategy about an empty object. */
function allowedFields(def: ResourceDefinition): string[] {
  let extra: string[] = [];
  try {
    extra = Object.keys(def.strategy.selectableFields?.({ metadata: {} }) ?? {});
  } catch {
    // A strategy that cannot describe an empty object still filters; it just cannot name its fields.
  }
  return ['metadata.name', 'metadata.namespace', ...extra];
}

/**
 * The list/watch predicate of a request. Bad selectors and unknown fields are 400 BadRequest with
 * upstream's wording (raised by api/selectors).
 */
export function buildPredicate(def: ResourceDefinition, labelSelector?: string, fieldSelector?: string): SelectionPredicate {
  return buildSelectorPredicate({ labelSelector, fieldSelector, allowedFields: allowedFields(def) }, (obj) => fieldValues(def, obj));
}

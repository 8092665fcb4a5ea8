import type { KubeObject } from '../api/index.js';
import { prune, type Schema } from './crd/prune.js';
import type { ResourceDefinition } from './definition.js';
import { clone, isObject } from './store/util.js';

/** metav1.ObjectMeta's fields; anything else in metadata is an unknown field. */
const OBJECT_META_FIELDS = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);

/**
 * Unknown fields of a request object for fieldValidation: metadata always; custom resources by
 * their CRD schema (what pruning would drop); built-ins through the injected schema checker.
 */
export function unknownFieldsOf(def: ResourceDefinition, obj: KubeObject, builtin?: (def: ResourceDefinition, obj: KubeObject) => string[]): string[] {
  const found = new Set<string>();
  if (isObject(obj.metadata)) for (const k of Object.keys(obj.metadata)) if (!OBJECT_META_FIELDS.has(k)) found.add(`metadata.${k}`);
  if (def.custom) {
    if (def.openAPIV3Schema) for (const p of prune(clone(obj), def.openAPIV3Schema as Schema)) found.add(p);
  } else if (builtin) {
    for (const p of builtin(def, obj)) found.add(p);
  }
  return [...found];
}

import { type FieldError, fieldErrors } from '../field-error.js';
import type { ManagedFieldsEntry, ObjectMeta, OwnerReference } from '../types.js';
import { parseApiVersion } from '../types.js';
import { type NameValidator, validateNamespaceName } from './name-rules.js';
import { isQualifiedName, isValidLabelValue } from './names.js';

/** Total bytes of annotation keys plus values (upstream TotalAnnotationSizeLimitB). */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;
export const FIELD_IMMUTABLE = 'field is immutable';

/** Finalizer names without a '/' that Kubernetes itself defines. */
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export interface ObjectMetaRules {
  /** Namespaced kinds require metadata.namespace; cluster-scoped kinds forbid it. */
  namespaced: boolean;
  /** How names are checked for this kind (nameIsDNSSubdomain for most). */
  nameFn: NameValidator;
}

/** metadata.labels: keys are qualified names, values label values. */
export function validateLabels(labels: Record<string, string> | undefined, field = 'metadata.labels'): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const msg of isQualifiedName(k)) errs.push(fieldErrors.invalid(field, k, msg));
    for (const msg of isValidLabelValue(String(v))) errs.push(fieldErrors.invalid(field, v, msg));
  }
  return errs;
}

/** metadata.annotations: case-insensitive qualified-name keys, and 256 KiB in total. */
export function validateAnnotations(annotations: Record<string, string> | undefined, field = 'metadata.annotations'): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(fieldErrors.invalid(field, k, msg));
    total += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(fieldErrors.tooLong(field, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

function validateOwnerReference(ref: OwnerReference, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const { group, version } = parseApiVersion(ref.apiVersion ?? '');
  if (!version) errs.push(fieldErrors.invalid(`${field}.apiVersion`, ref.apiVersion ?? '', 'version must not be empty'));
  if (!ref.kind) errs.push(fieldErrors.invalid(`${field}.kind`, ref.kind ?? '', 'kind must not be empty'));
  if (!ref.name) errs.push(fieldErrors.invalid(`${field}.name`, ref.name ?? '', 'name must not be empty'));
  if (!ref.uid) errs.push(fieldErrors.invalid(`${field}.uid`, ref.uid ?? '', 'uid must not be empty'));
  // Upstream bans core/v1 Event as an owner (events are garbage, not parents).
  if (group === '' && version === 'v1' && ref.kind === 'Event') {
    errs.push(fieldErrors.invalid(field, ref, '/v1, Kind=Event is disallowed from being an owner'));
  }
  return errs;
}

export function validateOwnerReferences(refs: OwnerReference[] | undefined, field = 'metadata.ownerReferences'): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of refs ?? []) {
    // Upstream reports these at the list path, not per index.
    errs.push(...validateOwnerReference(ref, field));
    if (ref.controller === true) {
      const cur = `${ref.kind}/${ref.name}`;
      if (firstController) {
        errs.push(
          fieldErrors.invalid(field, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${cur}`),
        );
      } else {
        firstController = cur;
      }
    }
  }
  return errs;
}

export function validateFinalizers(finalizers: string[] | undefined, field = 'metadata.finalizers'): FieldError[] {
  const errs: FieldError[] = [];
  const list = finalizers ?? [];
  for (const f of list) for (const msg of isQualifiedName(f)) errs.push(fieldErrors.invalid(field, f, msg));
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(fieldErrors.invalid(field, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  // Core's extra rule: a name without '/' must be one Kubernetes defines.
  list.forEach((f, i) => {
    if (!f.includes('/') && !STANDARD_FINALIZERS.has(f)) {
      errs.push(fieldErrors.invalid(`${field}[${i}]`, f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  return errs;
}

export function validateManagedFields(entries: ManagedFieldsEntry[] | undefined, field = 'metadata.managedFields'): FieldError[] {
  const errs: FieldError[] = [];
  (entries ?? []).forEach((e, i) => {
    const at = `${field}[${i}]`;
    if (e.operation !== 'Apply' && e.operation !== 'Update') errs.push(fieldErrors.invalid(`${at}.operation`, e.operation ?? '', 'must be `Apply` or `Update`'));
    if (e.fieldsType !== 'FieldsV1') errs.push(fieldErrors.invalid(`${at}.fieldsType`, e.fieldsType ?? '', 'must be `FieldsV1`'));
  });
  return errs;
}

/**
 * Validates metadata on create, after generateName has been turned into a name. Mirrors
 * apimachinery ValidateObjectMetaAccessor plus core's finalizer-name rule. Upstream clears
 * metadata.namespace of cluster-scoped objects before validating; a namespace still present
 * here is reported as Forbidden.
 */
export function validateObjectMeta(meta: ObjectMeta, rules: ObjectMetaRules, field = 'metadata'): FieldError[] {
  const errs: FieldError[] = [];
  if (meta.generateName) {
    for (const msg of rules.nameFn(meta.generateName, true)) errs.push(fieldErrors.invalid(`${field}.generateName`, meta.generateName, msg));
  }
  if (!meta.name) errs.push(fieldErrors.required(`${field}.name`, 'name or generateName is required'));
  else for (const msg of rules.nameFn(meta.name, false)) errs.push(fieldErrors.invalid(`${field}.name`, meta.name, msg));
  if (rules.namespaced) {
    if (!meta.namespace) errs.push(fieldErrors.required(`${field}.namespace`));
    else for (const msg of validateNamespaceName(meta.namespace, false)) errs.push(fieldErrors.invalid(`${field}.namespace`, meta.namespace, msg));
  } else if (meta.namespace) {
    errs.push(fieldErrors.forbidden(`${field}.namespace`, 'not allowed on this type'));
  }
  if (typeof meta.generation === 'number' && meta.generation < 0) {
    errs.push(fieldErrors.invalid(`${field}.generation`, meta.generation, 'must be greater than or equal to 0'));
  }
  errs.push(...validateLabels(meta.labels, `${field}.labels`));
  errs.push(...validateAnnotations(meta.annotations, `${field}.annotations`));
  errs.push(...validateOwnerReferences(meta.ownerReferences, `${field}.ownerReferences`));
  errs.push(...validateFinalizers(meta.finalizers, `${field}.finalizers`));
  errs.push(...validateManagedFields(meta.managedFields, `${field}.managedFields`));
  return errs;
}

function sameValue(a: unknown, b: unknown): boolean {
  // Absent and empty are the same to Go (zero values); compare structurally otherwise.
  const x = a === undefined || a === null || a === '' ? undefined : a;
  const y = b === undefined || b === null || b === '' ? undefined : b;
  if (x === y) return true;
  // Two different strings never have the same JSON text: skip the text for the common case.
  if (typeof x === 'string' && typeof y === 'string') return false;
  return JSON.stringify(x) === JSON.stringify(y);
}

/**
 * Validates metadata on update (apimachinery ValidateObjectMetaAccessorUpdate). The caller fills
 * resourceVersion for unconditional updates before calling, as upstream's store does.
 */
export function validateObjectMetaUpdate(next: ObjectMeta, old: ObjectMeta, field = 'metadata'): FieldError[] {
  const errs: FieldError[] = [];
  if (old.deletionTimestamp) {
    const before = new Set(old.finalizers ?? []);
    const extra = [...new Set(next.finalizers ?? [])].filter((f) => !before.has(f)).sort();
    if (extra.length > 0) {
      const goList = `[]string{${extra.map((f) => JSON.stringify(f)).join(', ')}}`;
      errs.push(fieldErrors.forbidden(`${field}.finalizers`, `no new finalizers can be added if the object is being deleted, found new finalizers ${goList}`));
    }
  }
  if (!next.resourceVersion) errs.push(fieldErrors.invalid(`${field}.resourceVersion`, next.resourceVersion ?? '', 'must be specified for an update'));
  if ((next.generation ?? 0) < (old.generation ?? 0)) {
    errs.push(fieldErrors.invalid(`${field}.generation`, next.generation ?? 0, 'must not be decremented'));
  }
  const immutable = ['name', 'namespace', 'uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds'] as const;
  for (const key of immutable) {
    if (!sameValue(next[key], old[key])) errs.push(fieldErrors.invalid(`${field}.${key}`, next[key] ?? '', FIELD_IMMUTABLE));
  }
  errs.push(...validateLabels(next.labels, `${field}.labels`));
  errs.push(...validateAnnotations(next.annotations, `${field}.annotations`));
  errs.push(...validateOwnerReferences(next.ownerReferences, `${field}.ownerReferences`));
  errs.push(...validateManagedFields(next.managedFields, `${field}.managedFields`));
  return errs;
}

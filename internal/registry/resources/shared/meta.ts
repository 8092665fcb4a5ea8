import { type FieldError, type KubeObject, fieldErrors } from '../../../api/index.js';
import {
  type NameValidator, FIELD_IMMUTABLE, nameIsDNSSubdomain, validateObjectMetaFields, validateObjectMetaUpdateFields,
} from './validation.js';
import { deepEqual } from './object.js';

export interface MetaRules {
  namespaced: boolean;
  /** Rule for metadata.name; DNS-1123 subdomain unless stated. */
  name?: NameValidator;
}

/** ObjectMeta checks every resource runs on create (upstream ValidateObjectMeta in each ValidateX). */
export function validateObjectMeta(obj: KubeObject, rules: MetaRules): FieldError[] {
  const meta = obj.metadata ?? {};
  const errs = validateObjectMetaFields(meta, { namespaced: rules.namespaced, nameFn: rules.name ?? nameIsDNSSubdomain });
  // A generateName-only object reaches validation before the store names it in some call orders.
  return meta.generateName && !meta.name ? errs.filter((e) => e.field !== 'metadata.name') : errs;
}

/** ObjectMeta checks on update: the create rules for the name, plus immutability. */
export function validateObjectMetaUpdate(obj: KubeObject, old: KubeObject, rules: MetaRules): FieldError[] {
  const meta = obj.metadata ?? {};
  // resourceVersion presence is the store's business (it fills it for unconditional updates).
  const next = { ...meta, resourceVersion: meta.resourceVersion || old.metadata.resourceVersion || '0' };
  const errs = validateObjectMetaUpdateFields(next, old.metadata ?? {});
  return errs.filter((e) => e.field !== 'metadata.resourceVersion');
}

/** `field: Invalid value: ...: field is immutable` when a value changed. */
export function immutable(field: string, now: unknown, before: unknown): FieldError[] {
  return deepEqual(now, before) ? [] : [fieldErrors.invalid(field, now, FIELD_IMMUTABLE)];
}

import { type FieldError, fieldErrors } from '../../../api/index.js';
import { FIELD_IMMUTABLE } from './validation.js';
import { deepEqual } from './object.js';

/** `field: Invalid value: ...: field is immutable` when a value changed. */
export function immutable(field: string, now: unknown, before: unknown): FieldError[] {
  return deepEqual(now, before) ? [] : [fieldErrors.invalid(field, now, FIELD_IMMUTABLE)];
}

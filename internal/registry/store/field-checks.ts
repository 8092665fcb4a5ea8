import { apiErrors, fieldErrors, findTypeMismatch, typeMismatchMessage, type KubeObject } from '../../api/index.js';
import type { ResourceDefinition } from '../definition.js';
import type { WriteParams } from '../request.js';
import { invalidError } from './errors.js';
import { schemaFor } from './schema.js';
import type { StoreContext } from './types.js';

// The checks of a request object before the strategy runs: JSON types (built-ins) and unknown
// fields (fieldValidation).

/**
 * A built-in object must have the JSON types its Go struct decodes (custom resources are checked
 * against their CRD schema by the strategy). A body that does not fit is 400 "cannot be handled
 * as a <Kind>"; a patch whose result does not fit is 422 on "patch", as upstream reports them.
 */
export function checkTypes(def: ResourceDefinition, obj: KubeObject, from: 'body' | 'patch'): void {
  if (def.custom) return;
  const schema = schemaFor(def);
  const m = schema && findTypeMismatch(schema, obj, def.kind);
  if (!m) return;
  const text = typeMismatchMessage(m);
  if (from === 'body') throw apiErrors.badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: ${text}`);
  throw invalidError({ kind: '', group: '' }, '', [fieldErrors.invalid('patch', JSON.stringify(obj), text)]);
}

/**
 * fieldValidation: Strict → 400 listing the unknown fields; Warn (the default) → warnings;
 * Ignore → nothing. Unknown fields come from ctx.unknownFields (schema-aware, injected).
 */
export function checkUnknownFields(def: ResourceDefinition, ctx: StoreContext, obj: KubeObject, params: WriteParams): string[] {
  const mode = params.fieldValidation ?? 'Warn';
  if (mode === 'Ignore' || !ctx.unknownFields) return [];
  const unknown = ctx.unknownFields(obj);
  if (unknown.length === 0) return [];
  const texts = unknown.map((f) => `unknown field "${f}"`);
  if (mode === 'Strict') {
    throw apiErrors.badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: strict decoding error: ${texts.join(', ')}`);
  }
  return texts;
}

// internal/api/patch: pure patch algorithms over plain JSON (no storage, no HTTP).
// applyPatch dispatches on the patch type; strategic merge patch and server-side apply plug into
// PATCHERS below as further entries.
import { ApiError } from '../errors.js';
import { JsonPatchError, applyJsonPatch } from './json-patch.js';
import { applyMergePatch, isPlainObject } from './merge-patch.js';
import type { Schema } from '../openapi/index.js';
import { StrategicPatchError, applyStrategicMergePatch } from './strategic.js';

export { applyMergePatch, createMergePatch } from './merge-patch.js';
export { applyJsonPatch, parseJsonPatch, JsonPatchError } from './json-patch.js';
export { applyStrategicMergePatch, StrategicPatchError } from './strategic.js';

/** What a patch algorithm may need beyond the two documents (SMP: merge keys; SSA: manager). */
export interface PatchOptions {
  /** The kind's schema (internal/api/openapi Schema): SMP merge keys, SSA list types; unused by json and merge patch. */
  schema?: unknown;
  fieldManager?: string;
  force?: boolean;
  /** Server time for managedFields timestamps (SSA). */
  now?: number;
}

/** One patch algorithm: returns the patched document; throws ApiError (400 or 422) when it cannot. */
export type Patcher = (current: Record<string, unknown>, patch: unknown, opts: PatchOptions) => unknown;

const PATCHERS: Record<string, Patcher> = {
  json: (current, patch) => {
    try {
      return applyJsonPatch(current, patch);
    } catch (err) {
      if (err instanceof JsonPatchError) throw jsonPatchApiError(err);
      throw err;
    }
  },
  strategic: (current, patch, opts) => {
    try {
      return applyStrategicMergePatch(current, patch, opts.schema as Schema | undefined);
    } catch (err) {
      if (err instanceof StrategicPatchError) throw err.kind === 'malformed' ? new ApiError('BadRequest', err.message) : unprocessable(err.message);
      throw err;
    }
  },
  merge: (current, patch) => {
    if (!isPlainObject(patch)) throw new ApiError('BadRequest', 'Invalid JSON Patch');
    return applyMergePatch(current, patch);
  },
};

/** True when applyPatch knows this patch type. */
export function supportsPatchType(patchType: string): boolean {
  return Object.prototype.hasOwnProperty.call(PATCHERS, patchType);
}

/**
 * Applies a patch of the given type ('json' | 'merge' | 'strategic' | 'apply') to a copy of
 * `current`. Unknown types give 415; a result that is not an object gives 422 (a patch may not
 * turn an object into a scalar).
 */
export function applyPatch(patchType: string, current: Record<string, unknown>, patch: unknown, opts: PatchOptions = {}): Record<string, unknown> {
  const patcher = PATCHERS[patchType];
  if (!patcher || !Object.prototype.hasOwnProperty.call(PATCHERS, patchType)) {
    throw new ApiError('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${acceptedPatchMediaTypes().join(', ')}`);
  }
  const out = patcher(current, patch, opts);
  if (!isPlainObject(out)) throw unprocessable('the patched document is not a JSON object');
  return out;
}

const MEDIA_TYPES: Record<string, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** Media types of the supported patch types, for 415 messages. */
export function acceptedPatchMediaTypes(types: string[] = Object.keys(PATCHERS)): string[] {
  return types.map((t) => MEDIA_TYPES[t] ?? t);
}

function jsonPatchApiError(err: JsonPatchError): ApiError {
  return err.kind === 'malformed' ? new ApiError('BadRequest', err.message) : unprocessable(err.message);
}

/** Upstream's generic 422 for a patch that cannot apply (NewGenericServerResponse). */
function unprocessable(serverMessage: string): ApiError {
  return new ApiError('Invalid', 'the server rejected our request due to an error in our request', {
    details: { causes: [{ reason: 'UnexpectedServerResponse', message: serverMessage }] },
  });
}

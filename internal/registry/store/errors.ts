import { ApiError, apiErrors, type FieldError, type GroupResource } from '../../api/index.js';
import { isStorageError } from '../../storage/index.js';
import type { ResourceDefinition } from '../definition.js';

/** The start of the message of a write refused because its writer's Lease moved on (409 Conflict). */
export const FENCED_WRITE_REFUSED = 'fenced write refused';

export const groupResource = (def: ResourceDefinition): GroupResource => ({ group: def.group, resource: def.plural });

const EXPIRED_CONTINUE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

/**
 * The one translation from StorageError to ApiError (after apiserver's storeerr.Interpret*Error).
 * ApiErrors pass through unchanged (tryUpdate callbacks throw them); anything else is a 500.
 */
export function toApiError(err: unknown, def: ResourceDefinition, name = '', opts: { continuing?: boolean } = {}): ApiError {
  if (err instanceof ApiError) return err;
  const gr = groupResource(def);
  if (!isStorageError(err)) return apiErrors.internal(err instanceof Error ? err.message : String(err), err);
  switch (err.code) {
    case 'KeyNotFound':
      return apiErrors.notFound(gr, name);
    case 'KeyExists':
      return apiErrors.alreadyExists(gr, name);
    case 'Conflict':
      // Precondition failures carry upstream's exact text; a lost CAS race gets the optimistic-lock text.
      return err.message.startsWith('Precondition failed') ? apiErrors.conflict(gr, name, err.message) : apiErrors.conflict(gr, name);
    case 'Compacted':
      if (opts.continuing || err.details.continue !== undefined) return apiErrors.expired(EXPIRED_CONTINUE, err.details.continue);
      return apiErrors.expired(tooOldMessage(err.details.revision, err.details.compactRevision));
    case 'FutureRevision':
      return apiErrors.tooLargeResourceVersion(err.details.revision ?? 0, err.details.currentRevision ?? 0);
    case 'InvalidArgument':
      return apiErrors.badRequest(err.message);
    // A fenced write whose Lease moved on: the writer was deposed. Nothing was written.
    case 'GuardFailed':
      return new ApiError('Conflict', `${FENCED_WRITE_REFUSED}: the leader election Lease this write was fenced with (${err.details.guardKey ?? '?'}) has changed (now at resourceVersion ${err.details.guardModRevision ?? 0}); nothing was written`, {
        details: { name, ...(gr.group ? { group: gr.group } : {}), kind: gr.resource, causes: [{ reason: 'LeaseNotHeld', message: 'the writer no longer holds its leader election Lease' }] },
      });
    case 'TooLarge':
      return apiErrors.tooLarge(err.message);
    // Unavailable: nothing was done (a write was not applied); 503 + Retry-After, which clients retry.
    case 'Unavailable':
      return apiErrors.unavailable(err.message, 1);
    // Timeout: the outcome is unknown (a write may or may not have been applied); 504, not retried blindly.
    case 'Timeout':
      return apiErrors.timeout(err.message);
    default:
      return apiErrors.internal(err.message, err);
  }
}

/** "too old resource version: 1 (948)": requested, then the oldest one still available. */
export function tooOldMessage(requested: number | undefined, oldest: number | undefined): string {
  return `too old resource version: ${requested ?? 0} (${oldest ?? 0})`;
}

/**
 * 422 Invalid for an object. The message qualifies the kind with its group as upstream does
 * ("Deployment.apps \"web\" is invalid: ..."); details.kind stays the bare Kind.
 */
export function invalidError(def: { kind: string; group: string }, name: string, errs: FieldError[]): ApiError {
  const base = apiErrors.invalid(def.kind, name, errs, def.group || undefined);
  if (!def.group) return base;
  const message = base.message.replace(`${def.kind} `, `${def.kind}.${def.group} `);
  return new ApiError('Invalid', message, { details: base.details });
}

/** 422 for bad request options (ListOptions, DeleteOptions, PatchOptions in group meta.k8s.io). */
export function invalidOptions(kind: string, errs: FieldError[]): ApiError {
  return invalidError({ kind, group: 'meta.k8s.io' }, '', errs);
}

import { apiErrors, fieldErrors, isApiError, type KubeList, type KubeObject } from '../../api/index.js';
import { isStorageError } from '../../storage/index.js';
import type { DeleteParams, ListParams } from '../request.js';
import { groupResource, invalidOptions, toApiError } from './errors.js';
import { ownCopy } from './meta.js';
import type { GenericStore } from './store.js';
import type { DeleteOutcome, StoreContext } from './types.js';
import { present, rfc3339, toStored } from './util.js';

const FOREGROUND = 'foregroundDeletion';
const ORPHAN = 'orphan';
const MAX_ATTEMPTS = 5;

/** Our own optimistic check lost a race; re-read and decide again. */
class Retry {}

/**
 * DELETE of one object (upstream Store.Delete): preconditions; the garbage-collection finalizer
 * of the propagation policy; graceful deletion (strategy.gracePeriodSeconds, pods); finalizers and
 * strategy.prepareForDelete keep the object with deletionTimestamp set; otherwise it goes at once.
 */
export async function deleteObject(store: GenericStore, ctx: StoreContext, name: string, params: DeleteParams): Promise<DeleteOutcome> {
  const def = store.definition;
  const os = store.deps.objectStore;
  const key = store.key(ctx, name);
  validateDeleteParams(params);
  // The first attempt starts from this node's cached copy (resourceVersion "0"), as upstream's
  // delete starts from its watch cache: the delete itself compares that copy's resourceVersion
  // with the committed state, so a stale copy costs a retry, never a wrong delete. Any verdict the
  // copy alone would give (not found, a failed precondition, nothing to change) is checked again
  // against a consistent read.
  let cached = !params.dryRun;
  for (let attempt = 1; ; attempt++) {
    const fromCache = cached;
    cached = false;
    try {
      const current = present(def, await os.get(key, fromCache ? { resourceVersion: '0' } : {}));
      checkPreconditions(store, name, current, params.preconditions);
      const obj = ownCopy(current);
      const before = JSON.stringify(obj);
      const pending = markForDeletion(store, ctx, obj, params);
      if (pending) {
        if (JSON.stringify(obj) === before) {
          if (fromCache) throw new Retry();
          return { object: current, deleted: false };
        }
        const updated = await os.guaranteedUpdate(
          key,
          (cur) => {
            if (cur.metadata.resourceVersion !== current.metadata.resourceVersion) throw new Retry();
            return toStored(def, obj);
          },
          { dryRun: !!params.dryRun, guard: ctx.guard },
        );
        return { object: present(def, updated), deleted: false };
      }
      const last = await os.delete(key, { preconditions: { resourceVersion: current.metadata.resourceVersion }, dryRun: !!params.dryRun, guard: ctx.guard });
      const object = present(def, last);
      if (!params.dryRun) await def.strategy.afterDelete?.(object, ctx);
      return { object, deleted: true };
    } catch (err) {
      if (fromCache && !(err instanceof Retry) && (isStorageError(err) || isApiError(err, 'Conflict'))) {
        // What a cached copy said (missing, a precondition, a lost compare) is not final.
        attempt--;
        continue;
      }
      const raced = err instanceof Retry || (isStorageError(err, 'Conflict') && !isApiError(err));
      if (raced && attempt < MAX_ATTEMPTS) continue;
      if (err instanceof Retry) throw apiErrors.conflict(groupResource(def), name);
      throw toApiError(err, def, name);
    }
  }
}

/** Sets what a pending deletion records on obj; returns true when the object must stay for now. */
function markForDeletion(store: GenericStore, ctx: StoreContext, obj: KubeObject, params: DeleteParams): boolean {
  const strategy = store.definition.strategy;
  const m = obj.metadata;
  applyPropagationFinalizers(obj, params.propagationPolicy);
  const held = strategy.prepareForDelete?.(obj, ctx) ?? false;
  const grace = strategy.gracePeriodSeconds?.(obj, params.gracePeriodSeconds);
  if (grace !== undefined && grace > 0) {
    // A shorter grace period than the pending one moves the deadline closer; a longer one is ignored.
    if (!m.deletionTimestamp || (m.deletionGracePeriodSeconds ?? Infinity) > grace) {
      m.deletionTimestamp = rfc3339(ctx.now + grace * 1000);
      m.deletionGracePeriodSeconds = grace;
    }
    return true;
  }
  if ((m.finalizers ?? []).length === 0 && !held) return false;
  if (!m.deletionTimestamp || (m.deletionGracePeriodSeconds ?? 0) > 0) {
    m.deletionTimestamp = rfc3339(ctx.now);
    m.deletionGracePeriodSeconds = 0;
  }
  return true;
}

/**
 * Foreground adds foregroundDeletion, Orphan adds orphan, Background removes both; without a
 * policy the finalizers already present stay (upstream deletionFinalizersForGarbageCollection).
 */
function applyPropagationFinalizers(obj: KubeObject, policy: DeleteParams['propagationPolicy']): void {
  if (!policy) return;
  const old = obj.metadata.finalizers ?? [];
  const next = old.filter((f) => f !== FOREGROUND && f !== ORPHAN);
  if (policy === 'Orphan') next.push(ORPHAN);
  if (policy === 'Foreground') next.push(FOREGROUND);
  const same = next.length === old.length && next.every((f) => old.includes(f));
  if (same) return;
  if (next.length) obj.metadata.finalizers = next;
  else delete obj.metadata.finalizers;
}

function checkPreconditions(store: GenericStore, name: string, obj: KubeObject, pre: DeleteParams['preconditions']): void {
  const gr = groupResource(store.definition);
  if (pre?.uid && pre.uid !== obj.metadata.uid) {
    throw apiErrors.conflict(gr, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid ?? ''}`);
  }
  if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
    throw apiErrors.conflict(
      gr,
      name,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion ?? ''}`,
    );
  }
}

function validateDeleteParams(params: DeleteParams): void {
  const p = params.propagationPolicy;
  if (p !== undefined && p !== 'Foreground' && p !== 'Background' && p !== 'Orphan') {
    throw invalidOptions('DeleteOptions', [fieldErrors.notSupported('propagationPolicy', p, ['Foreground', 'Background', 'Orphan', 'nil'])]);
  }
  if (params.gracePeriodSeconds !== undefined && params.gracePeriodSeconds < 0) {
    throw invalidOptions('DeleteOptions', [fieldErrors.invalid('gracePeriodSeconds', params.gracePeriodSeconds, 'must be greater than or equal to 0')]);
  }
}

/**
 * DELETE of a collection: lists what matches the selectors and deletes each object as a single
 * DELETE would (objects already gone are skipped). Returns the list of deleted or pending objects.
 */
export async function deleteCollection(store: GenericStore, ctx: StoreContext, params: DeleteParams & ListParams): Promise<KubeList> {
  const { labelSelector, fieldSelector, resourceVersion, resourceVersionMatch, limit: _l, continue: _c, ...deleteParams } = params;
  const list = await store.list(ctx, { labelSelector, fieldSelector, resourceVersion, resourceVersionMatch });
  const items: KubeObject[] = [];
  for (const item of list.items) {
    const itemCtx = { ...ctx, namespace: item.metadata.namespace ?? ctx.namespace };
    try {
      const out = await deleteObject(store, itemCtx, item.metadata.name!, deleteParams);
      items.push(out.object);
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
    }
  }
  return { ...list, items };
}

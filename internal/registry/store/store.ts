import {
  ApiError,
  apiErrors,
  applyPatch,
  apiVersionOf,
  fieldErrors,
  type KubeList,
  type KubeObject,
  type WatchEvent,
} from '../../api/index.js';
import { isStorageError, type ObjectStore } from '../../storage/index.js';
import type { Clock, Rand } from '../../util/index.js';
import type { ResourceDefinition, SubresourceDefinition } from '../definition.js';
import type { DeleteParams, ListParams, PatchParams, PatchType, WatchParams, WriteParams } from '../request.js';
import type { ResourceStrategy, WriteFinish } from '../strategy.js';
import { deleteCollection, deleteObject } from './delete.js';
import { groupResource, invalidError, invalidOptions, toApiError } from './errors.js';
import { collectionPrefix, objectKey } from './keys.js';
import { applyGenerateName, bumpGeneration, fillCreateMeta, keepUpdateMeta, ownCopy, validateCreateMeta, validateUpdateMeta } from './meta.js';
import { checkTypes, checkUnknownFields } from './field-checks.js';
import { ItemJsonMemo } from './item-json.js';
import { applyTo, recordUpdate } from './managed.js';
import { schemaFor } from './schema.js';
import { buildPredicate } from './selection.js';
import { statusStrategy } from './strategies.js';
import type { DeleteOutcome, ResourceStore, StoreContext, WriteOutcome } from './types.js';
import { clone, present, toStored } from './util.js';
import { watchResource } from './watch.js';

export interface StoreDeps {
  objectStore: ObjectStore;
  newUid: () => string;
  /** Randomness for generateName suffixes. */
  rand: Rand;
  /** Timers for watch timeoutSeconds. */
  clock: Clock;
}

/** Thrown inside tryUpdate when an update removed the last finalizer of an object being deleted. */
class EmptiedFinalizers {
  constructor(
    readonly object: KubeObject,
    readonly resourceVersion: string,
  ) {}
}

const MAX_WRITE_ATTEMPTS = 5;

/** The generic Store of one served resource; see ResourceStore for the contract. */
export class GenericStore implements ResourceStore {
  /** The JSON of this resource's list items, per stored object (see item-json.ts). */
  private readonly itemJson = new ItemJsonMemo();

  constructor(
    readonly definition: ResourceDefinition,
    readonly deps: StoreDeps,
  ) {}

  key(ctx: StoreContext, name: string): string {
    return objectKey(this.definition, ctx.namespace, name);
  }

  create(ctx: StoreContext, body: KubeObject, params: WriteParams): Promise<WriteOutcome> {
    return this.createObject(ctx, body, params, true);
  }

  /** `record`: track the create in managedFields (false when server-side apply already did). */
  private async createObject(ctx: StoreContext, body: KubeObject, params: WriteParams, record: boolean): Promise<WriteOutcome> {
    const def = this.definition;
    let obj = ownCopy(body);
    checkTypes(def, obj, 'body');
    const warnings = checkUnknownFields(def, ctx, obj, params);
    this.placeInNamespace(ctx, obj);
    fillCreateMeta(def, obj, ctx.now, this.deps.newUid);
    def.strategy.prepareForCreate(obj, ctx);
    if (record) obj = recordUpdate(def, ctx, undefined, obj);
    // generateName collisions are retried with a new suffix (upstream does since 1.30).
    const generated = !obj.metadata.name && !!obj.metadata.generateName;
    for (let attempt = 1; ; attempt++) {
      const candidate = generated ? { ...obj, metadata: { ...obj.metadata, name: undefined } } : obj;
      applyGenerateName(candidate, this.deps.rand);
      try {
        return await this.storeNew(ctx, candidate, params, warnings);
      } catch (err) {
        if (!(generated && attempt < MAX_WRITE_ATTEMPTS && isStorageError(err, 'KeyExists'))) throw toApiError(err, def, candidate.metadata.name);
      }
    }
  }

  private async storeNew(ctx: StoreContext, obj: KubeObject, params: WriteParams, warnings: string[]): Promise<WriteOutcome> {
    const def = this.definition;
    const errs = [...validateCreateMeta(def, obj), ...def.strategy.validate(obj, ctx)];
    if (errs.length) throw invalidError(def, obj.metadata.name ?? '', errs);
    const finish = await def.strategy.beginCreate?.(obj, ctx);
    let stored: KubeObject | undefined;
    try {
      warnings.push(...((await ctx.admit?.(obj, undefined)) ?? []));
      def.strategy.canonicalize?.(obj);
      warnings.push(...(def.strategy.warningsOnCreate?.(obj) ?? []));
      const key = this.key(ctx, obj.metadata.name!);
      stored = await this.deps.objectStore.create(key, toStored(def, obj), { ttlSeconds: def.strategy.ttlSeconds, dryRun: !!params.dryRun, guard: ctx.guard });
    } finally {
      await finish?.(stored !== undefined);
    }
    return { object: present(def, stored), created: true, warnings };
  }

  /** Fills or checks metadata.namespace against the request (upstream EnsureObjectNamespaceMatchesRequestNamespace). */
  placeInNamespace(ctx: StoreContext, obj: KubeObject): void {
    if (!this.definition.namespaced) {
      delete obj.metadata.namespace;
      return;
    }
    const want = ctx.namespace ?? '';
    if (!obj.metadata.namespace) obj.metadata.namespace = want;
    else if (obj.metadata.namespace !== want) throw apiErrors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }

  async get(ctx: StoreContext, name: string, params: { resourceVersion?: string } = {}): Promise<KubeObject> {
    try {
      return present(this.definition, await this.deps.objectStore.get(this.key(ctx, name), params));
    } catch (err) {
      throw toApiError(err, this.definition, name);
    }
  }

  async list(ctx: StoreContext, params: ListParams): Promise<KubeList> {
    const def = this.definition;
    validateListParams(params);
    const predicate = buildPredicate(def, params.labelSelector, params.fieldSelector);
    try {
      const res = await this.deps.objectStore.list(collectionPrefix(def, ctx.namespace), {
        resourceVersion: params.resourceVersion,
        resourceVersionMatch: params.resourceVersionMatch as 'Exact' | 'NotOlderThan' | undefined,
        limit: params.limit,
        continue: params.continue,
        predicate,
      });
      // Typed lists leave kind/apiVersion off their items; custom resource lists keep them.
      const memo = this.itemJson;
      const items = res.items.map((o) => {
        const p = present(def, o);
        let item = p;
        if (!def.custom) {
          const { apiVersion: _a, kind: _k, ...rest } = p;
          item = rest as KubeObject;
        }
        if (!def.convert) memo.note(item, o);
        return item;
      });
      const metadata: KubeList['metadata'] = { resourceVersion: res.resourceVersion };
      if (res.continue) metadata.continue = res.continue;
      if (res.remainingItemCount !== undefined) metadata.remainingItemCount = res.remainingItemCount;
      return { apiVersion: apiVersionOf(def), kind: def.listKind, metadata, items };
    } catch (err) {
      throw toApiError(err, def, '', { continuing: !!params.continue });
    }
  }

  async update(ctx: StoreContext, name: string, body: KubeObject, params: WriteParams, sub?: SubresourceDefinition): Promise<WriteOutcome> {
    const def = this.definition;
    const strategy = subresourceStrategy(def, sub);
    checkTypes(def, body, 'body');
    const warnings = sub ? [] : checkUnknownFields(def, ctx, body, params);
    this.checkIdentity(ctx, name, body);
    const onMissing =
      !sub && strategy.allowCreateOnUpdate
        ? () => this.create(ctx, { ...body, metadata: { ...body.metadata, name, resourceVersion: undefined } }, params)
        : undefined;
    const out = await this.write(ctx, name, params, strategy, () => ownCopy(body), onMissing, { record: true, subresource: sub?.name });
    return { ...out, warnings: [...warnings, ...out.warnings] };
  }

  async patch(ctx: StoreContext, name: string, patchType: PatchType, patch: unknown, params: PatchParams, sub?: SubresourceDefinition): Promise<WriteOutcome> {
    const def = this.definition;
    if (patchType === 'strategic' && def.custom) {
      throw new ApiError('UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
    }
    if (patchType === 'apply' && !params.fieldManager) {
      throw invalidOptions('PatchOptions', [fieldErrors.required('fieldManager', 'is required for apply patch')]);
    }
    if (patchType !== 'apply' && params.force !== undefined) {
      throw invalidOptions('PatchOptions', [fieldErrors.forbidden('force', 'may not be specified for non-apply patch')]);
    }
    const opts = { fieldManager: params.fieldManager, force: params.force, now: ctx.now, schema: schemaFor(def) };
    const apply = patchType === 'apply';
    let warnings: string[] = [];
    const produce = (old: KubeObject | undefined) => {
      const patched = apply
        ? applyTo(def, ctx, old, patch, !!params.force, sub?.name)
        : (applyPatch(patchType, old as Record<string, unknown>, patch, opts) as KubeObject);
      const obj = ownCopy(patched);
      checkTypes(def, obj, apply ? 'body' : 'patch');
      if (!sub) warnings = checkUnknownFields(def, ctx, obj, params);
      this.checkIdentity(ctx, name, obj);
      return obj;
    };
    // Server-side apply creates a missing object (201); every other patch of one is a 404.
    const onMissing =
      apply && !sub
        ? () => {
            const obj = produce(undefined);
            obj.metadata.name ??= name;
            return this.createObject(ctx, obj, params, false);
          }
        : undefined;
    const out = await this.write(ctx, name, params, subresourceStrategy(def, sub), produce, onMissing, { record: !apply, subresource: sub?.name });
    // An apply that creates checks unknown fields twice (patch, then create): report each once.
    return { ...out, warnings: [...new Set([...warnings, ...out.warnings])] };
  }

  async mutate(
    ctx: StoreContext,
    name: string,
    fn: (cur: KubeObject) => KubeObject | Promise<KubeObject>,
    opts: { dryRun?: boolean; bypassStrategy?: boolean; subresource?: string } = {},
  ): Promise<KubeObject> {
    const strategy = opts.bypassStrategy ? passThrough(this.definition.strategy) : this.definition.strategy;
    const out = await this.write(ctx, name, { dryRun: opts.dryRun }, strategy, (old) => fn(ownCopy(old)), undefined, { record: true, subresource: opts.subresource });
    return out.object;
  }

  delete(ctx: StoreContext, name: string, params: DeleteParams): Promise<DeleteOutcome> {
    return deleteObject(this, ctx, name, params);
  }

  deleteCollection(ctx: StoreContext, params: DeleteParams & ListParams): Promise<KubeList> {
    return deleteCollection(this, ctx, params);
  }

  watch(ctx: StoreContext, params: WatchParams, signal: AbortSignal, name?: string): Promise<AsyncIterable<WatchEvent>> {
    return watchResource(this, ctx, params, signal, name);
  }

  /** The name in the body must be the URL's; the namespace must be the request's (400 otherwise). */
  private checkIdentity(ctx: StoreContext, name: string, obj: KubeObject): void {
    const bodyName = obj.metadata?.name;
    if (bodyName && bodyName !== name) throw apiErrors.badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${name})`);
    if (obj.metadata) this.placeInNamespace(ctx, obj);
  }

  /**
   * The update path shared by PUT, PATCH, subresources and mutate: read-modify-write with the
   * resourceVersion and uid preconditions, metadata rules, the strategy, validation and admission;
   * an update that removes the last finalizer of an object being deleted deletes it. `managed.record`
   * tracks the change in managedFields (server-side apply has done that in `produce` already).
   */
  async write(
    ctx: StoreContext,
    name: string,
    params: WriteParams,
    strategy: ResourceStrategy,
    produce: (old: KubeObject) => KubeObject | Promise<KubeObject>,
    onMissing?: () => Promise<WriteOutcome>,
    managed: { record: boolean; subresource?: string } = { record: true },
  ): Promise<WriteOutcome> {
    const def = this.definition;
    const key = this.key(ctx, name);
    for (let attempt = 1; ; attempt++) {
      let warnings: string[] = [];
      // beginUpdate reservations of the latest attempt of the update function (a retried attempt
      // gives back those of the one before).
      let finish: WriteFinish | undefined;
      const settle = async (stored: boolean) => {
        const f = finish;
        finish = undefined;
        await f?.(stored);
      };
      try {
        const stored = await this.deps.objectStore.guaranteedUpdate(
          key,
          async (current) => {
            await settle(false);
            const old = present(def, current);
            let obj = await produce(old);
            warnings = this.prepareUpdate(ctx, name, obj, old, strategy);
            finish = await strategy.beginUpdate?.(obj, old, ctx);
            // After the strategy, so fields it reset (status via the main resource) are not claimed.
            if (managed.record) obj = recordUpdate(def, ctx, old, obj, managed.subresource);
            warnings.push(...((await ctx.admit?.(obj, old)) ?? []));
            strategy.canonicalize?.(obj);
            if (shouldDeleteDuringUpdate(obj, old) && !def.strategy.prepareForDelete?.(clone(obj), ctx)) throw new EmptiedFinalizers(obj, old.metadata.resourceVersion ?? '');
            return toStored(def, obj);
          },
          { dryRun: !!params.dryRun, ttlSeconds: def.strategy.ttlSeconds, guard: ctx.guard },
        );
        await settle(true);
        return { object: present(def, stored), created: false, warnings };
      } catch (err) {
        await settle(false);
        if (err instanceof EmptiedFinalizers) {
          try {
            const gone = await this.deps.objectStore.delete(key, { preconditions: { resourceVersion: err.resourceVersion }, dryRun: !!params.dryRun, guard: ctx.guard });
            const object = { ...err.object, metadata: { ...err.object.metadata, resourceVersion: gone.metadata.resourceVersion } };
            if (!params.dryRun) await def.strategy.afterDelete?.(object, ctx);
            return { object, created: false, warnings };
          } catch (delErr) {
            if (isStorageError(delErr, 'Conflict') && attempt < MAX_WRITE_ATTEMPTS) continue;
            throw toApiError(delErr, def, name);
          }
        }
        if (onMissing && isStorageError(err, 'KeyNotFound')) return onMissing();
        throw toApiError(err, def, name);
      }
    }
  }

  /** Preconditions, kept metadata, strategy and validation of an update; returns warnings. */
  private prepareUpdate(ctx: StoreContext, name: string, obj: KubeObject, old: KubeObject, strategy: ResourceStrategy): string[] {
    const def = this.definition;
    const gr = groupResource(def);
    const rv = obj.metadata.resourceVersion;
    if (!rv) {
      if (!strategy.allowUnconditionalUpdate) {
        throw invalidError(def, name, [fieldErrors.invalid('metadata.resourceVersion', '0x0', 'must be specified for an update')]);
      }
      obj.metadata.resourceVersion = old.metadata.resourceVersion;
    } else if (rv !== old.metadata.resourceVersion) {
      throw apiErrors.conflict(gr, name);
    }
    if (obj.metadata.uid && obj.metadata.uid !== old.metadata.uid) {
      throw apiErrors.conflict(gr, name, `Precondition failed: UID in precondition: ${obj.metadata.uid}, UID in object meta: ${old.metadata.uid ?? ''}`);
    }
    keepUpdateMeta(obj, old);
    strategy.prepareForUpdate(obj, old, ctx);
    bumpGeneration(def, obj, old);
    const errs = [...validateUpdateMeta(obj, old), ...strategy.validateUpdate(obj, old, ctx)];
    if (errs.length) throw invalidError(def, name, errs);
    return strategy.warningsOnUpdate?.(obj, old) ?? [];
  }
}

/**
 * Upstream shouldDeleteDuringUpdate: no finalizers left, deletion requested, no grace period
 * pending. The caller also asks strategy.prepareForDelete, so a Namespace whose spec.finalizers
 * are not done yet stays (upstream ShouldDeleteNamespaceDuringUpdate).
 */
function shouldDeleteDuringUpdate(obj: KubeObject, old: KubeObject): boolean {
  if ((obj.metadata.finalizers ?? []).length > 0) return false;
  if (!old.metadata.deletionTimestamp) return false;
  return !old.metadata.deletionGracePeriodSeconds;
}

/** The strategy with its update hooks disabled (metadata rules still apply). */
function passThrough(main: ResourceStrategy): ResourceStrategy {
  return { ...main, prepareForUpdate: () => {}, validateUpdate: () => [], warningsOnUpdate: undefined, beginUpdate: undefined };
}

function subresourceStrategy(def: ResourceDefinition, sub: SubresourceDefinition | undefined): ResourceStrategy {
  if (!sub) return def.strategy;
  if (sub.strategy) return sub.strategy;
  if (sub.name === 'status') return statusStrategy(def.strategy);
  throw apiErrors.methodNotAllowed();
}

export function validateListParams(params: ListParams): void {
  const match = params.resourceVersionMatch;
  if (!match) return;
  if (match !== 'Exact' && match !== 'NotOlderThan') {
    throw invalidOptions('ListOptions', [fieldErrors.notSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan'])]);
  }
  if (!params.resourceVersion) {
    throw invalidOptions('ListOptions', [fieldErrors.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided')]);
  }
  if (match === 'Exact' && params.resourceVersion === '0') {
    throw invalidOptions('ListOptions', [fieldErrors.forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"')]);
  }
}

import type { KubeList, KubeObject, WatchEvent } from '../../api/index.js';
import type { WriteGuard } from '../../storage/index.js';
import type { DeleteParams, ListParams, PatchParams, PatchType, WatchParams, WriteParams } from '../request.js';
import type { RequestContext } from '../strategy.js';
import type { ResourceDefinition, SubresourceDefinition } from '../definition.js';

/** Per-request context the store needs beyond the strategy's (admission runs inside the write). */
export interface StoreContext extends RequestContext {
  /** Mutating + validating admission for this write; runs after defaulting, before storage. */
  /** Runs admission on the object about to be stored; resolves with the plugins' warnings. */
  admit?: (obj: KubeObject, old: KubeObject | undefined) => Promise<string[] | void>;
  /** Reports unknown fields for fieldValidation; the store turns them into 400 or warnings. */
  unknownFields?: (obj: KubeObject) => string[];
  /** The client's User-Agent: the managedFields manager of a write without fieldManager. */
  userAgent?: string;
  /** Fenced write (a leader's Lease, resolved by the handler): every storage write of this request carries it. */
  guard?: WriteGuard;
}

export interface WriteOutcome {
  object: KubeObject;
  /** True when an update or apply created the object (HTTP 201). */
  created: boolean;
  warnings: string[];
}

export interface DeleteOutcome {
  /** The deleted object, or its new state when deletion is pending (finalizers, grace period). */
  object: KubeObject;
  /** False while deletion waits for finalizers or a grace period. */
  deleted: boolean;
}

/**
 * The generic Store of one served resource (group, version, plural): the Kubernetes semantics of
 * each verb over an ObjectStore. Namespaced resources take the namespace from ctx.namespace.
 * Every method throws ApiError (storage errors are translated here, once).
 */
export interface ResourceStore {
  readonly definition: ResourceDefinition;
  create(ctx: StoreContext, obj: KubeObject, params: WriteParams): Promise<WriteOutcome>;
  get(ctx: StoreContext, name: string, params?: { resourceVersion?: string }): Promise<KubeObject>;
  list(ctx: StoreContext, params: ListParams): Promise<KubeList>;
  /** PUT; `sub` selects a subresource strategy (status, finalize). */
  update(ctx: StoreContext, name: string, obj: KubeObject, params: WriteParams, sub?: SubresourceDefinition): Promise<WriteOutcome>;
  patch(ctx: StoreContext, name: string, patchType: PatchType, patch: unknown, params: PatchParams, sub?: SubresourceDefinition): Promise<WriteOutcome>;
  delete(ctx: StoreContext, name: string, params: DeleteParams): Promise<DeleteOutcome>;
  deleteCollection(ctx: StoreContext, params: DeleteParams & ListParams): Promise<KubeList>;
  watch(ctx: StoreContext, params: WatchParams, signal: AbortSignal, name?: string): Promise<AsyncIterable<WatchEvent>>;
  /**
   * Read-modify-write of the served object for subresource handlers (binding, scale): `mutate` gets
   * a private copy of the current object and returns the new one; metadata rules still apply.
   */
  mutate(
    ctx: StoreContext,
    name: string,
    mutate: (cur: KubeObject) => KubeObject | Promise<KubeObject>,
    opts?: {
      dryRun?: boolean;
      /** Skip the strategy (pods/binding changes an otherwise immutable field). */
      bypassStrategy?: boolean;
      /** The subresource the change is recorded under in managedFields (e.g. "scale"). */
      subresource?: string;
    },
  ): Promise<KubeObject>;
}

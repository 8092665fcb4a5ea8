import { ApiError, isApiError, type KubeList, type KubeObject, type WatchEvent } from '../api/index.js';
import { FENCED_WRITE_REFUSED } from '../registry/index.js';
import { sleep } from '../util/index.js';
import type { ApiResponse, DeleteParams, Handler, LeaseFence, ListParams, PatchParams, PatchType, UserInfo, WatchParams, WriteParams } from '../registry/index.js';

/** A resource by group, version and plural, e.g. {group: 'apps', version: 'v1', resource: 'deployments'}. */
export interface ResourceRef {
  group: string;
  version: string;
  resource: string;
}

/**
 * The in-process API client that plugins (scheduler, controllers) use. Every call runs the same
 * verb pipeline as an HTTP request (authorization, admission, defaulting, validation), so a plugin
 * cannot bypass a check, and a plugin could move out of process behind an HTTP client unchanged.
 * Errors are ApiError, exactly as an HTTP client would see them as Status.
 */
export interface Client {
  get(ref: ResourceRef, namespace: string | undefined, name: string, opts?: { resourceVersion?: string; subresource?: string }): Promise<KubeObject>;
  list(ref: ResourceRef, namespace: string | undefined, opts?: ListParams): Promise<KubeList>;
  create(ref: ResourceRef, namespace: string | undefined, obj: KubeObject, opts?: WriteParams & { subresource?: string; name?: string }): Promise<KubeObject>;
  update(ref: ResourceRef, namespace: string | undefined, obj: KubeObject, opts?: WriteParams & { subresource?: string }): Promise<KubeObject>;
  patch(ref: ResourceRef, namespace: string | undefined, name: string, type: PatchType, patch: unknown, opts?: PatchParams & { subresource?: string }): Promise<KubeObject>;
  delete(ref: ResourceRef, namespace: string | undefined, name: string, opts?: DeleteParams): Promise<KubeObject | { kind: 'Status' }>;
  deleteCollection(ref: ResourceRef, namespace: string | undefined, opts?: DeleteParams & ListParams): Promise<KubeList | { kind: 'Status' }>;
  /** Streams events until the signal aborts or the server ends the watch. */
  watch(ref: ResourceRef, namespace: string | undefined, opts: WatchParams, signal: AbortSignal): Promise<AsyncIterable<WatchEvent>>;
}

/**
 * `userAgent` names the caller as an HTTP client's User-Agent would ("kube-scheduler/v1.30"): writes
 * without a fieldManager are recorded in managedFields under its part before the first "/".
 */
export interface ClientOptions {
  userAgent?: string;
  /**
   * Fences every write with the Lease this returns (leader-elected plugins). null: the caller holds
   * no Lease now, and the write is refused with 409 Conflict before it is sent.
   */
  fence?: () => LeaseFence | null;
}

export function createClient(handler: Handler, user: UserInfo, opts: ClientOptions = {}): Client {
  const ua = opts.userAgent ? { userAgent: opts.userAgent } : {};
  const read = (ref: ResourceRef, namespace: string | undefined) => ({ user, group: ref.group, version: ref.version, resource: ref.resource, namespace, ...ua });
  type Base = ReturnType<typeof read> & { fence?: LeaseFence };
  // A fenced write refused because the Lease moved on is sent again when the move was this holder's
  // own renewal (nothing was stored the first time); after a loss, fence() is null and it fails.
  const write = async (ref: ResourceRef, namespace: string | undefined, send: (base: Base) => Promise<ApiResponse>): Promise<ApiResponse> => {
    if (!opts.fence) return send(read(ref, namespace));
    for (let attempt = 1; ; attempt++) {
      const fence = opts.fence();
      if (!fence) throw new ApiError('Conflict', `${FENCED_WRITE_REFUSED}: the writer no longer holds its leader election Lease; nothing was written`);
      try {
        return await send({ ...read(ref, namespace), fence });
      } catch (err) {
        if (attempt >= 3 || !isApiError(err, 'Conflict') || !err.message.startsWith(FENCED_WRITE_REFUSED)) throw err;
        // The renewal that moved the Lease may still be on its way back to the elector.
        for (let i = 0; i < 10 && opts.fence()?.resourceVersion === fence.resourceVersion; i++) await sleep(20);
        // Not a renewal but a loss: the store's refusal is the answer (it names the Lease's new revision).
        if (!opts.fence()) throw err;
      }
    }
  };
  return {
    async get(ref, namespace, name, opts = {}) {
      const r = await handler.handle({ ...read(ref, namespace), verb: 'get', name, subresource: opts.subresource, params: { resourceVersion: opts.resourceVersion } });
      return r.body as KubeObject;
    },
    async list(ref, namespace, opts = {}) {
      const r = await handler.handle({ ...read(ref, namespace), verb: 'list', params: opts });
      return r.body as KubeList;
    },
    async create(ref, namespace, obj, opts = {}) {
      const { subresource, name, ...params } = opts;
      const r = await write(ref, namespace, (b) => handler.handle({ ...b, verb: 'create', name, subresource, body: obj, params }));
      return r.body as KubeObject;
    },
    async update(ref, namespace, obj, opts = {}) {
      const { subresource, ...params } = opts;
      const r = await write(ref, namespace, (b) => handler.handle({ ...b, verb: 'update', name: obj.metadata.name, subresource, body: obj, params }));
      return r.body as KubeObject;
    },
    async patch(ref, namespace, name, type, patch, opts = {}) {
      const { subresource, ...params } = opts;
      const r = await write(ref, namespace, (b) => handler.handle({ ...b, verb: 'patch', name, subresource, patchType: type, patch, params }));
      return r.body as KubeObject;
    },
    async delete(ref, namespace, name, opts = {}) {
      const r = await write(ref, namespace, (b) => handler.handle({ ...b, verb: 'delete', name, params: opts }));
      return r.body as KubeObject;
    },
    async deleteCollection(ref, namespace, opts = {}) {
      const r = await write(ref, namespace, (b) => handler.handle({ ...b, verb: 'deletecollection', params: opts }));
      return r.body as KubeList;
    },
    async watch(ref, namespace, opts, signal) {
      const w = await handler.watch({ ...read(ref, namespace), verb: 'watch', params: opts, signal });
      return w.events;
    },
  };
}

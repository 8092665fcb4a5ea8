import { randomUUID } from 'node:crypto';
import { ApiError, apiErrors, apiVersionOf, isApiError, type KubeObject } from '../api/index.js';
import type { ObjectStore, WriteGuard } from '../storage/index.js';
import { realClock, type Clock, type Rand } from '../util/index.js';
import { namespaceLifecycle, runAdmission, type AdmissionAttributes, type AdmissionPlugin } from './admission.js';
import { forbiddenError, mastersOnlyAuthorizer } from './authorizer.js';
import type { ResourceDefinition, SubresourceDefinition } from './definition.js';
import { unknownFieldsOf } from './field-validation.js';
import type { ApiRequest, ApiResponse, Authorizer, Handler, LeaseFence, ResourceCatalog, WatchResponse } from './request.js';
import { objectKey } from './store/keys.js';
import { builtinUnknownFields } from './store/schema.js';
import { GenericStore } from './store/store.js';
import type { ResourceStore, StoreContext, WriteOutcome } from './store/types.js';
import { isObject } from './store/util.js';
import { serveSubresource } from './subresources.js';

export interface HandlerOptions {
  catalog: ResourceCatalog;
  /** One ObjectStore for every resource, or one per definition (e.g. a watch cache per resource). */
  objectStore: ObjectStore | ((def: ResourceDefinition) => ObjectStore);
  /** Default: members of system:masters may do anything, everyone else nothing. */
  authorizer?: Authorizer;
  /** Run after the built-in NamespaceLifecycle plugin, in order. */
  admission?: AdmissionPlugin[];
  clock?: Clock;
  /** Randomness for generateName; default Math.random. */
  rand?: Rand;
  /** uid generator; default crypto.randomUUID. */
  newUid?: () => string;
  /**
   * Unknown fields of a built-in object for fieldValidation (paths such as "spec.foo"). Default:
   * upstream's vendored OpenAPI schemas (api findUnknownFields). Custom resources use their CRD
   * schema instead; metadata is always checked.
   */
  unknownFields?: (def: ResourceDefinition, obj: KubeObject) => string[];
  /** Called after every successful, non-dry-run write (the CRD controller syncs the catalog at once). */
  onWrite?: (def: ResourceDefinition, object: KubeObject, deleted: boolean) => void;
}

/** The verb pipeline plus access to the per-resource stores (bootstrap, CRD cleanup). */
export interface RegistryHandler extends Handler {
  storeFor(def: ResourceDefinition): ResourceStore;
}

type NonWatch = Exclude<ApiRequest, { verb: 'watch' }>;

const NOT_FOUND = () => new ApiError('NotFound', 'the server could not find the requested resource', { details: {} });

/**
 * The one verb pipeline for HTTP and the in-process client: resolve the resource, authorize,
 * then run the generic Store (which runs the strategy and admission inside the write).
 */
export function createHandler(opts: HandlerOptions): RegistryHandler {
  const clock = opts.clock ?? realClock;
  const authorizer = opts.authorizer ?? mastersOnlyAuthorizer;
  const deps = { rand: opts.rand ?? Math.random, newUid: opts.newUid ?? randomUUID, clock };
  const stores = new WeakMap<ResourceDefinition, GenericStore>();
  const storeFor = (def: ResourceDefinition): GenericStore => {
    let s = stores.get(def);
    if (!s) {
      const objectStore = typeof opts.objectStore === 'function' ? opts.objectStore(def) : opts.objectStore;
      stores.set(def, (s = new GenericStore(def, { ...deps, objectStore })));
    }
    return s;
  };
  // As upstream's NamespaceLifecycle (an informer lister first, a live read only on a miss): every
  // namespaced create reads its namespace, and a quorum read each time was ~10 % of a create's CPU.
  // The cached copy ("0") may lag a just-created namespace or just-started deletion by a moment; a
  // miss is confirmed live, and a deletion racing a create is what the namespace controller cleans up.
  const getNamespace = async (name: string): Promise<KubeObject | undefined> => {
    const def = opts.catalog.lookup('', 'v1', 'namespaces');
    if (!def) return { metadata: { name } };
    for (const resourceVersion of ['0', undefined]) {
      try {
        return await storeFor(def).get(systemContext(clock), name, { resourceVersion });
      } catch (err) {
        if (!isApiError(err, 'NotFound')) throw err;
      }
    }
    return undefined;
  };
  const plugins = [namespaceLifecycle(getNamespace), ...(opts.admission ?? [])];

  const resolve = async (req: ApiRequest) => {
    const def = opts.catalog.lookup(req.group, req.version, req.resource);
    if (!def) throw NOT_FOUND();
    const itemVerb = req.verb !== 'list' && req.verb !== 'watch' && req.verb !== 'deletecollection';
    if (def.namespaced && itemVerb && !req.namespace) throw NOT_FOUND();
    let sub: SubresourceDefinition | undefined;
    if (req.subresource) {
      sub = def.subresources?.find((s) => s.name === req.subresource);
      if (!sub) throw NOT_FOUND();
      if (!sub.verbs.includes(req.verb)) throw apiErrors.methodNotAllowed();
    } else if (def.verbs && !def.verbs.includes(req.verb)) {
      throw apiErrors.methodNotAllowed();
    }
    const namespace = def.namespaced ? req.namespace : undefined;
    const attrs = { user: req.user, verb: req.verb, group: req.group, version: req.version, resource: req.resource, subresource: req.subresource, namespace, name: req.name };
    const decision = await authorizer.authorize(attrs);
    if (!decision.allowed) throw forbiddenError(attrs, decision.reason);
    return { def, sub, namespace };
  };

  // A leader's Lease as a storage guard: the Lease key must still be at the revision the holder's
  // own acquire or renewal wrote (a later renewal, release or takeover moves it).
  const guardFor = (fence: LeaseFence): WriteGuard => {
    const leases = opts.catalog.lookup('coordination.k8s.io', 'v1', 'leases');
    const modRevision = Number(fence.resourceVersion);
    if (!leases || !Number.isSafeInteger(modRevision) || modRevision <= 0) throw new ApiError('Conflict', `fenced write refused: invalid leader election Lease ${fence.namespace}/${fence.name} at resourceVersion "${fence.resourceVersion}"; nothing was written`);
    return { key: objectKey(leases, fence.namespace, fence.name), modRevision };
  };

  const contextFor = (req: ApiRequest, def: ResourceDefinition, namespace: string | undefined): StoreContext => {
    const params = req.params as { dryRun?: boolean; fieldManager?: string };
    const dryRun = !!params.dryRun;
    return {
      user: req.user,
      namespace,
      now: clock.now(),
      dryRun,
      fieldManager: params.fieldManager,
      userAgent: req.userAgent,
      ...(req.fence && req.verb !== 'get' && req.verb !== 'list' && req.verb !== 'watch' ? { guard: guardFor(req.fence) } : {}),
      admit: (obj, old) =>
        runAdmission(plugins, { operation: old ? 'UPDATE' : 'CREATE', definition: def, subresource: req.subresource, namespace, name: obj.metadata.name ?? '', object: obj, oldObject: old, user: req.user, dryRun, auditAnnotations: req.auditAnnotations }),
      unknownFields: (obj) => unknownFieldsOf(def, obj, opts.unknownFields ?? builtinUnknownFields),
    };
  };

  const written = (def: ResourceDefinition, dryRun: boolean | undefined, object: KubeObject, deleted = false) => {
    if (!dryRun) opts.onWrite?.(def, object, deleted);
  };

  const serve = async (req: NonWatch, def: ResourceDefinition, store: GenericStore, ctx: StoreContext): Promise<ApiResponse> => {
    const name = req.name ?? '';
    const reply = (out: WriteOutcome, createdCode = 201): ApiResponse => {
      written(def, ctx.dryRun, out.object);
      return { code: out.created ? createdCode : 200, body: out.object, warnings: out.warnings.length ? out.warnings : undefined };
    };
    switch (req.verb) {
      case 'get':
        return { code: 200, body: await store.get(ctx, name, req.params) };
      case 'list':
        return { code: 200, body: await store.list(ctx, req.params) };
      case 'create':
        return reply(await store.create(ctx, checkBody(def, req.body), req.params));
      case 'update':
        return reply(await store.update(ctx, name, checkBody(def, req.body), req.params));
      case 'patch':
        return reply(await store.patch(ctx, name, req.patchType, req.patch, req.params));
      case 'delete': {
        await runAdmission(plugins, deleteAttributes(req, def, ctx));
        const out = await store.delete(ctx, name, req.params);
        written(def, ctx.dryRun, out.object, out.deleted);
        if (!out.deleted || def.returnDeletedObject) return { code: 200, body: out.object };
        return { code: 200, body: deletedStatus(def, name, out.object.metadata.uid) };
      }
      case 'deletecollection': {
        const list = await store.deleteCollection(ctx, req.params);
        for (const item of list.items) written(def, ctx.dryRun, item, !item.metadata.deletionTimestamp);
        return { code: 200, body: list };
      }
    }
  };

  return {
    storeFor,
    async handle(req) {
      const { def, sub, namespace } = await resolve(req);
      if (def.serve) return def.serve(req);
      const store = storeFor(def);
      const ctx = contextFor(req, def, namespace);
      if (sub) {
        const storeOf = (group: string, version: string, resource: string) => {
          const other = opts.catalog.lookup(group, version, resource);
          return other && storeFor(other);
        };
        const res = await serveSubresource(req, sub, store, ctx, storeOf);
        if (req.verb !== 'get' && isObject(res.body) && res.body.kind === def.kind) written(def, ctx.dryRun, res.body as KubeObject);
        return res;
      }
      return serve(req, def, store, ctx);
    },
    async watch(req): Promise<WatchResponse> {
      const { def, sub, namespace } = await resolve(req);
      if (sub) throw apiErrors.methodNotAllowed();
      const store = storeFor(def);
      return { events: await store.watch(contextFor(req, def, namespace), req.params, req.signal, req.name) };
    },
  };
}

/** A context for the registry's own reads and writes (bootstrap, CRD cleanup, admission lookups). */
export function systemContext(clock: Clock, namespace?: string): StoreContext {
  // The registry's own writes show up in managedFields as upstream's do: manager "kube-apiserver".
  return { user: { name: 'system:apiserver', groups: ['system:masters'] }, namespace, now: clock.now(), dryRun: false, userAgent: 'kube-apiserver' };
}

function deleteAttributes(req: NonWatch, def: ResourceDefinition, ctx: StoreContext): AdmissionAttributes {
  return { operation: 'DELETE', definition: def, namespace: ctx.namespace, name: req.name ?? '', user: req.user, dryRun: ctx.dryRun, auditAnnotations: req.auditAnnotations };
}

/** Status Success of an immediate delete: details carry name, group, the plural as kind, and uid. */
export function deletedStatus(def: ResourceDefinition, name: string, uid: string | undefined): ApiResponse['body'] {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name, ...(def.group ? { group: def.group } : {}), kind: def.plural, ...(uid ? { uid } : {}) },
  };
}

/** The body must be an object of this resource's kind and apiVersion (missing ones are filled in). */
function checkBody(def: ResourceDefinition, body: unknown): KubeObject {
  if (!isObject(body)) throw apiErrors.badRequest('the body of the request must be a JSON object');
  const want = apiVersionOf(def);
  const kind = typeof body.kind === 'string' && body.kind ? body.kind : def.kind;
  const apiVersion = typeof body.apiVersion === 'string' && body.apiVersion ? body.apiVersion : want;
  if (apiVersion !== want && kind === def.kind) {
    throw apiErrors.badRequest(`the API version in the data (${apiVersion}) does not match the expected API version (${want})`);
  }
  if (kind !== def.kind) {
    const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
    throw apiErrors.badRequest(`${kind} in version "${version}" cannot be handled as a ${def.kind}: the kind of the object does not match the resource`);
  }
  return { ...(body as KubeObject), apiVersion, kind, metadata: isObject(body.metadata) ? (body.metadata as KubeObject['metadata']) : {} };
}

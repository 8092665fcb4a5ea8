import {
  ApiError,
  apiErrors,
  applyPatch,
  fieldErrors,
  isApiError,
  labelQueryFromSet,
  labelSelectorAsQuery,
  type KubeObject,
  type LabelSelector,
} from '../api/index.js';
import type { ScalePaths, SubresourceContext, SubresourceDefinition, SubresourceHandler } from './definition.js';
import { consumeDisruption, decideEviction } from './eviction.js';
import { getPath, setPath } from './jsonpath.js';
import type { ApiRequest, ApiResponse } from './request.js';
import { invalidError } from './store/errors.js';
import type { ResourceStore, StoreContext } from './store/types.js';
import { isObject } from './store/util.js';

type Req = Exclude<ApiRequest, { verb: 'watch' }>;

/**
 * Serves a request to a subresource: the definition's handler when it has one, the generic
 * scale adapter for "scale", else get = the parent object and update/patch through the
 * subresource's strategy (status: only .status changes).
 */
export async function serveSubresource(req: Req, sub: SubresourceDefinition, store: ResourceStore, ctx: StoreContext, storeOf?: SubresourceContext['storeOf']): Promise<ApiResponse> {
  if (sub.handler) return sub.handler(req, { store, ctx, storeOf });
  if (sub.name === 'scale') return serveScale(req, sub.scale ?? DEFAULT_SCALE_PATHS, store, ctx);
  const name = req.name ?? '';
  switch (req.verb) {
    case 'get':
      return { code: 200, body: await store.get(ctx, name, req.params) };
    case 'update': {
      const out = await store.update(ctx, name, req.body, req.params, sub);
      return { code: 200, body: out.object, warnings: out.warnings };
    }
    case 'patch': {
      const out = await store.patch(ctx, name, req.patchType, req.patch, req.params, sub);
      return { code: 200, body: out.object, warnings: out.warnings };
    }
    default:
      throw apiErrors.methodNotAllowed();
  }
}

export const DEFAULT_SCALE_PATHS: ScalePaths = { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' };

/** The autoscaling/v1 Scale of a parent object. */
export function toScale(obj: KubeObject, paths: ScalePaths): KubeObject {
  const m = obj.metadata;
  const status: Record<string, unknown> = { replicas: numberOr(getPath(obj, paths.statusReplicasPath), 0) };
  const selector = paths.labelSelectorPath ? getPath(obj, paths.labelSelectorPath) : undefined;
  const selectorText = selectorString(selector);
  if (selectorText) status.selector = selectorText;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, ...(m.namespace ? { namespace: m.namespace } : {}), uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: numberOr(getPath(obj, paths.specReplicasPath), 0) },
    status,
  };
}

function numberOr(v: unknown, fallback: number): number {
  return typeof v === 'number' ? v : fallback;
}

/** A LabelSelector object (Deployments) becomes "app=web"; a string (CRDs) is used as is. */
function selectorString(sel: unknown): string | undefined {
  if (typeof sel === 'string') return sel;
  if (!isObject(sel)) return undefined;
  try {
    // ReplicationControllers keep a plain label map; everything else a metav1.LabelSelector.
    const isLabelSelector = 'matchLabels' in sel || 'matchExpressions' in sel;
    if (!isLabelSelector) return labelQueryFromSet(sel as Record<string, string>).toString();
    return labelSelectorAsQuery(sel as LabelSelector).toString();
  } catch {
    return undefined;
  }
}

async function serveScale(req: Req, paths: ScalePaths, store: ResourceStore, ctx: StoreContext): Promise<ApiResponse> {
  const name = req.name ?? '';
  switch (req.verb) {
    case 'get':
      return { code: 200, body: toScale(await store.get(ctx, name, req.params), paths) };
    case 'update':
      return { code: 200, body: await writeScale(store, ctx, name, () => req.body, req.params.dryRun, paths) };
    case 'patch': {
      // Scale has no lists, so a strategic merge patch (and an applied Scale) merges like a merge
      // patch. The patch applies to the Scale of the object being written, inside the retry loop,
      // so a concurrent write elsewhere in the parent is no conflict.
      const type = req.patchType === 'strategic' || req.patchType === 'apply' ? 'merge' : req.patchType;
      const patch = req.patch;
      return {
        code: 200,
        body: await writeScale(store, ctx, name, (current) => applyPatch(type, current as Record<string, unknown>, patch, {}) as KubeObject, req.params.dryRun, paths),
      };
    }
    default:
      throw apiErrors.methodNotAllowed();
  }
}

/** Writes the replicas of `produce(current Scale)` into the parent; managedFields record subresource "scale". */
async function writeScale(
  store: ResourceStore,
  ctx: StoreContext,
  name: string,
  produce: (current: KubeObject) => KubeObject,
  dryRun: boolean | undefined,
  paths: ScalePaths,
): Promise<KubeObject> {
  const updated = await store.mutate(
    ctx,
    name,
    (obj) => {
      const scale = produce(toScale(obj, paths));
      const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
      if (scale.metadata?.name && scale.metadata.name !== name) {
        throw apiErrors.badRequest(`the name of the object (${scale.metadata.name}) does not match the name on the URL (${name})`);
      }
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
        const err = typeof replicas === 'number' ? fieldErrors.invalid('spec.replicas', replicas, 'must be greater than or equal to 0') : fieldErrors.required('spec.replicas');
        throw invalidError({ kind: 'Scale', group: 'autoscaling' }, name, [err]);
      }
      // A Scale carrying a resourceVersion is an optimistic lock on the parent.
      const wantRv = scale.metadata?.resourceVersion;
      if (wantRv) obj.metadata.resourceVersion = wantRv;
      setPath(obj as Record<string, unknown>, paths.specReplicasPath, replicas);
      return obj;
    },
    { dryRun, subresource: 'scale' },
  );
  return toScale(updated, paths);
}

/**
 * pods/binding (POST, used by schedulers): sets spec.nodeName of an unbound pod. Answers 201 with
 * a Status Success as upstream does. A pod already bound answers 409.
 */
export const podBindingHandler: SubresourceHandler = async (req, { store, ctx }) => {
  if (req.verb !== 'create') throw apiErrors.methodNotAllowed();
  const name = req.name ?? '';
  const target = (req.body as { target?: { name?: string } }).target;
  if (!target?.name) throw invalidError({ kind: 'Binding', group: '' }, req.body.metadata?.name ?? name, [fieldErrors.required('target.name')]);
  await store.mutate(
    ctx,
    name,
    (pod) => {
      const spec = (pod.spec ??= {}) as { nodeName?: string };
      if (pod.metadata.deletionTimestamp) {
        throw apiErrors.conflict({ group: '', resource: 'pods' }, name, 'pod is being deleted, cannot be assigned to a host');
      }
      if (spec.nodeName) {
        throw apiErrors.conflict({ group: '', resource: 'pods' }, name, `pod ${name} is already assigned to node "${spec.nodeName}"`);
      }
      spec.nodeName = target.name;
      setPodScheduled(pod, ctx.now);
      const annotations = req.body.metadata?.annotations;
      if (annotations) pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), ...annotations };
      return pod;
    },
    { dryRun: req.params.dryRun, bypassStrategy: true },
  );
  return { code: 201, body: successStatus(201) };
};

/**
 * pods/eviction (POST, used by kubectl drain): honours the pod's PodDisruptionBudget (429 while it
 * allows no disruption; otherwise one disruption is taken from its status first, with a
 * compare-and-swap, so concurrent evictions cannot overdraw it), then deletes the pod with the
 * eviction's DeleteOptions and answers 201 Status Success.
 */
export const podEvictionHandler: SubresourceHandler = async (req, { store, ctx, storeOf }) => {
  if (req.verb !== 'create') throw apiErrors.methodNotAllowed();
  const name = req.name ?? '';
  const bodyName = req.body.metadata?.name;
  if (bodyName && bodyName !== name) throw apiErrors.badRequest(`name in URL does not match name in Eviction object`);
  const opts = (req.body as { deleteOptions?: Record<string, unknown> }).deleteOptions ?? {};
  const pdbs = storeOf?.('policy', 'v1', 'poddisruptionbudgets');
  for (let attempt = 0; ; attempt++) {
    const pod = await store.get(ctx, name);
    const budgets = pdbs ? (await pdbs.list(ctx, {})).items : [];
    const decision = decideEviction(pod, budgets);
    if (decision.kind === 'consume' && pdbs && !req.params.dryRun) {
      const status = pdbs.definition.subresources?.find((s) => s.name === 'status');
      const next = consumeDisruption(decision.pdb, name, new Date(ctx.now).toISOString().replace(/\.\d{3}Z$/, 'Z'));
      try {
        await pdbs.update(ctx, decision.pdb.metadata.name ?? '', next, {}, status);
      } catch (err) {
        if (isApiError(err, 'Conflict') && attempt < 5) continue;
        throw err;
      }
    }
    break;
  }
  try {
    await store.delete(ctx, name, {
      dryRun: req.params.dryRun,
      gracePeriodSeconds: typeof opts.gracePeriodSeconds === 'number' ? opts.gracePeriodSeconds : undefined,
      preconditions: opts.preconditions as { uid?: string; resourceVersion?: string } | undefined,
    });
  } catch (err) {
    if (isApiError(err)) throw err;
    throw new ApiError('InternalError', String(err));
  }
  return { code: 201, body: successStatus(201) };
};

/** Binding marks the pod PodScheduled=True, as upstream's binding REST does. */
function setPodScheduled(pod: KubeObject, now: number): void {
  const status = (pod.status ??= {}) as { conditions?: Record<string, unknown>[] };
  const conditions = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
  const time = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  status.conditions = [...conditions, { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: time }];
}

function successStatus(code: number): ApiResponse['body'] {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code };
}

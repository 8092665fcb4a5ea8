import { isApiError, type KubeObject } from '../../../internal/api/index.js';
import { retryOnConflict, type Client } from '../../../internal/client/index.js';
import { tolerate } from '../shared/plugin.js';
import { NAMESPACES } from '../shared/refs.js';
import { groupResourceKey, type ServedResource } from '../shared/resources.js';
import { deletionConditions, type NamespaceCondition } from './conditions.js';
import { finalizersWithout, namespacedContentResources, summarize, type ResourcePass } from './content.js';

/** The finalizer the namespace controller owns in spec.finalizers. */
export const KUBERNETES_FINALIZER = 'kubernetes';

const specFinalizers = (ns: KubeObject) => ((ns.spec ?? {}) as { finalizers?: string[] }).finalizers ?? [];
const conditionsOf = (ns: KubeObject) => ((ns.status ?? {}) as { conditions?: NamespaceCondition[] }).conditions ?? [];

/** Deletes everything of one resource in the namespace, then lists what is left. */
async function clear(client: Client, r: ServedResource, namespace: string): Promise<ResourcePass> {
  try {
    // Background: dependents elsewhere go through the garbage collector, as upstream's deleter asks.
    if (r.verbs.includes('deletecollection')) await client.deleteCollection(r, namespace, { propagationPolicy: 'Background' });
    else {
      for (const item of (await client.list(r, namespace)).items) {
        await tolerate(() => client.delete(r, namespace, item.metadata.name!, { propagationPolicy: 'Background' }), 'NotFound');
      }
    }
    return { resource: r, remaining: (await client.list(r, namespace)).items };
  } catch (err) {
    // A resource that went away meanwhile (a CRD deleted) has nothing left to delete.
    if (isApiError(err, 'NotFound') || isApiError(err, 'MethodNotAllowed')) return { resource: r, remaining: [] };
    return { resource: r, error: `${groupResourceKey(r)}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export type SyncResult = { done: true } | { done: false; estimateSeconds: number };

/**
 * One pass of the namespace deleter (upstream NamespacedResourcesDeleter.Delete): for a namespace
 * being deleted, delete the content of every served namespaced resource, record the outcome in
 * the status conditions, and once nothing is left remove the `kubernetes` finalizer through
 * /finalize; a namespace without finalizers left is deleted (uid precondition). Content deletion
 * errors throw (the caller retries with backoff); content still going away returns an estimate.
 */
export async function syncNamespace(client: Client, served: ServedResource[], name: string, now: () => number, timestamp: (ms: number) => string): Promise<SyncResult> {
  const current = await tolerate(() => client.get(NAMESPACES, undefined, name), 'NotFound');
  if (!current?.metadata.deletionTimestamp) return { done: true };
  const uid = current.metadata.uid;
  if (specFinalizers(current).length === 0) return deleteNamespace(client, name, uid);
  if (!specFinalizers(current).includes(KUBERNETES_FINALIZER)) return { done: true };

  const passes: ResourcePass[] = [];
  for (const r of namespacedContentResources(served)) passes.push(await clear(client, r, name));
  const outcome = summarize(passes, now());
  await retryOnConflict(async () => {
    const ns = await client.get(NAMESPACES, undefined, name);
    const conditions = deletionConditions(conditionsOf(ns), outcome, timestamp(now()));
    if (!conditions) return;
    await client.update(NAMESPACES, undefined, { ...ns, status: { ...(ns.status as object), phase: 'Terminating', conditions } }, { subresource: 'status' });
  }).catch((err) => {
    if (!isApiError(err, 'NotFound')) throw err;
  });
  if (outcome.errors.length > 0) throw new Error(`namespace ${name}: ${outcome.errors.join('; ')}`);
  if (Object.keys(outcome.remaining).length > 0) return { done: false, estimateSeconds: outcome.estimateSeconds };

  const finalized = await tolerate(
    () =>
      retryOnConflict(async () => {
        const ns = await client.get(NAMESPACES, undefined, name);
        if (ns.metadata.uid !== uid) return ns;
        return client.update(NAMESPACES, undefined, { ...ns, spec: { ...(ns.spec as object), finalizers: finalizersWithout(ns, KUBERNETES_FINALIZER) } }, { subresource: 'finalize' });
      }),
    'NotFound',
  );
  if (!finalized || specFinalizers(finalized).length > 0) return { done: true };
  return deleteNamespace(client, name, uid);
}

async function deleteNamespace(client: Client, name: string, uid: string | undefined): Promise<SyncResult> {
  await tolerate(() => client.delete(NAMESPACES, undefined, name, { preconditions: uid ? { uid } : undefined }), 'NotFound', 'Conflict');
  return { done: true };
}

import { isApiError, type KubeObject } from '../api/index.js';
import { retryOnConflict, type Client } from '../client/index.js';
import type { Plugin, PluginContext } from '../plugin/index.js';
import { CRD_CLEANUP_FINALIZER, type CrdController } from '../registry/index.js';
import { sleep } from '../util/index.js';

export const CRDS = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' };

interface CrdSpec {
  group: string;
  names: { plural: string };
  versions: { name: string; served?: boolean; storage?: boolean }[];
}

/**
 * The API server's own CRD controller, as an every-replica plugin (upstream runs it inside every
 * kube-apiserver): a CRD informer keeps this replica's catalog in step with the CRDs written through
 * any replica, and a terminating CRD first loses all its custom resources, then its cleanup
 * finalizer (and so itself). The cleanup is idempotent, so replicas doing it at once is harmless.
 */
export function crdPlugin(crds: CrdController, opts: { retryMs?: number } = {}): Plugin & { synced(): boolean } {
  let synced = false;
  return {
    name: 'crd',
    election: 'every-replica',
    user: 'system:kplane:apiextensions-controller',
    synced: () => synced,
    async run(ctx: PluginContext) {
      const cleaning = new Set<string>();
      const informer = ctx.informers.informer(CRDS);
      const sync = (crd: KubeObject) => {
        crds.sync(crd);
        const name = crd.metadata.name ?? '';
        if (!crd.metadata.deletionTimestamp || !(crd.metadata.finalizers ?? []).includes(CRD_CLEANUP_FINALIZER) || cleaning.has(name)) return;
        cleaning.add(name);
        void cleanup(ctx.client, crd, opts.retryMs ?? 1000, ctx.signal)
          .catch((err: unknown) => ctx.signal.aborted || ctx.log.warn({ err: String(err), crd: name }, 'CRD cleanup failed; retried on the next change'))
          .finally(() => cleaning.delete(name));
      };
      informer.addEventHandler({ onAdd: sync, onUpdate: (_old, crd) => sync(crd), onDelete: (crd) => crds.sync(crd, true) }, { resyncMs: 60_000 });
      if (await informer.waitForSync(ctx.signal)) {
        // A relist after a restart: CRDs this catalog knows but storage no longer has are gone.
        for (const name of crds.names()) if (!informer.lister.get(undefined, name)) crds.sync({ metadata: { name } }, true);
        synced = true;
      }
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
    },
  };
}

/** Deletes every custom resource of a terminating CRD, then drops its cleanup finalizer. */
async function cleanup(client: Client, crd: KubeObject, retryMs: number, signal: AbortSignal): Promise<void> {
  const spec = crd.spec as CrdSpec;
  const version = (spec.versions.find((v) => v.storage) ?? spec.versions[0])?.name ?? 'v1';
  const ref = { group: spec.group, version, resource: spec.names.plural };
  for (let round = 0; !signal.aborted; round++) {
    const left = await client.list(ref, undefined, {});
    if (left.items.length === 0) break;
    for (const item of left.items) {
      if (item.metadata.deletionTimestamp) continue;
      await client.delete(ref, item.metadata.namespace, item.metadata.name ?? '').catch(ignoreNotFound);
    }
    // Custom resources with finalizers of their own leave when their controllers let go.
    if (round > 0) await sleep(retryMs, signal);
  }
  const name = crd.metadata.name ?? '';
  await retryOnConflict(async () => {
    const cur = await client.get(CRDS, undefined, name);
    const finalizers = (cur.metadata.finalizers ?? []).filter((f) => f !== CRD_CLEANUP_FINALIZER);
    await client.update(CRDS, undefined, { ...cur, metadata: { ...cur.metadata, finalizers } });
  }).catch(ignoreNotFound);
}

function ignoreNotFound(err: unknown): undefined {
  if (isApiError(err, 'NotFound')) return undefined;
  throw err;
}

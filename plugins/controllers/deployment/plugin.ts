import { isApiError } from '../../../internal/api/index.js';
import { byOwnerUid, OWNER_UID_INDEX } from '../../../internal/client/index.js';
import type { Plugin, PluginContext } from '../../../internal/plugin/index.js';
import { jsonEqual } from '../../../internal/util/index.js';
import { adoptPatch, controllerOf, controllerRefTo, releasePatch } from '../workloads/claim.js';
import { DEPLOYMENTS, PODS, REPLICASETS, SYNC_BATCH_MS, ignoreNotFound, runController, splitKey } from '../workloads/controller.js';
import type { Pod } from '../workloads/pods.js';
import { planDeployment } from './decide.js';
import { type Deployment, REVISION, type ReplicaSet, specReplicas } from './types.js';
import { findNewReplicaSet } from './util.js';

/**
 * Rolls Deployments out through ReplicaSets (upstream's deployment controller): one planDeployment
 * per sync, its writes applied in order (claim, create, scale, delete, status).
 */
export function deploymentPlugin(): Plugin {
  return {
    name: 'deployment-controller',
    election: 'leader',
    user: 'system:serviceaccount:kube-system:deployment-controller',
    async run(ctx: PluginContext) {
      const deployments = ctx.informers.informer(DEPLOYMENTS);
      const replicaSets = ctx.informers.informer(REPLICASETS);
      const pods = ctx.informers.informer(PODS);
      pods.addIndexer(OWNER_UID_INDEX, byOwnerUid);
      // Only a Recreate rollout reads pods (the old ReplicaSets' must be gone): those of the
      // namespace's ReplicaSets, from the owner index, not a list of every pod in the namespace.
      const podsFor = (d: Deployment, rss: ReplicaSet[]): Pod[] => (d.spec.strategy?.type === 'Recreate' ? (rss.flatMap((rs) => pods.lister.byIndex(OWNER_UID_INDEX, rs.metadata.uid ?? '')) as Pod[]) : []);
      // A deleted pod of a Recreate rollout may let the new ReplicaSet start: wake its Deployment.
      const deploymentOfPod = (pod: { metadata: { namespace?: string; ownerReferences?: { kind: string; name: string; controller?: boolean }[] } }) => {
        const rsRef = pod.metadata.ownerReferences?.find((r) => r.controller && r.kind === 'ReplicaSet');
        const rs = rsRef && replicaSets.lister.get(pod.metadata.namespace, rsRef.name);
        const d = rs && controllerOf(rs);
        return d?.kind === 'Deployment' ? [`${pod.metadata.namespace}/${d.name}`] : [];
      };
      await runController(ctx, {
        primary: DEPLOYMENTS,
        batchMs: SYNC_BATCH_MS,
        related: [
          { ref: REPLICASETS, ownerKind: 'Deployment', orphans: true },
          { ref: PODS, ownerKind: '-', extraKeys: (p) => (p.metadata.deletionTimestamp || (p.status as { phase?: string })?.phase === 'Failed' ? deploymentOfPod(p) : []) },
        ],
        sync(key) {
          const [ns, name] = splitKey(key);
          const d = deployments.lister.get(ns, name) as Deployment | undefined;
          if (!d) return Promise.resolve(undefined);
          const rss = replicaSets.lister.list(ns) as ReplicaSet[];
          return syncDeployment(ctx, d, rss, podsFor(d, rss));
        },
      });
    },
  };
}

async function syncDeployment(ctx: PluginContext, d: Deployment, rss: ReplicaSet[], pods: Pod[]): Promise<number | undefined> {
  const ns = d.metadata.namespace;
  const plan = planDeployment(d, rss, pods, ctx.clock.now());
  const ref = controllerRefTo(d, 'apps/v1', 'Deployment');
  await Promise.all([
    ...plan.adopt.map((rs) => ignoreNotFound(ctx.client.patch(REPLICASETS, ns, rs.metadata.name!, 'merge', adoptPatch(rs, ref)))),
    ...plan.release.map((rs) => ignoreNotFound(ctx.client.patch(REPLICASETS, ns, rs.metadata.name!, 'merge', releasePatch(rs, d.metadata.uid!)))),
  ]);
  let status = plan.status;
  if (plan.create) {
    try {
      const rs = await ctx.client.create(REPLICASETS, ns, plan.create);
      ctx.events.event(d, 'Normal', 'ScalingReplicaSet', 'Scale', `Scaled up replica set ${rs.metadata.name} from 0 to ${specReplicas(plan.create)}`);
    } catch (err) {
      if (!isApiError(err, 'AlreadyExists')) throw err;
      // A ReplicaSet of that name with another template is a hash collision: count it so the
      // next hash differs (status.collisionCount), as upstream does.
      const existing = (await ctx.client.get(REPLICASETS, ns, plan.create.metadata.name!)) as ReplicaSet;
      if (findNewReplicaSet(d, [existing])) return 0;
      status = { ...status, collisionCount: (d.status?.collisionCount ?? 0) + 1 };
    }
  }
  for (const rs of plan.update) {
    const before = specReplicas(rss.find((x) => x.metadata.uid === rs.metadata.uid));
    await ctx.client.update(REPLICASETS, ns, rs);
    const after = specReplicas(rs);
    if (after !== before) ctx.events.event(d, 'Normal', 'ScalingReplicaSet', 'Scale', `Scaled ${after > before ? 'up' : 'down'} replica set ${rs.metadata.name} from ${before} to ${after}`);
  }
  for (const rs of plan.delete) await ignoreNotFound(ctx.client.delete(REPLICASETS, ns, rs.metadata.name!, { preconditions: { uid: rs.metadata.uid } }));
  const annotations = plan.revision ? { ...d.metadata.annotations, [REVISION]: plan.revision } : d.metadata.annotations;
  if (plan.revision || !jsonEqual(status, d.status ?? {})) {
    await ctx.client.update(DEPLOYMENTS, ns, { ...d, metadata: { ...d.metadata, ...(annotations ? { annotations } : {}) }, status }, { subresource: 'status' });
  }
  return plan.requeueAfterMs;
}

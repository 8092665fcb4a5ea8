import { type KubeObject, labelQueryFromSet, labelSelectorAsQuery } from '../../../internal/api/index.js';
import { byOwnerUid, OWNER_UID_INDEX, type ResourceRef } from '../../../internal/client/index.js';
import type { Plugin, PluginContext } from '../../../internal/plugin/index.js';
import { jsonEqual } from '../../../internal/util/index.js';
import { byOrphanNamespace, claimCandidates, controllerRefTo, ORPHAN_INDEX } from '../workloads/claim.js';
import type { Condition } from '../workloads/conditions.js';
import { PODS, REPLICASETS, SYNC_BATCH_MS, ownedPods, runController, splitKey } from '../workloads/controller.js';
import { Expectations } from '../workloads/expectations.js';
import { PodControl } from '../workloads/pod-control.js';
import type { Pod } from '../workloads/pods.js';
import { type PodTemplate, podFromTemplate } from '../workloads/template.js';
import { type ReplicaTarget, planReplicas } from './decide.js';

interface ReplicaKind {
  plugin: string;
  user: string;
  ref: ResourceRef;
  apiVersion: string;
  kind: string;
  /** apps/v1 LabelSelector, or the label map of a ReplicationController. */
  target(obj: KubeObject): ReplicaTarget;
}

const spec = (o: KubeObject) => (o.spec ?? {}) as { replicas?: number; minReadySeconds?: number; selector?: unknown; template?: PodTemplate };
const base = (o: KubeObject) => ({
  owner: o,
  replicas: spec(o).replicas ?? 1,
  minReadySeconds: spec(o).minReadySeconds ?? 0,
  templateLabels: spec(o).template?.metadata?.labels ?? {},
  conditions: (o.status as { conditions?: Condition[] } | undefined)?.conditions,
});

const REPLICA_SET: ReplicaKind = {
  plugin: 'replicaset-controller',
  user: 'system:serviceaccount:kube-system:replicaset-controller',
  ref: REPLICASETS,
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  target: (o) => ({ ...base(o), selector: labelSelectorAsQuery(spec(o).selector as never) }),
};

const REPLICATION_CONTROLLER: ReplicaKind = {
  plugin: 'replicationcontroller',
  user: 'system:serviceaccount:kube-system:replication-controller',
  ref: { group: '', version: 'v1', resource: 'replicationcontrollers' },
  apiVersion: 'v1',
  kind: 'ReplicationController',
  target: (o) => ({ ...base(o), selector: labelQueryFromSet(spec(o).selector as Record<string, string>) }),
};

/** Keeps spec.replicas pods of each ReplicaSet (or ReplicationController) and reports its status. */
function replicaPlugin(k: ReplicaKind): Plugin {
  return {
    name: k.plugin,
    election: 'leader',
    user: k.user,
    async run(ctx: PluginContext) {
      const expectations = new Expectations(() => ctx.clock.now());
      const pods = new PodControl(ctx, expectations, k.apiVersion, k.kind);
      const owners = ctx.informers.informer(k.ref);
      const podInformer = ctx.informers.informer(PODS);
      podInformer.addIndexer(OWNER_UID_INDEX, byOwnerUid);
      podInformer.addIndexer(ORPHAN_INDEX, byOrphanNamespace);
      await runController(ctx, {
        primary: k.ref,
        batchMs: SYNC_BATCH_MS,
        forget: (key) => expectations.forget(key),
        related: [
          ownedPods(k.kind, expectations),
        ],
        async sync(key) {
          const [ns, name] = splitKey(key);
          const obj = owners.lister.get(ns, name);
          if (!obj) return undefined;
          const now = ctx.clock.now();
          const t = k.target(obj);
          const candidates = claimCandidates(podInformer.lister, obj) as Pod[];
          const plan = planReplicas(t, candidates, now, expectations.satisfied(key), () => podInformer.lister.list(ns) as Pod[]);
          await pods.claim(obj, plan.adopt, plan.release);
          const template = spec(obj).template;
          const ref = controllerRefTo(obj, k.apiVersion, k.kind);
          await pods.create(key, obj, plan.create, () => podFromTemplate(template, ref, ns, `${name}-`));
          await pods.delete(key, obj, plan.delete);
          const status = { ...(obj.status as object), ...plan.status };
          if (!jsonEqual(status, obj.status)) await ctx.client.update(k.ref, ns, { ...obj, status }, { subresource: 'status' });
          return plan.requeueAfterMs;
        },
      });
    },
  };
}

export const replicaSetPlugin = (): Plugin => replicaPlugin(REPLICA_SET);
export const replicationControllerPlugin = (): Plugin => replicaPlugin(REPLICATION_CONTROLLER);

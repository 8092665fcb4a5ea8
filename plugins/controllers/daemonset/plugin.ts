import type { Plugin, PluginContext } from '../../../internal/plugin/index.js';
import { jsonEqual } from '../../../internal/util/index.js';
import { candidatesFrom } from '../workloads/claim.js';
import { PODS, ownedPods, runController, splitKey } from '../workloads/controller.js';
import { Expectations } from '../workloads/expectations.js';
import { REVISION_HASH_LABEL } from '../workloads/history.js';
import { PodControl } from '../workloads/pod-control.js';
import type { Pod } from '../workloads/pods.js';
import { CONTROLLER_REVISIONS, RevisionControl } from '../workloads/revision-control.js';
import { type DaemonSet, HASH_LABEL, daemonPod, planDaemonSet } from './decide.js';

const DAEMONSETS = { group: 'apps', version: 'v1', resource: 'daemonsets' };
const NODES = { group: '', version: 'v1', resource: 'nodes' };

/** Runs one pod of each DaemonSet on every node it fits and keeps its ControllerRevisions (upstream's daemon controller). */
export function daemonSetPlugin(): Plugin {
  return {
    name: 'daemonset-controller',
    election: 'leader',
    user: 'system:serviceaccount:kube-system:daemon-set-controller',
    async run(ctx: PluginContext) {
      const expectations = new Expectations(() => ctx.clock.now());
      const control = new PodControl(ctx, expectations, 'apps/v1', 'DaemonSet');
      const sets = ctx.informers.informer(DAEMONSETS);
      const candidates = candidatesFrom(ctx.informers.informer(PODS));
      const nodes = ctx.informers.informer(NODES);
      const history = new RevisionControl(ctx, 'DaemonSet');
      const all = () => sets.lister.list().map((d) => `${d.metadata.namespace}/${d.metadata.name}`);
      await runController(ctx, {
        primary: DAEMONSETS,
        forget: (key) => expectations.forget(key),
        related: [
          ownedPods('DaemonSet', expectations),
          { ref: CONTROLLER_REVISIONS, ownerKind: 'DaemonSet' },
          // A node added, relabelled or (un)tainted may change where every DaemonSet runs.
          { ref: NODES, ownerKind: '-', extraKeys: all },
        ],
        async sync(key) {
          const [ns, name] = splitKey(key);
          const ds = sets.lister.get(ns, name) as DaemonSet | undefined;
          if (!ds) return undefined;
          const collisionCount = ds.status?.collisionCount ?? 0;
          const revisions = await history.sync(ds, collisionCount);
          if (!revisions) {
            await ctx.client.update(DAEMONSETS, ns, { ...ds, status: { ...ds.status, collisionCount: collisionCount + 1 } }, { subresource: 'status' });
            return 0;
          }
          const hash = revisions.update.metadata.labels?.[REVISION_HASH_LABEL] ?? '';
          const plan = planDaemonSet(ds, hash, nodes.lister.list(), candidates(ds) as Pod[], ctx.clock.now(), expectations.satisfied(key));
          await control.claim(ds, plan.adopt, plan.release);
          await control.create(key, ds, plan.create.length, (i) => daemonPod(ds, hash, plan.create[i]!));
          await control.delete(key, ds, plan.delete);
          const status = { ...(ds.status as object), ...plan.status };
          if (!jsonEqual(status, ds.status ?? {})) await ctx.client.update(DAEMONSETS, ns, { ...ds, status }, { subresource: 'status' });
          const live = new Set(candidates(ds).map((p) => `${name}-${p.metadata.labels?.[HASH_LABEL]}`));
          await history.truncate(ds, revisions, live);
          return plan.requeueAfterMs;
        },
      });
    },
  };
}

import { isApiError } from '../../../internal/api/index.js';
import type { Plugin, PluginContext } from '../../../internal/plugin/index.js';
import { jsonEqual } from '../../../internal/util/index.js';
import { candidatesFrom } from '../workloads/claim.js';
import { PODS, ownedPods, runController, splitKey } from '../workloads/controller.js';
import { Expectations } from '../workloads/expectations.js';
import { templateOf } from '../workloads/history.js';
import { PodControl } from '../workloads/pod-control.js';
import type { Pod } from '../workloads/pods.js';
import { CONTROLLER_REVISIONS, RevisionControl } from '../workloads/revision-control.js';
import { REVISION_LABEL, type StatefulSet, planStatefulSet } from './decide.js';

const STATEFULSETS = { group: 'apps', version: 'v1', resource: 'statefulsets' };
const PVCS = { group: '', version: 'v1', resource: 'persistentvolumeclaims' };

/** Keeps StatefulSets' ordinal pods, their claims and ControllerRevisions (upstream's statefulset controller). */
export function statefulSetPlugin(): Plugin {
  return {
    name: 'statefulset-controller',
    election: 'leader',
    user: 'system:serviceaccount:kube-system:statefulset-controller',
    async run(ctx: PluginContext) {
      const expectations = new Expectations(() => ctx.clock.now());
      const control = new PodControl(ctx, expectations, 'apps/v1', 'StatefulSet');
      const sets = ctx.informers.informer(STATEFULSETS);
      const candidates = candidatesFrom(ctx.informers.informer(PODS));
      const claims = ctx.informers.informer(PVCS);
      const history = new RevisionControl(ctx, 'StatefulSet');
      await runController(ctx, {
        primary: STATEFULSETS,
        forget: (key) => expectations.forget(key),
        related: [
          ownedPods('StatefulSet', expectations),
          { ref: CONTROLLER_REVISIONS, ownerKind: 'StatefulSet' },
        ],
        async sync(key) {
          const [ns, name] = splitKey(key);
          const sts = sets.lister.get(ns, name) as StatefulSet | undefined;
          if (!sts) return undefined;
          const collisionCount = sts.status?.collisionCount ?? 0;
          const revisions = await history.sync(sts, collisionCount);
          if (!revisions) {
            await ctx.client.update(STATEFULSETS, ns, { ...sts, status: { ...sts.status, collisionCount: collisionCount + 1 } }, { subresource: 'status' });
            return 0;
          }
          const { update } = revisions;
          const current = revisions.revisions.find((r) => r.metadata.name === sts.status?.currentRevision) ?? update;
          const have = new Set(claims.lister.list(ns).map((c) => c.metadata.name!));
          const plan = planStatefulSet(
            sts,
            { current: { name: current.metadata.name!, template: templateOf(current) }, update: { name: update.metadata.name!, template: sts.spec.template } },
            candidates(sts) as Pod[],
            have,
            ctx.clock.now(),
            expectations.satisfied(key),
          );
          await control.claim(sts, plan.adopt, plan.release);
          for (const c of plan.claims) {
            try {
              await ctx.client.create(PVCS, ns, c);
            } catch (err) {
              if (!isApiError(err, 'AlreadyExists')) throw err;
            }
          }
          await control.create(key, sts, plan.create.length, (i) => plan.create[i]!);
          await control.delete(key, sts, plan.delete);
          const status = { ...(sts.status ?? {}), ...plan.status };
          if (!jsonEqual(status, sts.status ?? {})) await ctx.client.update(STATEFULSETS, ns, { ...sts, status }, { subresource: 'status' });
          const live = new Set([current.metadata.name!, ...candidates(sts).map((p) => p.metadata.labels?.[REVISION_LABEL] ?? '')]);
          await history.truncate(sts, revisions, live);
          return plan.requeueAfterMs;
        },
      });
    },
  };
}

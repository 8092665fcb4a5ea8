import type { KubeObject } from '../../../internal/api/index.js';
import type { Plugin, PluginContext } from '../../../internal/plugin/index.js';
import { jsonEqual } from '../../../internal/util/index.js';
import { runController, splitKey } from '../workloads/controller.js';
import { type Hpa, type ScaleRead, planHpa } from './decide.js';

const HPAS = { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers' };
const SYNC_PERIOD_MS = 15_000;

/** Resources whose scale subresource an HPA may target, by apiVersion group and kind. */
function scaleRef(apiVersion: string | undefined, kind: string) {
  const [group, version] = apiVersion?.includes('/') ? apiVersion.split('/') : ['', apiVersion ?? 'v1'];
  const plural = `${kind.toLowerCase()}${kind.endsWith('s') ? 'es' : 's'}`;
  return { group: group!, version: version!, resource: plural };
}

/** Keeps HPAs' status honest while no metrics API exists (upstream's horizontal-pod-autoscaler). */
export function hpaPlugin(): Plugin {
  return {
    name: 'horizontal-pod-autoscaler',
    election: 'leader',
    user: 'system:serviceaccount:kube-system:horizontal-pod-autoscaler',
    async run(ctx: PluginContext) {
      const hpas = ctx.informers.informer(HPAS);
      await runController(ctx, {
        primary: HPAS,
        workers: 1,
        related: [],
        async sync(key) {
          const [ns, name] = splitKey(key);
          const hpa = hpas.lister.get(ns, name) as unknown as Hpa | undefined;
          if (!hpa) return undefined;
          const ref = hpa.spec.scaleTargetRef;
          let scale: ScaleRead;
          try {
            const s = (await ctx.client.get(scaleRef(ref.apiVersion, ref.kind), ns, ref.name, { subresource: 'scale' })) as { status?: { replicas?: number } };
            scale = { replicas: s.status?.replicas ?? 0 };
          } catch (err) {
            scale = { error: (err as Error).message };
          }
          const { status, events } = planHpa(hpa, scale, ctx.clock.now());
          for (const e of events) ctx.events.event(hpa as unknown as KubeObject, e.type, e.reason, e.reason, e.message);
          if (!jsonEqual(status, hpa.status ?? {})) await ctx.client.update(HPAS, ns, { ...(hpa as unknown as KubeObject), status }, { subresource: 'status' });
          return SYNC_PERIOD_MS;
        },
      });
    },
  };
}

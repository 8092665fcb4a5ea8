import { pause } from '../../../internal/client/index.js';
import type { Plugin, PluginContext } from '../../../internal/plugin/index.js';
import { controller, rfc3339, tolerate } from '../shared/plugin.js';
import { NODES, PODS } from '../shared/refs.js';
import { GC_PERIOD_MS, QUARANTINE_MS, TERMINATED_POD_THRESHOLD, failedStatusPatch, missingNodes, podGcPass } from './decide.js';

export interface PodGcOptions {
  /** --terminated-pod-gc-threshold; 0 or less keeps every terminated pod. */
  threshold?: number;
  periodMs?: number;
  quarantineMs?: number;
}

/**
 * Confirms nodes missing from the cache for longer than the quarantine with a live read (a node
 * cache can lag), as upstream's podgc does before it calls a node gone.
 */
async function goneNodes(ctx: PluginContext, missing: Set<string>, firstMissing: Map<string, number>, quarantineMs: number): Promise<Set<string>> {
  const now = ctx.clock.now();
  for (const n of [...firstMissing.keys()]) if (!missing.has(n)) firstMissing.delete(n);
  const gone = new Set<string>();
  for (const n of missing) {
    const since = firstMissing.get(n) ?? now;
    firstMissing.set(n, since);
    if (now - since < quarantineMs) continue;
    if (!(await tolerate(() => ctx.client.get(NODES, undefined, n), 'NotFound'))) gone.add(n);
  }
  return gone;
}

/** Pod garbage collection: terminated pods over a threshold, orphans of deleted nodes, stuck terminating pods. */
export function podGcPlugin(opts: PodGcOptions = {}): Plugin {
  const threshold = opts.threshold ?? TERMINATED_POD_THRESHOLD;
  return controller('podgc', 'pod-garbage-collector', async (ctx) => {
    const pods = ctx.informers.informer(PODS);
    const nodes = ctx.informers.informer(NODES);
    if (!(await ctx.informers.waitForCacheSync(ctx.signal))) return;
    const firstMissing = new Map<string, number>();
    while (!ctx.signal.aborted) {
      try {
        const all = pods.lister.list();
        const nodeMap = new Map(nodes.lister.list().map((n) => [n.metadata.name!, n]));
        const gone = await goneNodes(ctx, missingNodes(all, (n) => nodeMap.has(n)), firstMissing, opts.quarantineMs ?? QUARANTINE_MS);
        for (const d of podGcPass({ pods: all, nodes: nodeMap, goneNodes: gone, threshold })) {
          const { namespace, name, uid } = d.pod.metadata;
          if (d.markFailed) {
            await tolerate(() => ctx.client.patch(PODS, namespace, name!, 'merge', failedStatusPatch(d.pod, d.condition, rfc3339(ctx.clock.now())), { subresource: 'status' }), 'NotFound');
          }
          await tolerate(() => ctx.client.delete(PODS, namespace, name!, { gracePeriodSeconds: 0, preconditions: { uid } }), 'NotFound', 'Conflict');
        }
      } catch (err) {
        if (ctx.signal.aborted) break;
        ctx.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'podgc: pass failed');
      }
      await pause(ctx.clock, opts.periodMs ?? GC_PERIOD_MS, ctx.signal);
    }
  });
}

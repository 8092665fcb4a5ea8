import { WorkQueue } from '../../../internal/client/index.js';
import type { Plugin } from '../../../internal/plugin/index.js';
import { controller, reconcileQueue, rfc3339 } from '../shared/plugin.js';
import { NAMESPACES } from '../shared/refs.js';
import type { ServedResources } from '../shared/served.js';
import { syncNamespace } from './deleter.js';

/** Longest pause before looking again at a namespace whose content is still going away. */
const MAX_RECHECK_MS = 5000;

/**
 * Finishes `kubectl delete namespace`: deletes every namespaced object of every served resource
 * (custom resources included), then removes the `kubernetes` finalizer so the namespace goes.
 */
export function namespacePlugin(served: ServedResources): Plugin {
  return controller('namespace', 'namespace-controller', async (ctx) => {
    const namespaces = ctx.informers.informer(NAMESPACES);
    const queue = new WorkQueue<string>({ clock: ctx.clock, baseDelayMs: 100, maxDelayMs: 60_000 });
    const changed = (ns: { metadata: { name?: string; deletionTimestamp?: string } }) => {
      if (ns.metadata.deletionTimestamp) queue.add(ns.metadata.name!);
    };
    namespaces.addEventHandler({ onAdd: changed, onUpdate: (_, ns) => changed(ns) });
    const rechecks = new Map<string, number>();
    await reconcileQueue(ctx, queue, 2, async (name) => {
      const r = await syncNamespace(ctx.client, served.list(), name, () => ctx.clock.now(), rfc3339);
      if (r.done) {
        rechecks.delete(name);
        return;
      }
      // Upstream waits half the estimate; content often goes much sooner (the garbage collector
      // and unscheduled pods do not wait), so look again soon, backing off up to MAX_RECHECK_MS.
      const n = rechecks.get(name) ?? 0;
      rechecks.set(name, n + 1);
      queue.addAfter(name, Math.min(r.estimateSeconds * 500 + 1000, 250 * 2 ** Math.min(n, 5), MAX_RECHECK_MS));
    });
  });
}

import { WorkQueue, splitKey } from '../../../internal/client/index.js';
import type { Plugin } from '../../../internal/plugin/index.js';
import { controller, reconcileQueue, tolerate } from '../shared/plugin.js';
import { JOBS } from '../shared/refs.js';
import { ttlDecision } from './decide.js';

/** Deletes finished Jobs (and, in the foreground, their pods) ttlSecondsAfterFinished after they finished. */
export function ttlAfterFinishedPlugin(): Plugin {
  return controller('ttl-after-finished', 'ttl-after-finished-controller', async (ctx) => {
    const jobs = ctx.informers.informer(JOBS);
    const queue = new WorkQueue<string>({ clock: ctx.clock });
    const key = (j: { metadata: { namespace?: string; name?: string } }) => queue.add(`${j.metadata.namespace}/${j.metadata.name}`);
    jobs.addEventHandler({ onAdd: key, onUpdate: (_, j) => key(j) });
    await reconcileQueue(ctx, queue, 2, async (k) => {
      const { namespace, name } = splitKey(k);
      const cached = jobs.lister.get(namespace, name);
      if (!cached) return;
      const d = ttlDecision(cached, ctx.clock.now());
      if (d.action === 'wait') queue.addAfter(k, d.ms);
      if (d.action !== 'delete') return;
      // Decide again on the live object: its TTL may have been raised since the cache saw it.
      const live = await tolerate(() => ctx.client.get(JOBS, namespace, name), 'NotFound');
      if (!live || ttlDecision(live, ctx.clock.now()).action !== 'delete') return;
      const pre = { uid: live.metadata.uid, resourceVersion: live.metadata.resourceVersion };
      await tolerate(() => ctx.client.delete(JOBS, namespace, name, { propagationPolicy: 'Foreground', preconditions: pre }), 'NotFound', 'Conflict');
    });
  });
}

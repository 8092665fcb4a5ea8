import { WorkQueue, splitKey } from '../../../internal/client/index.js';
import type { Plugin } from '../../../internal/plugin/index.js';
import { controller, reconcileQueue, tolerate } from '../shared/plugin.js';
import { SECRETS } from '../shared/refs.js';
import { cleanDecision } from './decide.js';

/** Bootstrap tokens live here (and only here are they read). */
const NAMESPACE = 'kube-system';

/** Deletes expired bootstrap-token Secrets in kube-system (upstream's tokencleaner, as ServiceAccount token-cleaner). */
export function tokenCleanerPlugin(): Plugin {
  return controller('tokencleaner', 'token-cleaner', async (ctx) => {
    const secrets = ctx.informers.informer(SECRETS, NAMESPACE);
    const queue = new WorkQueue<string>({ clock: ctx.clock });
    const key = (s: { metadata: { namespace?: string; name?: string } }) => queue.add(`${s.metadata.namespace}/${s.metadata.name}`);
    secrets.addEventHandler({ onAdd: key, onUpdate: (_, s) => key(s) });
    await reconcileQueue(ctx, queue, 1, async (k) => {
      const { namespace, name } = splitKey(k);
      const cached = secrets.lister.get(namespace, name);
      if (!cached) return;
      const d = cleanDecision(cached, ctx.clock.now());
      if (d.action === 'wait') queue.addAfter(k, d.ms);
      if (d.action !== 'delete') return;
      // Decide again on the live object: its expiration may have been moved since the cache saw it.
      const live = await tolerate(() => ctx.client.get(SECRETS, namespace, name), 'NotFound');
      if (!live || cleanDecision(live, ctx.clock.now()).action !== 'delete') return;
      const pre = { uid: live.metadata.uid, resourceVersion: live.metadata.resourceVersion };
      await tolerate(() => ctx.client.delete(SECRETS, namespace, name, { preconditions: pre }), 'NotFound', 'Conflict');
      ctx.log.info({ secret: name }, 'deleted an expired bootstrap token');
    });
  });
}

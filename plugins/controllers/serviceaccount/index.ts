import { WorkQueue } from '../../../internal/client/index.js';
import type { Plugin } from '../../../internal/plugin/index.js';
import { controller, reconcileQueue, tolerate } from '../shared/plugin.js';
import { NAMESPACES, SERVICEACCOUNTS } from '../shared/refs.js';
import { DEFAULT_SERVICE_ACCOUNTS, missingServiceAccounts } from './decide.js';

/** Every active namespace has the `default` ServiceAccount; deleting it brings it back. */
export function serviceAccountPlugin(): Plugin {
  return controller('serviceaccount', 'service-account-controller', async (ctx) => {
    const namespaces = ctx.informers.informer(NAMESPACES);
    const accounts = ctx.informers.informer(SERVICEACCOUNTS);
    const queue = new WorkQueue<string>({ clock: ctx.clock });
    namespaces.addEventHandler({ onAdd: (ns) => queue.add(ns.metadata.name!), onUpdate: (_, ns) => queue.add(ns.metadata.name!) });
    accounts.addEventHandler({
      onDelete: (sa) => {
        if (DEFAULT_SERVICE_ACCOUNTS.includes(sa.metadata.name!)) queue.add(sa.metadata.namespace!);
      },
    });
    await reconcileQueue(ctx, queue, 2, async (name) => {
      const ns = namespaces.lister.get(undefined, name);
      if (!ns) return;
      for (const sa of missingServiceAccounts(ns, (n) => !!accounts.lister.get(name, n))) {
        // Forbidden: the namespace started terminating since the cache saw it.
        await tolerate(() => ctx.client.create(SERVICEACCOUNTS, name, sa), 'AlreadyExists', 'Forbidden', 'NotFound');
      }
    });
  });
}

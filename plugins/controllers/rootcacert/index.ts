import { WorkQueue } from '../../../internal/client/index.js';
import type { Plugin } from '../../../internal/plugin/index.js';
import { controller, reconcileQueue, tolerate } from '../shared/plugin.js';
import { CONFIGMAPS, NAMESPACES } from '../shared/refs.js';
import { ROOT_CA_CONFIGMAP, rootCaAction } from './decide.js';

/** Publishes the cluster CA as the `kube-root-ca.crt` ConfigMap in every namespace and keeps it so. */
export function rootCaCertPlugin(ca: () => string): Plugin {
  return controller('root-ca-cert-publisher', 'root-ca-cert-publisher', async (ctx) => {
    const caPem = ca();
    const namespaces = ctx.informers.informer(NAMESPACES);
    const configMaps = ctx.informers.informer(CONFIGMAPS);
    const queue = new WorkQueue<string>({ clock: ctx.clock });
    namespaces.addEventHandler({ onAdd: (ns) => queue.add(ns.metadata.name!), onUpdate: (_, ns) => queue.add(ns.metadata.name!) });
    const touched = (cm: { metadata: { name?: string; namespace?: string } }) => {
      if (cm.metadata.name === ROOT_CA_CONFIGMAP) queue.add(cm.metadata.namespace!);
    };
    configMaps.addEventHandler({ onAdd: touched, onUpdate: (_, cm) => touched(cm), onDelete: touched });
    await reconcileQueue(ctx, queue, 2, async (name) => {
      const ns = namespaces.lister.get(undefined, name);
      if (!ns) return;
      const a = rootCaAction(ns, configMaps.lister.get(name, ROOT_CA_CONFIGMAP), caPem);
      if (a.action === 'create') await tolerate(() => ctx.client.create(CONFIGMAPS, name, a.object), 'AlreadyExists', 'Forbidden', 'NotFound');
      if (a.action === 'update') await tolerate(() => ctx.client.update(CONFIGMAPS, name, a.object), 'NotFound');
    });
  });
}

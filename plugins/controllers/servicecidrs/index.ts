import { WorkQueue } from '../../../internal/client/index.js';
import type { KubeObject } from '../../../internal/api/index.js';
import type { Plugin } from '../../../internal/plugin/index.js';
import { controller, reconcileQueue, rfc3339, tolerate } from '../shared/plugin.js';
import { IPADDRESSES, SERVICECIDRS } from '../shared/refs.js';
import { SERVICE_CIDR_FINALIZER, serviceCIDRDecision } from './decide.js';

/**
 * Keeps ServiceCIDRs as upstream's servicecidrs controller does: the finalizer and the Ready
 * condition on live ones; deletion held while an address would be left without a range.
 */
export function serviceCIDRsPlugin(): Plugin {
  return controller('service-cidrs', 'service-cidrs-controller', async (ctx) => {
    const cidrs = ctx.informers.informer(SERVICECIDRS);
    const ips = ctx.informers.informer(IPADDRESSES);
    const queue = new WorkQueue<string>({ clock: ctx.clock });
    const key = (o: KubeObject) => queue.add(o.metadata.name ?? '');
    cidrs.addEventHandler({ onAdd: key, onUpdate: (_, o) => key(o), onDelete: () => cidrs.lister.list().forEach(key) });
    // A freed address may let a ServiceCIDR being deleted go.
    ips.addEventHandler({ onDelete: () => cidrs.lister.list().filter((c) => c.metadata.deletionTimestamp).forEach(key) });
    await reconcileQueue(ctx, queue, 1, async (name) => {
      const sc = cidrs.lister.get(undefined, name);
      if (!sc) return;
      const d = serviceCIDRDecision(sc, cidrs.lister.list(), ips.lister.list().map((o) => o.metadata.name ?? ''));
      const pre = { resourceVersion: sc.metadata.resourceVersion };
      const finalizers = sc.metadata.finalizers ?? [];
      if (d.action === 'addFinalizer' || d.action === 'removeFinalizer') {
        const next = d.action === 'addFinalizer' ? [...finalizers, SERVICE_CIDR_FINALIZER] : finalizers.filter((f) => f !== SERVICE_CIDR_FINALIZER);
        await tolerate(() => ctx.client.update(SERVICECIDRS, undefined, { ...sc, metadata: { ...sc.metadata, ...pre, finalizers: next } }), 'NotFound', 'Conflict');
      } else if (d.action === 'setReady') {
        const conditions = [{ type: 'Ready', ...d.condition, lastTransitionTime: rfc3339(ctx.clock.now()) }];
        await tolerate(() => ctx.client.update(SERVICECIDRS, undefined, { ...sc, status: { ...(sc.status ?? {}), conditions } }, { subresource: 'status' }), 'NotFound', 'Conflict');
      }
    });
  });
}

import { WorkQueue, splitKey } from '../../../internal/client/index.js';
import type { Plugin } from '../../../internal/plugin/index.js';
import { controller, reconcileQueue, tolerate } from '../shared/plugin.js';
import { ENDPOINTS, PODS, SERVICES } from '../shared/refs.js';
import { queueServices } from '../shared/service-queue.js';
import { TriggerTimeTracker } from '../shared/trigger-time.js';
import { desiredEndpoints } from './desired.js';
import { ENDPOINTS_CONTROLLER_NAME, ENDPOINTS_MANAGED_BY_LABEL, hasSelector, selectedPods } from './service.js';

/** Keeps the Endpoints of every Service with a selector equal to the pods it selects. */
export function endpointsPlugin(): Plugin {
  return controller('endpoints', 'endpoint-controller', async (ctx) => {
    const services = ctx.informers.informer(SERVICES);
    const pods = ctx.informers.informer(PODS);
    const endpoints = ctx.informers.informer(ENDPOINTS);
    const queue = new WorkQueue<string>({ clock: ctx.clock });
    queueServices(services, pods, queue);
    // Endpoints deleted or edited by someone else are put back.
    const touched = (ep: { metadata: { name?: string; namespace?: string } }) => queue.add(`${ep.metadata.namespace}/${ep.metadata.name}`);
    endpoints.addEventHandler({ onUpdate: (_, ep) => touched(ep), onDelete: touched });
    const triggers = new TriggerTimeTracker();
    await reconcileQueue(ctx, queue, 4, async (key) => {
      const { namespace, name } = splitKey(key);
      const svc = services.lister.get(namespace, name);
      if (!svc) {
        triggers.forget(namespace!, name);
        // Custom Endpoints without a Service are someone else's; ours go with their Service.
        const ep = endpoints.lister.get(namespace, name);
        if (ep?.metadata.labels?.[ENDPOINTS_MANAGED_BY_LABEL] !== ENDPOINTS_CONTROLLER_NAME) return;
        await tolerate(() => ctx.client.delete(ENDPOINTS, namespace, name, { preconditions: { uid: ep.metadata.uid } }), 'NotFound', 'Conflict');
        return;
      }
      if (!hasSelector(svc)) return;
      const selected = selectedPods(svc, pods.lister.list(namespace));
      const current = endpoints.lister.get(namespace, name);
      const want = desiredEndpoints(svc, selected, current, triggers.compute(svc, selected));
      if (!want) return;
      // A stale cache shows as Conflict or AlreadyExists: the retry sees the newer object.
      if (current) await ctx.client.update(ENDPOINTS, namespace, want);
      else await ctx.client.create(ENDPOINTS, namespace, want);
    });
  });
}

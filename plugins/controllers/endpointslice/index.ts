import { WorkQueue, byLabel, splitKey } from '../../../internal/client/index.js';
import type { Plugin } from '../../../internal/plugin/index.js';
import { hasSelector, selectedPods } from '../endpoints/service.js';
import { controller, reconcileQueue } from '../shared/plugin.js';
import { ENDPOINTSLICES, PODS, SERVICES } from '../shared/refs.js';
import { queueServices } from '../shared/service-queue.js';
import { TriggerTimeTracker } from '../shared/trigger-time.js';
import { applyPlan } from './apply.js';
import { CONTROLLER_NAME, serviceSliceGroups, serviceSliceTemplate } from './from-service.js';
import { MANAGED_BY_LABEL, SERVICE_NAME_LABEL, planSlices } from './plan.js';

export const SERVICE_NAME_INDEX = 'endpointslice-service-name';

/**
 * Keeps the EndpointSlices of every Service with a selector equal to the pods it selects (slices
 * it manages carry its managed-by label and the Service as controller owner; they go with the
 * Service through the garbage collector).
 */
export function endpointSlicePlugin(): Plugin {
  return controller('endpointslice', 'endpointslice-controller', async (ctx) => {
    const services = ctx.informers.informer(SERVICES);
    const pods = ctx.informers.informer(PODS);
    const slices = ctx.informers.informer(ENDPOINTSLICES);
    slices.addIndexer(SERVICE_NAME_INDEX, byLabel(SERVICE_NAME_LABEL));
    const queue = new WorkQueue<string>({ clock: ctx.clock });
    queueServices(services, pods, queue);
    const touched = (s: { metadata: { namespace?: string; labels?: Record<string, string> } }) => {
      const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
      if (svc && s.metadata.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME) queue.add(`${s.metadata.namespace}/${svc}`);
    };
    slices.addEventHandler({ onUpdate: (_, s) => touched(s), onDelete: touched });
    const triggers = new TriggerTimeTracker();
    await reconcileQueue(ctx, queue, 4, async (key) => {
      const { namespace, name } = splitKey(key);
      const svc = services.lister.get(namespace, name);
      if (!svc || !hasSelector(svc) || svc.metadata.deletionTimestamp) {
        triggers.forget(namespace!, name);
        return;
      }
      const existing = slices.lister
        .byIndex(SERVICE_NAME_INDEX, name)
        .filter((s) => s.metadata.namespace === namespace && s.metadata.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME);
      const selected = selectedPods(svc, pods.lister.list(namespace));
      const plan = planSlices(serviceSliceTemplate(svc, triggers.compute(svc, selected)), serviceSliceGroups(svc, selected), existing);
      await applyPlan(ctx.client, namespace!, plan);
    });
  });
}

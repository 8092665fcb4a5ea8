import { WorkQueue, byLabel, splitKey } from '../../../internal/client/index.js';
import type { Plugin } from '../../../internal/plugin/index.js';
import { controller, reconcileQueue } from '../shared/plugin.js';
import { ENDPOINTS, ENDPOINTSLICES, SERVICES } from '../shared/refs.js';
import { applyPlan } from './apply.js';
import { MIRRORING_CONTROLLER_NAME, mirrorSliceGroups, mirrorSliceTemplate, shouldMirror } from './mirror.js';
import { MANAGED_BY_LABEL, SERVICE_NAME_LABEL, planSlices } from './plan.js';

const INDEX = 'endpointslicemirroring-service-name';

/** Mirrors custom Endpoints (of Services without a selector) into EndpointSlices, and removes the mirrors when they go. */
export function endpointSliceMirroringPlugin(): Plugin {
  return controller('endpointslicemirroring', 'endpointslicemirroring-controller', async (ctx) => {
    const services = ctx.informers.informer(SERVICES);
    const endpoints = ctx.informers.informer(ENDPOINTS);
    const slices = ctx.informers.informer(ENDPOINTSLICES);
    slices.addIndexer(INDEX, byLabel(SERVICE_NAME_LABEL));
    const queue = new WorkQueue<string>({ clock: ctx.clock });
    const key = (o: { metadata: { namespace?: string; name?: string } }) => queue.add(`${o.metadata.namespace}/${o.metadata.name}`);
    services.addEventHandler({ onAdd: key, onUpdate: (_, s) => key(s), onDelete: key });
    endpoints.addEventHandler({ onAdd: key, onUpdate: (_, e) => key(e), onDelete: key });
    const touched = (s: { metadata: { namespace?: string; labels?: Record<string, string> } }) => {
      const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
      if (svc && s.metadata.labels?.[MANAGED_BY_LABEL] === MIRRORING_CONTROLLER_NAME) queue.add(`${s.metadata.namespace}/${svc}`);
    };
    slices.addEventHandler({ onUpdate: (_, s) => touched(s), onDelete: touched });
    await reconcileQueue(ctx, queue, 2, async (k) => {
      const { namespace, name } = splitKey(k);
      const ep = endpoints.lister.get(namespace, name);
      const existing = slices.lister
        .byIndex(INDEX, name)
        .filter((s) => s.metadata.namespace === namespace && s.metadata.labels?.[MANAGED_BY_LABEL] === MIRRORING_CONTROLLER_NAME);
      const mirror = ep && shouldMirror(ep, services.lister.get(namespace, name));
      const plan = mirror ? planSlices(mirrorSliceTemplate(ep), mirrorSliceGroups(ep), existing) : { create: [], update: [], delete: existing };
      await applyPlan(ctx.client, namespace!, plan);
    });
  });
}

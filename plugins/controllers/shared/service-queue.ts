import type { KubeObject } from '../../../internal/api/index.js';
import type { Informer, WorkQueue } from '../../../internal/client/index.js';
import { hasSelector, selectedPods } from '../endpoints/service.js';

/**
 * Feeds a queue of Service keys ("ns/name") from Service and Pod changes, as the endpoints and
 * endpointslice controllers both need: a Service change queues it; a pod change queues every
 * Service with a selector in its namespace that selects the pod before or after the change.
 */
export function queueServices(services: Informer, pods: Informer, queue: WorkQueue<string>): void {
  const key = (o: KubeObject) => `${o.metadata.namespace}/${o.metadata.name}`;
  services.addEventHandler({ onAdd: (s) => queue.add(key(s)), onUpdate: (_, s) => queue.add(key(s)), onDelete: (s) => queue.add(key(s)) });
  const forPods = (...changed: KubeObject[]) => {
    const ns = changed[0]!.metadata.namespace;
    for (const svc of services.lister.list(ns)) {
      if (hasSelector(svc) && selectedPods(svc, changed).length > 0) queue.add(key(svc));
    }
  };
  pods.addEventHandler({ onAdd: (p) => forPods(p), onUpdate: (old, p) => forPods(old, p), onDelete: (p) => forPods(p) });
}

import type { KubeObject } from '../../../internal/api/index.js';
import { labelQueryFromSet } from '../../../internal/api/index.js';
import type { ServicePort } from '../shared/pod.js';

export interface ServiceSpec {
  selector?: Record<string, string>;
  clusterIP?: string;
  ipFamilies?: string[];
  ports?: ServicePort[];
  publishNotReadyAddresses?: boolean;
  type?: string;
}

export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
/** Marks Endpoints this controller writes; only those are deleted when their Service goes. */
export const ENDPOINTS_MANAGED_BY_LABEL = 'endpoints.kubernetes.io/managed-by';
export const ENDPOINTS_CONTROLLER_NAME = 'endpoint-controller';
export const TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';

export function serviceSpec(svc: KubeObject): ServiceSpec {
  return (svc.spec ?? {}) as ServiceSpec;
}

/** Services without a selector (and ExternalName ones) have their endpoints managed by someone else. */
export function hasSelector(svc: KubeObject): boolean {
  const spec = serviceSpec(svc);
  return spec.type !== 'ExternalName' && Object.keys(spec.selector ?? {}).length > 0;
}

export function isHeadless(svc: KubeObject): boolean {
  return serviceSpec(svc).clusterIP === 'None';
}

/** The pods of the Service's namespace its selector matches. */
export function selectedPods(svc: KubeObject, pods: KubeObject[]): KubeObject[] {
  const q = labelQueryFromSet(serviceSpec(svc).selector);
  return pods.filter((p) => p.metadata.namespace === svc.metadata.namespace && q.matches(p.metadata.labels ?? {}));
}

/** Sets a pod's DNS hostname in endpoints when its subdomain names the Service (upstream ShouldSetHostname). */
export function podHostname(pod: KubeObject, svc: KubeObject): string | undefined {
  const spec = (pod.spec ?? {}) as { hostname?: string; subdomain?: string };
  if (!spec.hostname || spec.subdomain !== svc.metadata.name || pod.metadata.namespace !== svc.metadata.namespace) return undefined;
  return spec.hostname;
}

/** The IP families of the Service (spec.ipFamilies; IPv4 when unset, as for a headless Service without them). */
export function serviceFamilies(svc: KubeObject): string[] {
  const fams = serviceSpec(svc).ipFamilies ?? [];
  return fams.length > 0 ? fams : ['IPv4'];
}

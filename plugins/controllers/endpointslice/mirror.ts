import type { KubeObject } from '../../../internal/api/index.js';
import type { EndpointAddress, EndpointSubset } from '../endpoints/desired.js';
import { TRIGGER_TIME_ANNOTATION, hasSelector } from '../endpoints/service.js';
import { ipFamilyOf } from '../shared/pod.js';
import { MANAGED_BY_LABEL, SERVICE_NAME_LABEL, type SliceEndpoint, type SliceGroup, type SliceTemplate } from './plan.js';

export const MIRRORING_CONTROLLER_NAME = 'endpointslicemirroring-controller.k8s.io';
export const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Whether custom Endpoints are mirrored into slices: their Service exists and has no selector
 * (a selector means the endpointslice controller owns its slices), and they are not marked
 * skip-mirror (the `kubernetes` Service's are: the API servers write their own slice).
 */
export function shouldMirror(ep: KubeObject, svc: KubeObject | undefined): boolean {
  if (!svc || hasSelector(svc)) return false;
  return ep.metadata.labels?.[SKIP_MIRROR_LABEL] !== 'true';
}

function endpointOf(a: EndpointAddress, ready: boolean): SliceEndpoint {
  const ep: SliceEndpoint = { addresses: [a.ip], conditions: { ready } };
  if (a.hostname) ep.hostname = a.hostname;
  if (a.nodeName) ep.nodeName = a.nodeName;
  if (a.targetRef) ep.targetRef = a.targetRef;
  return ep;
}

/** One group per subset and IP family: ready addresses, then not-ready ones, with the subset's ports. */
export function mirrorSliceGroups(ep: KubeObject): SliceGroup[] {
  const groups = new Map<string, SliceGroup>();
  for (const ss of (ep.subsets ?? []) as EndpointSubset[]) {
    const ports = (ss.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP', ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) }));
    const add = (a: EndpointAddress, ready: boolean) => {
      const addressType = ipFamilyOf(a.ip);
      const key = `${addressType}|${JSON.stringify(ports)}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { addressType, ports, endpoints: [] }));
      g.endpoints.push(endpointOf(a, ready));
    };
    for (const a of ss.addresses ?? []) add(a, true);
    for (const a of ss.notReadyAddresses ?? []) add(a, false);
  }
  return [...groups.values()];
}

/** Mirrored slices carry the Endpoints' labels and annotations (minus bookkeeping ones) and point at it. */
export function mirrorSliceTemplate(ep: KubeObject): SliceTemplate {
  const m = ep.metadata;
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.labels ?? {})) if (k !== MANAGED_BY_LABEL && k !== SERVICE_NAME_LABEL) labels[k] = v;
  labels[SERVICE_NAME_LABEL] = m.name!;
  labels[MANAGED_BY_LABEL] = MIRRORING_CONTROLLER_NAME;
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.annotations ?? {})) if (k !== LAST_APPLIED && k !== TRIGGER_TIME_ANNOTATION) annotations[k] = v;
  return {
    namespace: m.namespace!,
    generateName: `${m.name}-`,
    labels,
    annotations: Object.keys(annotations).length ? annotations : undefined,
    ownerReferences: [{ apiVersion: 'v1', kind: 'Endpoints', name: m.name!, uid: m.uid!, controller: true, blockOwnerDeletion: true }],
  };
}

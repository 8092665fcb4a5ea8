import type { KubeObject } from '../../../internal/api/index.js';
import { HEADLESS_LABEL, TRIGGER_TIME_ANNOTATION, isHeadless, podHostname, serviceFamilies, serviceSpec } from '../endpoints/service.js';
import { findPort, ipFamilyOf, podIPs, podReady, podServesEndpoints } from '../shared/pod.js';
import { MANAGED_BY_LABEL, SERVICE_NAME_LABEL, type SliceEndpoint, type SliceGroup, type SlicePort, type SliceTemplate } from './plan.js';

export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';

function podPorts(svc: KubeObject, pod: KubeObject): SlicePort[] {
  const out: SlicePort[] = [];
  for (const sp of serviceSpec(svc).ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const p: SlicePort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
    if (sp.appProtocol) p.appProtocol = sp.appProtocol;
    out.push(p);
  }
  return out;
}

function podEndpoint(svc: KubeObject, pod: KubeObject, address: string): SliceEndpoint {
  const publish = !!serviceSpec(svc).publishNotReadyAddresses;
  const terminating = !!pod.metadata.deletionTimestamp;
  const serving = publish || podReady(pod);
  // A terminating pod is never ready unless the Service publishes not-ready addresses.
  const ready = serving && (publish || !terminating);
  const m = pod.metadata;
  const ep: SliceEndpoint = {
    addresses: [address],
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: m.namespace!, name: m.name!, uid: m.uid },
  };
  const hostname = podHostname(pod, svc);
  if (hostname) ep.hostname = hostname;
  const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  if (nodeName) ep.nodeName = nodeName;
  return ep;
}

/**
 * The slice groups of a Service with a selector: for each of its IP families, the selected pods
 * that serve (terminating ones included, with their conditions) grouped by the ports they offer;
 * a family without endpoints gets an empty placeholder group.
 */
export function serviceSliceGroups(svc: KubeObject, pods: KubeObject[]): SliceGroup[] {
  const groups: SliceGroup[] = [];
  for (const family of serviceFamilies(svc)) {
    const byPorts = new Map<string, SliceGroup>();
    for (const pod of pods) {
      if (!podServesEndpoints(pod, true)) continue;
      const ip = podIPs(pod).find((i) => ipFamilyOf(i) === family);
      if (!ip) continue;
      const ports = podPorts(svc, pod);
      const key = JSON.stringify(ports);
      let g = byPorts.get(key);
      if (!g) byPorts.set(key, (g = { addressType: family, ports, endpoints: [] }));
      g.endpoints.push(podEndpoint(svc, pod, ip));
    }
    if (byPorts.size === 0) groups.push({ addressType: family, ports: [], endpoints: [] });
    groups.push(...byPorts.values());
  }
  return groups;
}

/** Labels every slice of the Service carries: the Service's own, its name, the manager, the headless marker. */
export function serviceSliceTemplate(svc: KubeObject, triggerTime: string | undefined): SliceTemplate {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata.labels ?? {})) {
    if (k !== MANAGED_BY_LABEL && k !== SERVICE_NAME_LABEL && k !== HEADLESS_LABEL) labels[k] = v;
  }
  labels[SERVICE_NAME_LABEL] = svc.metadata.name!;
  labels[MANAGED_BY_LABEL] = CONTROLLER_NAME;
  if (isHeadless(svc)) labels[HEADLESS_LABEL] = '';
  const m = svc.metadata;
  return {
    namespace: m.namespace!,
    generateName: `${m.name}-`,
    labels,
    annotations: triggerTime ? { [TRIGGER_TIME_ANNOTATION]: triggerTime } : undefined,
    ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: m.name!, uid: m.uid!, controller: true, blockOwnerDeletion: true }],
  };
}

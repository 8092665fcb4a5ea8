import type { KubeObject } from '../../../internal/api/index.js';
import { jsonEqual } from '../../../internal/util/index.js';
import { findPort, ipFamilyOf, podIPs, podReady, podServesEndpoints } from '../shared/pod.js';
import { ENDPOINTS_CONTROLLER_NAME, ENDPOINTS_MANAGED_BY_LABEL, HEADLESS_LABEL, TRIGGER_TIME_ANNOTATION, isHeadless, podHostname, serviceFamilies, serviceSpec } from './service.js';

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: { kind: string; namespace: string; name: string; uid?: string };
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

/** Upstream's cap on addresses in one Endpoints object; beyond it the object is truncated and says so. */
export const MAX_ENDPOINT_ADDRESSES = 1000;
export const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';

interface Entry {
  addr: EndpointAddress;
  ready: boolean;
  port: EndpointPort | undefined;
}

/** One entry per (pod, service port) the pod serves, as the endpoints controller collects them. */
function entries(svc: KubeObject, pods: KubeObject[]): Entry[] {
  const spec = serviceSpec(svc);
  const tolerate = !!spec.publishNotReadyAddresses;
  const family = serviceFamilies(svc)[0];
  const out: Entry[] = [];
  for (const pod of pods) {
    if (!podServesEndpoints(pod, tolerate)) continue;
    const ip = podIPs(pod).find((i) => ipFamilyOf(i) === family);
    if (!ip) continue;
    const m = pod.metadata;
    const addr: EndpointAddress = { ip, targetRef: { kind: 'Pod', namespace: m.namespace!, name: m.name!, uid: m.uid! } };
    const hostname = podHostname(pod, svc);
    if (hostname) addr.hostname = hostname;
    const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    if (nodeName) addr.nodeName = nodeName;
    const ready = tolerate || podReady(pod);
    const ports = spec.ports ?? [];
    if (ports.length === 0) {
      // A headless Service may have no ports: its addresses are published without any.
      if (isHeadless(svc)) out.push({ addr, ready, port: undefined });
      continue;
    }
    for (const sp of ports) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const ep: EndpointPort = { name: sp.name, port, protocol: sp.protocol ?? 'TCP' };
      if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
      out.push({ addr, ready, port: ep });
    }
  }
  return out;
}

const addrKey = (a: EndpointAddress) => `${a.ip}/${a.targetRef?.uid ?? ''}`;
const portKey = (p: EndpointPort | undefined) => (p ? `${p.name ?? ''}/${p.port}/${p.protocol}/${p.appProtocol ?? ''}` : '');
const byAddress = (a: EndpointAddress, b: EndpointAddress) => cmp(a.ip, b.ip) || cmp(a.targetRef?.uid ?? '', b.targetRef?.uid ?? '');
const byPort = (a: EndpointPort, b: EndpointPort) => cmp(a.name ?? '', b.name ?? '') || a.port - b.port || cmp(a.protocol, b.protocol);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Packs entries into subsets as upstream RepackSubsets does: ports offered by exactly the same
 * addresses (with the same readiness) share a subset; addresses without ports form their own.
 * Deterministic order: addresses by IP then UID, ports by name then number, subsets by their first address.
 */
export function repack(list: Entry[]): EndpointSubset[] {
  const byPortKey = new Map<string, { port: EndpointPort | undefined; addrs: Map<string, Entry> }>();
  for (const e of list) {
    const k = portKey(e.port);
    let g = byPortKey.get(k);
    if (!g) byPortKey.set(k, (g = { port: e.port, addrs: new Map() }));
    g.addrs.set(addrKey(e.addr), e);
  }
  const bySet = new Map<string, { entries: Entry[]; ports: EndpointPort[] }>();
  for (const g of byPortKey.values()) {
    const members = [...g.addrs.values()].sort((a, b) => byAddress(a.addr, b.addr));
    const sig = members.map((e) => `${addrKey(e.addr)}:${e.ready}`).join(',');
    let s = bySet.get(sig);
    if (!s) bySet.set(sig, (s = { entries: members, ports: [] }));
    if (g.port) s.ports.push(g.port);
  }
  const subsets = [...bySet.values()].map(({ entries: es, ports }) => {
    const ss: EndpointSubset = {};
    const ready = es.filter((e) => e.ready).map((e) => e.addr);
    const notReady = es.filter((e) => !e.ready).map((e) => e.addr);
    if (ready.length) ss.addresses = ready;
    if (notReady.length) ss.notReadyAddresses = notReady;
    if (ports.length) ss.ports = ports.sort(byPort);
    return ss;
  });
  const first = (s: EndpointSubset) => (s.addresses ?? s.notReadyAddresses)![0]!;
  return subsets.sort((a, b) => byAddress(first(a), first(b)) || cmp(JSON.stringify(a.ports), JSON.stringify(b.ports)));
}

/** Keeps at most `max` addresses, ready ones of each subset first, and reports whether any were cut. */
function truncate(subsets: EndpointSubset[], max: number): { subsets: EndpointSubset[]; truncated: boolean } {
  let budget = max;
  let truncated = false;
  const take = (list: EndpointAddress[] | undefined) => {
    if (!list) return undefined;
    const kept = list.slice(0, Math.max(budget, 0));
    if (kept.length < list.length) truncated = true;
    budget -= kept.length;
    return kept.length ? kept : undefined;
  };
  const out = subsets
    .map((s) => ({ ...s, addresses: take(s.addresses), notReadyAddresses: take(s.notReadyAddresses) }))
    .filter((s) => s.addresses || s.notReadyAddresses)
    .map((s) => Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) as EndpointSubset);
  return { subsets: out, truncated };
}

/** The subsets a Service with a selector gets from the pods it selects. */
export function desiredSubsets(svc: KubeObject, pods: KubeObject[]): { subsets: EndpointSubset[]; truncated: boolean } {
  return truncate(repack(entries(svc, pods)), MAX_ENDPOINT_ADDRESSES);
}

/** The labels Endpoints of a Service carry: the Service's, the manager, and the headless marker. */
export function endpointsLabels(svc: KubeObject): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}), [ENDPOINTS_MANAGED_BY_LABEL]: ENDPOINTS_CONTROLLER_NAME };
  if (isHeadless(svc)) labels[HEADLESS_LABEL] = '';
  return labels;
}

/**
 * The Endpoints object to write for a Service (built on `current` when there is one, keeping
 * its other metadata), or undefined when `current` already says the same: equal subsets, labels
 * and over-capacity marker (a trigger time alone is no reason to write).
 */
export function desiredEndpoints(svc: KubeObject, pods: KubeObject[], current: KubeObject | undefined, triggerTime: string | undefined): KubeObject | undefined {
  const { subsets, truncated } = desiredSubsets(svc, pods);
  const labels = endpointsLabels(svc);
  const annotations = { ...(current?.metadata.annotations ?? {}) };
  const capacityOk = truncated ? annotations[OVER_CAPACITY_ANNOTATION] === 'truncated' : annotations[OVER_CAPACITY_ANNOTATION] === undefined;
  if (current && jsonEqual(current.subsets ?? [], subsets) && jsonEqual(current.metadata.labels ?? {}, labels) && capacityOk) return undefined;
  if (triggerTime) annotations[TRIGGER_TIME_ANNOTATION] = triggerTime;
  else delete annotations[TRIGGER_TIME_ANNOTATION];
  if (truncated) annotations[OVER_CAPACITY_ANNOTATION] = 'truncated';
  else delete annotations[OVER_CAPACITY_ANNOTATION];
  const base = current ?? { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: svc.metadata.name, namespace: svc.metadata.namespace } };
  const metadata = { ...base.metadata, labels, annotations };
  if (Object.keys(annotations).length === 0) delete (metadata as { annotations?: unknown }).annotations;
  return { ...base, metadata, subsets };
}

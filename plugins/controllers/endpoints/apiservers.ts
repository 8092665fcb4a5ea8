import type { KubeObject } from '../../../internal/api/index.js';
import { jsonEqual } from '../../../internal/util/index.js';
import { ipFamilyOf } from '../shared/pod.js';

export const IDENTITY_LABEL = 'apiserver.kubernetes.io/identity';
export const ADDRESS_ANNOTATION = 'kplane.io/advertise-address';
export const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';
/** As upstream's lease endpoint reconciler: an API server missing for this long leaves the endpoints. */
export const APISERVER_LEASE_SECONDS = 15;

export interface ApiServerAddress {
  ip: string;
  port: number;
}

/** The identity Lease one API server keeps renewed in kube-system. */
export function apiServerLease(nodeName: string, self: ApiServerAddress, renewTime: string, current: KubeObject | undefined): KubeObject {
  const name = `kube-apiserver-${nodeName}`;
  const base = current ?? { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-system' } };
  return {
    ...base,
    metadata: {
      ...base.metadata,
      labels: { ...(base.metadata.labels ?? {}), [IDENTITY_LABEL]: 'kube-apiserver', 'kubernetes.io/hostname': nodeName },
      annotations: { ...(base.metadata.annotations ?? {}), [ADDRESS_ANNOTATION]: `${self.ip}:${self.port}` },
    },
    spec: { holderIdentity: name, leaseDurationSeconds: APISERVER_LEASE_SECONDS, renewTime },
  };
}

/** The addresses of the API servers whose identity Lease has not expired, sorted. */
export function liveApiServers(leases: KubeObject[], now: number): ApiServerAddress[] {
  const out = new Map<string, ApiServerAddress>();
  for (const l of leases) {
    if (l.metadata.labels?.[IDENTITY_LABEL] !== 'kube-apiserver') continue;
    const spec = (l.spec ?? {}) as { renewTime?: string; leaseDurationSeconds?: number };
    const renewed = Date.parse(spec.renewTime ?? '');
    if (Number.isNaN(renewed) || renewed + (spec.leaseDurationSeconds ?? APISERVER_LEASE_SECONDS) * 1000 <= now) continue;
    const m = /^(.*):(\d+)$/.exec(l.metadata.annotations?.[ADDRESS_ANNOTATION] ?? '');
    if (m) out.set(`${m[1]}:${m[2]}`, { ip: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) });
  }
  return [...out.values()].sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : a.port - b.port));
}

const byPort = (servers: ApiServerAddress[]) => {
  const m = new Map<number, string[]>();
  for (const s of servers) m.set(s.port, [...(m.get(s.port) ?? []), s.ip]);
  return [...m.entries()].sort((a, b) => a[0] - b[0]);
};

/** The `kubernetes` Service's Endpoints for these servers, or undefined when `current` already says so. */
export function apiServerEndpoints(servers: ApiServerAddress[], current: KubeObject | undefined): KubeObject | undefined {
  const subsets = byPort(servers).map(([port, ips]) => ({ addresses: ips.map((ip) => ({ ip })), ports: [{ name: 'https', port, protocol: 'TCP' }] }));
  const labels = { ...(current?.metadata.labels ?? {}), [SKIP_MIRROR_LABEL]: 'true' };
  if (current && jsonEqual(current.subsets ?? [], subsets) && jsonEqual(current.metadata.labels, labels)) return undefined;
  const base = current ?? { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kubernetes', namespace: 'default' } };
  return { ...base, metadata: { ...base.metadata, labels }, subsets };
}

/**
 * The `kubernetes` Service's EndpointSlices (the API server writes them itself, so they carry no
 * managed-by label): `kubernetes` for the first port, `kubernetes-<port>` for servers on others.
 */
export function apiServerSlices(servers: ApiServerAddress[]): KubeObject[] {
  return byPort(servers).map(([port, ips], i) => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: i === 0 ? 'kubernetes' : `kubernetes-${port}`, namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: ipFamilyOf(ips[0]!),
    endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
    ports: [{ name: 'https', port, protocol: 'TCP' }],
  }));
}

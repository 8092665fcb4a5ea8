import { describe, expect, it } from 'vitest';
import { apiServerEndpoints, apiServerLease, apiServerSlices, liveApiServers } from './apiservers.js';

const NOW = Date.parse('2026-01-01T00:01:00Z');
const lease = (node: string, ip: string, port: number, renew: string) => apiServerLease(node, { ip, port }, renew, undefined);

describe('kubernetes Service endpoints from API server Leases', () => {
  it('lists the servers whose Lease is live, sorted; expired and foreign Leases are left out', () => {
    const leases = [
      lease('b', '10.0.0.2', 6443, '2026-01-01T00:00:50.000000Z'),
      lease('a', '10.0.0.1', 6443, '2026-01-01T00:00:59.000000Z'),
      lease('dead', '10.0.0.9', 6443, '2026-01-01T00:00:44.000000Z'),
      { metadata: { name: 'kube-controller-manager', labels: {} }, spec: { renewTime: '2026-01-01T00:00:59.000000Z' } },
    ];
    expect(liveApiServers(leases, NOW)).toEqual([
      { ip: '10.0.0.1', port: 6443 },
      { ip: '10.0.0.2', port: 6443 },
    ]);
  });

  it('Endpoints with one subset per port, marked skip-mirror; unchanged ones are not rewritten', () => {
    const servers = [
      { ip: '10.0.0.1', port: 6443 },
      { ip: '10.0.0.2', port: 6443 },
      { ip: '10.0.0.3', port: 7443 },
    ];
    const ep = apiServerEndpoints(servers, undefined)!;
    expect(ep.metadata).toEqual({ name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } });
    expect(ep.subsets).toEqual([
      { addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] },
      { addresses: [{ ip: '10.0.0.3' }], ports: [{ name: 'https', port: 7443, protocol: 'TCP' }] },
    ]);
    expect(apiServerEndpoints(servers, { ...ep, metadata: { ...ep.metadata, resourceVersion: '3' } })).toBeUndefined();
    expect(apiServerSlices(servers).map((s) => [s.metadata.name, s.addressType, (s.endpoints as unknown[]).length])).toEqual([
      ['kubernetes', 'IPv4', 2],
      ['kubernetes-7443', 'IPv4', 1],
    ]);
  });
});

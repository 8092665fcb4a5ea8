import { describe, expect, it } from 'vitest';
import { DEFAULT_SHAPE, hostIPOf, leaseObject, nodeObject, podCIDROf, PodIPs, readyConditions } from './node-object.js';

describe('hollow node objects', () => {
  it('registers a node with capacity, zone labels and a pod CIDR', () => {
    const n = nodeObject('hollow-1', 1, DEFAULT_SHAPE, '2026-01-01T00:00:00Z');
    expect(n.metadata.labels).toMatchObject({ 'kubernetes.io/hostname': 'hollow-1', 'topology.kubernetes.io/zone': 'hollow-b', 'kplane.io/hollow-node': 'true' });
    expect(n.status).toMatchObject({ allocatable: { cpu: '4', memory: '16Gi', pods: '110' }, addresses: [{ type: 'InternalIP', address: hostIPOf('hollow-1') }, { type: 'Hostname', address: 'hollow-1' }] });
    expect((n.spec as { podCIDR: string }).podCIDR).toBe(podCIDROf('hollow-1').cidr);
    expect(podCIDROf('hollow-1').cidr).toMatch(/^10\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.\d+\.0\/24$/);
    expect(hostIPOf('hollow-1')).toMatch(/^172\.(1[6-9]|2\d|3[01])\.\d+\.\d+$/);
  });

  it('a heartbeat keeps transition times of unchanged conditions', () => {
    const old = [{ type: 'Ready', status: 'True', lastTransitionTime: 'then' }, { type: 'MemoryPressure', status: 'Unknown', lastTransitionTime: 'then' }];
    const next = readyConditions('now', old);
    expect(next.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', lastTransitionTime: 'then', lastHeartbeatTime: 'now' });
    expect(next.find((c) => c.type === 'MemoryPressure')).toMatchObject({ status: 'False', lastTransitionTime: 'now' });
  });

  it('leases name the node as holder and owner', () => {
    expect(leaseObject('n', 'uid1', 't', 40)).toMatchObject({ metadata: { namespace: 'kube-node-lease', ownerReferences: [{ kind: 'Node', uid: 'uid1' }] }, spec: { holderIdentity: 'n', leaseDurationSeconds: 40, renewTime: 't' } });
  });

  it('allocates pod IPs lowest first and reuses released ones', () => {
    const ips = new PodIPs('n');
    const base = podCIDROf('n').base;
    ips.mark(`${base}.2`);
    expect(ips.allocate()).toBe(`${base}.3`);
    ips.release(`${base}.2`);
    expect(ips.allocate()).toBe(`${base}.2`);
  });
});

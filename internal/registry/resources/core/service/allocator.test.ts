import { describe, expect, it } from 'vitest';
import { seededRand } from '../../../../util/index.js';
import { createServiceAllocator, serviceUsage } from './allocator.js';

describe('service allocator', () => {
  it('allocates distinct IPs above the static band of 10.96.0.0/12, and ports in 30000-32767', () => {
    const a = createServiceAllocator({ rand: seededRand(9) });
    const ips = new Set(Array.from({ length: 200 }, () => a.allocateClusterIP()!));
    expect(ips.size).toBe(200);
    for (const ip of ips) {
      const [o1, o2, o3, o4] = ip.split('.').map(Number) as [number, number, number, number];
      expect(o1).toBe(10);
      expect(o2).toBeGreaterThanOrEqual(96);
      expect(o2).toBeLessThanOrEqual(111);
      expect((o2 - 96) * 65536 + o3 * 256 + o4).toBeGreaterThan(256);
    }
    const port = a.allocateNodePort()!;
    expect(port).toBeGreaterThanOrEqual(30000);
    expect(port).toBeLessThanOrEqual(32767);
    expect(a.claimNodePort(port)).toBe('provided port is already allocated');
    expect(a.claimNodePort(80)).toBe('provided port is not in the valid range. The range of valid ports is 30000-32767');
  });

  it('claims requested IPs once, dry runs claim nothing, release frees', () => {
    const a = createServiceAllocator();
    expect(a.claimClusterIP('10.96.0.10', true)).toBeUndefined();
    expect(a.claimClusterIP('10.96.0.10')).toBeUndefined();
    expect(a.claimClusterIP('10.96.0.10')).toBe('failed to allocate IP 10.96.0.10: provided IP is already allocated');
    expect(a.claimClusterIP('10.96.0.0')).toContain('is not in the valid range');
    a.release('10.96.0.10', []);
    expect(a.claimClusterIP('10.96.0.10')).toBeUndefined();
  });

  it('respects what storage holds through inUse', () => {
    const stored = [{ spec: { clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], ports: [{ port: 443, nodePort: 30001 }] } }, { spec: { clusterIP: 'None' } }];
    expect(serviceUsage(stored)).toEqual({ clusterIPs: ['10.96.0.1'], nodePorts: [30001] });
    const a = createServiceAllocator({ inUse: () => serviceUsage(stored), nodePortRange: { min: 30000, max: 30001 } });
    expect(a.claimClusterIP('10.96.0.1')).toContain('already allocated');
    expect(a.allocateNodePort()).toBe(30000);
    expect(a.allocateNodePort()).toBeUndefined();
  });

  it('refuses an invalid CIDR at construction', () => {
    expect(() => createServiceAllocator({ serviceCIDR: '10.96.0.0/40' })).toThrow(/invalid service CIDR/);
  });
});

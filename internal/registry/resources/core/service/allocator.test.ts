import { describe, expect, it } from 'vitest';
import { seededRand } from '../../../../util/index.js';
import { createServiceAllocator, memoryReservations, serviceHoldings } from './allocator.js';
import { planRepair } from './repair.js';

const owner = { namespace: 'default', name: 'web' };
const other = { namespace: 'default', name: 'db' };

describe('service allocator', () => {
  it('allocates distinct IPs above the static band of 10.96.0.0/12, and ports in 30000-32767', async () => {
    const a = createServiceAllocator({ rand: seededRand(9) });
    const ips = new Set<string>();
    for (let i = 0; i < 200; i++) ips.add((await a.allocateClusterIP({ namespace: 'x', name: `s${i}` }, false))!);
    expect(ips.size).toBe(200);
    for (const ip of ips) {
      const [o1, o2, o3, o4] = ip.split('.').map(Number) as [number, number, number, number];
      expect(o1).toBe(10);
      expect(o2).toBeGreaterThanOrEqual(96);
      expect(o2).toBeLessThanOrEqual(111);
      expect((o2 - 96) * 65536 + o3 * 256 + o4).toBeGreaterThan(256);
    }
    const port = (await a.allocateNodePort(owner, false))!;
    expect(port).toBeGreaterThanOrEqual(30000);
    expect(port).toBeLessThanOrEqual(32767);
    expect(await a.claimNodePort(port, other, false)).toBe('provided port is already allocated');
    expect(await a.claimNodePort(80, other, false)).toBe('provided port is not in the valid range. The range of valid ports is 30000-32767');
  });

  it('claims requested IPs once, dry runs claim nothing, release frees only its owner’s record', async () => {
    const a = createServiceAllocator();
    expect(await a.claimClusterIP('10.96.0.10', owner, true)).toBeUndefined();
    expect(await a.claimClusterIP('10.96.0.10', owner, false)).toBeUndefined();
    expect(await a.claimClusterIP('10.96.0.10', other, false)).toBe('failed to allocate IP 10.96.0.10: provided IP is already allocated');
    expect(await a.claimClusterIP('10.96.0.0', other, false)).toContain('is not in the valid range');
    await a.releaseClusterIP('10.96.0.10', other);
    expect(await a.claimClusterIP('10.96.0.10', other, false)).toContain('already allocated');
    await a.releaseClusterIP('10.96.0.10', owner);
    expect(await a.claimClusterIP('10.96.0.10', other, false)).toBeUndefined();
  });

  it('finds the last free port of a crowded range after random picks collide', async () => {
    const ports = memoryReservations();
    for (let p = 30000; p < 30063; p++) await ports.claim(String(p), other, false);
    const a = createServiceAllocator({ ports, nodePortRange: { min: 30000, max: 30063 }, rand: seededRand(1) });
    expect(await a.allocateNodePort(owner, false)).toBe(30063);
    expect(await a.allocateNodePort(owner, false)).toBeUndefined();
  });

  it('takes requested and dynamic addresses from the other ServiceCIDRs too, the default range first', async () => {
    let extra = ['10.100.0.0/29', '2001:db8::/112', 'junk'];
    const a = createServiceAllocator({ serviceCIDR: '10.0.0.0/29', extraCIDRs: async () => extra, rand: seededRand(3) });
    expect(await a.claimClusterIP('10.100.0.5', owner, false)).toBeUndefined();
    expect(await a.claimClusterIP('10.100.0.7', owner, false)).toContain('The range of valid IPs is 10.0.0.0/29,10.100.0.0/29');
    const got: string[] = [];
    for (let i = 0; i < 11; i++) got.push((await a.allocateClusterIP({ namespace: 'x', name: `s${i}` }, false))!);
    // 6 usable addresses in the default /29 go first, then the 5 left in 10.100.0.0/29, then none.
    expect(got.slice(0, 6).every((ip) => ip.startsWith('10.0.0.'))).toBe(true);
    expect(got.slice(6, 11).sort()).toEqual(['10.100.0.1', '10.100.0.2', '10.100.0.3', '10.100.0.4', '10.100.0.6']);
    expect(await a.allocateClusterIP(owner, false)).toBeUndefined();
    extra = [];
    expect(await a.claimClusterIP('10.100.0.1', other, false)).toContain('is not in the valid range');
  });

  it('refuses an invalid CIDR at construction', () => {
    expect(() => createServiceAllocator({ serviceCIDR: '10.96.0.0/40' })).toThrow(/invalid service CIDR/);
  });
});

describe('repair plan', () => {
  const rec = (key: string, o = owner, createdAt = 0) => ({ key, owner: o, createdAt });
  const base = { now: 100_000, graceMs: 60_000 };
  it.each([
    ['a held IP with its record: nothing to do', { services: [serviceHoldings({ metadata: owner, spec: { clusterIP: '10.96.0.5' } })], ipRecords: [rec('10.96.0.5')], portRecords: [] }, {}],
    ['a record whose Service is gone, past the grace: released', { services: [], ipRecords: [rec('10.96.0.5')], portRecords: [rec('30001')] }, { releaseIPs: [rec('10.96.0.5')], releasePorts: [rec('30001')] }],
    ['a young record without its Service: kept (its create may be in flight)', { services: [], ipRecords: [rec('10.96.0.5', owner, 90_000)], portRecords: [] }, {}],
    ['a Service without records: claimed', { services: [serviceHoldings({ metadata: owner, spec: { type: 'NodePort', clusterIP: '10.96.0.5', ports: [{ nodePort: 30001 }] } })], ipRecords: [], portRecords: [] },
      { claimIPs: [{ key: '10.96.0.5', owner }], claimPorts: [{ key: '30001', owner }] }],
    ['two Services on one address: the record decides, the other is a conflict', {
      services: [serviceHoldings({ metadata: owner, spec: { clusterIP: '10.96.0.5' } }), serviceHoldings({ metadata: other, spec: { clusterIP: '10.96.0.5' } })], ipRecords: [rec('10.96.0.5')], portRecords: [],
    }, { conflicts: [{ key: '10.96.0.5', owner: other, holder: owner }] }],
    ['an ExternalName Service holds no IP', { services: [serviceHoldings({ metadata: owner, spec: { type: 'ExternalName', clusterIP: '10.96.0.5' } })], ipRecords: [rec('10.96.0.5')], portRecords: [] }, { releaseIPs: [rec('10.96.0.5')] }],
  ])('%s', (_name, input, want) => {
    expect(planRepair({ ...base, ...input })).toEqual({ releaseIPs: [], releasePorts: [], claimIPs: [], claimPorts: [], conflicts: [], ...want });
  });
});

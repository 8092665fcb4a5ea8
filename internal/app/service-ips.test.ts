import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/index.js';
import { createMemoryBackend } from '../backends/index.js';
import { builtinDefinitions, createRegistry, createServiceAllocator, type Handler } from '../registry/index.js';
import { createObjectStore, everything, type ObjectStore } from '../storage/index.js';
import { ipAddressReservations, nodePortReservations, NODE_PORT_PREFIX, repairServiceAllocations } from './service-ips.js';

const SYSTEM = { name: 'admin', groups: ['system:masters'] };

/** One API server over shared storage, allocating as the real server does. */
function apiServer(store: ObjectStore, nodePortRange?: { min: number; max: number }) {
  let handler: Handler | undefined;
  const ips = ipAddressReservations(() => handler!);
  const ports = nodePortReservations(store, () => Date.now());
  const registry = createRegistry({ definitions: builtinDefinitions({ serviceAllocator: createServiceAllocator({ ips, ports, ...(nodePortRange ? { nodePortRange } : {}) }) }), objectStore: store });
  handler = registry.handler;
  return { handler, ips, ports };
}

const svc = (name: string, spec: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }], ...spec } });
const create = (h: Handler, body: KubeObject) => h.handle({ user: SYSTEM, group: '', version: 'v1', resource: 'services', namespace: 'default', verb: 'create', body, params: {} });
const del = (h: Handler, name: string) => h.handle({ user: SYSTEM, group: '', version: 'v1', resource: 'services', namespace: 'default', verb: 'delete', name, params: {} });
const list = async (h: Handler, resource: string, group = '') =>
  ((await h.handle({ user: SYSTEM, group, version: 'v1', resource, verb: 'list', params: {} })).body as { items: KubeObject[] }).items;

async function setup(nodePortRange?: { min: number; max: number }) {
  const backend = createMemoryBackend();
  const store = createObjectStore(backend);
  const servers = [apiServer(store, nodePortRange), apiServer(store, nodePortRange), apiServer(store, nodePortRange)];
  await servers[0]!.handler.handle({ user: SYSTEM, group: '', version: 'v1', resource: 'namespaces', verb: 'create', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }, params: {} });
  return { backend, store, servers };
}

describe('Service allocation over shared storage (three API servers)', () => {
  it('stores one Service per requested address when three servers are asked for the same ten at once', async () => {
    const { backend, servers } = await setup();
    const results = await Promise.allSettled(servers.flatMap((s, n) => Array.from({ length: 10 }, (_, i) => create(s.handler, svc(`s${n}-${i}`, { clusterIP: `10.96.200.${i + 1}` })))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as Error).message).toContain('provided IP is already allocated');
    const stored = await list(servers[1]!.handler, 'services');
    expect(new Set(stored.map((s) => (s.spec as { clusterIP: string }).clusterIP)).size).toBe(10);
    expect((await list(servers[2]!.handler, 'ipaddresses', 'networking.k8s.io')).map((o) => o.metadata.name).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `10.96.200.${i + 1}`).sort(),
    );
    await backend.close();
  });

  it('hands out distinct cluster IPs and node ports to concurrent creates, and deleting frees every one', async () => {
    // A small node port range makes collisions between the servers' random picks likely.
    const { backend, store, servers } = await setup({ min: 30000, max: 30063 });
    const names = Array.from({ length: 60 }, (_, i) => `svc-${i}`);
    await Promise.all(names.map((name, i) => create(servers[i % 3]!.handler, svc(name, i % 2 ? { type: 'NodePort' } : {}))));
    const stored = await list(servers[0]!.handler, 'services');
    const ips = stored.map((s) => (s.spec as { clusterIP: string }).clusterIP);
    const ports = stored.flatMap((s) => ((s.spec as { ports: { nodePort?: number }[] }).ports ?? []).map((p) => p.nodePort).filter((p) => p !== undefined));
    expect(new Set(ips).size).toBe(60);
    expect(ports).toHaveLength(30);
    expect(new Set(ports).size).toBe(30);
    expect(await list(servers[0]!.handler, 'ipaddresses', 'networking.k8s.io')).toHaveLength(60);
    expect((await store.list(NODE_PORT_PREFIX, { predicate: everything })).items).toHaveLength(30);

    await Promise.all(names.map((name, i) => del(servers[(i + 1) % 3]!.handler, name)));
    expect(await list(servers[0]!.handler, 'ipaddresses', 'networking.k8s.io')).toHaveLength(0);
    expect((await store.list(NODE_PORT_PREFIX, { predicate: everything })).items).toHaveLength(0);
    await backend.close();
  });

  it('an update to NodePort reserves ports and back to ClusterIP releases them; a refused create keeps nothing', async () => {
    const { backend, store, servers } = await setup();
    const h = servers[0]!.handler;
    await create(h, svc('web'));
    // A merge patch replaces the ports list: back to ClusterIP, the node port goes with it.
    const patch = (type: string) => h.handle({ user: SYSTEM, group: '', version: 'v1', resource: 'services', namespace: 'default', name: 'web', verb: 'patch', patchType: 'merge', patch: { spec: { type, ports: [{ port: 80 }] } }, params: {} });
    await patch('NodePort');
    expect((await store.list(NODE_PORT_PREFIX, { predicate: everything })).items).toHaveLength(1);
    await patch('ClusterIP');
    expect((await store.list(NODE_PORT_PREFIX, { predicate: everything })).items).toHaveLength(0);
    // A name upstream refuses: the IP picked for it is given back.
    await expect(create(h, svc('web', { type: 'NodePort' }))).rejects.toThrow(/already exists/);
    expect(await list(h, 'ipaddresses', 'networking.k8s.io')).toHaveLength(1);
    await backend.close();
  });

  it('repair releases leaked records past the grace period and records what Services hold without one', async () => {
    const { backend, store, servers } = await setup();
    const s = servers[0]!;
    await create(s.handler, svc('kept', { type: 'NodePort', clusterIP: '10.96.9.9' }));
    // A leak: records whose Service never got stored (a server died between claim and write).
    await s.ips.claim('10.96.9.10', { namespace: 'default', name: 'ghost' }, false);
    await s.ports.claim('31999', { namespace: 'default', name: 'ghost' }, false);
    // A Service stored without its records (written before records existed).
    await store.delete('/registry/networking.k8s.io/ipaddresses/10.96.9.9');

    const young = await repairServiceAllocations({ handler: s.handler, ips: s.ips, ports: s.ports, now: () => Date.now(), graceMs: 60_000 });
    expect(young.releaseIPs).toEqual([]); // too young to call a leak
    expect(young.claimIPs).toEqual([{ key: '10.96.9.9', owner: { namespace: 'default', name: 'kept' } }]);
    const later = await repairServiceAllocations({ handler: s.handler, ips: s.ips, ports: s.ports, now: () => Date.now() + 120_000, graceMs: 60_000 });
    expect(later.releaseIPs.map((r) => r.key)).toEqual(['10.96.9.10']);
    expect(later.releasePorts.map((r) => r.key)).toEqual(['31999']);
    expect((await list(s.handler, 'ipaddresses', 'networking.k8s.io')).map((o) => o.metadata.name)).toEqual(['10.96.9.9']);
    expect((await store.list(NODE_PORT_PREFIX, { predicate: everything })).items).toHaveLength(1);
    await backend.close();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminRequest, HaCluster, haproxyBinary, waitFor } from './ha-harness.js';

// Service cluster IPs and node ports across active-active API servers: three kplane nodes behind
// HAProxy (a fresh connection per request, so the creates spread over the nodes), Services created
// all at once, some asking for the same explicit addresses. No two may share a cluster IP or a node
// port, and deleting them frees every one. SERVICE_RACE=200 (npm run race:services) runs the full
// size; npm test runs a smaller one.
const COUNT = Number(process.env.SERVICE_RACE ?? 45);
const NS = 'race';
const HAPROXY = haproxyBinary();

interface Svc { metadata: { name: string }; spec: { type: string; clusterIP: string; ports: { nodePort?: number }[] } }

describe.skipIf(!HAPROXY)(`Service allocation: ${COUNT} Services through three nodes behind HAProxy`, () => {
  const c = new HaCluster([]);
  let port = 0;
  const once = (method: string, path: string, body?: unknown) => adminRequest(c.creds(), port, method, path, body, 60_000);
  /**
   * HAProxy shuts a node's sessions when its health check is late (a loaded machine): a request
   * whose connection dropped is sent again. A create that went through the first time is then
   * refused (its own addresses are taken, or the name exists) and a delete answers 404: when the
   * object is there (or gone), they count as the first attempt's 201 and 200.
   */
  const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> => {
    for (let attempt = 1; ; attempt++) {
      try {
        const r = await once(method, path, body);
        if (attempt > 1 && method === 'POST' && (r.status === 409 || r.status === 422)) {
          const name = (body as { metadata: { name: string } }).metadata.name;
          if ((await once('GET', `${path}/${name}`)).status === 200) return { status: 201, body: r.body };
        }
        if (attempt > 1 && method === 'DELETE' && r.status === 404) return { status: 200, body: r.body };
        return r;
      } catch (err) {
        if (attempt >= 5) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  };

  beforeAll(async () => {
    await c.found();
    await c.join();
    await c.join();
    await c.startHaproxy(c.nodes);
    port = c.haproxyPort;
    await waitFor('kplane through HAProxy', 60_000, async () => ((await api('GET', '/readyz').catch(() => ({ status: 0 }))).status === 200 ? true : undefined), 200);
    const ns = await api('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    expect(ns.status, ns.body).toBe(201);
  }, 240_000);

  afterAll(async () => {
    await c.shutdown();
  });

  const services = async (): Promise<Svc[]> => JSON.parse((await api('GET', `/api/v1/namespaces/${NS}/services`)).body).items;
  const ipAddresses = async (): Promise<string[]> =>
    (JSON.parse((await api('GET', '/apis/networking.k8s.io/v1/ipaddresses')).body).items as { metadata: { name: string } }[]).map((i) => i.metadata.name);

  it('gives every Service its own cluster IP and node ports; contested explicit addresses go to one Service each', async () => {
    // Every fifth Service asks for one of a few explicit addresses, each asked for by several.
    const contested = Math.max(2, Math.floor(COUNT / 15));
    const bodies = Array.from({ length: COUNT }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `s-${i}` },
      spec: {
        ...(i % 2 ? { type: 'NodePort' } : {}),
        ...(i % 5 === 0 ? { clusterIP: `10.96.250.${(i / 5) % contested + 1}` } : {}),
        ports: [{ name: 'a', port: 80 }, ...(i % 2 ? [{ name: 'b', port: 81 }] : [])],
      },
    }));
    const answers = await Promise.all(bodies.map((b) => api('POST', `/api/v1/namespaces/${NS}/services`, b)));
    const refused = answers.filter((a) => a.status !== 201);
    for (const a of refused) {
      expect(a.status, a.body).toBe(422);
      expect(a.body).toContain('provided IP is already allocated');
    }
    const stored = await services();
    const names = new Set(stored.map((s) => s.metadata.name));
    // Every Service that asked for no contested address is stored; each contested address went to
    // exactly one Service. (A create resent after a dropped connection may be refused although its
    // first attempt was stored, so the answers alone do not count the winners.)
    for (const b of bodies) if (!b.spec.clusterIP) expect(names.has(b.metadata.name), b.metadata.name).toBe(true);
    expect(stored.filter((s) => s.spec.clusterIP.startsWith('10.96.250.')).length).toBe(contested);
    const ips = stored.map((s) => s.spec.clusterIP);
    expect(new Set(ips).size, 'duplicate cluster IPs').toBe(ips.length);
    const ports = stored.flatMap((s) => s.spec.ports.map((p) => p.nodePort).filter((p): p is number => p !== undefined));
    expect(ports.length).toBe(stored.filter((s) => s.spec.type === 'NodePort').length * 2);
    expect(new Set(ports).size, 'duplicate node ports').toBe(ports.length);
    // One IPAddress per cluster IP (plus the default/kubernetes Service's).
    expect((await ipAddresses()).sort()).toEqual([...ips, '10.96.0.1'].sort());
    console.log(`service race: ${stored.length} stored of ${COUNT}, ${refused.length} refused (contested addresses), ${new Set(ports).size} node ports`);

    // Deleting them all (again spread over the nodes) frees every address and port: the same
    // addresses and ports can be asked for again, each by one new Service.
    const gone = await Promise.all(stored.map((s) => api('DELETE', `/api/v1/namespaces/${NS}/services/${s.metadata.name}`)));
    for (const g of gone) expect(g.status, g.body).toBe(200);
    expect(await ipAddresses()).toEqual(['10.96.0.1']);
    const again = await Promise.all(
      stored.map((s, i) =>
        api('POST', `/api/v1/namespaces/${NS}/services`, {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: `again-${i}` },
          spec: { type: s.spec.type, clusterIP: s.spec.clusterIP, ports: s.spec.ports.map((p, j) => ({ name: `p${j}`, port: 80 + j, ...(p.nodePort ? { nodePort: p.nodePort } : {}) })) },
        }),
      ),
    );
    for (const a of again) expect(a.status, a.body).toBe(201);
  }, 300_000);
});

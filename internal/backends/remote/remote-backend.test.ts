import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { createCA, issueCert } from '../../app/pki.js';
import { MemoryNetwork, NODE_GROUP, nodeCommonName } from '../../raftnode/index.js';
import { isStorageError, type Backend } from '../../storage/index.js';
import { WatchRecorder, runBackendConformance } from '../../storage/testing/index.js';
import { seededRand } from '../../util/index.js';
import { createMemoryBackend } from '../memory/index.js';
import { createRaftSqliteBackend, type RaftSqliteBackend } from '../raftsqlite/index.js';
import { dialBackend, memoryChannelPair, registerBackendService, type RpcChannel } from './channel.js';
import { RemoteBackend } from './remote-backend.js';
import { serveBackend } from './remote-server.js';

const root = mkdtempSync(join(tmpdir(), 'kplane-remote-'));
const servers: FastifyInstance[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
  rmSync(root, { recursive: true, force: true });
});
const enc = (s: string) => new TextEncoder().encode(s);

/** A remote backend whose member is `inner`, over in-memory channels; closing it closes `inner`. */
function overMemory(inner: Backend, opts: { watcherMaxEvents?: number } = {}): Backend {
  const remote = new RemoteBackend({
    connect: async () => {
      const pair = memoryChannelPair();
      serveBackend(inner, pair.server);
      return pair.client;
    },
    ...opts,
  });
  const close = async () => {
    await remote.close();
    await inner.close();
  };
  return new Proxy(remote, { get: (t, p) => (p === 'close' ? close : Reflect.get(t, p)) });
}

runBackendConformance('remote (in-memory channel to a memory backend)', () => overMemory(createMemoryBackend({ ringMaxEvents: 8, watcherMaxEvents: 1000 }), { watcherMaxEvents: 50 }), {
  watcherQueueLimit: 50,
});

// The production path: websocket with mutual TLS on an API server, node certificate required.
const ca = createCA();
const serving = issueCert(ca, { subject: { commonName: 'kplane' }, dnsNames: ['localhost'], ips: ['127.0.0.1'], server: true });
const spareCert = issueCert(ca, { subject: { commonName: nodeCommonName(9), organizations: [NODE_GROUP] }, client: true });
const tls = { key: spareCert.keyPem, cert: spareCert.certPem, ca: ca.certPem };

async function apiServer(backend: Backend, clusterId?: string): Promise<{ url: string; app: FastifyInstance; channels: RpcChannel[] }> {
  const app = Fastify({ https: { key: serving.keyPem, cert: serving.certPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: false } });
  await app.register(websocket);
  const channels: RpcChannel[] = [];
  registerBackendService(
    app,
    clusterId,
    (ch) => {
      channels.push(ch);
      serveBackend(backend, ch);
    },
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  servers.push(app);
  return { url: `https://127.0.0.1:${(app.server.address() as { port: number }).port}`, app, channels };
}

runBackendConformance(
  'remote (websocket with mutual TLS to a memory backend)',
  async () => {
    const inner = createMemoryBackend({ ringMaxEvents: 8, watcherMaxEvents: 1000 });
    const { url } = await apiServer(inner);
    const remote = new RemoteBackend({ connect: () => dialBackend(url, tls), watcherMaxEvents: 50 });
    const close = async () => {
      await remote.close();
      await inner.close();
    };
    return new Proxy(remote, { get: (t, p) => (p === 'close' ? close : Reflect.get(t, p)) });
  },
  { watcherQueueLimit: 50 },
);

// A spare's real situation: the member is a follower of a three-node raftsqlite cluster, so reads go
// through its ReadIndex barrier and writes are forwarded to the leader.
let trio = 0;
runBackendConformance(
  'remote (to a follower of a 3-node raftsqlite cluster)',
  async () => {
    const net = new MemoryNetwork();
    const dir = join(root, `conf-trio-${trio++}`);
    const members = new Map([1, 2, 3].map((id) => [id, `mem://${id}`]));
    const nodes = [1, 2, 3].map((id) =>
      createRaftSqliteBackend({
        dataDir: join(dir, `n${id}`),
        nodeId: id,
        transport: net.transport(id),
        bootstrap: members,
        rand: seededRand(trio * 10 + id),
        raft: { tickMs: 10, electionTicks: 10 },
        compaction: false,
        leaseCheckIntervalMs: 50,
      }),
    );
    const leader = await nodes[0]!.node.waitForLeader();
    const member = nodes.find((n) => n.node.id !== leader)!;
    const remote = new RemoteBackend({
      connect: async () => {
        const pair = memoryChannelPair();
        serveBackend(member, pair.server);
        return pair.client;
      },
      watcherMaxEvents: 50,
    });
    const close = async () => {
      await remote.close();
      for (const n of nodes) await n.close();
    };
    return new Proxy(remote, { get: (t, p) => (p === 'close' ? close : Reflect.get(t, p)) });
  },
  { watcherQueueLimit: 50 },
);

describe('remote backend service', () => {
  it('refuses a client without a node certificate', async () => {
    const { url } = await apiServer(createMemoryBackend());
    const admin = issueCert(ca, { subject: { commonName: 'kubernetes-admin', organizations: ['system:masters'] }, client: true });
    const ch = await dialBackend(url, { key: admin.keyPem, cert: admin.certPem, ca: ca.certPem });
    await new Promise<void>((r) => ch.onClose(r));
  });

  it('refuses a node of another cluster (same CA, other cluster id) and serves its own', async () => {
    const { url } = await apiServer(createMemoryBackend(), 'cluster-a');
    const stranger = await dialBackend(url, tls, 3000, 'cluster-b');
    await new Promise<void>((r) => stranger.onClose(r));
    const remote = new RemoteBackend({ connect: () => dialBackend(url, tls, 3000, 'cluster-a'), reconnectTimeoutMs: 2000 });
    expect((await remote.create('/k', new TextEncoder().encode('v'))).succeeded).toBe(true);
    expect((await remote.get('/k')).kv?.key).toBe('/k');
    await remote.close();
  });

  it('fails over between members of a raftsqlite cluster: reads retry, watches resume without a gap, a write in flight fails Timeout (outcome unknown)', async () => {
    const net = new MemoryNetwork();
    const members = new Map([1, 2, 3].map((id) => [id, `mem://${id}`]));
    const nodes: RaftSqliteBackend[] = [1, 2, 3].map((id) =>
      createRaftSqliteBackend({ dataDir: join(root, `trio/n${id}`), nodeId: id, transport: net.transport(id), bootstrap: members, rand: seededRand(id), raft: { tickMs: 10, electionTicks: 10 }, compaction: false }),
    );
    await nodes[0]!.node.waitForLeader();
    const cuts: (() => void)[] = [];
    const served: number[] = [];
    const remote = new RemoteBackend({
      // Rotate through the members as a spare does; the first connection goes to node 1.
      connect: async (attempt) => {
        const node = nodes[attempt % 3]!;
        const pair = memoryChannelPair();
        serveBackend(node, pair.server);
        cuts.push(pair.cut);
        served.push(node.node.id);
        return pair.client;
      },
    });
    try {
      const ac = new AbortController();
      const w = new WatchRecorder(remote.watch('/f/', { afterRevision: 0, signal: ac.signal }));
      await remote.create('/f/a', enc('1'));
      await w.until(() => w.events.length === 1);
      // The member goes away while a write is in flight: the write's outcome is unknown (Timeout).
      const inFlight = remote.create('/f/b', enc('2'));
      cuts.at(-1)!();
      const err = await inFlight.catch((e: unknown) => e);
      expect(isStorageError(err, 'Timeout')).toBe(true);
      // Reads and writes continue on the next member; the watch resumes there from its last revision.
      for (let i = 0; i < 5; i++) await remote.create(`/f/c${i}`, enc(String(i)));
      const listed = await remote.list('/f/');
      const expected = listed.kvs.map((kv) => kv.key);
      await w.until(() => w.events.length === expected.length, 5000, 'watch caught up on the next member');
      expect(w.events.map((e) => e.kv.key).sort()).toEqual([...expected].sort());
      const revs = w.events.map((e) => e.kv.modRevision);
      expect(revs).toEqual([...revs].sort((a, b) => a - b));
      expect(new Set(revs).size).toBe(revs.length);
      expect(served.length).toBeGreaterThanOrEqual(2);
      expect(served[1]).toBe(2);
      ac.abort();
      await w.done;
    } finally {
      await remote.close();
      for (const n of nodes) await n.close();
    }
  });

  it('ends watches with Unavailable and fails calls when no member answers within the reconnect timeout', async () => {
    const inner = createMemoryBackend();
    let up = true;
    let cut: (() => void) | undefined;
    const remote = new RemoteBackend({
      reconnectTimeoutMs: 300,
      connect: async () => {
        if (!up) throw new Error('connection refused');
        const pair = memoryChannelPair();
        serveBackend(inner, pair.server);
        cut = pair.cut;
        return pair.client;
      },
    });
    const ac = new AbortController();
    const w = new WatchRecorder(remote.watch('/g/', { afterRevision: 0, signal: ac.signal }));
    await remote.create('/g/a', enc('1'));
    await w.until(() => w.events.length === 1);
    up = false;
    cut!();
    await w.done;
    expect(isStorageError(w.error, 'Unavailable')).toBe(true);
    expect(isStorageError(await remote.get('/g/a').catch((e: unknown) => e), 'Unavailable')).toBe(true);
    await remote.close();
    await inner.close();
  });
});

describe('remote backend: a member that never answers', () => {
  it('fails a read as Unavailable (safe to retry) and a write as Timeout (outcome unknown)', async () => {
    const remote = new RemoteBackend({ connect: async () => memoryChannelPair().client, requestTimeoutMs: 50 });
    try {
      const read = await remote.get('/x/a').catch((e: unknown) => e);
      expect(isStorageError(read) && read.code).toBe('Unavailable');
      const write = await remote.create('/x/a', enc('1')).catch((e: unknown) => e);
      expect(isStorageError(write) && write.code).toBe('Timeout');
      expect((write as Error).message).toMatch(/may or may not have been applied/);
    } finally {
      await remote.close();
    }
  });
});

describe('remote backend: members that accept and close at once, and nextMember', () => {
  it('fails a read as Unavailable after a few lost connections instead of dialing without end', async () => {
    let dials = 0;
    const remote = new RemoteBackend({
      connect: async () => {
        dials++;
        const pair = memoryChannelPair();
        setImmediate(() => pair.server.close()); // as a node that has just become a spare does
        return pair.client;
      },
    });
    try {
      const read = await remote.get('/x/a').catch((e: unknown) => e);
      expect(isStorageError(read) && read.code).toBe('Unavailable');
      expect(dials).toBe(5);
    } finally {
      await remote.close();
    }
  });

  it('nextMember moves calls and watches to the next attempt; the watch resumes without a gap', async () => {
    const inner = createMemoryBackend();
    const attempts: number[] = [];
    const remote = new RemoteBackend({
      connect: async (attempt) => {
        attempts.push(attempt);
        const pair = memoryChannelPair();
        serveBackend(inner, pair.server);
        return pair.client;
      },
    });
    try {
      const ac = new AbortController();
      const w = new WatchRecorder(remote.watch('/n/', { afterRevision: 0, signal: ac.signal }));
      await remote.create('/n/a', enc('1'));
      await w.until(() => w.events.length === 1);
      remote.nextMember();
      await remote.create('/n/b', enc('2'));
      await w.until(() => w.events.length === 2);
      expect(attempts).toEqual([0, 1]);
      expect(w.events.map((e) => e.kv.key)).toEqual(['/n/a', '/n/b']);
      ac.abort();
      await w.done;
    } finally {
      await remote.close();
      await inner.close();
    }
  });
});

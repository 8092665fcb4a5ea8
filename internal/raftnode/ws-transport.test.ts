import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createCA, issueCert, type KeyPair } from '../app/pki.js';
import { seededRand } from '../util/index.js';
import { RaftNode } from './node.js';
import { MapStateMachine, kvCodec, type KvCmd } from './testing/harness.js';
import { CLUSTER_ID_HEADER, NODE_GROUP, RAFT_PATH, WsTransport, clusterIdMismatch, listenRaftPeers, nodeCommonName, registerRaftTransport } from './ws-transport.js';

let ca: KeyPair;
let serving: KeyPair;
const root = mkdtempSync(join(tmpdir(), 'kplane-ws-'));
const servers: FastifyInstance[] = [];

beforeAll(() => {
  ca = createCA();
  serving = issueCert(ca, { subject: { commonName: 'kplane' }, dnsNames: ['localhost'], ips: ['127.0.0.1'], server: true });
});
afterAll(async () => {
  for (const s of servers) await s.close();
  rmSync(root, { recursive: true, force: true });
});

const nodeCert = (id: number) => issueCert(ca, { subject: { commonName: nodeCommonName(id), organizations: [NODE_GROUP] }, client: true });

async function server(transport: WsTransport): Promise<string> {
  const app = Fastify({ https: { key: serving.keyPem, cert: serving.certPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: false } });
  await app.register(websocket);
  registerRaftTransport(app, transport);
  await app.listen({ host: '127.0.0.1', port: 0 });
  servers.push(app);
  return `https://127.0.0.1:${(app.server.address() as { port: number }).port}`;
}

describe('WsTransport', () => {
  it('runs a three-node cluster over websockets with mutual TLS', async () => {
    const ids = [1, 2, 3];
    const transports = new Map(ids.map((id) => {
      const c = nodeCert(id);
      return [id, new WsTransport({ id, tls: { key: c.keyPem, cert: c.certPem, ca: ca.certPem } })];
    }));
    const addrs = new Map<number, string>();
    for (const id of ids) addrs.set(id, await server(transports.get(id)!));
    const nodes = ids.map(
      (id) =>
        new RaftNode<KvCmd, string>({
          id,
          dataDir: join(root, `n${id}`),
          stateMachine: new MapStateMachine(),
          codec: kvCodec,
          transport: transports.get(id)!,
          bootstrap: addrs,
          rand: seededRand(id),
          tickMs: 20,
        }),
    );
    for (const n of nodes) n.start();
    try {
      const leaderId = await nodes[0]!.waitForLeader(10_000);
      const follower = nodes.find((n) => n.id !== leaderId)!;
      const results: string[] = [];
      for (let i = 0; i < 20; i++) results.push(await follower.propose({ append: 'k', value: String(i % 10) }));
      expect(results.at(-1)).toBe('01234567890123456789');
      for (const n of nodes) await n.readBarrier();
    } finally {
      for (const n of nodes) await n.stop();
    }
  });

  it('reports a peer whose connections closed (its process died), once per connection, not per failed re-dial', async () => {
    const tls = (id: number) => {
      const c = nodeCert(id);
      return { key: c.keyPem, cert: c.certPem, ca: ca.certPem };
    };
    const a = new WsTransport({ id: 1, tls: tls(1) });
    const b = new WsTransport({ id: 2, tls: tls(2) });
    const lostByA: number[] = [];
    a.start(() => {}, (peer) => lostByA.push(peer));
    b.start(() => {});
    const addrA = await server(a);
    const appB = Fastify({ https: { key: serving.keyPem, cert: serving.certPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: false } });
    await appB.register(websocket);
    registerRaftTransport(appB, b);
    await appB.listen({ host: '127.0.0.1', port: 0 });
    const addrB = `https://127.0.0.1:${(appB.server.address() as { port: number }).port}`;
    a.setPeers(new Map([[2, addrB]]));
    b.setPeers(new Map([[1, addrA]]));
    const until = async (cond: () => boolean) => {
      for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
      expect(cond()).toBe(true);
    };
    await until(() => a.send(2, new Uint8Array([1])) && b.send(1, new Uint8Array([1])));
    // "kill" b: its outbound connection and its listener (a's outbound connection) go away.
    await b.close();
    await appB.close();
    await until(() => lostByA.length >= 2);
    await new Promise((r) => setTimeout(r, 400)); // a keeps re-dialing the dead address meanwhile
    expect(lostByA).toEqual([2, 2]);
    await a.close();
  });

  it('pings an idle connection, and not while the peer keeps replying to our messages', async () => {
    let pings = 0;
    const app = Fastify({ https: { key: serving.keyPem, cert: serving.certPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: false } });
    await app.register(websocket);
    app.route({
      method: 'GET',
      url: RAFT_PATH,
      handler: async (_req, reply) => reply.code(426).send(),
      wsHandler: (socket: WebSocket) => void socket.on('ping', () => pings++),
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    servers.push(app);
    const c = nodeCert(1);
    const a = new WsTransport({ id: 1, tls: { key: c.keyPem, cert: c.certPem, ca: ca.certPem }, pingMs: 40 });
    a.start(() => {});
    a.setPeers(new Map([[2, `https://127.0.0.1:${(app.server.address() as { port: number }).port}`]]));
    const until = async (cond: () => boolean) => {
      for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
      expect(cond()).toBe(true);
    };
    await until(() => a.send(2, new Uint8Array([1])));
    await until(() => pings >= 3);
    // Replies every 10 ms (a leader hears heartbeat responses every heartbeat): no pings, and the
    // connection stays up although no pong is asked for.
    const replies = setInterval(() => a.replied(2), 10);
    await new Promise((r) => setTimeout(r, 60));
    const before = pings;
    await new Promise((r) => setTimeout(r, 400));
    clearInterval(replies);
    expect(pings - before).toBeLessThanOrEqual(1);
    expect(a.send(2, new Uint8Array([1]))).toBe(true);
    // Replies stop: pings resume.
    await until(() => pings >= before + 3);
    await a.close();
  });

  it('refuses a client certificate that does not name a node, and one from another CA', async () => {
    const t = new WsTransport({ id: 9, tls: { key: '', cert: '', ca: '' } });
    const frames: unknown[] = [];
    t.start((from, f) => frames.push([from, f]));
    const url = (await server(t)).replace('https', 'wss') + RAFT_PATH;
    const closeCode = (cert: KeyPair, trust = ca.certPem) =>
      new Promise<number | string>((resolve) => {
        const ws = new WebSocket(url, { key: cert.keyPem, cert: cert.certPem, ca: trust });
        ws.on('close', (code) => resolve(code));
        ws.on('error', (err) => resolve(String(err.message)));
      });
    const user = issueCert(ca, { subject: { commonName: 'kplane-node-1', organizations: ['system:masters'] }, client: true });
    expect(await closeCode(user)).toBe(4403);
    const otherCa = createCA('other');
    const foreign = issueCert(otherCa, { subject: { commonName: nodeCommonName(1), organizations: [NODE_GROUP] }, client: true });
    expect(await closeCode(foreign)).toBe(4403);
    expect(frames).toEqual([]);
  });

  describe('cluster id handshake', () => {
    const tls = (id: number) => {
      const c = issueCert(ca, { subject: { commonName: nodeCommonName(id), organizations: [NODE_GROUP] }, client: true, server: true, ips: ['127.0.0.1'] });
      return { key: c.keyPem, cert: c.certPem, ca: ca.certPem };
    };
    const logs = () => {
      const lines: string[] = [];
      return { lines, logger: { info: () => {}, warn: (msg: string) => void lines.push(msg) } };
    };
    const until = async (cond: () => boolean, ms = 3000) => {
      for (let i = 0; i < ms / 5 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
      return cond();
    };
    /** b listens on its own peer port (production: listenRaftPeers), a on a fastify API server. */
    async function pair(idA: string | undefined, idB: string | undefined) {
      const la = logs();
      const lb = logs();
      const a = new WsTransport({ id: 1, tls: tls(1), clusterId: idA, logger: la.logger });
      const b = new WsTransport({ id: 2, tls: tls(2), clusterId: idB, logger: lb.logger });
      const got = { a: 0, b: 0, lostA: 0, lostB: 0 };
      a.start(() => got.a++, () => got.lostA++);
      b.start(() => got.b++, () => got.lostB++);
      const addrA = await server(a);
      const srvB = listenRaftPeers({ host: '127.0.0.1', port: 0 }, tls(2), b);
      await new Promise((r) => srvB.once('listening', r));
      const addrB = `https://127.0.0.1:${(srvB.address() as { port: number }).port}`;
      a.setPeers(new Map([[2, addrB]]));
      b.setPeers(new Map([[1, addrA]]));
      const close = async () => {
        await a.close();
        await b.close();
        await new Promise((r) => srvB.close(r));
      };
      return { a, b, got, la, lb, close, addrB };
    }

    it('compares ids only when both sides have one', () => {
      expect(clusterIdMismatch('x', 'x')).toBeUndefined();
      expect(clusterIdMismatch('x', undefined)).toBeUndefined();
      expect(clusterIdMismatch(undefined, 'y')).toBeUndefined();
      expect(clusterIdMismatch('x', 'y')).toBe('cluster id mismatch: this node is in cluster x, the peer in cluster y');
    });

    it('connects peers of the same cluster both ways', async () => {
      const p = await pair('c-1', 'c-1');
      try {
        expect(await until(() => p.a.send(2, new Uint8Array([1])) && p.b.send(1, new Uint8Array([1])))).toBe(true);
        expect(await until(() => p.got.a > 0 && p.got.b > 0)).toBe(true);
        expect([...p.la.lines, ...p.lb.lines].filter((l) => l.includes('mismatch'))).toEqual([]);
      } finally {
        await p.close();
      }
    });

    it('refuses a peer of another cluster on both sides, logs both ids once, and reports no lost peer', async () => {
      const p = await pair('old-cluster', 'new-cluster');
      try {
        // Both sides log each direction: its own refusal of the other's dial, and the other's refusal of its dial.
        expect(await until(() => p.la.lines.length >= 2 && p.lb.lines.length >= 2)).toBe(true);
        await new Promise((r) => setTimeout(r, 700)); // several re-dials meanwhile (backoff 100, 200, 400 ms)
        for (const lines of [p.la.lines, p.lb.lines]) {
          expect(lines).toHaveLength(2);
          for (const l of lines) expect(l).toMatch(/cluster id mismatch.*(old-cluster.*new-cluster|new-cluster.*old-cluster)/);
        }
        expect(p.lb.lines.some((l) => l.startsWith('raft peer 1 refused: cluster id mismatch: this node is in cluster new-cluster, the peer in cluster old-cluster'))).toBe(true);
        expect(p.a.send(2, new Uint8Array([1]))).toBe(false);
        expect(p.b.send(1, new Uint8Array([1]))).toBe(false);
        expect(p.got).toEqual({ a: 0, b: 0, lostA: 0, lostB: 0 });
      } finally {
        await p.close();
      }
    });

    it('accepts a peer that sends no id (a kplane from before cluster ids) and tells it its own', async () => {
      const p = await pair(undefined, 'c-2');
      try {
        expect(await until(() => p.a.send(2, new Uint8Array([1])) && p.b.send(1, new Uint8Array([1])))).toBe(true);
        // b's peer listener announces its id to a dialer that sent none, and keeps the connection.
        const seen = await new Promise<{ header?: string; code: number }>((resolve, reject) => {
          const c = tls(3);
          const ws = new WebSocket(p.addrB.replace('https', 'wss') + RAFT_PATH, { key: c.key, cert: c.cert, ca: c.ca });
          let header: string | undefined;
          ws.on('upgrade', (res) => (header = res.headers[CLUSTER_ID_HEADER] as string | undefined));
          ws.on('open', () => setTimeout(() => ws.close(1000), 100));
          ws.on('close', (code) => resolve({ header, code }));
          ws.on('error', reject);
        });
        expect(seen).toEqual({ header: 'c-2', code: 1000 });
      } finally {
        await p.close();
      }
    });
  });
});

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
import { NODE_GROUP, RAFT_PATH, WsTransport, nodeCommonName, registerRaftTransport } from './ws-transport.js';

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
});

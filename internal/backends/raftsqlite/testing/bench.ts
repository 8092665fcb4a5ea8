// Micro benchmark of raftsqlite in one process: `npx tsx internal/backends/raftsqlite/testing/bench.ts [dir] [objects]`.
// 1. creates/s with 32 concurrent writers on 1 node and on 3 nodes (in-memory transport; writes sent
//    to a follower, so they are forwarded), with entries per fsync (group commit).
// 2. Heartbeat lateness while LISTs of N objects (default 50k, ~1.3 KiB pod-like JSON each) run on the
//    leader, plus the JSON decode/encode the API server does for such a LIST: the worst delay of a
//    10 ms probe timer on this thread, and of the leader's Raft tick, with the engine on this thread
//    and with the engine on a worker thread (own mTLS peer listener).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCA, issueCert } from '../../../app/pki.js';
import { MemoryNetwork, NODE_GROUP, nodeCommonName } from '../../../raftnode/index.js';
import { createRaftSqliteBackend, type RaftSqliteBackend } from '../raftsqlite-backend.js';

const dir = mkdtempSync(join(process.argv[2] ?? tmpdir(), 'kplane-raftbench-'));
const objects = Number(process.argv[3] ?? 50_000);
const enc = new TextEncoder();

function podJson(i: number): Uint8Array {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod-${i}`, namespace: 'bench', uid: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`, labels: { app: 'bench', shard: String(i % 16) } },
    spec: { containers: [{ name: 'c', image: 'registry.example/app:1.0', resources: { requests: { cpu: '10m', memory: '16Mi' } } }], nodeName: `node-${i % 100}` },
    status: { phase: 'Running', podIP: `10.0.${(i >> 8) & 255}.${i & 255}`, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
  };
  const s = JSON.stringify(pod);
  return enc.encode(s + ' '.repeat(Math.max(0, 1300 - s.length)));
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function cluster(tag: string, size: number, worker: boolean): Promise<RaftSqliteBackend[]> {
  const ids = Array.from({ length: size }, (_, i) => i + 1);
  if (!worker) {
    const net = new MemoryNetwork();
    const members = new Map(ids.map((id) => [id, `mem://${id}`]));
    return ids.map((id) => createRaftSqliteBackend({ dataDir: join(dir, tag, `n${id}`), nodeId: id, transport: net.transport(id), bootstrap: members, compaction: false }));
  }
  const ca = createCA();
  const ports = await Promise.all(ids.map(() => freePort()));
  const members = new Map(ids.map((id, i) => [id, `https://127.0.0.1:${ports[i]}`]));
  return ids.map((id, i) => {
    const c = issueCert(ca, { subject: { commonName: nodeCommonName(id), organizations: [NODE_GROUP] }, ips: ['127.0.0.1'], client: true, server: true });
    return createRaftSqliteBackend({
      dataDir: join(dir, tag, `n${id}`),
      nodeId: id,
      worker: { tls: { key: c.keyPem, cert: c.certPem, ca: ca.certPem }, listen: { host: '127.0.0.1', port: ports[i]! } },
      bootstrap: members,
      compaction: false,
    });
  });
}

async function creates(tag: string, size: number, total: number, writers: number, worker = false): Promise<RaftSqliteBackend[]> {
  const nodes = await cluster(tag, size, worker);
  const leaderId = await nodes[0]!.node.waitForLeader();
  const target = nodes.find((n) => n.node.id !== leaderId) ?? nodes[0]!;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < total) {
        const i = next++;
        await target.create(`/registry/pods/bench/pod-${i}`, podJson(i));
      }
    }),
  );
  const ms = performance.now() - t0;
  const leader = nodes.find((n) => n.node.id === leaderId)!;
  const s = target.node.stats;
  console.log(
    `${tag}${worker ? ' (engine on a worker thread, TLS websockets)' : ' (engine on this thread, in-memory transport)'}: ${total} creates via ${target === leader ? 'the leader' : 'a follower'}, ${writers} writers: ${((total / ms) * 1000).toFixed(0)} creates/s; ` +
      `${leader.node.stats.readies} Readies on the leader, ${(s.commandsProposed / Math.max(1, s.batchesProposed)).toFixed(1)} commands per entry proposed by the writer's node`,
  );
  return nodes;
}

async function heartbeatDuringLists(nodes: RaftSqliteBackend[], rounds: number): Promise<void> {
  const leaderId = await nodes[0]!.node.waitForLeader();
  const leader = nodes.find((n) => n.node.id === leaderId)!;
  let last = performance.now();
  let worstProbe = 0;
  const probe = setInterval(() => {
    const now = performance.now();
    worstProbe = Math.max(worstProbe, now - last - 10);
    last = now;
  }, 10);
  await new Promise((r) => setTimeout(r, 300));
  const termBefore = leader.node.status().term;
  const ticksBefore = leader.node.stats.ticks;
  const listMs: number[] = [];
  const decodeMs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    const res = await leader.list('/registry/pods/bench/');
    const t1 = performance.now();
    // What the API server does on the same thread for a JSON LIST: decode every object, encode the list.
    const items = res.kvs.map((kv) => JSON.parse(Buffer.from(kv.value).toString('utf8')) as unknown);
    JSON.stringify({ kind: 'PodList', items });
    const t2 = performance.now();
    listMs.push(t1 - t0);
    decodeMs.push(t2 - t1);
    if (res.count !== objects) throw new Error(`listed ${res.count}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  clearInterval(probe);
  await new Promise((r) => setTimeout(r, 300));
  const st = leader.node.status();
  const ticks = leader.node.stats.ticks - ticksBefore;
  const max = (a: number[]) => Math.max(...a).toFixed(0);
  console.log(
    `LIST of ${objects} objects x${rounds} on the leader: backend list max ${max(listMs)} ms, + decode/encode (API path) max ${max(decodeMs)} ms; ` +
      `worst lateness of a timer on this thread ${worstProbe.toFixed(0)} ms; leader's Raft tick: worst lateness ${leader.node.stats.tickLateMaxMs} ms since start, ${ticks} ticks of 100 ms during the run ` +
      `(heartbeat 100 ms, election timeout 1000-2000 ms); term ${termBefore} -> ${st.term}, leader ${leaderId} -> ${st.leader}`,
  );
}

async function main(): Promise<void> {
  for (const n of await creates('single', 1, 5000, 32)) await n.close();
  for (const worker of [false, true]) {
    const trio = await creates(worker ? 'trio-worker' : 'trio', 3, objects, 32, worker);
    await heartbeatDuringLists(trio, 5);
    for (const n of trio) await n.close();
  }
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => rmSync(dir, { recursive: true, force: true }));

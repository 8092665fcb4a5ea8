import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createCA, issueCert } from '../../app/pki.js';
import { MemoryNetwork, NODE_GROUP, nodeCommonName } from '../../raftnode/index.js';
import type { Backend } from '../../storage/index.js';
import { runBackendConformance } from '../../storage/testing/index.js';
import { seededRand } from '../../util/index.js';
import { createRaftSqliteBackend, type RaftSqliteBackend, type RaftSqliteBackendOptions } from './raftsqlite-backend.js';

const root = mkdtempSync(join(tmpdir(), 'kplane-raftsqlite-conf-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

// Fast ticks (10 ms, elections in 100-200 ms), a tiny ring so catch-up reads SQLite history, a fast
// lease check so 1-second leases expire promptly.
const common = (dataDir: string): Omit<RaftSqliteBackendOptions, 'nodeId' | 'transport'> => ({
  dataDir,
  raft: { tickMs: 10, electionTicks: 10 },
  compaction: false,
  leaseCheckIntervalMs: 50,
  watch: { ringMaxEvents: 8, watcherMaxEvents: 50 },
});

runBackendConformance(
  'raftsqlite (1 node)',
  () => {
    const net = new MemoryNetwork();
    return createRaftSqliteBackend({ ...common(join(root, `single-${n++}`)), nodeId: 1, transport: net.transport(1), bootstrap: new Map([[1, 'mem://1']]), rand: seededRand(n) });
  },
  { watcherQueueLimit: 50 },
);

// The same single node with its Raft engine on a worker thread (the production setup): proposals,
// read states and applies cross threads as messages.
const ca = createCA();
const cert = issueCert(ca, { subject: { commonName: nodeCommonName(1), organizations: [NODE_GROUP] }, ips: ['127.0.0.1'], client: true, server: true });
runBackendConformance(
  'raftsqlite (1 node, engine on a worker thread)',
  () =>
    createRaftSqliteBackend({
      ...common(join(root, `worker-${n++}`)),
      nodeId: 1,
      worker: { tls: { key: cert.keyPem, cert: cert.certPem, ca: ca.certPem }, listen: { host: '127.0.0.1', port: 0 } },
      bootstrap: new Map([[1, 'https://127.0.0.1:1']]),
    }),
  { watcherQueueLimit: 50 },
);

/**
 * Three nodes over the in-memory network; the test talks to one of them (alternately a follower and
 * whichever node is leader), so forwarding, read barriers and follower watches are exercised.
 * Closing it closes the cluster.
 */
async function threeNodes(): Promise<Backend> {
  const net = new MemoryNetwork();
  const dir = join(root, `trio-${n++}`);
  const members = new Map([1, 2, 3].map((id) => [id, `mem://${id}`]));
  const nodes: RaftSqliteBackend[] = [1, 2, 3].map((id) =>
    createRaftSqliteBackend({ ...common(join(dir, `n${id}`)), nodeId: id, transport: net.transport(id), bootstrap: members, rand: seededRand(n * 10 + id) }),
  );
  const leaderId = await nodes[0]!.node.waitForLeader();
  const pick = n % 2 === 0 ? nodes.find((b) => b.node.id !== leaderId)! : nodes.find((b) => b.node.id === leaderId)!;
  const close = async () => {
    for (const b of nodes) if (b !== pick) await b.close();
    await pick.close();
  };
  return new Proxy(pick, { get: (t, p) => (p === 'close' ? close : Reflect.get(t, p)) });
}

runBackendConformance('raftsqlite (3 nodes)', threeNodes, { watcherQueueLimit: 50 });

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryNetwork } from '../../raftnode/index.js';
import { WatchRecorder, expectWellFormedStream } from '../../storage/testing/index.js';
import { seededRand } from '../../util/index.js';
import { createRaftSqliteBackend, type RaftSqliteBackend, type RaftTuning } from './raftsqlite-backend.js';

const b = (s: string) => new TextEncoder().encode(s);
const t = (u: Uint8Array) => new TextDecoder().decode(u);

let root: string;
let net: MemoryNetwork;
let nodes: Map<number, RaftSqliteBackend>;
const members = new Map([1, 2, 3].map((id) => [id, `mem://${id}`]));

function start(id: number, raft: RaftTuning = {}, reads: 'linearizable' | 'serializable' = 'linearizable'): RaftSqliteBackend {
  const be = createRaftSqliteBackend({
    reads,
    dataDir: join(root, `n${id}`),
    nodeId: id,
    transport: net.transport(id),
    bootstrap: members,
    rand: seededRand(id),
    raft: { tickMs: 10, electionTicks: 10, ...raft },
    compaction: false,
  });
  nodes.set(id, be);
  return be;
}

async function leader(): Promise<RaftSqliteBackend> {
  for (let i = 0; i < 500; i++) {
    for (const n of nodes.values()) if (n.node.isLeader()) return n;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('no leader');
}

async function stop(id: number, transfer = false): Promise<void> {
  const n = nodes.get(id)!;
  nodes.delete(id);
  if (!transfer) await n.node.stop({ transferLeadership: false });
  await n.close();
}

async function until(cond: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'kplane-raftsqlite-cluster-'));
  net = new MemoryNetwork();
  nodes = new Map();
});
afterEach(async () => {
  for (const id of [...nodes.keys()]) await stop(id);
  rmSync(root, { recursive: true, force: true });
});

describe('raftsqlite cluster', () => {
  it('a watch on a follower survives the leader dying, with no gap or duplicate', async () => {
    for (const id of [1, 2, 3]) start(id);
    const l1 = await leader();
    const f = [...nodes.values()].find((n) => n !== l1)!;
    const ac = new AbortController();
    const rec = new WatchRecorder(f.watch('/w/', { afterRevision: 0, signal: ac.signal }));
    for (let i = 0; i < 10; i++) await l1.create(`/w/a${i}`, b(`${i}`));
    await stop(l1.node.id);
    const l2 = await leader();
    for (let i = 0; i < 10; i++) await f.create(`/w/b${i}`, b(`${i}`));
    await rec.until(() => rec.events.length === 20, 5000, '20 events');
    ac.abort();
    await rec.done;
    expectWellFormedStream(rec.batches);
    expect(rec.events.map((e) => e.kv.key)).toEqual([...[...Array(10).keys()].map((i) => `/w/a${i}`), ...[...Array(10).keys()].map((i) => `/w/b${i}`)]);
    expect(l2.node.id).not.toBe(l1.node.id);
  });

  it('a follower cut off past a snapshot installs it, and its open watch catches up from the new history', async () => {
    for (const id of [1, 2, 3]) start(id, { snapshotEntries: 20, trailingEntries: 0, snapshotChunkBytes: 4096 });
    const l = await leader();
    const f = [...nodes.values()].find((n) => n !== l)!;
    await l.create('/s/first', b('x'));
    await f.get('/s/first');
    const ac = new AbortController();
    const rec = new WatchRecorder(f.watch('/s/', { afterRevision: 0, signal: ac.signal }));
    net.isolate(f.node.id, [1, 2, 3]);
    for (let i = 0; i < 60; i++) await l.create(`/s/k${i}`, b('v'.repeat(500)));
    await new Promise((r) => setTimeout(r, 50));
    expect(l.node.stats.snapshotsTaken).toBeGreaterThan(0);
    net.isolate(f.node.id, [1, 2, 3], true);
    await rec.until(() => rec.events.length === 60, 10_000, 'events after snapshot install');
    ac.abort();
    await rec.done;
    expect(f.node.stats.snapshotsInstalled).toBeGreaterThan(0);
    expectWellFormedStream(rec.batches);
    expect(rec.events.map((e) => e.kv.key)).toEqual([...Array(60).keys()].map((i) => `/s/k${i}`));
    const list = await f.list('/s/');
    expect(list.count).toBe(61);
    expect(list.revision).toBe((await l.currentRevision()).revision);
  });

  it('restarting every node keeps acknowledged writes (power loss of all three)', async () => {
    for (const id of [1, 2, 3]) start(id);
    const l = await leader();
    for (let i = 0; i < 20; i++) await l.create(`/p/k${i}`, b(`${i}`));
    for (const id of [1, 2, 3]) await stop(id);
    for (const id of [1, 2, 3]) start(id);
    const any = nodes.get(2)!;
    const got = await any.list('/p/');
    expect(got.kvs.map((kv) => t(kv.value))).toEqual([...Array(20).keys()].map(String).sort());
    expect(await any.create('/p/after', b('ok'))).toMatchObject({ succeeded: true });
  });

  it('a node with a wiped state DB rebuilds it from its snapshot and log', async () => {
    for (const id of [1, 2, 3]) start(id, { snapshotEntries: 10, trailingEntries: 2 });
    const l = await leader();
    for (let i = 0; i < 30; i++) await l.create(`/r/k${i}`, b(`${i}`));
    const f = [...nodes.values()].find((n) => n !== l)!;
    const id = f.node.id;
    await f.get('/r/k29');
    await stop(id);
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(root, `n${id}`, `state.db${suffix}`), { force: true });
    const again = start(id, { snapshotEntries: 10, trailingEntries: 2 });
    const got = await again.get('/r/k29');
    expect(t(got.kv!.value)).toBe('29');
    expect((await again.list('/r/')).count).toBe(30);
  });

  it('serializable reads skip the barrier; linearizable reads on a cut-off node time out', async () => {
    for (const id of [1, 2, 3]) start(id, { readTimeoutMs: 200 }, id === 3 ? 'serializable' : 'linearizable');
    const l = await leader();
    await l.create('/x/a', b('1'));
    await until(async () => (await nodes.get(3)!.get('/x/a')).kv !== undefined);
    for (const id of [1, 2, 3]) net.isolate(id, [1, 2, 3]);
    // Every node is cut off: the serializable one still answers from its replica...
    expect(t((await nodes.get(3)!.get('/x/a')).kv!.value)).toBe('1');
    // ...a linearizable read cannot be confirmed by a quorum, so it fails instead of risking staleness
    // (Unavailable: a read changes nothing, so the client may retry it).
    await expect(nodes.get(1)!.get('/x/a')).rejects.toMatchObject({ code: 'Unavailable' });
    // Once the election timeout passed without a leader, the nodes report not ready.
    await until(async () => [...nodes.values()].every((n) => !n.status.ready()));
  });
});

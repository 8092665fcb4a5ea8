import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryBackend, createRaftSqliteBackend, memoryChannelPair, serveBackend, type AdmitRequest, type RaftSqliteBackend } from '../backends/index.js';
import { MemoryNetwork, encodeMemberContext } from '../raftnode/index.js';
import { isStorageError } from '../storage/index.js';
import { WatchRecorder } from '../storage/testing/index.js';
import { seededRand } from '../util/index.js';
import { NODES_PREFIX, NodeDatastore, readNodeDirectory } from './node-datastore.js';

const root = mkdtempSync(join(tmpdir(), 'kplane-nodeds-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const enc = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined);

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Three raftsqlite voters on an in-memory network, each with its API published in the node directory as mem-api://ID. */
async function threeVoters(name: string) {
  const net = new MemoryNetwork();
  const dir = join(root, name);
  const raft = { tickMs: 10, electionTicks: 10 };
  const members = new Map([1, 2, 3].map((id) => [id, `mem://${id}`]));
  const voters: RaftSqliteBackend[] = [1, 2, 3].map((id) =>
    createRaftSqliteBackend({ dataDir: join(dir, `n${id}`), nodeId: id, transport: net.transport(id), bootstrap: members, rand: seededRand(id), raft, compaction: false }),
  );
  const leader = () => voters.find((v) => v.node.isLeader())!;
  await voters[0]!.node.waitForLeader();
  for (const v of voters) await v.create(`${NODES_PREFIX}${v.node.id}`, enc(JSON.stringify({ api: `mem-api://${v.node.id}` })));
  return { net, dir, raft, voters, leader };
}

/**
 * Three voters on the in-memory network and node 4 as a NodeDatastore: it starts as a spare (db/spare)
 * served through the members (in-memory channels named mem-api://ID), is made a standby by the leader
 * (it opens its own replica and switches), then a spare again.
 */
describe('NodeDatastore', () => {
  it('serves a spare through a member, switches to its own replica when made a standby, and back when made a spare', async () => {
    const { net, dir, raft, voters, leader } = await threeVoters('c');
    // Node 4 is recorded as a spare in the log (as a join beyond the standby limit does).
    await leader().node.changeMembership({ type: 'removeNode', nodeId: 4, context: encodeMemberContext({ spare: true, address: 'mem://4' }) });

    const dbDir = join(dir, 'n4db');
    mkdirSync(dbDir, { recursive: true });
    writeFileSync(join(dbDir, 'spare'), 'spare\n');
    let served = 0;
    const admitted: AdmitRequest[] = [];
    let local: RaftSqliteBackend | undefined;
    const ds = new NodeDatastore({
      id: 4,
      dbDir,
      tls: { key: '', cert: '', ca: '' },
      seeds: ['mem-api://1'],
      log: pino({ level: 'silent' }),
      pollMs: 50,
      ping: false,
      dial: async (url) => {
        const member = voters[Number(url.slice('mem-api://'.length)) - 1]!;
        const pair = memoryChannelPair();
        served++;
        serveBackend(member, pair.server, {
          leave: () => leader().node.changeMembership({ type: 'removeNode', nodeId: 4 }),
          admit: async (req) => {
            admitted.push(req);
            const context = encodeMemberContext({ spare: true, address: req.address });
            return leader().node.changeMembership({ type: 'removeNode', nodeId: req.nodeId, context });
          },
          describe: async () => {
            const apis: Record<string, string> = {};
            for (const kv of (await member.list(NODES_PREFIX)).kvs) apis[kv.key.slice(NODES_PREFIX.length)] = (JSON.parse(text(kv.value)!) as { api: string }).api;
            return { ...member.node.status(), apis };
          },
        });
        return pair.client;
      },
      openLocal: (peers) => {
        local = createRaftSqliteBackend({
          dataDir: join(dir, 'n4'),
          nodeId: 4,
          transport: net.transport(4),
          peers: new Map(Object.entries(peers ?? {}).map(([id, a]) => [Number(id), a])),
          rand: seededRand(4),
          raft,
          compaction: false,
        });
        return local;
      },
    });
    try {
      // A spare: no replica, reads and writes through a member, linearizable against the voters.
      expect(ds.isSpare).toBe(true);
      await ds.create('/t/a', enc('1'));
      expect(text((await voters[2]!.get('/t/a')).kv?.value)).toBe('1');
      expect(text((await ds.get('/t/a')).kv?.value)).toBe('1');
      expect(served).toBeGreaterThan(0);
      await until('the spare learned the membership', () => ds.status.ready() && ds.node.status().spares?.['4'] !== undefined);
      expect(ds.node.status().voters).toEqual([1, 2, 3]);

      // A join signed on the spare (it may hold the CA key) is recorded through the member it uses;
      // anything else about other nodes is refused.
      await ds.node.changeMembership({ type: 'removeNode', nodeId: 5, context: encodeMemberContext({ spare: true, address: 'mem://5', domain: 'rack-b' }) });
      await ds.node.changeMembership({ type: 'addLearner', nodeId: 6 }, 'mem://6', 10_000);
      expect(admitted).toEqual([
        { nodeId: 5, role: 'spare', address: 'mem://5', domain: 'rack-b' },
        { nodeId: 6, role: 'standby', address: 'mem://6' },
      ]);
      await until('spares 5 and 6 recorded', () => leader().node.status().spares?.['5'] !== undefined && leader().node.status().spares?.['6'] !== undefined);
      await expect(ds.node.changeMembership({ type: 'removeNode', nodeId: 2 })).rejects.toThrow(/spare/);
      await expect(ds.node.changeMembership({ type: 'addVoter', nodeId: 7 }, 'mem://7')).rejects.toThrow(/spare/);
      expect(admitted).toHaveLength(2);

      // Made a standby: the node opens its own replica, catches up, and switches.
      const ac = new AbortController();
      const w = new WatchRecorder(ds.watch('/t/', { afterRevision: (await ds.currentRevision()).revision, signal: ac.signal }));
      await leader().node.changeMembership({ type: 'addLearner', nodeId: 4 });
      await until('the standby serving from its replica', () => !ds.isSpare);
      expect(local).toBeDefined();
      expect(ds.node.status().learners).toContain(4);
      // The watch on the member ended with Unavailable (never silently): its consumer watches again.
      await w.done;
      expect(isStorageError(w.error, 'Unavailable')).toBe(true);
      await ds.create('/t/b', enc('2'));
      expect(text((await voters[0]!.get('/t/b')).kv?.value)).toBe('2');
      expect(text((await ds.get('/t/a')).kv?.value)).toBe('1');

      // Made a spare again: back to serving through a member, the replica closed.
      await leader().node.changeMembership({ type: 'removeNode', nodeId: 4, context: encodeMemberContext({ spare: true }) });
      await until('the node serving through a member again', () => ds.isSpare);
      await ds.create('/t/c', enc('3'));
      expect((await ds.list('/t/')).kvs.map((kv) => kv.key)).toEqual(['/t/a', '/t/b', '/t/c']);

      // `kplane leave` on the spare: its removal goes through the member it uses.
      await ds.node.changeMembership({ type: 'removeNode', nodeId: 4 });
      await until('the spare removed from the membership', () => leader().node.status().spares?.['4'] === undefined);
      await expect(ds.node.takeSnapshot()).rejects.toThrow(/spare/);
    } finally {
      await ds.close();
      for (const v of voters) await v.close();
    }
  });
});

describe('NodeDatastore, a node demoted while it was down', () => {
  // The restarted node still holds its old configuration and has no leader; the first candidates in
  // its directory cannot tell it anything (one refuses to describe, one closes at once as a fresh
  // spare does). It must still learn from a member that it is a spare, and once a spare, move off a
  // member that stops answering.
  it('learns that it is a spare from whichever member answers, and leaves a member that stops answering', async () => {
    const { net, dir, raft, voters, leader } = await threeVoters('down');
    await leader().node.changeMembership({ type: 'removeNode', nodeId: 5, context: encodeMemberContext({ spare: true, address: 'mem://5' }) });

    const dbDir = join(dir, 'n5db');
    mkdirSync(dbDir, { recursive: true });
    // Its directory from before it went down: two nodes that cannot help first, then one member.
    writeFileSync(join(dbDir, 'member-apis.json'), JSON.stringify({ 1: 'mem-api://refuses', 2: 'mem-api://closes', 3: 'mem-api://3' }));
    const broken = new Set<number>();
    const dialed: string[] = [];
    const ds = new NodeDatastore({
      id: 5,
      dbDir,
      tls: { key: '', cert: '', ca: '' },
      seeds: [],
      log: pino({ level: 'silent' }),
      pollMs: 50,
      ping: false,
      dial: async (url) => {
        dialed.push(url);
        const pair = memoryChannelPair();
        const name = url.slice('mem-api://'.length);
        if (name === 'closes') {
          setImmediate(() => pair.server.close());
          return pair.client;
        }
        const member = name === 'refuses' ? voters[0]! : voters[Number(name) - 1]!;
        serveBackend(member, pair.server, {
          leave: () => Promise.reject(new Error('not in this test')),
          admit: () => Promise.reject(new Error('not in this test')),
          describe: async () => {
            if (name === 'refuses' || broken.has(member.node.id)) throw new Error('no read index from a leader in time');
            const apis: Record<string, string> = {};
            for (const kv of (await member.list(NODES_PREFIX)).kvs) apis[kv.key.slice(NODES_PREFIX.length)] = (JSON.parse(text(kv.value)!) as { api: string }).api;
            return { ...member.node.status(), apis };
          },
        });
        return pair.client;
      },
      // Its old configuration: voters 5 and 6 (never started), so it has no leader, as after a restart
      // whose peers no longer answer it.
      openLocal: () =>
        createRaftSqliteBackend({
          dataDir: join(dir, 'n5'),
          nodeId: 5,
          transport: net.transport(5),
          bootstrap: new Map([
            [5, 'mem://5'],
            [6, 'mem://6'],
          ]),
          rand: seededRand(5),
          raft,
          compaction: false,
        }),
    });
    try {
      expect(ds.isSpare).toBe(false);
      await until('the node found out it is a spare', () => ds.isSpare);
      expect(dialed).toContain('mem-api://3');
      await ds.create('/t/x', enc('1'));
      expect(text((await voters[1]!.get('/t/x')).kv?.value)).toBe('1');
      await until('the spare learned the membership', () => ds.status.ready());

      // The member it uses stops answering: it moves to another and stays ready.
      const current = dialed[dialed.length - 1]!;
      for (const v of voters) if (`mem-api://${v.node.id}` === current) broken.add(v.node.id);
      expect(broken.size).toBe(1);
      const before = dialed.length;
      const brokeAt = Date.now();
      await until('a dial to another member', () => dialed.slice(before).some((u) => u !== current));
      // Learned at least 300 ms after the break (6 polls, all refused by the broken member by then).
      await until('membership learned from another member', () => Date.now() - Number(ds.status.stats().memberInfoAgeMs) > brokeAt + 300);
      expect(ds.status.ready()).toBe(true);
    } finally {
      await ds.close();
      for (const v of voters) await v.close();
    }
  });
});

describe('NodeDatastore.removeSpare (the member side of a spare leaving)', () => {
  it('removes a recorded spare, and nothing else', async () => {
    const net = new MemoryNetwork();
    const dir = join(root, 'solo');
    const ds = new NodeDatastore({
      id: 1,
      dbDir: join(dir, 'db'),
      tls: { key: '', cert: '', ca: '' },
      seeds: [],
      log: pino({ level: 'silent' }),
      ping: false,
      openLocal: () =>
        createRaftSqliteBackend({ dataDir: join(dir, 'n1'), nodeId: 1, transport: net.transport(1), bootstrap: new Map([[1, 'mem://1']]), raft: { tickMs: 10, electionTicks: 10 }, compaction: false }),
    });
    mkdirSync(join(dir, 'db'), { recursive: true });
    try {
      await ds.node.waitForLeader();
      await ds.node.changeMembership({ type: 'removeNode', nodeId: 9, context: encodeMemberContext({ spare: true, address: 'mem://9' }) });
      await until('spare 9 recorded', () => ds.node.status().spares?.['9'] !== undefined);
      await expect(ds.removeSpare(1)).rejects.toThrow(/not a spare/);
      await ds.removeSpare(9);
      await until('spare 9 removed', () => ds.node.status().spares?.['9'] === undefined);

      // admitNode (a join signed on a spare): new ids only, as a spare record or a learner.
      await ds.admitNode({ nodeId: 11, role: 'spare', address: 'mem://11' });
      await until('spare 11 recorded', () => ds.node.status().spares?.['11'] !== undefined);
      await ds.admitNode({ nodeId: 12, role: 'standby', address: 'mem://12', domain: 'rack-a' });
      await until('learner 12 added', () => ds.node.status().learners.includes(12));
      expect(ds.node.status().members['12']).toBe('mem://12');
      for (const nodeId of [1, 11, 12, 0, 1.5]) await expect(ds.admitNode({ nodeId, role: 'spare', address: 'mem://x' })).rejects.toThrow(/not a new node id/);
      expect(ds.node.status().voters).toEqual([1]);
    } finally {
      await ds.close();
    }
  });
});

describe('readNodeDirectory', () => {
  it('lists only the current members: entries of departed nodes stay in the KV but are not handed out', async () => {
    const b = createMemoryBackend();
    const enc = (s: string) => new TextEncoder().encode(s);
    for (const id of [1, 2, 3, 4]) await b.create(`${NODES_PREFIX}${id}`, enc(JSON.stringify({ api: `https://n${id}:6443` })));
    await b.create(`${NODES_PREFIX}x`, enc(JSON.stringify({ api: 'https://junk' })));
    const dir = await readNodeDirectory(b, { voters: [1, 3], learners: [4] });
    expect([...dir]).toEqual([
      [1, 'https://n1:6443'],
      [3, 'https://n3:6443'],
      [4, 'https://n4:6443'],
    ]);
    await b.close();
  });
});

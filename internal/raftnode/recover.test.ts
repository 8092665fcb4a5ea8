import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeDescriptor } from './snapshots.js';
import { SqliteLogStorage } from './log-store.js';
import { inspectRaftLog, recoverSoloLog, seedRaftLog, soloChanges } from './recover.js';
import { MapStateMachine, TestCluster, until, type KvCmd } from './testing/harness.js';

let c: TestCluster | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await c?.close();
  c = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const set = (k: string, v: string): KvCmd => ({ set: k, value: v });

describe('soloChanges', () => {
  it('removes every other member, voters and standbys', () => {
    expect(soloChanges({ voters: [1, 2, 3], learners: [4] }, 2)).toEqual([
      { type: 'removeNode', nodeId: 1 },
      { type: 'removeNode', nodeId: 3 },
      { type: 'removeNode', nodeId: 4 },
    ]);
  });

  it('promotes a standby survivor before removing the voters (never an empty configuration)', () => {
    expect(soloChanges({ voters: [1, 2, 3], learners: [4] }, 4)).toEqual([
      { type: 'addVoter', nodeId: 4 },
      { type: 'removeNode', nodeId: 1 },
      { type: 'removeNode', nodeId: 2 },
      { type: 'removeNode', nodeId: 3 },
    ]);
  });

  it('refuses a node that is not in the configuration', () => {
    expect(() => soloChanges({ voters: [1, 2], learners: [] }, 5)).toThrow(/not a member/);
  });
});

describe('recoverSoloLog', () => {
  it('turns a survivor of a three-node cluster into a one-voter cluster that keeps every entry of its log', async () => {
    c = new TestCluster();
    const sms = new Map([1, 2, 3].map((id) => [id, new MapStateMachine()]));
    for (const id of [1, 2, 3]) c.start(id, [1, 2, 3], {}, sms.get(id));
    let leader = await c.leader();
    for (let i = 0; i < 20; i++) await leader.propose(set(`k${i}`, `v${i}`));
    // A standby that never answers: its configuration entry sits in the log after the snapshot.
    await leader.changeMembership({ type: 'addLearner', nodeId: 4 }, 'mem://4');
    const survivor = leader.id;
    const sm = sms.get(survivor)!;
    await until(() => [...c!.nodes.values()].every((n) => n.status().applied === leader.status().commit), 5000, 'followers applied');
    // The other two die for good; the survivor appends one more write it can no longer commit.
    for (const id of [1, 2, 3]) if (id !== survivor) await c.stop(id);
    const lost = leader.propose(set('tail', 'kept')).catch((e: Error) => e);
    const dir = leader.dir;
    const path = join(dir, 'raft.db');
    await until(() => inspectRaftLog(path).lastIndex > leader.status().commit, 2000, 'uncommitted tail');
    await c.stop(survivor);
    expect(await lost).toBeInstanceOf(Error);

    const before = inspectRaftLog(path);
    expect(before.confState).toEqual({ voters: [1, 2, 3], learners: [4] });
    expect(before.members).toMatchObject({ 1: 'mem://1', 2: 'mem://2', 3: 'mem://3', 4: 'mem://4' });
    expect(before.lastIndex).toBeGreaterThan(before.hardState.commit);
    const appliedBefore = sm.index;
    expect(appliedBefore).toBeLessThan(before.lastIndex);

    const r = recoverSoloLog(path, survivor);
    expect(r.appended).toHaveLength(3);
    expect(r.commit).toBe(before.lastIndex + 3);
    expect(r.term).toBe(before.hardState.term + 1);
    const after = inspectRaftLog(path);
    expect(after.confState).toEqual({ voters: [survivor], learners: [] });
    expect(Object.keys(after.members)).toEqual([String(survivor)]);
    expect(after.hardState).toEqual({ term: r.term, vote: survivor, commit: r.commit });
    expect(after.lastIndex).toBe(r.commit);

    // Restart alone with the same (durable) state: it applies only what it had not applied (the
    // MapStateMachine throws on a gap or a repeat), then leads and takes writes.
    const applied: number[] = [];
    const origApply = sm.apply.bind(sm);
    sm.apply = (index, term, cmds) => (applied.push(index), origApply(index, term, cmds));
    const n = c.start(survivor, undefined, {}, sm);
    await n.waitForLeader(5000);
    leader = n;
    expect(n.status().voters).toEqual([survivor]);
    expect(n.status().learners).toEqual([]);
    expect(await n.propose(set('after', 'recovery'))).toBe('recovery');
    await n.readBarrier();
    expect(applied[0]).toBe(appliedBefore + 1);
    expect(sm.data.get('tail')).toBe('kept');
    expect(sm.data.get('k19')).toBe('v19');
    expect(Object.keys(n.status().members)).toEqual([String(survivor)]);
  });

  it('recovers a standby survivor (promoted first) from a compacted log whose snapshot holds the old configuration', async () => {
    c = new TestCluster({ snapshotEntries: 5, trailingEntries: 2 });
    const sm4 = new MapStateMachine();
    for (const id of [1, 2, 3]) c.start(id, [1, 2, 3]);
    const leader = await c.leader();
    c.start(4, undefined, { peers: new Map([[leader.id, `mem://${leader.id}`]]) }, sm4);
    await leader.changeMembership({ type: 'addLearner', nodeId: 4 }, 'mem://4');
    for (let i = 0; i < 30; i++) await leader.propose(set(`k${i}`, `v${i}`));
    await until(() => sm4.data.get('k29') === 'v29', 5000, 'the standby to catch up');
    for (const id of [1, 2, 3, 4]) await c.stop(id);

    const path = join(c.dir(4), 'raft.db');
    const before = inspectRaftLog(path);
    expect(before.snapshot.index).toBeGreaterThan(1);
    expect(before.confState).toEqual({ voters: [1, 2, 3], learners: [4] });
    const r = recoverSoloLog(path, 4);
    expect(r.appended.map((cc) => `${cc.type} ${cc.nodeId}`)).toEqual(['addVoter 4', 'removeNode 1', 'removeNode 2', 'removeNode 3']);
    const n = c.start(4, undefined, {}, sm4);
    await n.waitForLeader(5000);
    expect(n.status()).toMatchObject({ voters: [4], learners: [], leader: 4 });
    expect(await n.propose(set('k30', 'v30'))).toBe('v30');
    expect(sm4.data.get('k0')).toBe('v0');
  });

  it('leaves a log without a configuration change untouched when the node is not a member', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kplane-recover-'));
    dirs.push(dir);
    const log = new SqliteLogStorage(join(dir, 'raft.db'));
    log.bootstrap({ voters: [1, 2], learners: [] });
    log.close();
    expect(() => recoverSoloLog(join(dir, 'raft.db'), 3)).toThrow(/not a member/);
    expect(inspectRaftLog(join(dir, 'raft.db')).lastIndex).toBe(1);
  });
});

describe('seedRaftLog', () => {
  it('writes a one-voter log whose snapshot is the restored image, and a node serves it and keeps going', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kplane-seed-'));
    dirs.push(dir);
    const image = join(dir, 'image.json');
    writeFileSync(image, JSON.stringify({ index: 42, term: 7, data: [['restored', 'yes']] }));
    c = new TestCluster();
    const nodeDir = c.dir(5);
    await seedRaftLog({ dir: nodeDir, self: 5, peerAddress: 'mem://5', domain: 'rack-a', image, index: 42, term: 7 });
    const info = inspectRaftLog(join(nodeDir, 'raft.db'));
    expect(info.snapshot).toEqual({ index: 42, term: 7, confState: { voters: [5], learners: [] } });
    expect(info.members).toEqual({ 5: 'mem://5' });
    expect(info.domains).toEqual({ 5: 'rack-a' });
    const log = new SqliteLogStorage(join(nodeDir, 'raft.db'));
    const d = decodeDescriptor(log.snapshot().data);
    log.close();
    expect(existsSync(join(nodeDir, 'snapshots', d.file!))).toBe(true);
    await expect(seedRaftLog({ dir: nodeDir, self: 5, peerAddress: 'mem://5', image, index: 42, term: 7 })).rejects.toThrow(/exists/);

    // A state that is still empty installs the image on start, then the node leads alone.
    const n = c.start(5);
    await n.waitForLeader(5000);
    expect(n.kv.data.get('restored')).toBe('yes');
    expect(await n.propose(set('k', 'v'))).toBe('v');
    expect(n.kv.index).toBeGreaterThan(42);
  });
});

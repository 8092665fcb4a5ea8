import { afterEach, describe, expect, it } from 'vitest';
import { isRaftNodeError } from './errors.js';
import { TestCluster, until, type KvCmd } from './testing/harness.js';

let c: TestCluster;
afterEach(async () => c?.close());

const set = (k: string, v: string): KvCmd => ({ set: k, value: v });
const append = (k: string, v: string): KvCmd => ({ append: k, value: v });

describe('RaftNode: one node', () => {
  it('elects itself, applies proposals in order and returns each result', async () => {
    c = new TestCluster();
    const n = c.start(1, [1]);
    await n.waitForLeader();
    const results = await Promise.all([n.propose(append('k', 'a')), n.propose(append('k', 'b')), n.propose(append('k', 'c'))]);
    expect(results).toEqual(['a', 'ab', 'abc']);
    // The three arrived together: one entry (group commit).
    expect(n.stats.batchesProposed).toBe(1);
    await n.readBarrier();
    expect(n.kv.data.get('k')).toBe('abc');
  });

  it('restarts from its log and re-applies onto a state machine that lost everything', async () => {
    c = new TestCluster();
    let n = c.start(1, [1]);
    await n.waitForLeader();
    for (let i = 0; i < 5; i++) await n.propose(set(`k${i}`, `v${i}`));
    await c.stop(1);
    n = c.start(1, [99]); // bootstrap is ignored once the log exists
    await n.waitForLeader();
    await n.readBarrier();
    expect(n.kv.data.get('k4')).toBe('v4');
    expect(n.status().voters).toEqual([1]);
    expect(await n.propose(set('k5', 'v5'))).toBe('v5');
  });

  it('takes snapshots, truncates the log, and restarts from the snapshot image', async () => {
    c = new TestCluster({ snapshotEntries: 10, trailingEntries: 2 });
    let n = c.start(1, [1]);
    await n.waitForLeader();
    for (let i = 0; i < 30; i++) await n.propose(set(`k${i}`, `v${i}`));
    await until(() => n.stats.snapshotsTaken >= 2, 5000, 'snapshots');
    const st = n.status();
    expect(st.snapshotIndex).toBeGreaterThanOrEqual(20);
    await c.stop(1);
    n = c.start(1);
    await n.waitForLeader();
    await n.readBarrier();
    expect(n.kv.data.get('k29')).toBe('v29');
    expect(n.kv.applied[0]).toBeGreaterThan(st.snapshotIndex - 1); // nothing below the snapshot re-applied
  });

  it('fails pending work with Stopped on stop', async () => {
    c = new TestCluster();
    const n = c.start(1, [1]);
    // No leader yet at this instant: the proposal waits in the queue.
    const p = n.propose(set('a', '1'));
    await c.stop(1);
    await expect(p).rejects.toSatisfy((e) => isRaftNodeError(e, 'Stopped'));
  });
});

describe('RaftNode: three nodes', () => {
  it('replicates; followers forward writes and get their own results', async () => {
    c = new TestCluster();
    for (const id of [1, 2, 3]) c.start(id, [1, 2, 3]);
    const leader = await c.leader();
    const followers = [...c.nodes.values()].filter((n) => n !== leader);
    expect(await followers[0]!.propose(append('x', '1'))).toBe('1');
    expect(await leader.propose(append('x', '2'))).toBe('12');
    expect(await followers[1]!.propose(append('x', '3'))).toBe('123');
    for (const n of c.nodes.values()) {
      await n.readBarrier();
      expect(n.kv.data.get('x')).toBe('123');
    }
  });

  it('read barrier on a follower sees a write acknowledged by the leader', async () => {
    c = new TestCluster();
    for (const id of [1, 2, 3]) c.start(id, [1, 2, 3]);
    const leader = await c.leader();
    const f = [...c.nodes.values()].find((n) => n !== leader)!;
    for (let i = 0; i < 20; i++) {
      await leader.propose(set('k', String(i)));
      await f.readBarrier();
      expect(f.kv.data.get('k')).toBe(String(i));
    }
  });

  it('elects a new leader when the leader stops, and keeps every acknowledged write', async () => {
    c = new TestCluster();
    for (const id of [1, 2, 3]) c.start(id, [1, 2, 3]);
    const old = await c.leader();
    for (let i = 0; i < 10; i++) await old.propose(append('log', `${i},`));
    await c.stop(old.id, false);
    const neu = await c.leader();
    expect(neu.id).not.toBe(old.id);
    expect(await neu.propose(append('log', 'x'))).toBe('0,1,2,3,4,5,6,7,8,9,x');
  });

  it('a killed leader (connections closed) is replaced well within the election timeout', async () => {
    c = new TestCluster({ electionTicks: 150 }); // election timeout 1500-3000 ms
    for (const id of [1, 2, 3]) c.start(id, [1, 2, 3]);
    const old = await c.leader(10_000);
    await old.propose(set('a', '1'));
    const t0 = Date.now();
    await c.kill(old.id);
    const neu = await c.leader(5000);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(await neu.propose(append('a', '2'))).toBe('12');
  });

  it('a forwarded write lost with a killed leader fails fast; one sent during the election waits for the new leader', async () => {
    c = new TestCluster({ electionTicks: 150 }); // election timeout 1500-3000 ms
    for (const id of [1, 2, 3]) c.start(id, [1, 2, 3]);
    const old = await c.leader(10_000);
    const f = [...c.nodes.values()].find((n) => n !== old)!;
    await f.propose(set('k', '0'));
    // The link to the leader drops the forwarded proposal; then the leader dies.
    c.net.partition(f.id, old.id);
    const lost = f.propose(set('k', '1'));
    await new Promise((r) => setTimeout(r, 30));
    const t0 = Date.now();
    await c.kill(old.id);
    // It fails as soon as a new leader is known (the survivors elect one at once, well within the
    // election timeout), not at its proposal deadline.
    await expect(lost).rejects.toSatisfy((e) => isRaftNodeError(e, 'LeaderChanged'));
    expect(Date.now() - t0).toBeLessThan(1000);
    // Sent before any new leader is known: it waits (no error) and is applied by the new leader.
    expect(await f.propose(append('k', '2'))).toBe('02');
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it('a follower whose connection the live leader closed keeps its forwarded write: it is applied, not failed as "leader changed"', async () => {
    c = new TestCluster({ electionTicks: 150 }); // election timeout 1500-3000 ms
    for (const id of [1, 2, 3]) c.start(id, [1, 2, 3]);
    const leader = await c.leader(10_000);
    const f = [...c.nodes.values()].find((n) => n !== leader)!;
    await f.propose(set('k', '0'));
    const term = leader.status().term;
    // The leader gets the forwarded write and commits it with the third node, but nothing from the
    // leader reaches f yet: the write is in flight and not in f's log.
    c.net.cutOneWay(leader.id, f.id);
    const write = f.propose(append('k', '1')).catch((e: Error) => e.message);
    await until(() => leader.kv.data.get('k') === '01', 2000, 'the leader applied the forwarded write');
    // Then the connection closes (the leader timed f out while f's process was paused): f forgets
    // its leader and campaigns early; the leader and the third node ignore that (pre-vote, lease).
    c.net.reset(f.id, leader.id);
    await until(() => f.status().leader === 0, 2000, 'f forgot its leader');
    c.net.cutOneWay(leader.id, f.id, true);
    expect(await write).toBe('01');
    expect(f.status().leader).toBe(leader.id);
    expect(leader.isLeader()).toBe(true);
    expect(leader.status().term).toBe(term);
  });

  it('hands leadership over on graceful stop without an election timeout', async () => {
    c = new TestCluster({ electionTicks: 50 }); // 500-1000 ms election timeout
    for (const id of [1, 2, 3]) c.start(id, [1, 2, 3]);
    const old = await c.leader();
    await old.propose(set('a', '1'));
    const t0 = Date.now();
    await c.stop(old.id, true);
    const neu = await c.leader(2000);
    expect(Date.now() - t0).toBeLessThan(450);
    expect(await neu.propose(set('a', '2'))).toBe('2');
  });

  it('a minority-side leader cannot serve a read barrier (no stale reads)', async () => {
    c = new TestCluster({ readTimeoutMs: 300 });
    for (const id of [1, 2, 3]) c.start(id, [1, 2, 3]);
    const leader = await c.leader();
    c.net.isolate(leader.id, [1, 2, 3]);
    await expect(leader.readBarrier()).rejects.toSatisfy((e) => isRaftNodeError(e, 'Timeout'));
  });

  it('catches up a node that was cut off past a snapshot by streaming the image', async () => {
    c = new TestCluster({ snapshotEntries: 20, trailingEntries: 0, snapshotChunkBytes: 64 });
    for (const id of [1, 2, 3]) c.start(id, [1, 2, 3]);
    const leader = await c.leader();
    const lagger = [...c.nodes.values()].find((n) => n !== leader)!;
    c.net.isolate(lagger.id, [1, 2, 3]);
    for (let i = 0; i < 60; i++) await leader.propose(set(`k${i % 7}`, `v${i}`));
    await until(() => leader.stats.snapshotsTaken > 0, 5000, 'leader snapshot');
    c.net.isolate(lagger.id, [1, 2, 3], true);
    await until(() => lagger.stats.snapshotsInstalled > 0, 5000, 'snapshot install');
    await lagger.readBarrier();
    expect(lagger.kv.data).toEqual(leader.kv.data);
    expect(leader.stats.snapshotsSent).toBeGreaterThan(0);
  });

  it('adds a learner, promotes it, and the new member serves writes', async () => {
    c = new TestCluster({ snapshotEntries: 5, trailingEntries: 0 });
    for (const id of [1, 2, 3]) c.start(id, [1, 2, 3]);
    const leader = await c.leader();
    for (let i = 0; i < 12; i++) await leader.propose(set(`k${i}`, `${i}`));
    const n4 = c.start(4); // empty: learns everything from the leader
    await leader.changeMembership({ type: 'addLearner', nodeId: 4 }, 'mem://4');
    await until(() => n4.kv.data.get('k11') === '11', 5000, 'learner catch-up');
    const cs = await leader.changeMembership({ type: 'addVoter', nodeId: 4 });
    expect(cs.voters).toEqual([1, 2, 3, 4]);
    expect(await n4.propose(set('from4', 'yes'))).toBe('yes');
    expect(n4.status().members).toMatchObject({ '4': 'mem://4', '1': 'mem://1' });
  });
});

describe('RaftNode: automatic roles', () => {
  const roles = { graceMs: 300, intervalMs: 20 };

  it('grows from one node: members that join as standbys are promoted up to 3 voters, the 4th stays standby', async () => {
    c = new TestCluster({ roles });
    const n1 = c.start(1, [1]);
    await n1.waitForLeader();
    for (const id of [2, 3, 4]) {
      c.start(id);
      await n1.changeMembership({ type: 'addLearner', nodeId: id }, `mem://${id}`);
    }
    await until(() => n1.status().voters.length === 3, 5000, '3 voters');
    await new Promise((r) => setTimeout(r, 200));
    const st = n1.status();
    expect(st.voters).toEqual([1, 2, 3]);
    expect(st.learners).toEqual([4]);
  });

  it('replaces a voter that stays unreachable past the grace period with a caught-up standby', async () => {
    c = new TestCluster({ roles });
    for (const id of [1, 2, 3]) c.start(id, [1, 2, 3]);
    const leader = await c.leader();
    c.start(4);
    await leader.changeMembership({ type: 'addLearner', nodeId: 4 }, 'mem://4');
    await leader.propose(set('a', '1'));
    const dead = [1, 2, 3].find((id) => id !== leader.id)!;
    await c.stop(dead);
    await until(() => leader.status().voters.includes(4) && leader.status().learners.includes(dead), 5000, 'promotion and demotion');
    expect(leader.status().voters).toHaveLength(3);
    // The demoted node comes back as a standby and catches up; roles stay as they are.
    const back = c.start(dead);
    await until(() => back.kv.data.get('a') === '1', 5000, 'returned node catches up');
    await new Promise((r) => setTimeout(r, 200));
    expect(leader.status().learners).toEqual([dead]);
  });
});

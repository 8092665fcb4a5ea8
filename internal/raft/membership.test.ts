import { describe, expect, it } from 'vitest';
import { seededRand } from '../util/index.js';
import { MemoryLogStorage } from './memory-storage.js';
import { Network, enc } from './testing/network.js';
import type { ConfChange } from './types.js';

function change(net: Network, leader: number, cc: ConfChange) {
  const res = net.core(leader).proposeConfChange(cc);
  net.stabilize();
  return res;
}

describe('membership changes (single-step, applied when committed entries are applied)', () => {
  it('adds a voter that joins with an empty log and catches up', () => {
    const net = new Network([1, 2, 3]);
    net.campaign(1);
    net.propose(1, 'a');
    net.add(4, new MemoryLogStorage());
    expect(change(net, 1, { type: 'addVoter', nodeId: 4 })).toEqual({ ok: true });
    net.tickAll(2);
    for (const id of [1, 2, 3, 4]) expect(net.core(id).status().config).toEqual({ voters: [1, 2, 3, 4], learners: [] });
    expect(net.node(4).applied).toEqual(['a']);
    net.propose(1, 'b');
    expect(net.node(4).applied).toEqual(['a', 'b']);
    // Quorum is now 3 of 4: two nodes down blocks commits.
    net.isolate(3);
    net.isolate(4);
    net.propose(1, 'c');
    expect(net.node(1).applied).toEqual(['a', 'b']);
  });

  it('removes a voter: the remaining two form the quorum', () => {
    const net = new Network([1, 2, 3]);
    net.campaign(1);
    change(net, 1, { type: 'removeNode', nodeId: 3 });
    for (const id of [1, 2]) expect(net.core(id).status().config).toEqual({ voters: [1, 2], learners: [] });
    net.isolate(3);
    net.propose(1, 'x');
    expect(net.node(2).applied).toEqual(['x']);
    // The removed node is not promotable: it never campaigns.
    net.tick(3, 100);
    net.stabilize();
    expect(net.core(3).status().softState.role).toBe('follower');
  });

  it('a removed leader steps down and the rest elect a new one', () => {
    // Randomized timeouts (seeded) so 2 and 3 do not split the vote forever.
    const net = new Network([1, 2, 3], { rand: seededRand(7) });
    net.campaign(1);
    change(net, 1, { type: 'removeNode', nodeId: 1 });
    expect(net.core(1).status().softState.role).toBe('follower');
    net.isolate(1);
    net.tickAll(25);
    const leader = net.leader();
    expect([2, 3]).toContain(leader);
    net.propose(leader!, 'after');
    expect(net.node(2).applied).toEqual(['after']);
    expect(net.core(leader!).status().config.voters).toEqual([2, 3]);
  });

  it('allows only one pending change at a time', () => {
    const net = new Network([1, 2, 3]);
    net.campaign(1);
    expect(net.core(1).proposeConfChange({ type: 'addLearner', nodeId: 4 })).toEqual({ ok: true });
    expect(net.core(1).proposeConfChange({ type: 'addLearner', nodeId: 5 })).toEqual({ ok: false, reason: 'confChangePending' });
    net.stabilize();
    expect(net.core(1).proposeConfChange({ type: 'addLearner', nodeId: 5 })).toEqual({ ok: true });
  });

  it('a new leader refuses changes while entries from before its election are unapplied', () => {
    // etcd semantics: pendingConfIndex starts at the new leader's last index, since an entry it
    // inherited might be a conf change it has not applied yet.
    const net = new Network([1, 2, 3], { preVote: false, checkQuorum: false });
    net.campaign(1);
    // 'x' reaches 2 only, and 2's ack is lost: it is not committed.
    net.core(1).propose(enc('x'));
    net.processReady();
    net.deliver((m) => m.type === 'app' && m.to === 2);
    net.queue = [];
    net.processReady();
    net.queue = [];
    net.isolate(1);
    net.core(2).campaign();
    for (let i = 0; i < 6; i++) {
      net.processReady();
      net.deliver((m) => m.type !== 'app');
    }
    expect(net.core(2).status().softState.role).toBe('leader');
    expect(net.core(2).proposeConfChange({ type: 'removeNode', nodeId: 1 })).toEqual({ ok: false, reason: 'confChangePending' });
    net.stabilize();
    expect(net.node(2).applied).toEqual(['x']);
    expect(net.core(2).proposeConfChange({ type: 'removeNode', nodeId: 1 })).toEqual({ ok: true });
  });

  it('refuses a change that would leave no voter', () => {
    const net = new Network([1]);
    net.campaign(1);
    expect(net.core(1).proposeConfChange({ type: 'removeNode', nodeId: 1 })).toEqual({ ok: false, reason: 'invalidConfChange' });
  });

  it('followers forward conf changes to the leader', () => {
    const net = new Network([1, 2, 3]);
    net.campaign(1);
    expect(change(net, 2, { type: 'addLearner', nodeId: 9 })).toEqual({ ok: true });
    expect(net.core(1).status().config).toEqual({ voters: [1, 2, 3], learners: [9] });
  });
});

describe('learners', () => {
  it('receive the log but never count toward commit', () => {
    const net = new Network([1, 2, 3], {}, [4]);
    net.campaign(1);
    net.propose(1, 'a');
    expect(net.node(4).applied).toEqual(['a']);
    net.isolate(2);
    net.isolate(3);
    net.propose(1, 'b');
    // 1 + learner 4 hold 'b', but that is not a quorum of voters.
    expect(net.node(1).applied).toEqual(['a']);
    expect(net.core(4).status().lastIndex).toBe(net.core(1).status().lastIndex);
  });

  it('never campaign and their votes are not counted', () => {
    const net = new Network([1, 2, 3], {}, [4]);
    net.tick(4, 100);
    net.stabilize();
    expect(net.core(4).status().softState.role).toBe('follower');
    expect(net.delivered.filter((m) => m.from === 4)).toEqual([]);
    // A candidate needs 2 of the 3 voters, whatever the learner says.
    net.isolate(2);
    net.isolate(3);
    net.campaign(1);
    expect(net.leader()).toBeUndefined();
  });

  it('catch up from scratch, then get promoted to voter', () => {
    const net = new Network([1, 2, 3]);
    net.campaign(1);
    for (const d of ['a', 'b', 'c']) net.propose(1, d);
    net.add(4, new MemoryLogStorage());
    change(net, 1, { type: 'addLearner', nodeId: 4 });
    net.tickAll(2);
    expect(net.node(4).applied).toEqual(['a', 'b', 'c']);
    expect(net.core(1).status().progress?.get(4)).toMatchObject({ isLearner: true, state: 'replicate' });
    // Promote once caught up (the driver decides "caught up" from status().progress).
    expect(net.core(1).status().progress?.get(4)?.match).toBe(net.core(1).status().lastIndex);
    change(net, 1, { type: 'addVoter', nodeId: 4 });
    for (const id of [1, 2, 3, 4]) expect(net.core(id).status().config).toEqual({ voters: [1, 2, 3, 4], learners: [] });
    // As a voter it can now be elected.
    net.core(1).transferLeader(4);
    net.stabilize();
    expect(net.leader()).toBe(4);
  });

  it('a learner leader transfer request is ignored', () => {
    const net = new Network([1, 2, 3], {}, [4]);
    net.campaign(1);
    net.core(1).transferLeader(4);
    net.stabilize();
    expect(net.leader()).toBe(1);
    expect(net.core(1).propose(enc('still-accepting'))).toEqual({ ok: true });
  });
});

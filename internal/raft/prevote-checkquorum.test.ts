import { describe, expect, it } from 'vitest';
import { Network } from './testing/network.js';
import type { Message } from './types.js';

const voteReq = (from: number, to: number, term: number, type: 'vote' | 'preVote' = 'vote'): Message => ({
  type,
  from,
  to,
  term,
  logTerm: 10,
  index: 100,
  entries: [],
  commit: 0,
  reject: false,
  rejectHint: 0,
});

describe('PreVote (thesis §9.6)', () => {
  it('an isolated node does not raise its term while it cannot win', () => {
    const net = new Network([1, 2, 3]);
    net.campaign(1);
    net.isolate(3);
    net.tick(3, 100);
    net.stabilize();
    expect(net.core(3).status().hardState.term).toBe(2);
    expect(net.core(3).status().softState.role).toBe('preCandidate');
  });

  it('a partitioned node rejoining does not disrupt the leader', () => {
    const net = new Network([1, 2, 3]);
    net.campaign(1);
    net.isolate(3);
    net.tick(3, 50);
    net.stabilize();
    net.heal();
    net.tickAll(5);
    expect(net.leader()).toBe(1);
    for (const id of [1, 2, 3]) expect(net.core(id).status().hardState.term).toBe(2);
    expect(net.core(3).status().softState).toEqual({ role: 'follower', leader: 1 });
  });

  it('without PreVote and CheckQuorum the same rejoin deposes the leader (the problem PreVote solves)', () => {
    const net = new Network([1, 2, 3], { preVote: false, checkQuorum: false });
    net.campaign(1);
    net.isolate(3);
    net.tick(3, 50);
    net.stabilize();
    expect(net.core(3).status().hardState.term).toBeGreaterThan(3);
    net.heal();
    net.core(3).tick();
    for (let i = 0; i < 20; i++) net.core(3).tick();
    net.stabilize();
    expect(net.core(1).status().hardState.term).toBeGreaterThan(2);
  });

  it('a pre-vote is granted in a future term without changing the voter', () => {
    const net = new Network([1, 2, 3]);
    // No leader known, so no lease: 2 grants the pre-vote but keeps term 0 and no vote.
    net.core(2).step(voteReq(1, 2, 2, 'preVote'));
    net.processReady();
    expect(net.queue).toEqual([expect.objectContaining({ type: 'preVoteResp', term: 2, reject: false })]);
    expect(net.core(2).status().hardState).toEqual({ term: 1, vote: 0, commit: 1 });
  });
});

describe('CheckQuorum and the leader lease', () => {
  it('a leader that cannot reach a quorum steps down after an election timeout', () => {
    const net = new Network([1, 2, 3]);
    net.campaign(1);
    net.isolate(1);
    net.tick(1, 9);
    expect(net.core(1).status().softState.role).toBe('leader');
    // The first CheckQuorum round sees activity from the election; the next sees none.
    net.tick(1, 11);
    expect(net.core(1).status().softState).toEqual({ role: 'follower', leader: 0 });
    expect(net.core(1).status().hardState.term).toBe(2);
  });

  it('a leader with a live quorum stays leader', () => {
    const net = new Network([1, 2, 3]);
    net.campaign(1);
    net.isolate(3);
    for (let i = 0; i < 50; i++) {
      net.tick(1);
      net.tick(2);
      net.stabilize();
    }
    expect(net.core(1).status().softState.role).toBe('leader');
  });

  it('a follower in lease ignores a vote request of a higher term', () => {
    const net = new Network([1, 2, 3], { preVote: false });
    net.campaign(1);
    net.core(2).step(voteReq(3, 2, 5));
    net.processReady();
    expect(net.queue).toEqual([]);
    expect(net.core(2).status().hardState.term).toBe(2);
  });

  it('once the lease expires the follower votes again', () => {
    const net = new Network([1, 2, 3], { preVote: false });
    net.campaign(1);
    net.isolate(1);
    // 2 is not promotable-blocked: use a long timeout so it does not campaign itself.
    net.tick(2, 9);
    net.core(2).step(voteReq(3, 2, 5));
    net.processReady();
    expect(net.queue).toEqual([]);
    net.tick(2, 1); // electionElapsed reaches electionTick, which also makes 2 campaign
    net.processReady();
    net.queue = [];
    net.core(2).step(voteReq(3, 2, 5));
    net.processReady();
    expect(net.queue).toEqual([expect.objectContaining({ type: 'voteResp', to: 3, term: 5, reject: false })]);
  });

  it('a stuck candidate with a higher term rejoins without leaving the cluster leaderless for long', () => {
    // etcd TestFreeStuckCandidateWithCheckQuorum: without PreVote the isolated node's term runs ahead.
    const net = new Network([1, 2, 3], { preVote: false });
    net.campaign(1);
    net.isolate(3);
    net.tick(3, 30);
    net.stabilize();
    const t3 = net.core(3).status().hardState.term;
    net.heal();
    // The leader's heartbeat reaches 3; 3 answers with its higher term and the leader steps down.
    net.tick(1);
    net.stabilize();
    expect(net.core(1).status().hardState.term).toBe(t3);
    net.campaign(1);
    expect(net.leader()).toBe(1);
    expect(net.core(3).status().softState.leader).toBe(1);
  });
});

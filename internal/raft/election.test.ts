import { describe, expect, it } from 'vitest';
import { createRaft } from './raw-node.js';
import { Network, enc, storageAtZero } from './testing/network.js';
import type { Message } from './types.js';

describe('leader election (§5.2)', () => {
  it('a single node elects itself and commits its no-op only after advance', () => {
    const storage = storageAtZero([1]);
    const core = createRaft({ id: 1, storage, electionTick: 10, heartbeatTick: 1, rand: () => 0 });
    core.campaign();
    let rd = core.ready();
    expect(rd.softState).toEqual({ leader: 1, role: 'leader' });
    expect(rd.hardState).toEqual({ term: 1, vote: 1, commit: 0 });
    expect(rd.entries.map((e) => [e.index, e.term])).toEqual([[1, 1]]);
    // Not committed yet: the leader's own entry is not durable until the driver says so (etcd #14370).
    expect(rd.committedEntries).toEqual([]);
    expect(rd.mustSync).toBe(true);
    storage.append(rd.entries);
    core.advance(rd);
    expect(core.hasReady()).toBe(true);
    rd = core.ready();
    expect(rd.hardState?.commit).toBe(1);
    expect(rd.committedEntries.map((e) => e.index)).toEqual([1]);
    expect(rd.mustSync).toBe(false);
    core.advance(rd);
    expect(core.hasReady()).toBe(false);
  });

  it('a follower times out after electionTick ticks and wins a 3-node election', () => {
    const net = new Network([1, 2, 3]);
    net.tick(1, 9);
    net.stabilize();
    expect(net.leader()).toBeUndefined();
    net.tick(1, 1);
    net.stabilize();
    expect(net.leader()).toBe(1);
    for (const id of [1, 2, 3]) expect(net.core(id).status().hardState.term).toBe(2);
    expect(net.core(2).status().softState.leader).toBe(1);
    // PreVote ran first: preVote messages precede the real votes.
    const types = net.delivered.map((m) => m.type);
    expect(types.indexOf('preVote')).toBeLessThan(types.indexOf('vote'));
  });

  it('without PreVote, the candidate raises its term directly', () => {
    const net = new Network([1, 2, 3], { preVote: false });
    net.campaign(1);
    expect(net.leader()).toBe(1);
    expect(net.delivered.some((m) => m.type === 'preVote')).toBe(false);
  });

  it('a split vote elects nobody; both candidates give up and a later term resolves it', () => {
    const net = new Network([1, 2, 3, 4], { preVote: false });
    // 1 and 2 campaign simultaneously; 3 and 4 vote for whoever asks first.
    net.core(1).campaign();
    net.core(2).campaign();
    net.processReady();
    // deliver 1's requests to 3 first and 2's to 4 first
    net.deliver((m) => (m.from === 1 && m.to === 3) || (m.from === 2 && m.to === 4));
    net.stabilize();
    expect(net.leader()).toBeUndefined();
    // Each got 2 of 4 votes and 2 rejections: a majority is out of reach, so both fall back.
    for (const id of [1, 2]) expect(net.core(id).status().softState).toEqual({ role: 'follower', leader: 0 });
    expect(net.core(1).status().hardState.term).toBe(2);
    net.campaign(1);
    expect(net.leader()).toBe(1);
    expect(net.core(1).status().hardState.term).toBe(3);
  });

  it('a voter grants at most one vote per term', () => {
    const core = createRaft({ id: 1, storage: storageAtZero([1, 2, 3]), electionTick: 10, heartbeatTick: 1, rand: () => 0, preVote: false });
    const vote = (from: number): Message => ({ type: 'vote', from, to: 1, term: 1, logTerm: 0, index: 0, entries: [], commit: 0, reject: false, rejectHint: 0 });
    core.step(vote(2));
    core.step(vote(3));
    const msgs = core.ready().messages;
    expect(msgs.map((m) => [m.to, m.type, m.reject])).toEqual([
      [2, 'voteResp', false],
      [3, 'voteResp', true],
    ]);
  });

  it('a voter rejects a candidate whose log is behind (§5.4.1)', () => {
    const net = new Network([1, 2, 3], { preVote: false, checkQuorum: false });
    net.campaign(1);
    net.propose(1, 'x');
    // 3 misses the entry, then campaigns: 2 must refuse it.
    net.isolate(3);
    net.propose(1, 'y');
    net.heal();
    net.isolate(1);
    net.campaign(3);
    expect(net.core(3).status().softState.role).not.toBe('leader');
    expect(net.core(3).status().hardState.term).toBe(3);
    net.campaign(2);
    expect(net.core(2).status().softState.role).toBe('leader');
    expect(net.core(2).status().hardState.term).toBe(4);
  });

  it('a leader steps down on seeing a higher term', () => {
    const net = new Network([1, 2, 3], { preVote: false, checkQuorum: false });
    net.campaign(1);
    net.isolate(1);
    net.campaign(2);
    expect(net.core(2).status().softState.role).toBe('leader');
    expect(net.core(1).status().softState.role).toBe('leader'); // stale, cut off
    net.heal();
    net.tick(2);
    net.stabilize();
    expect(net.core(1).status().softState).toEqual({ role: 'follower', leader: 2 });
  });

  it('a stale leader learns of the new term from the answer to its own heartbeat (CheckQuorum)', () => {
    const net = new Network([1, 2, 3], { preVote: false });
    net.campaign(1);
    net.isolate(1);
    net.campaign(2);
    net.heal();
    net.tick(1); // only the stale leader's heartbeat travels
    net.stabilize();
    expect(net.core(1).status().softState.role).toBe('follower');
    expect(net.core(1).status().hardState.term).toBe(3);
  });

  it('a vote response is released only in the Ready that persists the vote', () => {
    const core = createRaft({ id: 2, storage: storageAtZero([1, 2, 3]), electionTick: 10, heartbeatTick: 1, rand: () => 0, preVote: false });
    core.step({ type: 'vote', from: 1, to: 2, term: 5, logTerm: 0, index: 0, entries: [], commit: 0, reject: false, rejectHint: 0 });
    const rd = core.ready();
    expect(rd.hardState).toEqual({ term: 5, vote: 1, commit: 0 });
    expect(rd.mustSync).toBe(true);
    expect(rd.messages[0]).toMatchObject({ type: 'voteResp', term: 5, reject: false });
  });

  it('proposals are dropped without a leader, and forwarded by followers', () => {
    const net = new Network([1, 2, 3]);
    expect(net.core(2).propose(enc('a'))).toEqual({ ok: false, reason: 'noLeader' });
    net.campaign(1);
    expect(net.propose(2, 'a')).toEqual({ ok: true });
    for (const id of [1, 2, 3]) expect(net.node(id).applied).toEqual(['a']);
  });

  it('followers drop proposals when forwarding is disabled', () => {
    const net = new Network([1, 2, 3], { disableProposalForwarding: true });
    net.campaign(1);
    expect(net.core(2).propose(enc('a'))).toEqual({ ok: false, reason: 'forwardingDisabled' });
  });
});

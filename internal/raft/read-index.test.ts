import { describe, expect, it } from 'vitest';
import { MemoryLogStorage } from './memory-storage.js';
import { createRaft } from './raw-node.js';
import { Network, dec, enc, storageAtZero } from './testing/network.js';

describe('ReadIndex (thesis §6.4)', () => {
  it('leader answers after a quorum heartbeat round with its commit index', () => {
    const net = new Network([1, 2, 3]);
    net.campaign(1);
    net.propose(1, 'a');
    expect(net.core(1).readIndex(enc('r1'))).toEqual({ ok: true });
    net.processReady();
    // Not answered before the heartbeat round.
    expect(net.node(1).readStates).toEqual([]);
    expect(net.queue.filter((m) => m.type === 'heartbeat').map((m) => dec(m.context!))).toEqual(['r1', 'r1']);
    net.stabilize();
    expect(net.node(1).readStates.map((r) => [r.index, dec(r.context)])).toEqual([[3, 'r1']]);
  });

  it('a partitioned leader cannot serve a read (no stale reads)', () => {
    const net = new Network([1, 2, 3]);
    net.campaign(1);
    net.isolate(1);
    net.core(1).readIndex(enc('r'));
    net.stabilize();
    net.tick(1, 3);
    net.stabilize();
    expect(net.node(1).readStates).toEqual([]);
  });

  it('one quorum ack confirms all earlier requests too', () => {
    const net = new Network([1, 2, 3]);
    net.campaign(1);
    net.core(1).readIndex(enc('a'));
    net.core(1).readIndex(enc('b'));
    net.processReady();
    // Drop the heartbeats carrying "a": only the "b" round is answered.
    net.queue = net.queue.filter((m) => dec(m.context ?? new Uint8Array()) === 'b');
    net.stabilize();
    expect(net.node(1).readStates.map((r) => dec(r.context))).toEqual(['a', 'b']);
  });

  it('followers forward to the leader and get the read index back', () => {
    const net = new Network([1, 2, 3]);
    net.campaign(1);
    net.propose(1, 'a');
    expect(net.core(3).readIndex(enc('f'))).toEqual({ ok: true });
    net.stabilize();
    expect(net.node(3).readStates.map((r) => [r.index, dec(r.context)])).toEqual([[3, 'f']]);
    expect(net.node(1).readStates).toEqual([]);
  });

  it('a read without a known leader is dropped', () => {
    const net = new Network([1, 2, 3]);
    expect(net.core(2).readIndex(enc('x'))).toEqual({ ok: false, reason: 'noLeader' });
  });

  it('a new leader holds reads until it has committed an entry of its term', () => {
    const net = new Network([1, 2, 3]);
    net.core(1).campaign();
    // Run the election, but hold back every append so the no-op does not commit.
    for (let i = 0; i < 10; i++) {
      net.processReady();
      net.deliver((m) => m.type !== 'app');
      net.queue = net.queue.filter((m) => m.type !== 'app');
    }
    expect(net.core(1).status().softState.role).toBe('leader');
    net.core(1).readIndex(enc('early'));
    net.processReady();
    net.deliver((m) => m.type !== 'app');
    net.processReady();
    expect(net.node(1).readStates).toEqual([]);
    net.tickAll(1); // heartbeats → appends → no-op commits → the held read is served
    expect(net.node(1).readStates.map((r) => [r.index, dec(r.context)])).toEqual([[2, 'early']]);
  });

  it('with readOnlyLeaseBased the leader answers from its lease, without a heartbeat round', () => {
    const net = new Network([1, 2, 3], { readOnlyLeaseBased: true });
    net.campaign(1);
    net.isolate(1); // no round trip possible, yet the lease still holds
    net.core(1).readIndex(enc('lease'));
    net.processReady();
    expect(net.node(1).readStates.map((r) => [r.index, dec(r.context)])).toEqual([[2, 'lease']]);
    expect(net.queue.filter((m) => m.type === 'heartbeat')).toEqual([]);
  });

  it('a single-voter leader answers at once', () => {
    const storage = storageAtZero([1]);
    const core = createRaft({ id: 1, storage, electionTick: 10, heartbeatTick: 1, rand: () => 0 });
    core.campaign();
    for (let i = 0; i < 3; i++) {
      const rd = core.ready();
      storage.append(rd.entries);
      core.advance(rd);
    }
    core.readIndex(enc('s'));
    expect(core.ready().readStates).toEqual([{ index: 1, context: enc('s') }]);
  });
});

describe('leadership transfer (thesis §3.10)', () => {
  it('hands leadership to an up-to-date follower', () => {
    const net = new Network([1, 2, 3]);
    net.campaign(1);
    net.core(1).transferLeader(2);
    net.stabilize();
    expect(net.leader()).toBe(2);
    expect(net.core(1).status().softState).toEqual({ role: 'follower', leader: 2 });
    expect(net.core(2).status().hardState.term).toBe(3);
    expect(net.delivered.some((m) => m.type === 'timeoutNow' && m.to === 2)).toBe(true);
  });

  it('catches a lagging transferee up first', () => {
    const net = new Network([1, 2, 3]);
    net.campaign(1);
    net.isolate(3);
    net.propose(1, 'a');
    net.heal();
    net.core(1).transferLeader(3);
    net.stabilize();
    expect(net.leader()).toBe(3);
    expect(net.node(3).applied).toEqual(['a']);
  });

  it('drops proposals during a transfer and aborts after an election timeout', () => {
    const net = new Network([1, 2, 3]);
    net.campaign(1);
    net.isolate(3);
    net.core(1).transferLeader(3);
    net.stabilize();
    expect(net.core(1).propose(enc('x'))).toEqual({ ok: false, reason: 'leaderTransferInProgress' });
    for (let i = 0; i < 10; i++) {
      net.tick(1);
      net.tick(2);
      net.stabilize();
    }
    expect(net.core(1).status().leadTransferee).toBe(0);
    expect(net.core(1).propose(enc('x'))).toEqual({ ok: true });
  });

  it('a follower forwards the transfer request to the leader', () => {
    const net = new Network([1, 2, 3]);
    net.campaign(1);
    net.core(3).transferLeader(3);
    net.stabilize();
    expect(net.leader()).toBe(3);
  });

  it('the transferee campaigns through the lease of the other followers', () => {
    const net = new Network([1, 2, 3], { preVote: true, checkQuorum: true });
    net.campaign(1);
    net.core(1).transferLeader(2);
    net.stabilize();
    // 3 heard from leader 1 just now (in lease), but the transfer vote bypasses it.
    expect(net.core(3).status().softState.leader).toBe(2);
  });
});

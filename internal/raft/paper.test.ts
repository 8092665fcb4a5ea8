import { describe, expect, it } from 'vitest';
import { seededRand } from '../util/index.js';
import { createRaft } from './raw-node.js';
import { storageAtZero } from './testing/network.js';
import type { Message } from './types.js';

const m = (f: Partial<Message> & Pick<Message, 'type' | 'from' | 'term'>): Message => ({
  to: 1,
  logTerm: 0,
  index: 0,
  entries: [],
  commit: 0,
  reject: false,
  rejectHint: 0,
  ...f,
});

const follower = (opts: { rand?: () => number; preVote?: boolean } = {}) =>
  createRaft({ id: 1, storage: storageAtZero([1, 2, 3]), electionTick: 10, heartbeatTick: 1, rand: opts.rand ?? (() => 0), preVote: opts.preVote ?? false });

describe('Raft paper rules', () => {
  it('election timeouts are drawn from [electionTick, 2*electionTick) (§5.2)', () => {
    const seen = new Set<number>();
    const rand = seededRand(3);
    for (let i = 0; i < 200; i++) {
      const core = follower({ rand });
      let ticks = 0;
      while (core.status().softState.role === 'follower') {
        core.tick();
        ticks++;
      }
      seen.add(ticks);
    }
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...seen)).toBeLessThan(20);
    expect(seen.size).toBeGreaterThan(5);
  });

  it('a candidate that hears from a leader of its own term becomes its follower (§5.2)', () => {
    const core = follower();
    core.campaign();
    expect(core.status().softState.role).toBe('candidate');
    core.step(m({ type: 'app', from: 2, term: 1 }));
    expect(core.status().softState).toEqual({ role: 'follower', leader: 2 });
  });

  it('a message of a lower term is ignored (§5.1)', () => {
    const core = follower();
    core.step(m({ type: 'heartbeat', from: 2, term: 5 }));
    core.ready();
    core.step(m({ type: 'app', from: 3, term: 4, entries: [{ index: 1, term: 4, type: 'normal', data: new Uint8Array() }] }));
    const rd = core.ready();
    expect(core.status().softState.leader).toBe(2);
    expect(rd.entries).toEqual([]);
  });

  it('a follower resets its election timer on each leader message (§5.2)', () => {
    const core = follower();
    for (let i = 0; i < 30; i++) {
      core.tick();
      core.step(m({ type: 'heartbeat', from: 2, term: 1 }));
    }
    expect(core.status().softState.role).toBe('follower');
  });

  it('a heartbeat advances commit, and the response echoes the context', () => {
    const core = follower();
    core.step(m({ type: 'app', from: 2, term: 1, entries: [{ index: 1, term: 1, type: 'normal', data: new Uint8Array([1]) }] }));
    core.ready();
    core.step(m({ type: 'heartbeat', from: 2, term: 1, commit: 1, context: new Uint8Array([9]) }));
    const rd = core.ready();
    expect(rd.hardState?.commit).toBe(1);
    expect(rd.committedEntries.map((e) => e.index)).toEqual([1]);
    expect(rd.messages).toEqual([expect.objectContaining({ type: 'heartbeatResp', to: 2, context: new Uint8Array([9]) })]);
  });

  it('the leader sends its log to every follower, never to itself', () => {
    const core = follower();
    core.campaign();
    core.ready();
    core.step(m({ type: 'voteResp', from: 2, term: 1 }));
    const rd = core.ready();
    expect(rd.messages.filter((x) => x.type === 'app').map((x) => x.to)).toEqual([2, 3]);
  });
});

import { describe, expect, it } from 'vitest';
import { leaderLossCampaignDelay } from './leader-loss.js';
import { Network } from './testing/network.js';
import type { Status } from './types.js';

/** A three-node cluster led by 1, every follower freshly in its lease. */
function ledBy1(opts = {}): Network {
  const net = new Network([1, 2, 3], opts);
  net.campaign(1);
  net.propose(1, 'a');
  return net;
}

describe('forgetLeader (leader loss seen by the driver)', () => {
  it('without it, a follower in the lease cannot be elected while the old leader is gone', () => {
    const net = ledBy1();
    net.isolate(1); // the leader died
    net.campaign(2);
    // 3 heard from 1 within the election timeout: it ignores the pre-vote, nothing changes.
    expect(net.core(2).status().softState.role).toBe('preCandidate');
    expect(net.core(3).status().softState).toEqual({ role: 'follower', leader: 1 });
    expect(net.core(2).status().hardState.term).toBe(2);
  });

  it('when the survivors forgot the dead leader, one campaign elects a new leader at once', () => {
    const net = ledBy1();
    net.isolate(1);
    expect(net.core(2).forgetLeader()).toBe(true);
    expect(net.core(3).forgetLeader()).toBe(true);
    net.campaign(2);
    expect(net.core(2).status().softState).toEqual({ role: 'leader', leader: 2 });
    expect(net.core(3).status().softState).toEqual({ role: 'follower', leader: 2 });
    expect(net.core(2).status().hardState.term).toBe(3);
    // The new leader's log has everything the old one committed.
    net.propose(3, 'b');
    expect(net.node(2).applied).toEqual(['a', 'b']);
  });

  it('changes only the soft state: term, vote and log stay, and proposals wait for a leader', () => {
    const net = ledBy1();
    const before = net.core(3).status();
    net.core(3).forgetLeader();
    net.processReady();
    const after = net.core(3).status();
    expect(after.softState).toEqual({ role: 'follower', leader: 0 });
    expect(after.hardState).toEqual(before.hardState);
    expect(after.lastIndex).toBe(before.lastIndex);
    expect(net.core(3).propose(new Uint8Array([1]))).toEqual({ ok: false, reason: 'noLeader' });
  });

  it('a live leader is followed again at its next heartbeat', () => {
    const net = ledBy1();
    net.core(3).forgetLeader();
    net.tick(1, 1);
    net.stabilize();
    expect(net.core(3).status().softState).toEqual({ role: 'follower', leader: 1 });
  });

  it('a lone follower that forgot a live leader cannot disrupt it (the other follower keeps its lease)', () => {
    const net = ledBy1();
    net.core(3).forgetLeader();
    net.campaign(3);
    expect(net.leader()).toBe(1);
    for (const id of [1, 2, 3]) expect(net.core(id).status().hardState.term).toBe(2);
    net.tick(1, 1);
    net.stabilize();
    expect(net.core(3).status().softState).toEqual({ role: 'follower', leader: 1 });
  });

  it('is a no-op on the leader, on a candidate, without a known leader, and with lease-based reads', () => {
    const net = ledBy1();
    expect(net.core(1).forgetLeader()).toBe(false);
    expect(net.core(1).status().softState.role).toBe('leader');
    net.core(2).forgetLeader();
    expect(net.core(2).forgetLeader()).toBe(false); // already leaderless
    net.isolate(2);
    net.core(2).campaign();
    expect(net.core(2).forgetLeader()).toBe(false); // pre-candidate

    const lease = ledBy1({ readOnlyLeaseBased: true });
    expect(lease.core(2).forgetLeader()).toBe(false);
    expect(lease.core(2).status().softState.leader).toBe(1);
  });
});

describe('leaderLossCampaignDelay', () => {
  const status = (id: number, voters: number[]): Status =>
    ({ id, config: { voters, learners: [] } }) as unknown as Status;

  it('survivors take turns by id, one heartbeat apart, with at most half a heartbeat of jitter', () => {
    expect(leaderLossCampaignDelay(status(2, [1, 2, 3]), 1, 100, () => 0)).toBe(0);
    expect(leaderLossCampaignDelay(status(3, [1, 2, 3]), 1, 100, () => 0)).toBe(100);
    expect(leaderLossCampaignDelay(status(3, [1, 2, 3]), 1, 100, () => 0.999)).toBeCloseTo(149.95);
    expect(leaderLossCampaignDelay(status(1, [3, 1, 2]), 2, 100, () => 0)).toBe(0);
  });

  it('retries wait until every survivor had its turn and spread further apart', () => {
    const r = () => 0;
    expect(leaderLossCampaignDelay(status(2, [1, 2, 3]), 1, 100, r, 1)).toBe(200);
    expect(leaderLossCampaignDelay(status(3, [1, 2, 3]), 1, 100, r, 1)).toBe(400);
    expect(leaderLossCampaignDelay(status(3, [1, 2, 3]), 1, 100, r, 2)).toBe(500);
  });

  it('a learner does not campaign', () => {
    expect(leaderLossCampaignDelay(status(4, [1, 2, 3]), 1, 100, () => 0)).toBeUndefined();
  });
});

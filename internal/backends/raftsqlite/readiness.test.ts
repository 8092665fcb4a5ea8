import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../util/index.js';
import { LeaderReadiness } from './readiness.js';

// Election timeout 1000 ms (the default): grace 2000 ms.
const setup = () => {
  const clock = new FakeClock(1_000_000);
  return { clock, r: new LeaderReadiness(clock, 2000) };
};

describe('LeaderReadiness', () => {
  it('is not ready before the node has seen a leader, then ready as leader or as a follower of one', () => {
    const { clock, r } = setup();
    expect(r.ready()).toBe(false);
    r.observe(0, 'preCandidate');
    clock.advance(10_000);
    expect(r.ready()).toBe(false);
    r.observe(2, 'follower');
    expect(r.ready()).toBe(true);
    r.observe(1, 'leader');
    expect(r.ready()).toBe(true);
  });

  it('stays ready through a normal election (leaderless for less than the grace)', () => {
    const { clock, r } = setup();
    r.observe(1, 'follower');
    clock.advance(60_000);
    // The leader was killed: the follower forgets it, campaigns, and a new leader wins 1.4 s later.
    r.observe(0, 'follower');
    clock.advance(500);
    r.observe(0, 'preCandidate');
    clock.advance(400);
    r.observe(0, 'candidate');
    expect(r.ready()).toBe(true);
    clock.advance(500);
    expect(r.ready()).toBe(true);
    r.observe(3, 'leader');
    expect(r.ready()).toBe(true);
    // A second election right after starts a fresh grace (measured from the loss, not the first one).
    clock.advance(100);
    r.observe(0, 'follower');
    clock.advance(1999);
    expect(r.ready()).toBe(true);
    r.observe(2, 'follower');
    expect(r.ready()).toBe(true);
  });

  it('turns not ready once the node has been without a leader for longer than the grace (cut off from the quorum)', () => {
    const { clock, r } = setup();
    r.observe(2, 'follower');
    r.observe(0, 'preCandidate'); // no heartbeat for an election timeout: partitioned away
    clock.advance(1999);
    expect(r.ready()).toBe(true);
    clock.advance(1);
    expect(r.ready()).toBe(false);
    // Repeated pre-votes that find no quorum change nothing.
    r.observe(0, 'follower');
    r.observe(0, 'preCandidate');
    clock.advance(30_000);
    expect(r.ready()).toBe(false);
    // Healed: it follows the leader again.
    r.observe(2, 'follower');
    expect(r.ready()).toBe(true);
  });

  it('counts a leader that stepped down (CheckQuorum: it lost its quorum) as leaderless', () => {
    const { clock, r } = setup();
    r.observe(1, 'leader');
    clock.advance(5000);
    r.observe(0, 'follower');
    clock.advance(2000);
    expect(r.ready()).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { desiredVoters, nextRoleChange, type ClusterView } from './roles.js';

function view(v: Partial<ClusterView> & { voters: number[]; learners?: number[] }, offline: number[] = [], lagging: number[] = []): ClusterView {
  const all = [...v.voters, ...(v.learners ?? [])];
  return {
    leader: v.leader ?? v.voters[0]!,
    voters: v.voters,
    learners: v.learners ?? [],
    online: new Set(all.filter((id) => !offline.includes(id))),
    caughtUp: new Set(all.filter((id) => !lagging.includes(id))),
    domains: v.domains ?? new Map(),
  };
}
const p3 = { voters: 3 as const };
const p5 = { voters: 5 as const };

describe('desiredVoters', () => {
  it('is every member below 3, then 3 (or 5 from 5 members when configured), never even', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => desiredVoters(n, p3))).toEqual([1, 2, 3, 3, 3, 3, 3]);
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => desiredVoters(n, p5))).toEqual([1, 2, 3, 3, 5, 5, 5]);
  });
});

describe('nextRoleChange', () => {
  it('promotes a caught-up standby to reach the target, not a lagging one', () => {
    expect(nextRoleChange(view({ voters: [1, 2], learners: [3] }), p3)).toEqual({ type: 'addVoter', nodeId: 3 });
    expect(nextRoleChange(view({ voters: [1, 2], learners: [3] }, [], [3]), p3)).toBeUndefined();
    expect(nextRoleChange(view({ voters: [1], learners: [2] }), p3)).toEqual({ type: 'addVoter', nodeId: 2 });
  });

  it('keeps extra members as standbys', () => {
    expect(nextRoleChange(view({ voters: [1, 2, 3], learners: [4, 5] }), p3)).toBeUndefined();
  });

  it('replaces an offline voter: promote first, then demote the dead one', () => {
    const before = view({ voters: [1, 2, 3], learners: [4] }, [3]);
    expect(nextRoleChange(before, p3)).toEqual({ type: 'addVoter', nodeId: 4 });
    const after = view({ voters: [1, 2, 3, 4], learners: [] }, [3]);
    expect(nextRoleChange(after, p3)).toEqual({ type: 'addLearner', nodeId: 3 });
    // The dead voter came back as a standby: nothing more to do.
    expect(nextRoleChange(view({ voters: [1, 2, 4], learners: [3] }), p3)).toBeUndefined();
  });

  it('does nothing without a standby to take over, or without a quorum online', () => {
    expect(nextRoleChange(view({ voters: [1, 2, 3] }, [3]), p3)).toBeUndefined();
    expect(nextRoleChange(view({ voters: [1, 2, 3], learners: [4] }, [2, 3]), p3)).toBeUndefined();
    expect(nextRoleChange(view({ voters: [1, 2] }, [2]), p3)).toBeUndefined();
  });

  it('never demotes the leader and shrinks extra voters', () => {
    expect(nextRoleChange(view({ leader: 1, voters: [1, 2, 3, 4], learners: [] }), p3)).toEqual({ type: 'addLearner', nodeId: 4 });
  });

  it('spreads voters over failure domains', () => {
    const domains = new Map([
      [1, 'a'],
      [2, 'a'],
      [3, 'b'],
      [4, 'a'],
      [5, 'c'],
    ]);
    // Voter 3 (domain b) is down; standby 5 (domain c, no voter) is preferred over 4 (domain a).
    expect(nextRoleChange(view({ voters: [1, 2, 3], learners: [4, 5], domains }, [3]), p3)).toEqual({ type: 'addVoter', nodeId: 5 });
    // Too many voters, all online: demote from the crowded domain a (never the leader 1).
    expect(nextRoleChange(view({ leader: 1, voters: [1, 2, 3, 5], learners: [4], domains }), p3)).toEqual({ type: 'addLearner', nodeId: 2 });
  });

  it('moves a vote to an unrepresented domain once every voter is healthy, then stays put', () => {
    const domains = new Map([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
      [4, 'b'],
    ]);
    // Voters 1(a), 2(b), 4(b); standby 3 is the only one in domain c.
    expect(nextRoleChange(view({ leader: 1, voters: [1, 2, 4], learners: [3], domains }), p3)).toEqual({ type: 'addVoter', nodeId: 3 });
    expect(nextRoleChange(view({ leader: 1, voters: [1, 2, 3, 4], learners: [], domains }), p3)).toEqual({ type: 'addLearner', nodeId: 4 });
    expect(nextRoleChange(view({ leader: 1, voters: [1, 2, 3], learners: [4], domains }), p3)).toBeUndefined();
    // With voter 2 down the replacement rule decides instead (3 takes its place; 2 is demoted next).
    expect(nextRoleChange(view({ leader: 1, voters: [1, 2, 4], learners: [3], domains }, [2]), p3)).toEqual({ type: 'addVoter', nodeId: 3 });
  });
});

import { describe, expect, it } from 'vitest';
import { desiredVoters, joinRole, nextRoleChange, type ClusterView } from './roles.js';

function view(v: Partial<ClusterView> & { voters: number[]; learners?: number[] }, offline: number[] = [], lagging: number[] = []): ClusterView {
  const all = [...v.voters, ...(v.learners ?? []), ...(v.spares ?? [])];
  return {
    leader: v.leader ?? v.voters[0]!,
    voters: v.voters,
    learners: v.learners ?? [],
    spares: v.spares ?? [],
    online: new Set(all.filter((id) => !offline.includes(id))),
    caughtUp: new Set(all.filter((id) => !lagging.includes(id))),
    domains: v.domains ?? new Map(),
  };
}
const p3 = { voters: 3 as const };
const p5 = { voters: 5 as const };
const s3 = { voters: 3 as const, standbys: 2 };
const s5 = { voters: 5 as const, standbys: 2 };

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

describe('joinRole', () => {
  it('is standby with no standby limit (the behaviour before spares)', () => {
    expect(joinRole({ voters: [1, 2, 3], learners: [4, 5, 6] }, p3)).toBe('standby');
  });

  it('is standby while voters are short or standbys below the limit, then spare', () => {
    expect(joinRole({ voters: [1], learners: [] }, s3)).toBe('standby');
    expect(joinRole({ voters: [1, 2], learners: [] }, s3)).toBe('standby');
    expect(joinRole({ voters: [1, 2, 3], learners: [4] }, s3)).toBe('standby');
    expect(joinRole({ voters: [1, 2, 3], learners: [4, 5] }, s3)).toBe('spare');
    expect(joinRole({ voters: [1, 2, 3], learners: [4, 5], spares: [6] }, s3)).toBe('spare');
  });

  it('with --voters 5 a joiner that makes 5 members is a standby (it is to become a voter)', () => {
    expect(joinRole({ voters: [1, 2, 3], learners: [4, 5] }, s5)).toBe('standby');
    expect(joinRole({ voters: [1, 2, 3, 4, 5], learners: [6, 7] }, s5)).toBe('spare');
  });
});

describe('nextRoleChange with spares (standbys limited to 2)', () => {
  it('is stable at 3 voters, 2 standbys and the rest spares', () => {
    expect(nextRoleChange(view({ voters: [1, 2, 3], learners: [4, 5], spares: [6, 7] }), s3)).toBeUndefined();
  });

  it('turns an extra standby into a spare: the highest id, an offline one first', () => {
    expect(nextRoleChange(view({ voters: [1, 2, 3], learners: [4, 5, 6] }), s3)).toEqual({ type: 'toSpare', nodeId: 6 });
    expect(nextRoleChange(view({ voters: [1, 2, 3], learners: [4, 5, 6] }, [4]), s3)).toEqual({ type: 'toSpare', nodeId: 4 });
  });

  it('turns an online spare into a standby when online standbys drop below 2, never an offline spare', () => {
    expect(nextRoleChange(view({ voters: [1, 2, 3], learners: [4], spares: [7, 6] }), s3)).toEqual({ type: 'addLearner', nodeId: 6 });
    expect(nextRoleChange(view({ voters: [1, 2, 3], learners: [4], spares: [6, 7] }, [6]), s3)).toEqual({ type: 'addLearner', nodeId: 7 });
    expect(nextRoleChange(view({ voters: [1, 2, 3], learners: [4], spares: [6] }, [6]), s3)).toBeUndefined();
    // A standby that is offline does not count: the spare replicates in its place.
    expect(nextRoleChange(view({ voters: [1, 2, 3], learners: [4, 5], spares: [6] }, [5]), s3)).toEqual({ type: 'addLearner', nodeId: 6 });
  });

  it('prefers a spare from a failure domain without a voter', () => {
    const domains = new Map([
      [1, 'a'],
      [2, 'b'],
      [3, 'b'],
      [6, 'b'],
      [7, 'c'],
    ]);
    expect(nextRoleChange(view({ voters: [1, 2, 3], learners: [4], spares: [6, 7], domains }), s3)).toEqual({ type: 'addLearner', nodeId: 7 });
  });

  it('never makes a spare a voter directly; voter rules come first', () => {
    // Voter 3 is dead and no standby is left: the spare becomes a standby (it must replicate first).
    expect(nextRoleChange(view({ voters: [1, 2, 3], learners: [], spares: [6] }, [3]), s3)).toEqual({ type: 'addLearner', nodeId: 6 });
    // Once it replicates (caught up) it is promoted; while it lags, nothing more happens.
    expect(nextRoleChange(view({ voters: [1, 2, 3], learners: [6] }, [3], [6]), s3)).toBeUndefined();
    expect(nextRoleChange(view({ voters: [1, 2, 3], learners: [6] }, [3]), s3)).toEqual({ type: 'addVoter', nodeId: 6 });
  });

  it('makes no change without a quorum of voters online', () => {
    expect(nextRoleChange(view({ voters: [1, 2, 3], learners: [4], spares: [6] }, [2, 3]), s3)).toBeUndefined();
  });

  it('walks a dead voter to spare: promote a standby, demote the voter, a spare replicates, the dead one becomes a spare', () => {
    // 6 nodes: voters 1-3, standbys 4-5, spare 6; voter 3 dies (stays offline throughout).
    let v: ClusterView = view({ voters: [1, 2, 3], learners: [4, 5], spares: [6] }, [3]);
    const steps: string[] = [];
    for (let i = 0; i < 10; i++) {
      const c = nextRoleChange(v, s3);
      if (!c) break;
      steps.push(`${c.type} ${c.nodeId}`);
      const voters = v.voters.filter((x) => x !== c.nodeId);
      const learners = v.learners.filter((x) => x !== c.nodeId);
      const spares = (v.spares ?? []).filter((x) => x !== c.nodeId);
      if (c.type === 'addVoter') voters.push(c.nodeId);
      else if (c.type === 'addLearner') learners.push(c.nodeId);
      else spares.push(c.nodeId);
      v = { ...v, voters, learners, spares };
    }
    expect(steps).toEqual(['addVoter 4', 'addLearner 3', 'addLearner 6', 'toSpare 3']);
    expect(v).toMatchObject({ voters: [1, 2, 4], learners: [5, 6], spares: [3] });
    // It returns: it stays a spare (two standbys are online).
    expect(nextRoleChange({ ...v, online: new Set([1, 2, 3, 4, 5, 6]) }, s3)).toBeUndefined();
  });

  it('with --voters 5 and 7 nodes: 5 voters, 2 standbys, no spare; an 8th is a spare', () => {
    expect(nextRoleChange(view({ voters: [1, 2, 3, 4, 5], learners: [6, 7] }), s5)).toBeUndefined();
    expect(nextRoleChange(view({ voters: [1, 2, 3, 4, 5], learners: [6, 7], spares: [8] }), s5)).toBeUndefined();
    expect(nextRoleChange(view({ voters: [1, 2, 3], learners: [4, 5] }), s5)).toEqual({ type: 'addVoter', nodeId: 4 });
  });

  it('without a standby limit an online spare becomes a standby and none is demoted', () => {
    expect(nextRoleChange(view({ voters: [1, 2, 3], learners: [4, 5, 6, 7], spares: [8] }), p3)).toEqual({ type: 'addLearner', nodeId: 8 });
    expect(nextRoleChange(view({ voters: [1, 2, 3], learners: [4, 5, 6, 7] }), p3)).toBeUndefined();
  });
});

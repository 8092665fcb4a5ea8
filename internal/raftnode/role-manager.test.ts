import { describe, expect, it } from 'vitest';
import type { NodeId, Status } from '../raft/index.js';
import { decodeMemberContext } from './membership.js';
import { RoleManager } from './role-manager.js';

function status(voters: NodeId[], learners: NodeId[]): Status {
  const progress = new Map([...voters, ...learners].map((id) => [id, { match: 100, next: 101, state: 'replicate', recentActive: true, isLearner: learners.includes(id) }]));
  return { id: 1, hardState: { term: 1, vote: 1, commit: 100 }, softState: { leader: 1, role: 'leader' }, applied: 100, lastIndex: 100, config: { voters, learners }, leadTransferee: 0, progress } as unknown as Status;
}

describe('RoleManager with spares', () => {
  const members = new Map([1, 2, 3, 4, 5].map((id) => [id, `https://n${id}`]));

  it('makes an extra standby a spare: a removeNode whose context marks it spare and keeps its address', () => {
    const rm = new RoleManager(1, { standbys: 2, graceMs: 1000, intervalMs: 0 });
    rm.becameLeader([1, 2, 3, 4, 5, 6], 0);
    const cc = rm.decide(status([1, 2, 3], [4, 5, 6]), { members: new Map([...members, [6, 'https://n6']]), domains: new Map(), spares: new Map() }, 10);
    expect(cc?.type).toBe('removeNode');
    expect(cc?.nodeId).toBe(6);
    expect(decodeMemberContext(cc?.context)).toEqual({ spare: true, address: 'https://n6' });
  });

  it('makes a spare a standby only after it pinged within the grace period, with its recorded address', () => {
    const rm = new RoleManager(1, { standbys: 2, graceMs: 1000, intervalMs: 0 });
    rm.becameLeader([1, 2, 3, 4], 0);
    const m = { members, domains: new Map([[6, 'z']]), spares: new Map([[6, 'https://n6']]) };
    expect(rm.decide(status([1, 2, 3], [4]), m, 10)).toBeUndefined();
    rm.heard(6, 20);
    const cc = rm.decide(status([1, 2, 3], [4]), m, 30);
    expect(cc).toMatchObject({ type: 'addLearner', nodeId: 6 });
    expect(decodeMemberContext(cc?.context)).toEqual({ address: 'https://n6', domain: 'z' });
    // Silent for longer than the grace period: offline again.
    const late = new RoleManager(1, { standbys: 2, graceMs: 1000, intervalMs: 0 });
    late.heard(6, 0);
    expect(late.decide(status([1, 2, 3], [4]), m, 5000)).toBeUndefined();
  });

  it('without a standby limit nothing becomes a spare (the behaviour before spares)', () => {
    const rm = new RoleManager(1, { graceMs: 1000, intervalMs: 0 });
    rm.becameLeader([1, 2, 3, 4, 5, 6], 0);
    expect(rm.decide(status([1, 2, 3], [4, 5, 6]), { members, domains: new Map(), spares: new Map() }, 10)).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import type { ConfChange, ConfState, Snapshot } from '../raft/index.js';
import { Membership, decodeMemberContext, encodeMemberContext } from './membership.js';
import { decodeDescriptor, encodeDescriptor } from './snapshots.js';

const snap = (members: [number, string][], confState: ConfState, extra: { spares?: [number, string][]; domains?: [number, string][] } = {}): Snapshot => ({
  metadata: { index: 10, term: 1, confState },
  data: encodeDescriptor({ file: null, size: 0, sha256: '', members, ...extra }),
});
const apply = (m: Membership, index: number, cc: ConfChange) => {
  const voters = m.confState.voters.filter((id) => id !== cc.nodeId);
  const learners = m.confState.learners.filter((id) => id !== cc.nodeId);
  if (cc.type === 'addVoter') voters.push(cc.nodeId);
  if (cc.type === 'addLearner') learners.push(cc.nodeId);
  m.applied(index, cc, { voters, learners });
};

describe('Membership spares (committed state)', () => {
  it('a removeNode marked spare keeps the node recorded with its address and domain, outside the peers', () => {
    const m = new Membership(snap([[1, 'https://a'], [2, 'https://b'], [3, 'https://c'], [4, 'https://d']], { voters: [1, 2, 3], learners: [4] }, { domains: [[4, 'z']] }));
    apply(m, 11, { type: 'removeNode', nodeId: 4, context: encodeMemberContext({ spare: true }) });
    expect([...m.spares]).toEqual([[4, 'https://d']]);
    expect(m.members.has(4)).toBe(false);
    expect(m.domains.get(4)).toBe('z');
    expect([...m.peers(1, new Map()).keys()]).toEqual([2, 3]);
  });

  it('a spare made a standby gets its recorded address back; a plain removeNode forgets a spare', () => {
    const m = new Membership(snap([[1, 'https://a']], { voters: [1], learners: [] }, { spares: [[5, 'https://e'], [6, 'https://f']] }));
    apply(m, 11, { type: 'addLearner', nodeId: 5 });
    expect(m.members.get(5)).toBe('https://e');
    expect(m.spares.has(5)).toBe(false);
    apply(m, 12, { type: 'removeNode', nodeId: 6 });
    expect(m.spares.size).toBe(0);
  });

  it('a joiner recorded as spare directly (never in the configuration) carries its address in the context', () => {
    const m = new Membership(snap([[1, 'https://a']], { voters: [1], learners: [] }));
    apply(m, 11, { type: 'removeNode', nodeId: 7, context: encodeMemberContext({ spare: true, address: 'https://g', domain: 'y' }) });
    expect([...m.spares]).toEqual([[7, 'https://g']]);
    expect(m.domains.get(7)).toBe('y');
  });

  it('snapshots describe the spares as of their index and restore them on install', () => {
    const base = snap([[1, 'https://a'], [2, 'https://b']], { voters: [1], learners: [2] });
    const m = new Membership(base);
    apply(m, 11, { type: 'removeNode', nodeId: 2, context: encodeMemberContext({ spare: true }) });
    apply(m, 12, { type: 'addLearner', nodeId: 2 });
    const at11 = m.describe(m.at(11, base));
    expect(at11.spares).toEqual([[2, 'https://b']]);
    expect(m.describe(m.at(12, base)).spares).toBeUndefined();
    const other = new Membership(base);
    other.installed({ metadata: { index: 11, term: 1, confState: { voters: [1], learners: [] } }, data: encodeDescriptor({ file: null, size: 0, sha256: '', ...at11 }) });
    expect([...other.spares]).toEqual([[2, 'https://b']]);
    expect(decodeDescriptor(encodeDescriptor({ file: null, size: 0, sha256: '', members: [] })).spares).toBeUndefined();
  });

  it('member contexts round-trip; an empty context is {}', () => {
    expect(decodeMemberContext(encodeMemberContext({ address: 'x', spare: true }))).toEqual({ address: 'x', spare: true });
    expect(decodeMemberContext(undefined)).toEqual({});
  });
});

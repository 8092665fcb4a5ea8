import { describe, expect, it } from 'vitest';
import { MemoryLogStorage } from './memory-storage.js';
import { createRaft } from './raw-node.js';
import { Network, enc, storageAtZero } from './testing/network.js';
import type { Entry, Message } from './types.js';

const ent = (index: number, term: number, data = ''): Entry => ({ index, term, type: 'normal', data: enc(data) });
const msg = (m: Partial<Message> & Pick<Message, 'type' | 'from' | 'to' | 'term'>): Message => ({
  logTerm: 0,
  index: 0,
  entries: [],
  commit: 0,
  reject: false,
  rejectHint: 0,
  ...m,
});

/** A follower (id 2) whose storage holds `log` at `term`. */
function followerWith(log: Entry[], term: number) {
  const storage = storageAtZero([1, 2, 3]);
  storage.append(log);
  storage.setHardState({ term, vote: 0, commit: 0 });
  const core = createRaft({ id: 2, storage, electionTick: 10, heartbeatTick: 1, rand: () => 0 });
  return { core, storage };
}

/** Handles every Ready of a lone core: persist and advance; returns the messages it sent. */
function drive(core: ReturnType<typeof createRaft>, storage: MemoryLogStorage): Message[] {
  const out: Message[] = [];
  while (core.hasReady()) {
    const rd = core.ready();
    storage.append(rd.entries);
    if (rd.hardState) storage.setHardState(rd.hardState);
    out.push(...rd.messages);
    core.advance(rd);
  }
  return out;
}

describe('log replication (§5.3)', () => {
  it('replicates and commits on every node, in order', () => {
    const net = new Network([1, 2, 3]);
    net.campaign(1);
    for (const d of ['a', 'b', 'c']) net.propose(1, d);
    for (const id of [1, 2, 3]) {
      expect(net.node(id).applied).toEqual(['a', 'b', 'c']);
      expect(net.core(id).status().hardState.commit).toBe(5);
    }
  });

  it('commits with a majority while a minority is down', () => {
    const net = new Network([1, 2, 3, 4, 5]);
    net.campaign(1);
    net.isolate(4);
    net.isolate(5);
    net.propose(1, 'x');
    expect(net.node(1).applied).toEqual(['x']);
    expect(net.node(4).applied).toEqual([]);
    net.heal();
    net.tickAll(1);
    expect(net.node(4).applied).toEqual(['x']);
  });

  it('does not commit without a majority', () => {
    const net = new Network([1, 2, 3]);
    net.campaign(1);
    net.isolate(1);
    net.propose(1, 'x');
    expect(net.node(1).applied).toEqual([]);
    expect(net.core(1).status().hardState.commit).toBe(2);
  });

  it('follower rejects an append whose previous entry does not match, with a term hint', () => {
    const { core } = followerWith([ent(1, 1), ent(2, 2), ent(3, 2)], 3);
    core.step(msg({ type: 'app', from: 1, to: 2, term: 3, index: 3, logTerm: 3, entries: [ent(4, 3)] }));
    const out = core.ready().messages;
    // Our entry 3 has term 2 <= 3: the leader can jump straight to index 3 with term 2.
    expect(out).toEqual([expect.objectContaining({ type: 'appResp', reject: true, index: 3, rejectHint: 3, logTerm: 2 })]);
  });

  it('follower truncates a conflicting uncommitted suffix and appends the leader entries', () => {
    const { core, storage } = followerWith([ent(1, 1), ent(2, 1), ent(3, 2), ent(4, 2)], 2);
    core.step(msg({ type: 'app', from: 1, to: 2, term: 3, index: 2, logTerm: 1, commit: 3, entries: [ent(3, 3), ent(4, 3), ent(5, 3)] }));
    const rd = core.ready();
    expect(rd.entries.map((e) => [e.index, e.term])).toEqual([
      [3, 3],
      [4, 3],
      [5, 3],
    ]);
    expect(rd.hardState).toEqual({ term: 3, vote: 0, commit: 3 });
    expect(rd.messages).toEqual([expect.objectContaining({ type: 'appResp', index: 5, reject: false })]);
    storage.append(rd.entries);
    core.advance(rd);
    expect([1, 2, 3, 4, 5].map((i) => storage.term(i))).toEqual([1, 1, 3, 3, 3]);
  });

  it('a leader overwrites a divergent follower log after a leadership change', () => {
    const net = new Network([1, 2, 3], { preVote: false, checkQuorum: false });
    net.campaign(1);
    // 1 appends two entries nobody else gets.
    net.isolate(1);
    net.propose(1, 'lost1');
    net.propose(1, 'lost2');
    net.heal();
    net.isolate(1);
    net.campaign(2);
    net.propose(2, 'kept');
    net.heal();
    net.tickAll(2);
    for (const id of [1, 2, 3]) expect(net.node(id).applied).toEqual(['kept']);
    expect(net.core(1).status().lastIndex).toBe(net.core(2).status().lastIndex);
  });

  it('only entries of the current term are committed by counting replicas (Figure 8)', () => {
    // Paper Figure 8 (c): the new leader of term 3 holds (2, term 2) from an earlier term. Even once a
    // majority stores it, it must not be committed by counting, or a node with a term-2.5 log could
    // still win and overwrite it. It commits only together with an entry of term 3.
    const storage = storageAtZero([1, 2, 3]);
    storage.append([ent(1, 1), ent(2, 2)]);
    storage.setHardState({ term: 2, vote: 0, commit: 1 });
    const core = createRaft({ id: 1, storage, electionTick: 10, heartbeatTick: 1, rand: () => 0, preVote: false });
    core.campaign();
    drive(core, storage);
    core.step(msg({ type: 'voteResp', from: 2, to: 1, term: 3 }));
    drive(core, storage);
    expect(core.status().softState.role).toBe('leader');
    expect(core.status().lastIndex).toBe(3); // the term-3 no-op, durable after drive()
    core.step(msg({ type: 'appResp', from: 2, to: 1, term: 3, index: 2 }));
    drive(core, storage);
    expect(core.status().hardState.commit).toBe(1);
    core.step(msg({ type: 'appResp', from: 2, to: 1, term: 3, index: 3 }));
    drive(core, storage);
    expect(core.status().hardState.commit).toBe(3);
  });

  it('a restarted node resumes from its persisted HardState and log', () => {
    const net = new Network([1, 2, 3]);
    net.campaign(1);
    net.propose(1, 'a');
    net.propose(1, 'b');
    const before = net.core(2).status();
    const n2 = net.restart(2);
    const after = n2.core.status();
    expect(after.hardState).toEqual(before.hardState);
    expect(after.lastIndex).toBe(before.lastIndex);
    // The state machine restarts from scratch (applied 0), so committed entries are handed out again.
    net.processReady();
    expect(n2.applied).toEqual(['a', 'b']);
    net.propose(1, 'c');
    expect(n2.applied).toEqual(['a', 'b', 'c']);
  });

  it('a restarted node with Config.applied does not re-deliver applied entries', () => {
    const net = new Network([1, 2, 3]);
    net.campaign(1);
    net.propose(1, 'a');
    const applied = net.core(2).status().applied;
    const n2 = net.restart(2, { applied });
    net.processReady();
    expect(n2.applied).toEqual([]);
    net.propose(1, 'b');
    expect(n2.applied).toEqual(['b']);
  });

  it('a whole cluster restarts and elects a leader that keeps committed entries', () => {
    const net = new Network([1, 2, 3]);
    net.campaign(1);
    net.propose(1, 'a');
    for (const id of [1, 2, 3]) net.restart(id);
    net.campaign(3);
    net.propose(3, 'b');
    expect(net.node(2).applied).toEqual(['a', 'b']);
  });
});

describe('answers to commit-index bumps (Message.noAck)', () => {
  it('a follower holding everything through index takes the commit from a noAck append and does not answer', () => {
    const { core, storage } = followerWith([ent(1, 1), ent(2, 1)], 1);
    core.step(msg({ type: 'app', from: 1, to: 2, term: 1, logTerm: 1, index: 2, commit: 2, noAck: true }));
    expect(drive(core, storage).filter((m) => m.type === 'appResp')).toEqual([]);
    expect(core.status().hardState.commit).toBe(2);
    // The same append without the flag is answered, as before.
    core.step(msg({ type: 'app', from: 1, to: 2, term: 1, logTerm: 1, index: 2, commit: 2 }));
    expect(drive(core, storage).filter((m) => m.type === 'appResp').map((m) => [m.index, m.reject])).toEqual([[2, false]]);
  });

  it('a follower that lacks the entries still answers a noAck append, with a rejection', () => {
    const { core, storage } = followerWith([ent(1, 1)], 1);
    core.step(msg({ type: 'app', from: 1, to: 2, term: 1, logTerm: 1, index: 2, commit: 2, noAck: true }));
    expect(drive(core, storage).filter((m) => m.type === 'appResp').map((m) => m.reject)).toEqual([true]);
  });

  it('the leader flags only empty appends to followers that acked, or will ack, everything sent', () => {
    const net = new Network([1, 2, 3]);
    net.campaign(1);
    const before = net.delivered.length;
    net.propose(1, 'a');
    const sent = net.delivered.slice(before);
    const apps = sent.filter((m) => m.type === 'app');
    expect(apps.filter((m) => m.entries.length > 0).every((m) => !m.noAck)).toBe(true);
    expect(apps.some((m) => m.noAck)).toBe(true);
    expect(apps.filter((m) => m.noAck).every((m) => m.entries.length === 0)).toBe(true);
    // Both followers end with the commit, and neither answered a flagged append.
    expect(sent.filter((m) => m.type === 'appResp').length).toBe(2);
    for (const id of [2, 3]) expect(net.node(id).applied).toEqual(['a']);
  });
});

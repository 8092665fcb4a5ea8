import { describe, expect, it } from 'vitest';
import type { Config } from './config.js';
import type { RaftCore } from './core.js';
import { createRaft } from './raw-node.js';
import type { MemoryLogStorage } from './memory-storage.js';
import { enc, storageAtZero } from './testing/network.js';
import type { Message } from './types.js';

const resp = (fields: Partial<Message> & Pick<Message, 'type' | 'from'>): Message => ({
  to: 1,
  term: 1,
  logTerm: 0,
  index: 0,
  entries: [],
  commit: 0,
  reject: false,
  rejectHint: 0,
  ...fields,
});

/** Persists and advances every Ready of a lone core; returns the messages it released. */
function drive(core: RaftCore, storage: MemoryLogStorage): Message[] {
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

/** Node 1 as leader of term 1 in a {1, 2} cluster; the no-op append to 2 is still unanswered. */
function leader(opts: Partial<Config> = {}) {
  const storage = storageAtZero([1, 2]);
  const core = createRaft({ id: 1, storage, electionTick: 10, heartbeatTick: 1, rand: () => 0, preVote: false, ...opts });
  core.campaign();
  drive(core, storage);
  core.step(resp({ type: 'voteResp', from: 2 }));
  const first = drive(core, storage);
  return { core, storage, first };
}

describe('flow control (probe / replicate / inflight limits)', () => {
  it('probe state sends one append, then waits for an answer or a heartbeat response', () => {
    const { core, storage, first } = leader();
    expect(first.filter((m) => m.type === 'app')).toHaveLength(1);
    core.propose(enc('a'));
    core.propose(enc('b'));
    expect(drive(core, storage).filter((m) => m.type === 'app')).toEqual([]);
    core.step(resp({ type: 'heartbeatResp', from: 2 }));
    const apps = drive(core, storage).filter((m) => m.type === 'app');
    expect(apps).toHaveLength(1);
    expect(apps[0]!.entries.map((e) => e.index)).toEqual([1, 2, 3]);
  });

  it('an accepted probe switches to replicate, which pipelines up to maxInflightMsgs', () => {
    const { core, storage } = leader({ maxInflightMsgs: 2 });
    core.step(resp({ type: 'appResp', from: 2, index: 1 }));
    drive(core, storage);
    expect(core.status().progress?.get(2)?.state).toBe('replicate');
    const sent: Message[] = [];
    for (const d of ['a', 'b', 'c', 'd']) {
      core.propose(enc(d));
      sent.push(...drive(core, storage).filter((m) => m.type === 'app'));
    }
    expect(sent.map((m) => m.entries.map((e) => e.index))).toEqual([[2], [3]]);
    expect(core.status().progress?.get(2)?.inflight).toBe(2);
    // One ack frees the window: everything pending goes out in one message.
    core.step(resp({ type: 'appResp', from: 2, index: 3 }));
    const more = drive(core, storage).filter((m) => m.type === 'app');
    expect(more.map((m) => m.entries.map((e) => e.index))).toEqual([[4, 5]]);
  });

  it('maxSizePerMsg splits a backlog into several appends (at least one entry each)', () => {
    const { core, storage } = leader({ maxSizePerMsg: 10 });
    core.propose(new Uint8Array(6));
    core.propose(new Uint8Array(6));
    core.propose(new Uint8Array(20));
    drive(core, storage);
    core.step(resp({ type: 'appResp', from: 2, index: 5, reject: true, rejectHint: 0 }));
    // Stale rejection (for an index that is not next-1) is ignored.
    expect(drive(core, storage).filter((m) => m.type === 'app')).toEqual([]);
    core.step(resp({ type: 'appResp', from: 2, index: 1 }));
    const apps = drive(core, storage).filter((m) => m.type === 'app');
    expect(apps.map((m) => m.entries.map((e) => e.index))).toEqual([[2], [3], [4]]);
  });

  it('a rejection in replicate state falls back to probing from the match', () => {
    const { core, storage } = leader();
    core.step(resp({ type: 'appResp', from: 2, index: 1 }));
    core.propose(enc('a'));
    drive(core, storage);
    core.propose(enc('b'));
    drive(core, storage);
    // A rejection at or below the match is stale (reordered) and ignored.
    core.step(resp({ type: 'appResp', from: 2, index: 1, reject: true, rejectHint: 1, logTerm: 1 }));
    expect(core.status().progress?.get(2)?.state).toBe('replicate');
    // The follower lost entry 2 (say, a dropped message): it rejects the append after index 2.
    core.step(resp({ type: 'appResp', from: 2, index: 2, reject: true, rejectHint: 1, logTerm: 1 }));
    const apps = drive(core, storage).filter((m) => m.type === 'app');
    expect(core.status().progress?.get(2)?.state).toBe('probe');
    expect(apps.map((m) => [m.index, m.entries.map((e) => e.index)])).toEqual([[1, [2, 3]]]);
  });

  it('reportUnreachable stops pipelining', () => {
    const { core, storage } = leader();
    core.step(resp({ type: 'appResp', from: 2, index: 1 }));
    drive(core, storage);
    core.reportUnreachable(2);
    expect(core.status().progress?.get(2)?.state).toBe('probe');
  });

  it('the leader drops proposals once the uncommitted tail exceeds maxUncommittedEntriesSize', () => {
    const { core, storage } = leader({ maxUncommittedEntriesSize: 10 });
    expect(core.propose(new Uint8Array(8))).toEqual({ ok: true });
    expect(core.propose(new Uint8Array(8))).toEqual({ ok: false, reason: 'uncommittedSizeLimit' });
    drive(core, storage);
    // Once committed and applied, the budget is free again.
    core.step(resp({ type: 'appResp', from: 2, index: 2 }));
    drive(core, storage);
    expect(core.status().hardState.commit).toBe(2);
    expect(core.propose(new Uint8Array(8))).toEqual({ ok: true });
  });

  it('heartbeats never advertise a commit index beyond what the follower holds', () => {
    const { core, storage } = leader();
    core.step(resp({ type: 'appResp', from: 2, index: 1 }));
    drive(core, storage);
    for (let i = 0; i < 1; i++) core.tick();
    const hb = drive(core, storage).filter((m) => m.type === 'heartbeat');
    expect(hb).toEqual([expect.objectContaining({ to: 2, commit: 1 })]);
  });
});

describe('recovery from lost appends', () => {
  it('a full window of lost appends is freed by a heartbeat response', () => {
    const { core, storage } = leader({ maxInflightMsgs: 1 });
    core.step(resp({ type: 'appResp', from: 2, index: 1 }));
    drive(core, storage);
    core.propose(enc('a'));
    expect(drive(core, storage).filter((m) => m.type === 'app')).toHaveLength(1); // lost
    core.propose(enc('b'));
    expect(drive(core, storage).filter((m) => m.type === 'app')).toEqual([]); // window full
    core.step(resp({ type: 'heartbeatResp', from: 2 }));
    const apps = drive(core, storage).filter((m) => m.type === 'app');
    expect(apps.map((m) => [m.index, m.entries.map((e) => e.index)])).toEqual([[2, [3]]]);
    // The follower lacks 2 and rejects; the leader probes from its match.
    core.step(resp({ type: 'appResp', from: 2, index: 2, reject: true, rejectHint: 1, logTerm: 1 }));
    const retry = drive(core, storage).filter((m) => m.type === 'app');
    expect(retry.map((m) => [m.index, m.entries.map((e) => e.index)])).toEqual([[1, [2, 3]]]);
  });
});

import { describe, expect, it } from 'vitest';
import { newMessage } from './message.js';
import { MemoryLogStorage } from './memory-storage.js';
import { createRaft } from './raw-node.js';
import { SNAPSHOT_TIMEOUT_ROUNDS } from './step-leader.js';
import { Network, storageAtZero } from './testing/network.js';

describe('snapshots and InstallSnapshot', () => {
  it('a lagging follower whose entries were compacted receives a snapshot, then the rest of the log', () => {
    const net = new Network([1, 2, 3]);
    net.campaign(1);
    net.isolate(3);
    for (const d of ['a', 'b', 'c']) net.propose(1, d);
    const snapIndex = net.snapshotAndCompact(1);
    net.propose(1, 'd');
    net.heal();
    net.tickAll(3);
    expect(net.snapshotsInstalled).toEqual([{ id: 3, index: snapIndex }]);
    expect(net.node(3).applied).toEqual(['a', 'b', 'c', 'd']);
    expect(net.core(1).status().progress?.get(3)).toMatchObject({ state: 'replicate', match: net.core(1).status().lastIndex });
  });

  it('a follower may campaign while a snapshot it installed is not applied yet (found by sim seed 31320509)', () => {
    const core = createRaft({ id: 2, storage: storageAtZero([1, 2, 3]), electionTick: 10, heartbeatTick: 1, rand: () => 0, preVote: false });
    const snapshot = { metadata: { index: 10, term: 2, confState: { voters: [1, 2, 3], learners: [] } }, data: new Uint8Array() };
    core.step({ ...newMessage('snap', 2, { snapshot }), from: 1, term: 2 });
    expect(core.status()).toMatchObject({ hardState: { commit: 10 }, applied: 0 });
    // Before the fix the unapplied-conf-change scan read [1, 11) below the snapshot and threw.
    core.campaign();
    expect(core.status()).toMatchObject({ softState: { role: 'candidate' }, hardState: { term: 3 } });
  });

  it('a follower that still has the entries is not sent a snapshot', () => {
    const net = new Network([1, 2, 3]);
    net.campaign(1);
    for (const d of ['a', 'b']) net.propose(1, d);
    net.snapshotAndCompact(1);
    net.propose(1, 'c');
    expect(net.snapshotsInstalled).toEqual([]);
    expect(net.node(3).applied).toEqual(['a', 'b', 'c']);
  });

  it('a new node joining after compaction is caught up by snapshot', () => {
    const net = new Network([1, 2, 3]);
    net.campaign(1);
    for (const d of ['a', 'b']) net.propose(1, d);
    net.snapshotAndCompact(1);
    net.add(4, new MemoryLogStorage());
    net.core(1).proposeConfChange({ type: 'addLearner', nodeId: 4 });
    net.stabilize();
    net.tickAll(3);
    expect(net.snapshotsInstalled.map((s) => s.id)).toEqual([4]);
    expect(net.node(4).applied).toEqual(['a', 'b']);
    expect(net.core(4).status().config).toEqual({ voters: [1, 2, 3], learners: [4] });
  });

  it('while a snapshot is in flight nothing else is sent; a failed send falls back to probing', () => {
    const net = new Network([1, 2, 3]);
    net.campaign(1);
    net.isolate(3);
    for (const d of ['a', 'b']) net.propose(1, d);
    net.snapshotAndCompact(1);
    net.heal();
    net.ignore('snap'); // the transport loses the snapshot
    net.tickAll(2);
    expect(net.core(1).status().progress?.get(3)?.state).toBe('snapshot');
    net.core(1).reportSnapshot(3, false);
    expect(net.core(1).status().progress?.get(3)?.state).toBe('probe');
    net.heal();
    net.tickAll(3);
    expect(net.node(3).applied).toEqual(['a', 'b']);
  });

  it('without a report, a lost snapshot is resent after SNAPSHOT_TIMEOUT_ROUNDS election timeouts', () => {
    const net = new Network([1, 2, 3]);
    net.campaign(1);
    net.isolate(3);
    for (const d of ['a', 'b']) net.propose(1, d);
    net.snapshotAndCompact(1);
    net.heal();
    net.ignore('snap');
    net.tickAll(2);
    expect(net.core(1).status().progress?.get(3)?.state).toBe('snapshot');
    net.heal();
    net.tickAll(10 * (SNAPSHOT_TIMEOUT_ROUNDS - 1));
    expect(net.node(3).applied).toEqual([]);
    net.tickAll(10 + 2);
    expect(net.node(3).applied).toEqual(['a', 'b']);
  });

  it('a node restarts from a snapshot plus the log after it', () => {
    const net = new Network([1, 2, 3]);
    net.campaign(1);
    for (const d of ['a', 'b']) net.propose(1, d);
    const snapIndex = net.snapshotAndCompact(2);
    net.propose(1, 'c');
    const n2 = net.restart(2, { applied: snapIndex });
    n2.applied = ['a', 'b']; // the state machine restored from its snapshot
    net.processReady();
    expect(n2.applied).toEqual(['a', 'b', 'c']);
    expect(n2.core.status().config).toEqual({ voters: [1, 2, 3], learners: [] });
  });

  it('a stale snapshot (at or below commit) is ignored but acknowledged', () => {
    const net = new Network([1, 2, 3]);
    net.campaign(1);
    net.propose(1, 'a');
    const snap = net.node(1).storage.snapshot();
    net.core(2).step({ type: 'snap', from: 1, to: 2, term: 2, logTerm: 0, index: 0, entries: [], commit: 0, reject: false, rejectHint: 0, snapshot: snap });
    net.processReady();
    expect(net.snapshotsInstalled).toEqual([]);
    expect(net.queue).toEqual([expect.objectContaining({ type: 'appResp', index: net.core(2).status().hardState.commit })]);
  });
});
